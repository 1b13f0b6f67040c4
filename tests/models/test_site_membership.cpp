// Core membership in models/site without SimGrid (docs/protocol.md §6.7): a failed flatten RPC
// under each policy, the failure detector, what an expelled member does (halt or demote, catch up,
// rejoin), and a nebula site joining the core.
#include <catch2/catch.hpp>
#include <set>

#include "tests/models/site_network.hpp"

using namespace treedoc;
using Kind = site::MembershipEvent::Kind;
using Policy = site::MembershipPolicy;

namespace {

site::SiteConfig membership_config(Policy::OnDispatchFailure on_failure,
                                   Policy::OnExpelled on_expelled, bool detector) {
  site::SiteConfig c;
  c.replication.anti_entropy_period_us = 200 * site::kUsPerMs;
  c.flatten.kind = site::FlattenPolicy::Kind::kEveryPeriod;
  c.flatten.period_us = 500 * site::kUsPerMs;
  c.flatten.check_period_us = 20 * site::kUsPerMs;
  c.flatten.vote_timeout_us = 300 * site::kUsPerMs;
  c.flatten.retry_backoff_us_min = 20 * site::kUsPerMs;
  c.flatten.retry_backoff_us_max = 200 * site::kUsPerMs;
  c.epochs.catch_up_retry_us = 300 * site::kUsPerMs;
  c.epochs.retention_epochs = 1000;
  c.membership.on_dispatch_failure = on_failure;
  c.membership.on_expelled = on_expelled;
  if (detector) {
    c.membership.heartbeat_period_us = 100 * site::kUsPerMs;
    c.membership.suspect_after_us = 600 * site::kUsPerMs;
  }
  c.membership.join_retry_us = 300 * site::kUsPerMs;
  return c;
}

bool member(const test::SiteNetwork& net, size_t viewer, size_t i) {
  return site::is_member_of(net.site(viewer).members(), static_cast<SiteId>(kSiteIdFirst + i));
}

// HBASE-25274 in miniature: c0's flatten RPCs to the live c2 fail; under `expire` c2 is expelled.
// Once it is out, c2 makes three edits nobody else sees (its links are cut), then reconnects: its
// next message is answered STALE. Returns the three edits.
std::vector<OpId> expel_c2_holding_three_edits(test::SiteNetwork* net) {
  for (int k = 0; k < 6; ++k) net->edit(k % 3);
  net->run_for(site::kUsPerS);
  net->rpc_failure = std::pair<size_t, size_t>{0, 2};
  for (int round = 0; round < 40 && member(*net, 0, 2); ++round) {
    if (round == 0) net->edit(1);  // a change, so the policy proposes (and its PREPARE fails)
    net->run_for(100 * site::kUsPerMs);
  }
  REQUIRE_FALSE(member(*net, 0, 2));
  REQUIRE(net->steps(Kind::kExpelled, 2) == 1);
  REQUIRE(net->steps(Kind::kSuspected, 2) == 1);
  net->rpc_failure.reset();
  for (size_t j : {0, 1}) net->cut.insert({2, j});
  std::vector<OpId> alone;
  for (int k = 0; k < 3; ++k) {
    const size_t before = net->made().size();
    net->edit(2);
    REQUIRE(net->made().size() == before + 1);
    alone.push_back(std::prev(net->made().end())->first);
  }
  net->cut.clear();
  return alone;
}

}  // namespace

TEST_CASE("expire and abort: the fenced member halts and the edits only it held are lost",
          "[protocol][membership]") {
  test::SiteNetwork net(
      5, 3,
      membership_config(Policy::OnDispatchFailure::kExpire, Policy::OnExpelled::kAbort, false), 3);
  const std::vector<OpId> alone = expel_c2_holding_three_edits(&net);
  net.run_for(5 * site::kUsPerS);
  REQUIRE(net.halted(2));
  REQUIRE(net.steps(Kind::kFenced, 2) == 1);
  REQUIRE(net.steps(Kind::kHalted, 2) == 1);
  REQUIRE(net.converged());
  const std::vector<OpId> shown = test::visible_ids(net.site(0));
  for (const OpId& id : alone) REQUIRE_FALSE(std::binary_search(shown.begin(), shown.end(), id));
  // Everything else survived: the loss is exactly what c2 alone held.
  std::vector<OpId> expected;
  for (const OpId& id : test::surviving(net)) {
    if (std::find(alone.begin(), alone.end(), id) == alone.end()) expected.push_back(id);
  }
  REQUIRE(shown == expected);
}

TEST_CASE("expire and demote: the fenced member catches up, resends its edits and rejoins",
          "[protocol][membership]") {
  test::SiteNetwork net(
      5, 3,
      membership_config(Policy::OnDispatchFailure::kExpire, Policy::OnExpelled::kDemote, false), 3);
  const std::vector<OpId> alone = expel_c2_holding_three_edits(&net);
  net.run_for(5 * site::kUsPerS);
  REQUIRE_FALSE(net.halted(2));
  REQUIRE(net.steps(Kind::kFenced, 2) == 1);
  REQUIRE(net.steps(Kind::kDemoted, 2) == 1);
  REQUIRE(net.steps(Kind::kJoinRequested, 2) >= 1);
  REQUIRE(net.steps(Kind::kAdmitted, 2) == 1);
  REQUIRE(net.steps(Kind::kJoined, 2) == 1);
  REQUIRE(member(net, 0, 2));
  REQUIRE(net.site(2).is_member());
  REQUIRE(net.converged());
  REQUIRE(test::visible_ids(net.site(0)) == test::surviving(net));  // c2's three edits included
  const std::vector<OpId> shown = test::visible_ids(net.site(1));
  for (const OpId& id : alone) REQUIRE(std::binary_search(shown.begin(), shown.end(), id));
}

TEST_CASE("abort-and-retry: failed RPCs abort attempts but expel no one; flattens resume after",
          "[protocol][membership]") {
  test::SiteNetwork net(7, 3,
                        membership_config(Policy::OnDispatchFailure::kAbortAndRetry,
                                          Policy::OnExpelled::kDemote, true),
                        3);
  net.rpc_failure = std::pair<size_t, size_t>{0, 2};
  const uint64_t epoch_before = net.site(0).epoch();
  for (int round = 0; round < 20; ++round) {
    net.edit(round % 3);
    net.run_for(100 * site::kUsPerMs);
  }
  REQUIRE(net.site(0).epoch() == epoch_before);  // no flatten can commit without c2's vote
  REQUIRE(net.site(0).members()->size() == 3);
  REQUIRE(net.steps(Kind::kSuspected, 2) == 0);  // the detector hears c2's heartbeats
  net.rpc_failure.reset();
  net.edit(0);
  net.run_for(3 * site::kUsPerS);
  REQUIRE(net.site(0).epoch() > epoch_before);
  REQUIRE(net.converged());
  REQUIRE(test::visible_ids(net.site(2)) == test::surviving(net));
}

TEST_CASE("the failure detector expels a crashed member, which rejoins after its restart",
          "[protocol][membership]") {
  test::SiteNetwork net(9, 4,
                        membership_config(Policy::OnDispatchFailure::kAbortAndRetry,
                                          Policy::OnExpelled::kDemote, true),
                        3);
  for (int k = 0; k < 6; ++k) net.edit(k % 4);
  net.run_for(site::kUsPerS);
  net.crash(1);
  for (int round = 0; round < 10; ++round) {
    net.edit(round % 2 == 0 ? 0 : 3);
    net.run_for(200 * site::kUsPerMs);
  }
  REQUIRE_FALSE(member(net, 0, 1));  // suspected by silence, expelled by the next flatten
  REQUIRE(net.steps(Kind::kSuspected, 1) == 1);
  const uint64_t epoch_without = net.site(0).epoch();
  for (int round = 0; round < 5; ++round) {  // flattens go on without it
    net.edit(0);
    net.run_for(400 * site::kUsPerMs);
  }
  REQUIRE(net.site(0).epoch() > epoch_without);
  net.boot(1);
  net.run_for(6 * site::kUsPerS);
  REQUIRE(member(net, 0, 1));
  REQUIRE(net.site(1).is_member());
  REQUIRE(net.steps(Kind::kJoined, 1) == 1);
  REQUIRE(net.converged());
  REQUIRE(test::visible_ids(net.site(1)) == test::surviving(net));
}

TEST_CASE("a nebula site told to join is admitted once it has caught up",
          "[protocol][membership]") {
  test::SiteNetwork net(11, 4,
                        membership_config(Policy::OnDispatchFailure::kAbortAndRetry,
                                          Policy::OnExpelled::kDemote, true),
                        3, [](size_t i, site::SiteConfig& c) { c.membership.join_core = i == 3; });
  for (int round = 0; round < 10; ++round) {
    net.edit(round % 4);
    net.run_for(200 * site::kUsPerMs);
  }
  net.run_for(3 * site::kUsPerS);
  REQUIRE(member(net, 0, 3));
  REQUIRE(net.site(3).is_member());
  REQUIRE(net.steps(Kind::kAdmitted, 3) == 1);
  REQUIRE(net.site(0).members()->size() == 4);
  // The new member votes: flattens still commit with four.
  const uint64_t epoch_joined = net.site(0).epoch();
  net.edit(3);
  net.run_for(3 * site::kUsPerS);
  REQUIRE(net.site(0).epoch() > epoch_joined);
  REQUIRE(net.converged());
  REQUIRE(test::visible_ids(net.site(0)) == test::surviving(net));
}
