// Names of sites and flatten attempts, as scenario files, messages and traces write them.
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

std::string site_name(const Topology& t, SiteIndex i) {
  return i < t.core ? "c" + std::to_string(i) : "n" + std::to_string(i - t.core);
}

std::string site_id_name(const Topology& t, SiteId id) {
  const bool known = id >= kSiteIdFirst && id - kSiteIdFirst < t.site_count();
  return known ? site_name(t, static_cast<SiteIndex>(id - kSiteIdFirst)) : "#" + std::to_string(id);
}

std::string attempt_name(const Topology& t, const site::TxId& id) {
  return site_id_name(t, id.coordinator) + "/" + std::to_string(id.attempt);
}

}  // namespace treedoc::sim
