// The checker's durable before visible and crash consistency (invariants 17 and 18), rule by rule:
// each thing a message can reveal passes once the sender's store holds it, and fails, naming the
// message and what it revealed, while the store does not; a restart must rebuild the record.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "models/site/site.hpp"
#include "sim/check/checker.hpp"

using namespace treedoc;
using namespace treedoc::sim;

namespace {

constexpr SiteId kSelf = kSiteIdFirst;      // c0, index 0
constexpr SiteId kPeer = kSiteIdFirst + 1;  // c1

Scenario two_core_sites() {
  Scenario s;
  s.topology.core = 2;
  s.topology.nebula = 0;
  return s;
}

site::SiteConfig config(site::Durability durability) {
  site::SiteConfig c;
  c.id = kSelf;
  c.role = site::Role::kCore;
  c.core = {kSelf, kPeer};
  c.replication.durability = durability;
  return c;
}

site::SharedOp op(SiteId origin, uint64_t counter, bool insert = true) {
  auto o = std::make_shared<Op>();
  o->kind = insert ? OpKind::kInsert : OpKind::kDelete;
  o->id = {origin, counter};
  return o;
}

site::Outgoing ops_message(std::vector<site::SharedOp> ops) {
  auto m = std::make_shared<site::Message>();
  m->kind = site::MessageKind::kOps;
  m->from = kSelf;
  m->ops = std::move(ops);
  return {{site::Destination::Kind::kAllPeers, 0, 0}, std::move(m)};
}

site::Outgoing commit_message(site::CommitMessage::Kind kind, site::TxId txid,
                              site::Vote vote = site::Vote::kYes,
                              site::Outcome outcome = site::Outcome::kCommit) {
  auto m = std::make_shared<site::Message>();
  m->kind = site::MessageKind::kCommit;
  m->from = kSelf;
  m->commit.kind = kind;
  m->commit.from = kSelf;
  m->commit.txid = txid;
  m->commit.vote = vote;
  m->commit.outcome = outcome;
  return {{site::Destination::Kind::kSite, kPeer, 0}, std::move(m)};
}

// One site, its store and a checker watching it; `reveal` reports what the checker made of it.
struct Watched {
  explicit Watched(site::Durability durability = site::Durability::kOwnOps)
      : scenario(two_core_sites()), state(config(durability), &store, &archive), checker(scenario) {
    state.start(0);
  }
  std::optional<Violation> reveal(const site::Outgoing& out) {
    Checker fresh(scenario);
    fresh.on_durable(5'000'000, 0, store);
    fresh.on_reveal(5'000'000, 0, state, out);
    return fresh.violation();
  }
  Scenario scenario;
  site::DurableStore store;
  site::EpochArchive archive;
  site::Site state;
  Checker checker;
};

void require_violation(const std::optional<Violation>& v, Invariant inv, const std::string& text) {
  REQUIRE(v.has_value());
  INFO(v->detail);
  CHECK(v->invariant == inv);
  CHECK(v->detail.find(text) != std::string::npos);
}

}  // namespace

TEST_CASE("an op a site spreads must be in its durable log where its mode logs it", "[checker]") {
  Watched w;
  w.store.counter = 3;
  const site::SharedOp own = op(kSelf, 3), others_insert = op(kPeer, 9),
                       others_delete = op(kPeer, 10, false);
  // own-ops logs its own ops and every delete, never another site's insert.
  require_violation(w.reveal(ops_message({others_insert, own})), Invariant::kDurableBeforeVisible,
                    "c0 sent ops to every peer at 5 s revealing c0#3 of epoch 0, not in its "
                    "durable log (own-ops logs them)");
  w.store.ops = {own};
  CHECK_FALSE(w.reveal(ops_message({others_insert, own})));
  require_violation(w.reveal(ops_message({others_delete})), Invariant::kDurableBeforeVisible,
                    "c1#10");
  w.store.ops.push_back(others_delete);
  CHECK_FALSE(w.reveal(ops_message({others_delete})));
}

TEST_CASE("all-ops logs every op it relays, counter-only none but the counter", "[checker]") {
  Watched all(site::Durability::kAllOps);
  require_violation(all.reveal(ops_message({op(kPeer, 9)})), Invariant::kDurableBeforeVisible,
                    "all-ops logs them");
  Watched counter(site::Durability::kCounterOnly);
  counter.store.counter = 4;
  CHECK_FALSE(counter.reveal(ops_message({op(kSelf, 4), op(kPeer, 9)})));
  // Its own op past the durable counter: a restart would make that op id again.
  require_violation(counter.reveal(ops_message({op(kSelf, 5)})), Invariant::kDurableBeforeVisible,
                    "its op c0#5 while its durable counter was 4");
}

TEST_CASE("a yes, a decision and a promise never to vote yes must be logged first", "[checker]") {
  using Kind = site::CommitMessage::Kind;
  Watched w;
  const site::TxId txid{kPeer, 4};
  require_violation(w.reveal(commit_message(Kind::kVote, txid)), Invariant::kDurableBeforeVisible,
                    "a yes vote for flatten c1/4 without PREPARED logged");
  CHECK_FALSE(w.reveal(commit_message(Kind::kVote, txid, site::Vote::kNoCutMismatch)));
  w.store.commit_log.prepared = site::CommitLog::Record{txid, 0, 0, nullptr, 0, 0, nullptr};
  CHECK_FALSE(w.reveal(commit_message(Kind::kVote, txid)));
  CHECK_FALSE(w.reveal(commit_message(Kind::kDontKnow, txid)));  // "prepared too"

  const site::TxId mine{kSelf, 2};
  require_violation(w.reveal(commit_message(Kind::kDecision, mine)),
                    Invariant::kDurableBeforeVisible, "(commit) without that decision logged");
  w.store.commit_log.decisions[mine] = {{mine, 0, 0, nullptr, 0, 0, nullptr},
                                        site::Outcome::kAbort};
  require_violation(w.reveal(commit_message(Kind::kDecision, mine)),
                    Invariant::kDurableBeforeVisible, "without that decision logged");
  CHECK_FALSE(
      w.reveal(commit_message(Kind::kDecision, mine, site::Vote::kYes, site::Outcome::kAbort)));
  // Cooperative termination: "never voted yes" is a promise only a logged abort keeps.
  const site::TxId other{kPeer, 7};
  require_violation(w.reveal(commit_message(Kind::kDontKnow, other, site::Vote::kNoPreparedOther)),
                    Invariant::kDurableBeforeVisible, "(never yes) without the abort logged");
  // A PREPARE beyond the durable attempt counter: a restart would reuse its txid.
  w.store.commit_log.attempts = 1;
  require_violation(w.reveal(commit_message(Kind::kPrepare, mine)),
                    Invariant::kDurableBeforeVisible, "with its durable attempt counter at 1");
  w.store.commit_log.attempts = 2;
  CHECK_FALSE(w.reveal(commit_message(Kind::kPrepare, mine)));
}

TEST_CASE("a message names only an epoch its sender entered durably", "[checker]") {
  Watched w;
  site::Outgoing digest = ops_message({});
  auto m = std::make_shared<site::Message>(*digest.message);
  m->kind = site::MessageKind::kDigest;
  m->epoch = 1;
  digest.message = m;
  require_violation(w.reveal(digest), Invariant::kDurableBeforeVisible,
                    "revealing epoch 1 while its durable store was in epoch 0");
  w.store.epoch = 1;
  CHECK_FALSE(w.reveal(digest));
}

TEST_CASE("a restart must rebuild exactly what was durable when the site crashed", "[checker]") {
  Watched w;
  // What the checker saw durable at the crash: one logged op of its own.
  site::DurableStore before;
  before.counter = 1;
  before.ops = {op(kSelf, 1)};
  w.checker.on_durable(1'000'000, 0, before);
  w.checker.on_crash(1'000'000, 0, &w.state.claimed());
  // The site that comes back rebuilt from an empty store: the op is gone.
  w.checker.on_recovered(2'000'000, 0, w.state);
  require_violation(w.checker.violation(), Invariant::kCrashConsistency,
                    "c0 restarted at 2 s with its applied set missing 1 of its logged ops");

  Watched same;  // a restart from the very store it crashed with rebuilds it: no violation
  site::Site first(config(site::Durability::kOwnOps), &same.store, &same.archive);
  first.start(0);
  first.local_insert(10, 0, "a");
  same.checker.on_durable(1'000'000, 0, same.store);
  same.checker.on_crash(20, 0, &first.claimed());
  site::EpochArchive archive;
  site::Site again(config(site::Durability::kOwnOps), &same.store, &archive);
  again.start(30);
  same.checker.on_recovered(30, 0, again);
  CHECK_FALSE(same.checker.violation());
}

TEST_CASE("entering an epoch must end every attempt of an older one (attempt fencing)",
          "[checker]") {
  Watched w;
  const site::TxId txid{kPeer, 4};
  w.store.commit_log.prepared = site::CommitLog::Record{txid, 0, 0, nullptr, 0, 0, nullptr};
  w.checker.on_durable(1'000'000, 0, w.store);  // prepared in its own epoch: fine
  CHECK_FALSE(w.checker.violation());
  w.store.commit_log.prepared->epoch = 1;
  w.store.epoch = 1;
  w.checker.on_durable(2'000'000, 0, w.store);  // a prepared attempt of the epoch it is in
  CHECK_FALSE(w.checker.violation());
  w.store.epoch = 2;  // entered epoch 2 with the attempt of epoch 1 still PREPARED
  w.checker.on_durable(3'000'000, 0, w.store);
  require_violation(w.checker.violation(), Invariant::kAttemptFencing,
                    "c0 entered epoch 2 still durably PREPARED for attempt c1/4 of epoch 1");
}
