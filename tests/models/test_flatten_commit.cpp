// The update-wins flatten commit without SimGrid: every message in the states that matter, stale
// epochs, duplicates, loss, crashes of the coordinator and of participants, and a property over
// random schedules (one outcome per attempt, commits only with every yes).
#include <algorithm>
#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <memory>

#include "models/random/random_stream.hpp"
#include "models/site/flatten_commit.hpp"
#include "models/treedoc/fnv_hash.hpp"

using namespace treedoc;
using namespace treedoc::site;

namespace {

constexpr TimeUs kTimeout = 1000;

// Three core sites (ids 2, 3, 4) and a hand-driven network between them.
class Core {
 public:
  explicit Core(size_t n = 3) : logs_(n), applied_(n) {
    for (size_t i = 0; i < n; ++i) members_.push_back(static_cast<SiteId>(kSiteIdFirst + i));
    for (size_t i = 0; i < n; ++i) boot(i);
  }

  CommitContext ctx(size_t i) const {
    CommitContext c;
    c.epoch = left_to.count(i) ? left_to.at(i) : epoch;
    c.view = view;
    c.members = members_;
    c.next_view = next_members ? view + 1 : view;
    c.next_members =
        next_members ? next_members : std::make_shared<const std::vector<SiteId>>(members_);
    c.applied = &applied_[i];
    c.hash = hash_of(applied_[i]);
    c.view_only = view_only;
    return c;
  }

  void apply_update(size_t i, OpId id) {
    applied_[i].insert(id);
    handle(i, sites_[i]->on_update(now, id));
  }
  void propose(size_t i) { handle(i, sites_[i]->propose(now, ctx(i))); }
  void dispatch_failed(size_t i, size_t to) {
    handle(i, sites_[i]->on_dispatch_failed(members_[to]));
  }
  // The view the coordinator's next proposal starts (null: the same members), and whether it
  // goes alone, without a flatten.
  Members next_members;
  bool view_only = false;
  void timer(size_t i) { handle(i, sites_[i]->on_timer(now, ctx(i))); }
  // Site i enters epoch `e` by catch-up (a CUT, no decision): its attempts of older epochs end.
  void catch_up(size_t i, uint64_t e) {
    left_to[i] = e;
    sites_[i]->on_new_epoch(e);
  }
  std::map<size_t, uint64_t> left_to;  // sites that caught up past `epoch`
  void crash_and_recover(size_t i) {
    boot(i);
    handle(i, sites_[i]->recover(now));
  }

  // Delivers queued messages in order (dropping those `drop` says), until none are left.
  template <typename Drop>
  void run(Drop drop) {
    while (!queue_.empty()) {
      auto [to, m] = queue_.front();
      queue_.pop_front();
      if (drop(to, m)) continue;
      handle(to, sites_[to]->on_message(now, m, ctx(to)));
    }
  }
  void run() {
    run([](size_t, const CommitMessage&) { return false; });
  }
  void drop_all() { queue_.clear(); }
  void deliver(size_t to, const CommitMessage& m) {
    handle(to, sites_[to]->on_message(now, m, ctx(to)));
  }
  size_t index(SiteId id) const { return id - kSiteIdFirst; }

  // How each site saw each attempt end.
  std::map<TxId, std::map<size_t, Outcome>> outcomes;
  std::map<TxId, AbortReason> reasons;
  // The coordinator's blame for each abort it decided: the voter and the causing op.
  std::map<TxId, std::pair<SiteId, OpId>> blamed;
  std::map<TxId, std::vector<size_t>> yes_votes;
  TimeUs now = 0;
  uint64_t epoch = 5, view = 1;
  const FlattenCommit& site(size_t i) const { return *sites_[i]; }
  std::deque<std::pair<size_t, CommitMessage>>& queue() { return queue_; }

 private:
  // Stands in for hash(flatten(S)): any function of the set will do for the protocol.
  static uint64_t hash_of(const DotSet& s) {
    Fnv64 h;
    for (const OpId& id : s.to_vector()) {
      h.add_u64(id.site);
      h.add_u64(id.counter);
    }
    return h.value();
  }
  void boot(size_t i) {
    if (sites_.size() <= i) sites_.resize(i + 1);
    sites_[i] = std::make_unique<FlattenCommit>(members_[i], &logs_[i], kTimeout);
  }
  void handle(size_t from, CommitEffects fx) {
    if (fx.ended) {
      outcomes[fx.ended->txid][from] = fx.ended->outcome;
      if (fx.ended->reason != AbortReason::kNone) reasons.emplace(fx.ended->txid, fx.ended->reason);
      if (fx.ended->blame.voter != 0)
        blamed.emplace(fx.ended->txid, std::pair{fx.ended->blame.voter, fx.ended->blame.cause});
    }
    for (const CommitSend& s : fx.sends) {
      if (s.message.kind == CommitMessage::Kind::kVote && s.message.vote == Vote::kYes) {
        yes_votes[s.message.txid].push_back(from);
      }
      if (s.to) {
        queue_.push_back({index(*s.to), s.message});
      } else {
        for (size_t j = 0; j < members_.size(); ++j) {
          if (j != from) queue_.push_back({j, s.message});
        }
      }
    }
  }

  std::vector<SiteId> members_;
  std::vector<CommitLog> logs_;
  std::vector<DotSet> applied_;
  std::vector<std::unique_ptr<FlattenCommit>> sites_;
  std::deque<std::pair<size_t, CommitMessage>> queue_;
};

TxId first_attempt(SiteId coordinator) { return TxId{coordinator, 1}; }

void give_everyone(Core& core, OpId id) {
  for (size_t i = 0; i < 3; ++i) core.apply_update(i, id);
}

// c0 commits the first attempt, but every decision is lost (it crashed while sending them): both
// participants stay prepared. Returns the attempt.
TxId commit_with_decisions_lost(Core& core) {
  give_everyone(core, {7, 1});
  core.propose(0);
  core.run([](size_t, const CommitMessage& m) { return m.kind == CommitMessage::Kind::kDecision; });
  const TxId t = first_attempt(2);
  REQUIRE(core.outcomes[t][0] == Outcome::kCommit);
  REQUIRE(core.site(1).prepared());
  REQUIRE(core.site(2).prepared());
  return t;
}

}  // namespace

TEST_CASE("a flatten commits when every member holds the cut and nothing changes", "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.propose(0);
  core.run();
  const TxId t = first_attempt(2);
  REQUIRE(core.outcomes[t].size() == 3);
  for (const auto& [site, outcome] : core.outcomes[t]) REQUIRE(outcome == Outcome::kCommit);
  REQUIRE(core.yes_votes[t].size() == 2);
  for (size_t i = 0; i < 3; ++i) REQUIRE_FALSE(core.site(i).prepared());
}

TEST_CASE("a view change alone commits whatever the members hold and whatever edits come",
          "[commit][membership]") {
  Core core;
  core.apply_update(1, {8, 1});  // the members' sets differ: a flatten would abort
  core.next_members = std::make_shared<const std::vector<SiteId>>(std::vector<SiteId>{2, 3});
  core.view_only = true;
  core.propose(0);
  std::deque<std::pair<size_t, CommitMessage>> votes;
  core.run([&](size_t to, const CommitMessage& m) {
    if (m.kind != CommitMessage::Kind::kVote) return false;
    votes.push_back({to, m});
    return true;
  });
  REQUIRE(core.site(1).prepared());
  REQUIRE_FALSE(core.site(2).prepared());  // the member leaving does not vote
  core.apply_update(0, {9, 1});            // edits at the coordinator and at a prepared voter
  core.apply_update(1, {9, 2});
  for (auto& v : votes) core.queue().push_back(v);
  core.run();
  const TxId t = first_attempt(2);
  // The voter and the member leaving both hear the commit: the one expelled learns it from it.
  REQUIRE(core.outcomes[t].size() == 3);
  for (const auto& [site, outcome] : core.outcomes[t]) REQUIRE(outcome == Outcome::kCommit);
  REQUIRE(core.yes_votes[t] == std::vector<size_t>{1});
}

TEST_CASE("an update the coordinator has not seen makes a participant vote no", "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.apply_update(2, {8, 1});  // only site 2 has it
  core.propose(0);
  core.run();
  const TxId t = first_attempt(2);
  REQUIRE(core.reasons[t] == AbortReason::kVotedNo);
  // The abort names who said no and the update that made it say so.
  REQUIRE(core.blamed[t] == std::pair{SiteId{4}, OpId{8, 1}});
  for (const auto& [site, outcome] : core.outcomes[t]) REQUIRE(outcome == Outcome::kAbort);
}

TEST_CASE("LATE_UPDATE from a prepared participant aborts an undecided attempt", "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.propose(0);
  // Deliver the PREPAREs, hold the votes.
  std::deque<std::pair<size_t, CommitMessage>> votes;
  core.run([&](size_t to, const CommitMessage& m) {
    if (m.kind == CommitMessage::Kind::kVote) {
      votes.push_back({to, m});
      return true;
    }
    return false;
  });
  REQUIRE(core.site(1).prepared());
  core.apply_update(1, {9, 1});  // post-cut op at a prepared participant: LATE_UPDATE
  core.run();                    // the LATE_UPDATE reaches the coordinator first
  for (auto& v : votes) core.queue().push_back(v);
  core.run();
  const TxId t = first_attempt(2);
  REQUIRE(core.reasons[t] == AbortReason::kLateUpdate);
  REQUIRE(core.blamed[t] == std::pair{SiteId{3}, OpId{9, 1}});
  for (const auto& [site, outcome] : core.outcomes[t]) REQUIRE(outcome == Outcome::kAbort);
  REQUIRE(core.outcomes[t].size() == 3);
}

TEST_CASE("an update after the decision does not undo a commit", "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.propose(0);
  core.run();
  core.apply_update(1, {9, 1});
  core.run();
  for (const auto& [site, outcome] : core.outcomes[first_attempt(2)]) {
    REQUIRE(outcome == Outcome::kCommit);
  }
}

TEST_CASE("a lost vote times out into an abort, never into a commit", "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.propose(0);
  core.run([](size_t to, const CommitMessage& m) {
    return m.kind == CommitMessage::Kind::kVote && to == 0 && m.from == 4;  // site 2's vote lost
  });
  REQUIRE(core.outcomes.empty());
  core.now = kTimeout;
  core.timer(0);
  core.run();
  const TxId t = first_attempt(2);
  REQUIRE(core.reasons[t] == AbortReason::kTimeout);
  REQUIRE(core.blamed[t] == std::pair{SiteId{4}, kOpIdNone});  // silent, and no op to blame
  for (const auto& [site, outcome] : core.outcomes[t]) REQUIRE(outcome == Outcome::kAbort);
}

TEST_CASE("stale epochs and views get a no; stale votes are ignored", "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.propose(0);
  std::deque<std::pair<size_t, CommitMessage>> held = core.queue();
  core.drop_all();
  core.epoch = 6;  // the participants moved on (the coordinator's PREPARE is from epoch 5)
  for (auto& h : held) core.queue().push_back(h);
  core.run();
  const TxId t = first_attempt(2);
  REQUIRE(core.reasons[t] == AbortReason::kVotedNo);
  // A yes for the aborted attempt arriving later changes nothing.
  CommitMessage stale;
  stale.kind = CommitMessage::Kind::kVote;
  stale.from = 3;
  stale.epoch = 5;
  stale.view = 1;
  stale.txid = t;
  stale.vote = Vote::kYes;
  core.queue().push_back({0, stale});
  const auto before = core.outcomes;
  core.run();
  REQUIRE(core.outcomes == before);
}

TEST_CASE("coordinator crash after PREPARE: termination aborts when someone never voted",
          "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.propose(0);
  // Site 1 gets the PREPARE, site 2's is lost; the coordinator crashes before any vote arrives.
  core.run([](size_t to, const CommitMessage& m) {
    if (m.kind == CommitMessage::Kind::kPrepare && to == 2) return true;
    return m.kind == CommitMessage::Kind::kVote;
  });
  REQUIRE(core.site(1).prepared());
  core.crash_and_recover(0);
  core.drop_all();
  core.now = 2 * kTimeout;
  core.timer(1);  // site 1 asks around
  core.run();
  const TxId t = first_attempt(2);
  REQUIRE(core.outcomes[t][1] == Outcome::kAbort);
  REQUIRE(core.outcomes[t][2] == Outcome::kAbort);  // its promise never to vote yes is logged
  REQUIRE_FALSE(core.site(1).prepared());
}

TEST_CASE("coordinator crash after logging a commit: participants block, then learn it",
          "[commit]") {
  Core core;
  const TxId t = commit_with_decisions_lost(core);
  // Both participants are prepared: termination cannot decide, only wait (garbage collection
  // waits; editing would go on).
  core.now = 2 * kTimeout;
  core.timer(1);
  core.run([](size_t to, const CommitMessage&) { return to == 0; });  // coordinator still down
  REQUIRE(core.outcomes[t].count(1) == 0);
  REQUIRE(core.site(1).prepared());
  core.crash_and_recover(0);  // recovery resends the logged decision
  core.run();
  REQUIRE(core.outcomes[t][1] == Outcome::kCommit);
  REQUIRE(core.outcomes[t][2] == Outcome::kCommit);
}

TEST_CASE("a participant that crashes after its yes recovers from its log", "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.propose(0);
  // Everything but the decision to site 1, which crashes after voting.
  core.run([](size_t to, const CommitMessage& m) {
    return to == 1 && m.kind == CommitMessage::Kind::kDecision;
  });
  core.crash_and_recover(1);
  REQUIRE(core.site(1).prepared());  // PREPARED was durable
  core.run();
  REQUIRE(core.outcomes[first_attempt(2)][1] == Outcome::kCommit);
}

TEST_CASE("duplicated messages change nothing", "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.propose(0);
  core.run([&](size_t to, const CommitMessage& m) {
    core.deliver(to, m);  // every message twice
    return false;
  });
  const TxId t = first_attempt(2);
  REQUIRE(core.outcomes[t].size() == 3);
  for (const auto& [site, outcome] : core.outcomes[t]) REQUIRE(outcome == Outcome::kCommit);
}

TEST_CASE("random schedules: one outcome per attempt, and commits only with every yes",
          "[commit][property]") {
  uint64_t commits = 0, aborts = 0;
  for (uint64_t seed = 1; seed <= 500; ++seed) {
    RandomStream rng(seed);
    Core core;
    give_everyone(core, {7, 1});
    uint64_t next_update = 1;
    for (int round = 0; round < 6; ++round) {
      core.propose(rng.below(3));
      std::vector<OpId> updates;
      while (!core.queue().empty()) {
        const size_t k = rng.below(core.queue().size());  // any order
        auto [to, m] = core.queue()[k];
        core.queue().erase(core.queue().begin() + static_cast<std::ptrdiff_t>(k));
        if (rng.chance(0.1)) continue;                         // loss
        if (rng.chance(0.1)) core.queue().push_back({to, m});  // duplication
        if (rng.chance(0.05)) {
          updates.push_back({9, next_update++});
          core.apply_update(rng.below(3), updates.back());
        }
        if (rng.chance(0.02)) core.crash_and_recover(rng.below(3));
        core.deliver(to, m);
      }
      for (int k = 0; k < 3; ++k) {  // timeouts, then cooperative termination, lossless
        core.now += 2 * kTimeout;
        for (size_t i = 0; i < 3; ++i) core.timer(i);
        core.run();
      }
      for (const OpId& u : updates) give_everyone(core, u);  // anti-entropy between attempts
      core.run();
    }
    INFO("seed " << seed);
    for (const auto& [txid, by_site] : core.outcomes) {
      const Outcome first = by_site.begin()->second;
      for (const auto& [site, o] : by_site) REQUIRE(o == first);  // single decision (inv. 9)
      if (first == Outcome::kCommit) {
        ++commits;
        // Update-wins safety (inv. 10): every member but the coordinator voted yes.
        std::vector<size_t> yes = core.yes_votes[txid];
        std::sort(yes.begin(), yes.end());
        yes.erase(std::unique(yes.begin(), yes.end()), yes.end());
        REQUIRE(yes.size() == 2);
      } else {
        ++aborts;
      }
    }
    for (size_t i = 0; i < 3; ++i) REQUIRE_FALSE(core.site(i).prepared());  // nobody left blocked
  }
  REQUIRE(commits > 100);  // the schedules exercise both outcomes
  REQUIRE(aborts > 100);
}

TEST_CASE("a failed dispatch aborts an attempt still waiting for that vote", "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.propose(0);
  core.dispatch_failed(0, 2);  // the PREPARE to site 2 never left: abort, never "site 2 is dead"
  REQUIRE(core.outcomes[first_attempt(kSiteIdFirst)][0] == Outcome::kAbort);
  REQUIRE(core.reasons[first_attempt(kSiteIdFirst)] == AbortReason::kDispatchFailed);
  core.run();
  for (size_t i = 0; i < 3; ++i)
    REQUIRE(core.outcomes[first_attempt(kSiteIdFirst)][i] == Outcome::kAbort);
  core.dispatch_failed(0, 2);  // nothing open any more: nothing to do
  REQUIRE(core.outcomes.size() == 1);
}

TEST_CASE("a view change: the member being expelled neither gets the PREPARE nor votes",
          "[commit]") {
  Core core;
  give_everyone(core, {7, 1});
  core.next_members = std::make_shared<const std::vector<SiteId>>(
      std::vector<SiteId>{kSiteIdFirst, kSiteIdFirst + 1});
  core.propose(0);
  for (const auto& [to, m] : core.queue()) REQUIRE(to == 1);  // no message to site 2
  core.run();
  const TxId tx = first_attempt(kSiteIdFirst);
  REQUIRE(core.outcomes[tx][0] == Outcome::kCommit);
  REQUIRE(core.outcomes[tx][1] == Outcome::kCommit);
  REQUIRE(core.outcomes[tx].count(2) == 0);  // it learns by STALE and catch-up, not a decision
}

TEST_CASE("a site that caught up past an attempt's epoch never promises it an abort", "[commit]") {
  // Regression (seed 395 of discard-tombstones as first written, a flatten every 20 ops): c1 voted
  // yes, lost the decision, entered the next epoch by catch-up (its PREPARED gone with the epoch),
  // and then told the still prepared c2 it had never voted yes; c2 aborted the attempt c0 had
  // committed.
  Core core;
  const TxId t = commit_with_decisions_lost(core);
  core.catch_up(1, core.epoch + 1);
  core.now = 2 * kTimeout;
  core.timer(2);                                                      // c2 asks around
  core.run([](size_t to, const CommitMessage&) { return to == 0; });  // c0 does not answer
  REQUIRE(core.outcomes[t].count(1) == 0);                            // c1 logged no abort for it
  REQUIRE(core.outcomes[t].count(2) == 0);                            // and c2 still waits
  REQUIRE(core.site(2).prepared());
}
