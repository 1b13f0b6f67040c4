// The update-wins flatten commit among the core (docs/protocol.md §3): a coordinator proposes the
// cut it holds, every member of the view votes, and any update concurrent with the proposal aborts
// it. One object per core site plays both roles. Sans-I/O: it returns the messages to send and the
// timer to set, and writes PREPARED and decisions to a durable log that survives crashes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/site/time_us.hpp"
#include "models/treedoc/dot_set.hpp"
#include "models/vocabulary/named_enum.hpp"

namespace treedoc::site {

// A flatten attempt: its coordinator and the coordinator's attempt counter.
struct TxId {
  SiteId coordinator = 0;
  uint64_t attempt = 0;
  friend auto operator<=>(const TxId&, const TxId&) = default;
};

// Who and what an abort is blamed on, as the coordinator that decided it knows (treedoc-sim
// explain): the member whose vote, late update, silence or failed dispatch ended it (0 if none),
// the op that made it fail (kOpIdNone if no op did), and, for a no from a member prepared for
// another attempt, that attempt.
struct Blame {
  SiteId voter = 0;
  OpId cause = kOpIdNone;
  TxId blocking{};
};

// clang-format off
#define TREEDOC_VOTES(X) \
  X(kYes, "yes", "S_P = C, same epoch, view and flatten hash, and not prepared for another attempt") \
  X(kNoWrongEpoch, "no (wrong epoch)", "the participant is in another epoch") \
  X(kNoWrongView, "no (wrong view)", "... or another view") \
  X(kNoCutMismatch, "no (applied set differs from the cut)", "its applied set S differs from the proposed cut C (an update won)") \
  X(kNoHashMismatch, "no (flatten hash differs)", "same ops, different flatten(C): a bug somewhere, never a race") \
  X(kNoPreparedOther, "no (prepared for another attempt)", "it is prepared for another attempt")
#define TREEDOC_OUTCOMES(X) \
  X(kCommit, "commit", "every voter said yes and no update came before the decision") \
  X(kAbort, "abort", "anything else: the update wins")
#define TREEDOC_ABORT_REASONS(X) \
  X(kNone, "none", "not aborted") \
  X(kVotedNo, "voted no", "a participant voted no (the first no's vote says why)") \
  X(kLateUpdate, "late update", "a prepared participant took an update before the decision: update wins") \
  X(kTimeout, "vote timeout", "a vote did not arrive in time (never \"the member is dead\")") \
  X(kTermination, "cooperative termination", "cooperative termination found a participant that never voted yes") \
  X(kDispatchFailed, "dispatch failed", "a PREPARE could not be delivered (an RPC failure): abort, never \"dead\"")
// clang-format on

enum class Vote : uint8_t { TREEDOC_VOTES(TREEDOC_ENUMERATOR) };
inline constexpr auto kVotes = named_enum<Vote>({TREEDOC_VOTES(TREEDOC_ENUM_ENTRY)});
static_assert(kVotes.well_formed());
inline const char* to_string(Vote v) { return kVotes.name(v); }

enum class Outcome : uint8_t { TREEDOC_OUTCOMES(TREEDOC_ENUMERATOR) };
inline constexpr auto kOutcomes = named_enum<Outcome>({TREEDOC_OUTCOMES(TREEDOC_ENUM_ENTRY)});
static_assert(kOutcomes.well_formed());

// Why an attempt aborted (metrics: aborts by reason).
enum class AbortReason : uint8_t { TREEDOC_ABORT_REASONS(TREEDOC_ENUMERATOR) };
inline constexpr auto kAbortReasons =
    named_enum<AbortReason>({TREEDOC_ABORT_REASONS(TREEDOC_ENUM_ENTRY)});
static_assert(kAbortReasons.well_formed());
inline constexpr size_t kAbortReasonCount = kAbortReasons.size();
inline const char* to_string(AbortReason r) { return kAbortReasons.name(r); }

// A view's members, in order (the first coordinates), shared by every message that carries it.
using Members = std::shared_ptr<const std::vector<SiteId>>;

// Whether `site` is one of `members`.
bool is_member_of(const Members& members, SiteId site);

// The proposal and the decision travel with their cut, content hash and the next view, so a site
// that learns the decision late can still build the epoch. A view change goes alone (`view_only`,
// no cut): one attempt at a time serializes views and flattens (docs/protocol.md §7.10).
// clang-format off
#define TREEDOC_COMMIT_MESSAGES(X) \
  X(kPrepare, "prepare", "coordinator -> members: C, H and the next view") \
  X(kVote, "vote", "member -> coordinator") \
  X(kLateUpdate, "late-update", "prepared member -> coordinator: an update arrived after its yes") \
  X(kDecision, "decision", "coordinator (or anyone who knows it) -> members") \
  X(kDecisionRequest, "decision-request", "cooperative termination: \"do you know how txid ended?\"") \
  X(kDontKnow, "dont-know", "reply: prepared too, or never saw it (with `vote` saying which)")
// clang-format on

struct CommitMessage {
  enum class Kind : uint8_t { TREEDOC_COMMIT_MESSAGES(TREEDOC_ENUMERATOR) };
  Kind kind = Kind::kPrepare;
  SiteId from = 0;
  uint64_t epoch = 0;
  uint64_t view = 0;
  TxId txid;
  std::shared_ptr<const DotSet> cut;  // kPrepare, kDecision
  uint64_t hash = 0;                  // kPrepare, kDecision: H = hash(flatten(C))
  uint64_t next_view = 0;             // kPrepare, kDecision: the view the next epoch starts
  Members next_members;               // ... and its members
  Vote vote = Vote::kYes;             // kVote; kDontKnow: kYes if prepared, else a no
  Outcome outcome = Outcome::kAbort;  // kDecision
  // kPrepare, kDecision: a view change alone, with no cut and no flatten (docs/protocol.md §6.7):
  // edits commute with it, so no update aborts it and the epoch stays.
  bool view_only = false;
  // kVote (a no for an applied set that differs from the cut), kLateUpdate: the op that made the
  // attempt fail, so the coordinator's abort can name it (treedoc-sim explain); kOpIdNone if none.
  OpId cause = kOpIdNone;
  // kVote no (prepared for another attempt): the attempt it is prepared for, whose decision it
  // still waits for.
  TxId blocking{};
};

inline constexpr auto kCommitMessages =
    named_enum<CommitMessage::Kind>({TREEDOC_COMMIT_MESSAGES(TREEDOC_ENUM_ENTRY)});
static_assert(kCommitMessages.well_formed());

// What survives a crash: the coordinator's attempt counter, the PREPARED record, decisions.
struct CommitLog {
  struct Record {  // an attempt as proposed
    TxId txid;
    uint64_t epoch = 0, view = 0;
    std::shared_ptr<const DotSet> cut;
    uint64_t hash = 0;
    uint64_t next_view = 0;
    Members next_members;    // the view the attempt would start; null when not known (termination)
    bool view_only = false;  // a view change alone: no cut, the epoch stays
  };
  struct Decided {
    Record attempt;
    Outcome outcome = Outcome::kAbort;
  };
  uint64_t attempts = 0;
  std::optional<Record> prepared;  // logged before the yes is sent (docs/protocol.md §3 step 2)
  std::map<TxId, Decided>
      decisions;  // logged before a decision is sent (docs/protocol.md §3 step 4)
};

// The epoch, view and state a vote is judged against, supplied by the site at each call.
struct CommitContext {
  uint64_t epoch = 0;
  uint64_t view = 0;
  std::vector<SiteId> members;      // the view's core members, the caller included
  const DotSet* applied = nullptr;  // S
  uint64_t hash = 0;                // hash(flatten(S)) when S equals the proposed cut
  // propose(): the view the next epoch starts with. Its members that are members now vote; one
  // being expelled does not (it is the one suspected), one joining votes from its first epoch on.
  uint64_t next_view = 0;
  Members next_members;
  // propose(): a view change alone (no cut, the epoch stays), for a view change that must not
  // wait for a flatten to win against steady edits (docs/protocol.md §6.7).
  bool view_only = false;
};

// Where a message goes: one site, or every member of the view but the sender.
struct CommitSend {
  std::optional<SiteId> to;  // nullopt: every other member
  CommitMessage message;
};

struct CommitEffects {
  std::vector<CommitSend> sends;
  std::optional<TimeUs> timer_at_us;  // (re)arm the commit timer; it replaces any earlier one
  // Set when this call decided, or learned, how an attempt ended.
  struct Ended {
    TxId txid;
    uint64_t epoch = 0;  // the epoch the attempt would close
    Outcome outcome = Outcome::kAbort;
    AbortReason reason = AbortReason::kNone;
    std::shared_ptr<const DotSet> cut;
    uint64_t hash = 0;
    uint64_t next_view = 0;
    Members next_members;
    bool view_only = false;
    uint64_t view = 0;  // the view the attempt was proposed in
    Blame blame{};      // an abort decided here
  };
  std::optional<Ended> ended;
};

inline constexpr TimeUs kVoteTimeoutUsDefault = 2 * kUsPerS;
// A prepared participant waits this many vote timeouts for the decision before it asks around
// (cooperative termination), and as long again between rounds of asking.
inline constexpr uint64_t kTerminationWaitVoteTimeouts = 2;

class FlattenCommit {
 public:
  // `commit_on_timeout`: the test-only broken coordinator that treats a missing vote as a yes;
  // `keep_prepared_one_epoch`: the test-only broken participant whose PREPARED outlives the
  // next epoch (sabotage prepared-survives-epoch).
  FlattenCommit(SiteId self, CommitLog* log, TimeUs vote_timeout_us = kVoteTimeoutUsDefault,
                bool commit_on_timeout = false, bool keep_prepared_one_epoch = false);

  // Coordinator: proposes C = S with H. Refused (empty effects) while an attempt is open here.
  CommitEffects propose(TimeUs now, const CommitContext& ctx);
  // Participant or coordinator: the update `cause` was applied locally or remotely (it is
  // post-cut if an attempt is prepared or open).
  CommitEffects on_update(TimeUs now, OpId cause);
  CommitEffects on_message(TimeUs now, const CommitMessage& m, const CommitContext& ctx);
  CommitEffects on_timer(TimeUs now, const CommitContext& ctx);
  // After a crash: a coordinator with a logged decision resends it; a prepared participant asks.
  CommitEffects recover(TimeUs now);
  // The coordinator could not deliver a message to `to`: an attempt still waiting for its vote
  // aborts (a failed RPC proves nothing about the member, docs/protocol.md §6.7).
  CommitEffects on_dispatch_failed(SiteId to);

  // The site entered `epoch` (by a commit, catch-up or state transfer): attempts of older epochs
  // are over, whichever way they ended, and nothing of theirs is acted on any more (fencing).
  void on_new_epoch(uint64_t epoch);

  bool coordinating() const { return open_.has_value(); }
  bool prepared() const { return log_->prepared.has_value(); }
  // Whether `m` is of an attempt whose epoch or view the site at `ctx` has left.
  static bool left_attempt_of(const CommitMessage& m, const CommitContext& ctx) {
    return m.epoch < ctx.epoch || (m.epoch == ctx.epoch && m.view < ctx.view);
  }
  // While prepared, garbage collection waits; editing never does (docs/protocol.md §3 step 3).

 private:
  struct Open {  // the coordinator's attempt in progress (volatile: a crash forgets it)
    CommitLog::Record attempt;
    std::vector<SiteId> voters;   // members now who stay members: every one must vote yes
    std::vector<SiteId> waiting;  // voters whose yes has not arrived
    std::vector<SiteId> told;     // who hears the decision: the voters, and for a view change
                                  // alone also the members leaving and joining
    TimeUs deadline_us = 0;
  };
  // Logs the outcome, tells every other member and reports the end.
  CommitEffects decide(const CommitLog::Record& attempt, Outcome o,
                       AbortReason reason = AbortReason::kNone, Blame blame = {});
  // Logs an outcome learned from elsewhere and reports the end (once per attempt).
  CommitEffects learn(const CommitLog::Record& attempt, Outcome o, AbortReason reason);
  CommitEffects on_prepare(TimeUs now, const CommitMessage& m, const CommitContext& ctx);
  // A participant's vote on PREPARE `m` (docs/protocol.md §3 step 2; §6.7 for a view change).
  Vote vote_on(const CommitMessage& m, const CommitContext& ctx) const;
  CommitEffects on_vote(const CommitMessage& m);
  // `ctx`: where this site is now; of an attempt whose epoch or view it has left it promises
  // nothing (docs/protocol.md §3 step 6).
  CommitEffects on_decision_request(const CommitMessage& m, const CommitContext& ctx);
  CommitEffects on_dont_know(const CommitMessage& m);
  // Cooperative termination: asks every member how the prepared attempt ended, and waits.
  void ask_for_decision(TimeUs now, CommitEffects* fx) const;
  CommitMessage message(CommitMessage::Kind kind, const CommitLog::Record& attempt) const;
  static CommitEffects::Ended ended(const CommitLog::Record& attempt, Outcome o, AbortReason reason,
                                    Blame blame);
  CommitMessage decision_message(const CommitLog::Decided& d) const;
  // The attempt a PREPARE or decision describes, as the log keeps it.
  static CommitLog::Record record_of(const CommitMessage& m);

  SiteId self_;
  CommitLog* log_;
  TimeUs vote_timeout_us_;
  std::optional<Open> open_;
  bool late_update_sent_ = false;  // for the attempt this site is prepared for
  bool commit_on_timeout_;
  bool keep_prepared_one_epoch_;
};

}  // namespace treedoc::site
