// What a topology says of its sites: their names, the names of flatten attempts, and the latency
// class joining two sites.
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

std::string site_name(const Topology& t, SiteIndex i) {
  return i < t.core ? "c" + std::to_string(i) : "n" + std::to_string(i - t.core);
}

const LatencyClass& latency_class(const Topology& t, SiteIndex a, SiteIndex b) {
  const bool a_core = a < t.core, b_core = b < t.core;
  if (a_core && b_core) return t.core_core;
  if (a_core || b_core) return t.core_nebula;
  return t.nebula_nebula;
}

std::string site_id_name(const Topology& t, SiteId id) {
  const bool known = id >= kSiteIdFirst && id - kSiteIdFirst < t.site_count();
  return known ? site_name(t, static_cast<SiteIndex>(id - kSiteIdFirst)) : "#" + std::to_string(id);
}

std::string attempt_name(const Topology& t, const site::TxId& id) {
  return site_id_name(t, id.coordinator) + "/" + std::to_string(id.attempt);
}

}  // namespace treedoc::sim
