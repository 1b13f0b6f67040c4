// Names of sites, as scenario files and messages write them.
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

std::string site_name(const Topology& t, SiteIndex i) {
  return i < t.core ? "c" + std::to_string(i) : "n" + std::to_string(i - t.core);
}

}  // namespace treedoc::sim
