// The TID-uniqueness family's Dis test: a made insert's TID ends in the Dis its op id names. The
// engine's own ops pass under random edits in both Dis modes; an op whose Dis and id disagree
// (a chain lengthened past a counter gap, mutant 57) fails with its site and op named.
#include <algorithm>
#include <catch2/catch.hpp>

#include "models/random/random_stream.hpp"
#include "models/treedoc/codec.hpp"
#include "models/treedoc/replica.hpp"
#include "models/treedoc/run.hpp"
#include "sim/check/tid_uniqueness.hpp"

using namespace treedoc;
using namespace treedoc::sim;

namespace {

constexpr uint32_t kEditsPerSeed = 300;

Topology one_core() {
  Topology t;
  t.core = 1;
  t.nebula = 0;
  return t;
}

// Every member of `op` through made(); false at the first it reports.
bool made_all(TidUniqueness* tids, const Op& op) {
  bool ok = true;
  for_each_member(op, [&](const Op& member) {
    std::string tid;
    encode_tid(member.tid, &tid);
    ok = ok && tids->made(0, 0, member, tid);
  });
  return ok;
}

// Random typing, pastes and deletes at one replica, each insert checked as the checker would.
bool random_edits_pass(uint64_t seed, DisMode mode) {
  const Topology topology = one_core();
  const ReportText text(topology);
  Verdict verdict;
  TidUniqueness tids(mode, text, &verdict);
  ReplicaOptions options;
  options.document.dis_mode = mode;
  Replica replica(kSiteIdFirst, options);
  RandomStream rng(seed);
  uint32_t cursor = 0;
  for (uint32_t e = 0; e < kEditsPerSeed; ++e) {
    if (replica.size() > 0 && rng.chance(0.3)) {
      // Deletes take counters too: the gaps a chain must not be lengthened past.
      const auto at = static_cast<uint32_t>(rng.below(replica.size()));
      const auto count = static_cast<uint32_t>(1 + rng.below(std::min(replica.size() - at, 5u)));
      replica.local_erase_run(at, count);
      cursor = at + count <= cursor ? cursor - count : std::min(cursor, at);  // typing goes on
      continue;
    }
    if (rng.chance(0.2)) cursor = static_cast<uint32_t>(rng.below(replica.size() + 1));
    cursor = std::min(cursor, replica.size());
    const size_t n = 1 + rng.below(rng.chance(0.2) ? 40 : 1);
    const std::vector<std::string_view> atoms(n, "x");
    if (!made_all(&tids, replica.local_insert_run(cursor, atoms, {}))) return false;
    cursor += static_cast<uint32_t>(n);
  }
  return !verdict.failed();
}

}  // namespace

TEST_CASE("the engine's inserts end in the Dis their op ids name, in both modes", "[checker]") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    CHECK(random_edits_pass(seed, DisMode::kUdis));
    CHECK(random_edits_pass(seed, DisMode::kSdis));
  }
}

TEST_CASE("an insert whose Dis its op id does not name fails TID uniqueness", "[checker]") {
  const Topology topology = one_core();
  const ReportText text(topology);
  Replica replica(kSiteIdFirst);
  Op op = replica.local_insert(0, "a", 1);
  // The id a counter gap gives (a delete took counter 1) on the TID the gap did not move on.
  op.id.counter += 1;
  std::string tid;
  encode_tid(op.tid, &tid);
  Verdict verdict;
  TidUniqueness tids(DisMode::kUdis, text, &verdict);
  CHECK_FALSE(tids.made(5, 0, op, tid));
  REQUIRE(verdict.verdict());
  CHECK(verdict.verdict()->invariant == Invariant::kTidUniqueness);
  CHECK(verdict.verdict()->detail.find("whose last Dis is not 2:2, the one its op id names") !=
        std::string::npos);
  // Under SDIS the same op's Dis (2, 1) is not (2, 0) either.
  Verdict sdis_verdict;
  TidUniqueness sdis(DisMode::kSdis, text, &sdis_verdict);
  CHECK_FALSE(sdis.made(5, 0, op, tid));
}
