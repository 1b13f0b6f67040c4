// The stacks of the SimGrid actors of a run (one per site, the courier, the controller): how big
// each is, and whether the kernel lets a run have that many (docs/BENCHMARKS.md, "Actor stacks").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace treedoc::sim {

#if defined(__SANITIZE_ADDRESS__)
#define TREEDOC_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TREEDOC_ADDRESS_SANITIZER 1
#endif
#endif

#ifdef TREEDOC_ADDRESS_SANITIZER
// AddressSanitizer's redzones and fake frames make every frame several times larger: its builds
// keep SimGrid's default.
inline constexpr uint32_t kActorStackKib = 8192;
#else
// Every bundled and test scenario and a 260,000-op trace with a flatten and a crash run with
// 8 KiB stacks (the same event-log hashes) and some fail at 6 KiB: 64 KiB is 8 times what they
// need. SimGrid's default is 8 MiB, reserved (not touched) per actor.
inline constexpr uint32_t kActorStackKib = 64;
#endif

// SimGrid guards each actor's stack with a page that traps an overflow: with the stack itself,
// two memory mappings per actor, so vm.max_map_count (65,530 by default) bounds the actors.
inline constexpr uint64_t kMappingsPerActor = 2;
// Mappings the process needs besides the stacks (libraries, heaps, large vectors): a run of
// 32,500 sites fits 65,530 (a few hundred others), one of 33,000 does not.
inline constexpr uint64_t kMappingsReserve = 2000;
// The courier and the controller.
inline constexpr uint64_t kActorsBesidesSites = 2;

// Gives every actor created from now on a stack of kActorStackKib; call before the platform.
void configure_actor_stacks();

// The kernel's vm.max_map_count, or nullopt when it cannot be read (then nothing is checked).
std::optional<uint64_t> max_map_count();

// Why a run of `sites` sites cannot start under a `map_count_max` of vm.max_map_count (it would
// abort with SimGrid's "Failed to protect stack"), or "" when it fits.
std::string actor_mappings_problem(uint64_t sites, uint64_t map_count_max);

}  // namespace treedoc::sim
