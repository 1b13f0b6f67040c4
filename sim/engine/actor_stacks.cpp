// Actor stacks: SimGrid's context stack size, and the memory mappings a run's actors need.
#include "sim/engine/actor_stacks.hpp"

#include <xbt/base.h>  // before xbt/config.hpp, which needs its declaration macros

#include <xbt/config.hpp>

#include <fstream>

namespace treedoc::sim {

void configure_actor_stacks() {
  // set_value, not Engine::set_config: that one logs the change on every run's stderr.
  simgrid::config::set_value<int>("contexts/stack-size", static_cast<int>(kActorStackKib));
}

std::optional<uint64_t> max_map_count() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  uint64_t count = 0;
  if (!(in >> count)) return std::nullopt;
  return count;
}

std::string actor_mappings_problem(uint64_t sites, uint64_t map_count_max) {
  const uint64_t needed = (sites + kActorsBesidesSites) * kMappingsPerActor + kMappingsReserve;
  if (needed <= map_count_max) return "";
  return std::to_string(sites) + " sites need about " + std::to_string(needed) +
         " memory mappings (SimGrid guards each actor's stack with a page of its own), and "
         "vm.max_map_count is " +
         std::to_string(map_count_max) +
         ": expected fewer sites, or a higher limit (sudo sysctl -w vm.max_map_count=" +
         std::to_string(needed) + ")";
}

}  // namespace treedoc::sim
