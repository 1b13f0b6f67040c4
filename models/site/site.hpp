// One Treedoc site as a sans-I/O state machine: local edits become ops, ops spread by broadcast or
// epidemic push, and periodic digest exchange (anti-entropy) repairs whatever the network lost.
// Core sites flatten by the update-wins commit; every site moves through epochs, answers older
// ones STALE and catches up on newer ones (docs/protocol.md §3 and §4); the core's view changes
// with its flattens (docs/protocol.md §6.7). Messages in, effects out; no clock, no randomness, no
// I/O (docs: architecture, "models/"). site.cpp spreads and repairs ops, site_flatten.cpp runs the
// flatten policy and commit, site_epochs.cpp moves between epochs, site_membership.cpp runs the
// failure detector, expulsion, demotion and joins.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "models/site/catch_up.hpp"
#include "models/site/durable_store.hpp"
#include "models/site/effects.hpp"
#include "models/site/epoch_archive.hpp"
#include "models/site/failure_detector.hpp"
#include "models/site/flatten_commit.hpp"
#include "models/site/message.hpp"
#include "models/site/site_config.hpp"
#include "models/treedoc/replica.hpp"

namespace treedoc::site {

// Ops per anti-entropy repair message: a digest far behind gets several rounds, not one huge reply.
inline constexpr uint64_t kRepairOpsPerMessageMax = 1024;
// The test-only sabotages strike every Nth op.
inline constexpr uint64_t kSabotageDropEvery = 100;
inline constexpr uint64_t kSabotageReuseTidEvery = 10;

class Site {
 public:
  // `store` is the site's durable state; it must outlive the site (it survives crashes).
  // `epochs` holds every epoch's base and ops, shared by all sites; it must outlive them.
  Site(const SiteConfig& config, DurableStore* store, EpochArchive* epochs);

  // Rebuilds the replica from the durable store and arms the anti-entropy timer. Call once, first;
  // the rebuilt ops are reported as applied.
  Effects start(TimeUs now);
  // A user edit at a visible index (0 <= index <= size for insert, < size for erase).
  Effects local_insert(TimeUs now, uint32_t index, std::string_view atom, uint32_t width = 1);
  Effects local_erase(TimeUs now, uint32_t index);
  // A paste: `atoms` (width 1 each) become the visible atoms at index .. index + n - 1, as one
  // run op; and a range erase of the visible atoms at index .. index + count - 1, as the fewest
  // run ops (docs/BENCHMARKS.md, "Runs").
  Effects local_insert_run(TimeUs now, uint32_t index, const std::vector<std::string_view>& atoms);
  Effects local_erase_run(TimeUs now, uint32_t index, uint32_t count);
  // An op a user agent made against its own view of the document (a trace-driven workload): the
  // site applies it, logs it and spreads it as one of its own.
  Effects local_agent_op(TimeUs now, const SharedOp& op);
  Effects on_message(TimeUs now, const Message& message);
  Effects on_timer(TimeUs now, TimerKind kind);
  // Applies the remote ops waiting in the replica (config defer_integration); returns how many.
  // Every entry point but the delivery of ops of the current epoch does it first.
  size_t integrate() { return replica_.integrate(); }
  size_t received_count() const { return replica_.received_count(); }
  // Received ops that integration found not to fit the tree (a TID collision): a broken run.
  std::vector<Rejection> take_rejected() { return replica_.take_rejected(); }
  // Whether delivering `message` only queues ops in the replica: ops of the current epoch. Any
  // other message may make the site read its replica, so it integrates first.
  bool carries_current_ops(const Message& message) const {
    return message.kind == MessageKind::kOps && message.epoch == replica_.epoch();
  }
  // The environment could not deliver `message` to `to` (an RPC failure the caller sees).
  Effects on_dispatch_failed(TimeUs now, SiteId to, const Message& message);

  const SiteConfig& config() const { return config_; }
  SiteId id() const { return config_.id; }
  const Replica& replica() const { return replica_; }
  // The ops the site counts as applied: its replica's `seen`, unless a sabotage makes it lie.
  const DotSet& claimed() const { return lies() ? claimed_ : replica_.seen(); }
  const OpSetHash& claimed_hash() const { return claimed_hash_; }
  // Changes whenever the replica or the claimed set does: lets observers cache per-state work.
  uint64_t version() const { return version_; }
  uint64_t epoch() const { return replica_.epoch(); }
  uint64_t view() const { return view_; }
  // The members of the view of this site's epoch (the first coordinates).
  const Members& members() const { return members_; }
  // Whether this site votes: a member of its epoch's view that has not learned it was expelled.
  bool is_member() const { return !demoted_ && is_member_of(members_, config_.id); }
  bool coordinator() const { return is_member() && members_->front() == config_.id; }
  bool halted() const { return halted_; }
  bool catching_up() const { return catch_up_.active(); }
  // Whether a flatten attempt is open here or this site is prepared for one (GC waits then).
  bool in_commit() const { return commit_ && (commit_->coordinating() || commit_->prepared()); }

 private:
  // Whether a sabotage makes the site claim ops it did not apply (or keep a set of its own).
  bool lies() const {
    return config_.sabotage == Sabotage::kDropEveryHundredthRemoteOp ||
           config_.sabotage == Sabotage::kDeleteWithoutPreTombstone ||
           config_.sabotage == Sabotage::kReuseTid;
  }
  // Logs and claims a new op (applied or, under sabotage, only claimed).
  void claim(const SharedOp& op, Effects* fx);
  Effects local_op(TimeUs now, Op op);
  // Logs, claims and spreads (one message) the ops of one local edit.
  void own_ops(TimeUs now, std::vector<SharedOp> ops, Effects* fx);
  std::shared_ptr<Message> new_message(MessageKind kind) const;
  std::shared_ptr<Message> new_digest(bool wants_reply);
  void spread(std::vector<SharedOp> ops, Effects* fx) const;
  void on_ops(TimeUs now, const Message& message, Effects* fx);
  // What one kOps delivery learned: how many new ops, the first of them, and (epidemic spread)
  // the ops to pass on.
  struct Learned {
    size_t count = 0;
    OpId first = kOpIdNone;  // the update a flatten attempt in progress loses to
    std::vector<SharedOp> ops;
  };
  // One op of a kOps message: applied (or, under sabotage, claimed) when new.
  void take_op(const SharedOp& op, const Message& message, Learned* learned, Effects* fx);
  // A run some but not all of whose atoms this site claims (they came by another path: a
  // resolved delete, a translation that cut the run elsewhere) is rare; take(part) then gets its
  // unclaimed atoms as single-atom ops, so that claim() counts each id once. Any other op:
  // take(op).
  bool partly_claimed(const Op& run) const;
  template <typename Take>
  void for_each_unclaimed_part(const SharedOp& op, Take&& take) {
    if (op->run == 0 || !partly_claimed(*op)) {
      take(op);
      return;
    }
    const auto unclaimed = [&](OpId id) { return !claimed().contains(id); };
    for (const SharedOp& part : shared_atoms(op, unclaimed)) take(part);
  }
  void on_digest(const Message& message, Effects* fx);
  std::shared_ptr<const DotSet> digest_snapshot();
  // Whether `op` belongs in the durable log under this site's durability.
  bool durable(const Op& op) const;
  // Whether this site made op `id`: its users' (its own id) or its trace agents' (by role).
  bool own(OpId id) const { return id.site == config_.id || store_->agent_ops.contains(id); }
  // An insert just applied may be the target of a delete a re-base left waiting: applies it.
  void resolve_pending(const SharedOp& insert, Effects* fx);
  void set_pending(std::vector<Op> deletes);
  // Catch-up's translated ops, sent once, when the site is in the newest epoch it knows.
  void send_once_current(Effects* fx);

  // site_flatten.cpp: the flatten policy and the commit among the core.
  void start_commit(TimeUs now, Effects* fx);
  void on_flatten_policy(TimeUs now, Effects* fx);
  bool policy_due(TimeUs now) const;
  CommitContext commit_context(const DotSet* proposed_cut, uint64_t proposed_hash) const;
  void on_commit_message(TimeUs now, const Message& message, Effects* fx);
  // `cause`: the op just applied (the first of a batch).
  void on_update(TimeUs now, OpId cause, Effects* fx);
  void apply_commit_effects(TimeUs now, CommitEffects cfx, Effects* fx);
  // What an attempt's end does here: backoff after an abort; a new epoch, or a new view alone.
  void attempt_ended(TimeUs now, const CommitEffects::Ended& e, Effects* fx);
  // The coordinator's record of who leaves and who joins in view `next_view`.
  void note_view_change(const Members& next, uint64_t epoch, uint64_t next_view, Effects* fx) const;
  // A committed view change alone (docs/protocol.md §6.7): the site takes the view.
  void adopt_view(TimeUs now, const CommitEffects::Ended& e, Effects* fx);
  void send_to_core(const std::optional<SiteId>& to, const CommitMessage& m, Effects* fx) const;

  // site_epochs.cpp: the epoch rule, transitions, catch-up.
  // Whether `message` is of this site's epoch; otherwise answers STALE, or buffers it and starts
  // catching up, and returns false.
  bool admit(TimeUs now, const Message& message, Effects* fx);
  void start_catch_up(TimeUs now, Effects* fx);
  void send_hello(TimeUs now, Effects* fx);
  void on_stale(TimeUs now, const Message& message, Effects* fx);
  void on_hello(TimeUs now, const Message& message, Effects* fx);
  // STATE for an asker of `asker_epoch`, beyond the retention bound: the base, the view, the op
  // ids the asker need not carry, and the pre-tombstones of atoms no cut took in.
  std::shared_ptr<Message> state_answer(uint64_t asker_epoch) const;
  void on_cut(TimeUs now, const Message& message, Effects* fx);
  void on_state(TimeUs now, const Message& message, Effects* fx);
  // The two answers to a STATE (docs/protocol.md §4, "Beyond retention"): report the ops no cut
  // took in as LOST_BY_POLICY (returns how many), or re-base them and enter the epoch.
  uint64_t report_lost(const Message& message, Effects* fx) const;
  void rebase_held(TimeUs now, const Message& message, EpochEntered* entered, Effects* fx);
  // Closes the epoch by `ending`: installs flatten(C), translates the black ops, logs the new
  // epoch durably, and resumes buffered messages. Requires claimed() to include the cut.
  void enter_next_epoch(TimeUs now, const EpochEnding& ending, bool catch_up, Effects* fx);
  // The black ops of the closing epoch, translated into the next (deletes of cyan tombstones,
  // which the flatten absorbed, only counted in `dropped`).
  // A catching-up site leaves another site's black insert to its origin (and a delete of one
  // waits for it, pending): true when `black` is not to be translated here.
  bool leave_to_origin(const Op& black, const EpochEnding& ending, const FlattenResult& flat);
  std::vector<SharedOp> translate_black(const EpochEnding& ending, const FlattenResult& flat,
                                        bool catch_up, uint64_t* dropped, uint64_t* left);
  // Applies them in the new epoch; returns those this site resends.
  std::vector<SharedOp> apply_translated(const std::vector<SharedOp>& translated, bool catch_up,
                                         Effects* fx);
  // Starts `epoch` from `base` with an empty applied set (both paths into a new epoch).
  void install(uint64_t epoch, const std::shared_ptr<const std::vector<FlatAtom>>& base);
  void after_epoch_change(TimeUs now, Effects* fx);
  Op translate_at_end(const Op& black, const FlattenResult& flat) const;
  // Takes the view the new epoch starts with (after install).
  void enter_view(TimeUs now, uint64_t view, const Members& members, Effects* fx);
  // Takes a newer view of this epoch (a view change alone, by its decision or by STALE): a member
  // left out of it learns it was expelled; a joiner let in starts heartbeats.
  void take_view(TimeUs now, uint64_t view, const Members& members, Effects* fx);
  // STALE to `to`, at most once per retry period (YouAreDead if it is not in this site's view).
  // `with_view`: with the view's members, for a site of this epoch that missed a view change
  // alone.
  void send_stale(TimeUs now, SiteId to, bool with_view, Effects* fx);

  // site_membership.cpp: the failure detector, expulsion, demotion and joins (docs/protocol.md
  // §6.7). Whether this site, not a member, wants a seat in the core: a nebula site told to join,
  // or a core site that was expelled and demoted.
  bool seeks_core() const;
  // Records a membership step of this site itself, in its current epoch and view.
  void note(MembershipEvent::Kind kind, Effects* fx) const;
  bool view_change_pending() const { return !detector_.suspected().empty() || !joining_.empty(); }
  // The view the coordinator's next attempt proposes: the suspects out, the joiners in.
  Members next_members() const;
  void suspect(SiteId member, MembershipEvent::Cause cause, Effects* fx);
  void on_heartbeat(TimeUs now, const Message& message, Effects* fx);
  void on_heartbeat_timer(TimeUs now, Effects* fx);
  void on_join(TimeUs now, const Message& message, Effects* fx);
  void ask_to_join(TimeUs now, Effects* fx);
  // This member learned it was expelled: it stops voting and, by policy, halts (true) or demotes.
  bool learn_expelled(Effects* fx);
  void arm_heartbeat(TimeUs now, Effects* fx) const;
  // The coordinator proposes when its policy is due or a view change waits (not before backoff).
  void maybe_propose(TimeUs now, Effects* fx);

  SiteConfig config_;
  DurableStore* store_;
  EpochArchive* epochs_;
  Replica replica_;
  DotSet claimed_;  // only under a sabotage: what the site says it applied
  OpSetHash claimed_hash_;
  std::shared_ptr<const DotSet> snapshot_;  // claimed_ as of the last digest, if unchanged since
  uint64_t version_ = 0;
  uint64_t remote_ops_received_ = 0;  // sabotage kDropEveryHundredthRemoteOp counts these
  uint64_t local_inserts_ = 0;        // sabotage kReuseTid counts these
  Tid previous_insert_tid_;
  bool started_ = false;

  // The protocol (docs/protocol.md §3 and §4).
  std::optional<FlattenCommit> commit_;  // core sites only
  uint64_t view_ = 0;
  Members members_;       // the view of this site's epoch
  bool demoted_ = false;  // learned it was expelled from that view (reset by the next epoch)
  bool halted_ = false;   // stopped for good: every input is ignored
  // The coordinator's failure detector (its suspects leave with the next view change) and the
  // non-members that asked to join.
  FailureDetector detector_;
  std::set<SiteId> joining_;
  bool join_asked_ = false;  // a join request went out in this epoch (logged once)
  TimeUs epoch_started_us_ = 0;
  // Ops the epoch held when it began, carried in by translation: a flatten of those alone would
  // carry them over again (a delete whose target has not arrived stays black), so no policy
  // flattens until the epoch holds more (docs/protocol.md §3 step 1).
  uint64_t inherited_ops_ = 0;
  uint64_t aborts_in_row_ = 0;  // the coordinator's backoff
  TimeUs retry_at_us_ = 0;
  CatchUp catch_up_;
  std::map<SiteId, TimeUs> stale_sent_us_;  // STALE at most once per sender per retry period
  // Translated ops catch-up sends when it is done: the latest epoch's, replaced at each step
  // (an op a later cut took in is the core's already; one still black was translated again).
  std::vector<SharedOp> resend_;
  // Deletes waiting for their targets, by target (mirrors store_->pending_deletes).
  std::map<OpId, std::vector<SharedOp>> pending_;
};

}  // namespace treedoc::site
