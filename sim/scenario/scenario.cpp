// Names of sites and flatten attempts, as scenario files, messages and traces write them.
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

std::string site_name(const Topology& t, SiteIndex i) {
  return i < t.core ? "c" + std::to_string(i) : "n" + std::to_string(i - t.core);
}

std::string attempt_name(const Topology& t, const site::TxId& id) {
  const bool known =
      id.coordinator >= kSiteIdFirst && id.coordinator - kSiteIdFirst < t.site_count();
  const std::string coordinator =
      known ? site_name(t, static_cast<SiteIndex>(id.coordinator - kSiteIdFirst))
            : "#" + std::to_string(id.coordinator);
  return coordinator + "/" + std::to_string(id.attempt);
}

}  // namespace treedoc::sim
