// Site: construction and crash recovery, local edits, spreading ops, anti-entropy, and the
// dispatch of messages and timers to the protocol parts (site_flatten.cpp, site_epochs.cpp).
#include "models/site/site.hpp"

#include <utility>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/run.hpp"

namespace treedoc::site {

namespace {

// The replica's options as the scenario gives them, but for a sabotaged engine (tests only).
ReplicaOptions replica_options(const SiteConfig& config) {
  ReplicaOptions o = config.replication.replica;
  o.keep_late_base_deletes = config.sabotage == Sabotage::kKeepLateBaseDeletes;
  return o;
}

}  // namespace

Site::Site(const SiteConfig& config, DurableStore* store, EpochArchive* epochs)
    : config_(config),
      store_(store),
      epochs_(epochs),
      replica_(config.id, replica_options(config), store->counter),
      snapshot_(std::make_shared<const DotSet>()),
      members_(std::make_shared<const std::vector<SiteId>>(config.core)),
      detector_(config.id, config.membership.suspect_after_us),
      catch_up_(config.id) {
  TD_ASSERT(config.id >= kSiteIdFirst, "site ids 0 and 1 are reserved");
  TD_ASSERT(config.replication.fanout >= 1 && config.replication.fanout <= kFanoutMax,
            "fanout out of range");
  TD_ASSERT(config.replication.anti_entropy_fanout >= 1 &&
                config.replication.anti_entropy_fanout <= kFanoutMax,
            "anti-entropy fanout out of range");
  TD_ASSERT(config.role == Role::kNebula || config.flatten.kind == FlattenPolicy::Kind::kNever ||
                !config.core.empty(),
            "a flatten policy needs a core");
  TD_ASSERT(config.epochs.retention_epochs <= kRetentionEpochsMax, "retention within bounds");
}

Effects Site::start(TimeUs now) {
  TD_ASSERT(!started_, "a site starts once");
  started_ = true;
  Effects fx;
  // The durable epoch first: its base, then the log of that epoch's ops.
  if (store_->epoch > 0) install(store_->epoch, store_->base);
  if (store_->members) {
    view_ = store_->view;
    members_ = store_->members;
  }
  catch_up_.learn(replica_.epoch());
  epoch_started_us_ = now;
  for (const SharedOp& op : store_->ops) {
    // Broken on purpose: anti-entropy brings them back, so only crash consistency can tell.
    if (config_.sabotage == Sabotage::kRestartSkipsOwnOps && op->id.site == config_.id) continue;
    const ApplyOutcome outcome = replica_.apply(*op);
    TD_ASSERT(outcome == ApplyOutcome::kApplied || outcome == ApplyOutcome::kDuplicate,
              "the durable log replays cleanly");
    if (outcome == ApplyOutcome::kApplied) claim(op, &fx);
  }
  for (const SharedOp& d : store_->pending_deletes) pending_[d->target].push_back(d);
  // A store that holds anything was written by an earlier life: a commit log alone counts (a
  // participant that crashed right after its first yes, before any op).
  const CommitLog& written = store_->commit_log;
  const bool restarted = !store_->ops.empty() || store_->epoch > 0 || store_->counter > 0 ||
                         written.prepared || written.attempts > 0 || !written.decisions.empty();
  if (!store_->ops.empty()) fx.observed.probes.add(Probe::kRebuiltAfterCrash);
  if (config_.replication.anti_entropy_period_us > 0) {
    fx.commands.timers.push_back(
        {TimerKind::kAntiEntropy,
         now + config_.anti_entropy_offset_us % config_.replication.anti_entropy_period_us});
  }
  if (!config_.core.empty()) {
    if (restarted && is_member() && store_->commit_log.prepared) {
      fx.observed.probes.add(Probe::kParticipantCrashYes);
    }
    const CommitLog& log = store_->commit_log;
    if (restarted && coordinator() && log.attempts > 0) {
      // Its last attempt undecided (termination must end it); a decided one recover() resends,
      // counted at that send (start_commit).
      const bool decided = log.decisions.count(TxId{config_.id, log.attempts}) > 0;
      if (!decided) fx.observed.probes.add(Probe::kCoordinatorCrashOpen);
    }
    start_commit(now, &fx);
    if (is_member()) arm_heartbeat(now, &fx);
    if (seeks_core()) ask_to_join(now, &fx);
  }
  return fx;
}

void Site::claim(const SharedOp& op, Effects* fx) {
  // Honest sites claim exactly their replica's `seen`; only a sabotaged one keeps a set of its own.
  // Every atom of a run is claimed: callers hand over runs none of whose atoms were claimed
  // (partly_claimed() splits the others), so the hash counts each id once.
  if (lies()) {
    if (!claimed_.insert(op->id)) return;
    for (uint32_t j = 1; j < op->atoms(); ++j) claimed_.insert(run_member_id(*op, j));
  }
  for_each_atom_id(*op, [&](OpId id) { claimed_hash_.add(id); });
  epochs_->ops(op->epoch).add(op);  // a no-op when another site added it first
  ++version_;
  fx->observed.applied.push_back(op);
  resolve_pending(op, fx);
}

void Site::resolve_pending(const SharedOp& insert, Effects* fx) {
  if (pending_.empty() || !insert->is_insert()) return;
  // A delete whose target another site re-bases (docs/protocol.md §4, "Beyond retention") goes
  // where the target's insert lands in this epoch: the same delete op at every site that holds it.
  bool resolved = false;
  std::vector<Op> members;  // a run's, expanded only once one of them is waited for
  for (uint32_t j = 0; j < insert->atoms(); ++j) {
    const auto it = pending_.find(run_member_id(*insert, j));
    if (it == pending_.end()) continue;
    if (insert->run != 0 && members.empty()) members = expand_run(*insert);
    const Tid& tid = insert->run == 0 ? insert->tid : members[j].tid;
    resolved = true;
    const std::vector<SharedOp> waiting = std::move(it->second);
    pending_.erase(it);
    for (const SharedOp& d : waiting) {
      Op placed = *d;
      placed.epoch = replica_.epoch();
      placed.tid = tid;
      auto op = std::make_shared<const Op>(std::move(placed));
      if (replica_.apply(*op) != ApplyOutcome::kApplied) continue;
      if (durable(*op)) store_->ops.push_back(op);
      claim(op, fx);
      if (catch_up_.active()) {
        resend_.push_back(op);
      } else {
        spread({op}, fx);
      }
    }
  }
  if (!resolved) return;
  std::erase_if(store_->pending_deletes,
                [&](const SharedOp& d) { return pending_.count(d->target) == 0; });
}

void Site::set_pending(std::vector<Op> deletes) {
  pending_.clear();
  store_->pending_deletes.clear();
  for (Op& d : deletes) {
    auto op = std::make_shared<const Op>(std::move(d));
    pending_[op->target].push_back(op);
    if (durable(*op)) store_->pending_deletes.push_back(op);
  }
}

bool Site::durable(const Op& op) const {
  // Deletes are logged under kOwnOps too: a site that has shown a deletion must never show the
  // atom again after a crash (invariant 6), even before anti-entropy brings the delete back.
  switch (config_.replication.durability) {
    case Durability::kAllOps: return true;
    case Durability::kOwnOps: return own(op.id) || !op.is_insert();
    case Durability::kCounterOnly: return false;
  }
  return false;
}

Effects Site::local_insert(TimeUs now, uint32_t index, std::string_view atom, uint32_t width) {
  TD_ASSERT(started_, "start() first");
  integrate();
  TD_ASSERT(index <= replica_.size(), "insert index within the document");
  Op op = replica_.local_insert(index, atom, width);
  ++local_inserts_;
  if (config_.sabotage == Sabotage::kReuseTid && local_inserts_ % kSabotageReuseTidEvery == 0 &&
      !previous_insert_tid_.empty()) {
    op.tid = previous_insert_tid_;  // broken on purpose: the checker's TID uniqueness must fire
  }
  previous_insert_tid_ = op.tid;
  return local_op(now, std::move(op));
}

Effects Site::local_erase(TimeUs now, uint32_t index) {
  TD_ASSERT(started_, "start() first");
  integrate();
  TD_ASSERT(index < replica_.size(), "erase index within the document");
  return local_op(now, replica_.local_erase(index));
}

Effects Site::local_insert_run(TimeUs now, uint32_t index,
                               const std::vector<std::string_view>& atoms) {
  TD_ASSERT(started_, "start() first");
  integrate();
  TD_ASSERT(index <= replica_.size(), "insert index within the document");
  return local_op(now, replica_.local_insert_run(index, atoms));
}

Effects Site::local_erase_run(TimeUs now, uint32_t index, uint32_t count) {
  TD_ASSERT(started_, "start() first");
  integrate();
  TD_ASSERT(count >= 1 && uint64_t{index} + count <= replica_.size(), "a range in the document");
  std::vector<SharedOp> ops;
  for (Op& op : replica_.local_erase_run(index, count)) {
    ops.push_back(std::make_shared<const Op>(std::move(op)));
  }
  store_->counter = replica_.counter();
  Effects fx;
  own_ops(now, std::move(ops), &fx);
  return fx;
}

Effects Site::local_op(TimeUs now, Op op) {
  store_->counter = replica_.counter();
  Effects fx;
  own_ops(now, {std::make_shared<const Op>(std::move(op))}, &fx);
  return fx;
}

Effects Site::local_agent_op(TimeUs now, const SharedOp& op) {
  TD_ASSERT(started_, "start() first");
  const ApplyOutcome outcome = replica_.apply(*op);
  TD_ASSERT(outcome == ApplyOutcome::kApplied, "an agent's op is new to its site");
  // Own by role: the site logs (kOwnOps) and re-bases (docs/protocol.md §4) what its agents make.
  for_each_atom_id(*op, [&](OpId id) { store_->agent_ops.insert(id); });
  Effects fx;
  own_ops(now, {op}, &fx);
  return fx;
}

void Site::own_ops(TimeUs now, std::vector<SharedOp> ops, Effects* fx) {
  TD_ASSERT(!ops.empty(), "an edit makes ops");
  // Durable before it is sent: a crash after this point cannot lose the op (kOwnOps, kAllOps).
  // (Broken on purpose under kUnloggedOwnOps: others hold the op, so nothing but durable before
  // visible can tell.)
  // All of one edit's ops are claimed before on_update, which may end the epoch.
  for (const SharedOp& op : ops) {
    if (durable(*op) && config_.sabotage != Sabotage::kUnloggedOwnOps) store_->ops.push_back(op);
    claim(op, fx);
  }
  const OpId first = ops.front()->id;
  spread(std::move(ops), fx);
  on_update(now, first, fx);
}

std::shared_ptr<Message> Site::new_message(MessageKind kind) const {
  auto m = std::make_shared<Message>();
  m->kind = kind;
  m->from = config_.id;
  m->epoch = replica_.epoch();
  m->view = view_;
  return m;
}

std::shared_ptr<Message> Site::new_digest(bool wants_reply) {
  auto m = new_message(MessageKind::kDigest);
  m->digest = digest_snapshot();
  m->digest_hash = claimed_hash_;
  m->wants_reply = wants_reply;
  return m;
}

void Site::spread(std::vector<SharedOp> ops, Effects* fx) const {
  if (ops.empty()) return;
  auto m = new_message(MessageKind::kOps);
  m->ops = std::move(ops);
  Destination to;
  if (config_.replication.spread == Spread::kBroadcast) {
    to.kind = Destination::Kind::kAllPeers;
  } else {
    to.kind = Destination::Kind::kRandomPeers;
    to.count = config_.replication.fanout;
  }
  fx->commands.sends.push_back({to, std::move(m)});
}

Effects Site::on_message(TimeUs now, const Message& message) {
  TD_ASSERT(started_, "start() first");
  Effects fx;
  if (halted_) return fx;
  if (!carries_current_ops(message)) integrate();
  switch (message.kind) {
    case MessageKind::kOps:
      if (admit(now, message, &fx)) on_ops(now, message, &fx);
      break;
    case MessageKind::kDigest:
      if (admit(now, message, &fx)) on_digest(message, &fx);
      break;
    case MessageKind::kCommit: on_commit_message(now, message, &fx); break;
    case MessageKind::kStale: on_stale(now, message, &fx); break;
    case MessageKind::kHello: on_hello(now, message, &fx); break;
    case MessageKind::kCut: on_cut(now, message, &fx); break;
    case MessageKind::kState: on_state(now, message, &fx); break;
    case MessageKind::kHeartbeat: on_heartbeat(now, message, &fx); break;
    case MessageKind::kJoin: on_join(now, message, &fx); break;
  }
  return fx;
}

void Site::on_ops(TimeUs now, const Message& message, Effects* fx) {
  TD_ASSERT(message.epoch == replica_.epoch(), "admitted ops are of this epoch");
  Learned learned;
  for (const SharedOp& op : message.ops) {
    for_each_unclaimed_part(op,
                            [&](const SharedOp& part) { take_op(part, message, &learned, fx); });
  }
  if (learned.count == 0) return;
  on_update(now, learned.first, fx);
  if (config_.replication.spread == Spread::kEpidemic) spread(std::move(learned.ops), fx);
}

void Site::take_op(const SharedOp& op, const Message& message, Learned* learned, Effects* fx) {
  const bool sabotaged = lies();
  // An honest site lets apply() spot duplicates (one set lookup per op, the hot path at scale).
  if (sabotaged && claimed_.contains(op->id)) {
    fx->observed.probes.add(Probe::kDuplicateOp);
    return;
  }
  const bool before_insert = !op->is_insert() && !claimed().contains(op->target);
  if (sabotaged) ++remote_ops_received_;
  bool apply = true;
  if (config_.sabotage == Sabotage::kDropEveryHundredthRemoteOp &&
      remote_ops_received_ % kSabotageDropEvery == 0) {
    apply = false;  // broken on purpose: claimed, never applied
  }
  if (config_.sabotage == Sabotage::kDeleteWithoutPreTombstone && !op->is_insert() &&
      !claimed().contains(op->target)) {
    apply = false;  // broken on purpose: the treedoc-java bug, a delete before its insert lost
  }
  if (apply) {
    const ApplyOutcome outcome =
        config_.defer_integration ? replica_.receive(op) : replica_.apply(*op);
    if (outcome == ApplyOutcome::kIdCollision || outcome == ApplyOutcome::kMalformed) {
      fx->observed.rejected.push_back({op, outcome});
      return;
    }
    if (outcome == ApplyOutcome::kDuplicate) {
      TD_ASSERT(!sabotaged, "claimed() always includes the replica's seen");
      fx->observed.probes.add(Probe::kDuplicateOp);
      return;
    }
    TD_ASSERT(outcome != ApplyOutcome::kWrongEpoch, "ops of a message share its epoch");
  }
  if (durable(*op)) store_->ops.push_back(op);
  claim(op, fx);
  if (learned->count == 0) learned->first = op->id;
  ++learned->count;
  // Ops new to this site; only epidemic spread needs them listed.
  if (config_.replication.spread == Spread::kEpidemic) learned->ops.push_back(op);
  if (message.repair) fx->observed.probes.add(Probe::kRepairedOp);
  if (before_insert) fx->observed.probes.add(Probe::kDeleteBeforeInsert);
  if (message.from != op->id.site) fx->observed.probes.add(Probe::kRelayedOp);
}

bool Site::partly_claimed(const Op& run) const {
  uint32_t held = 0;
  for_each_atom_id(run, [&](OpId id) { held += claimed().contains(id) ? 1 : 0; });
  return held != 0 && held != run.atoms();
}

std::shared_ptr<const DotSet> Site::digest_snapshot() {
  if (snapshot_->size() != claimed().size()) snapshot_ = std::make_shared<const DotSet>(claimed());
  return snapshot_;
}

void Site::on_digest(const Message& message, Effects* fx) {
  TD_ASSERT(message.digest != nullptr, "a digest carries a set");
  if (message.digest_hash == claimed_hash_) return;  // the same set (up to a 2^-64 collision)
  const DotSet& theirs = *message.digest;
  const OpArchive* ops = epochs_->find_ops(replica_.epoch());
  std::vector<SharedOp> missing;
  if (ops) missing = ops->missing_from(claimed(), theirs, kRepairOpsPerMessageMax);
  if (!missing.empty()) {
    auto m = new_message(MessageKind::kOps);
    m->ops = std::move(missing);
    m->repair = true;
    fx->commands.sends.push_back({{Destination::Kind::kSite, message.from, 0}, std::move(m)});
  }
  if (message.wants_reply && !claimed().includes(theirs)) {
    fx->commands.sends.push_back({{Destination::Kind::kSite, message.from, 0}, new_digest(false)});
  }
}

Effects Site::on_timer(TimeUs now, TimerKind kind) {
  TD_ASSERT(started_, "start() first");
  Effects fx;
  if (halted_) return fx;
  integrate();
  switch (kind) {
    case TimerKind::kAntiEntropy:
      TD_ASSERT(config_.replication.anti_entropy_period_us > 0,
                "no anti-entropy timer when it is off");
      fx.commands.sends.push_back(
          {{Destination::Kind::kRandomPeers, 0, config_.replication.anti_entropy_fanout},
           new_digest(true)});
      fx.commands.timers.push_back(
          {TimerKind::kAntiEntropy, now + config_.replication.anti_entropy_period_us});
      break;
    case TimerKind::kFlattenPolicy: on_flatten_policy(now, &fx); break;
    case TimerKind::kCommit:
      TD_ASSERT(commit_.has_value(), "only core sites set the commit timer");
      apply_commit_effects(now, commit_->on_timer(now, commit_context(nullptr, 0)), &fx);
      break;
    case TimerKind::kCatchUp:
      if (catch_up_.active()) send_hello(now, &fx);
      break;
    case TimerKind::kHeartbeat: on_heartbeat_timer(now, &fx); break;
    case TimerKind::kJoin:
      if (seeks_core() && !catch_up_.active()) ask_to_join(now, &fx);
      break;
  }
  return fx;
}

}  // namespace treedoc::site
