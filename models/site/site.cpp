// Site: the per-site state machine (spreading, anti-entropy, crash recovery from the durable
// store).
#include "models/site/site.hpp"

#include <utility>

#include "models/treedoc/assertion.hpp"

namespace treedoc::site {

Site::Site(const SiteConfig& config, DurableStore* store, OpArchive* archive)
    : config_(config),
      store_(store),
      archive_(archive),
      replica_(config.id, config.replica, store->counter),
      snapshot_(std::make_shared<const DotSet>()) {
  TD_ASSERT(config.id >= kSiteIdFirst, "site ids 0 and 1 are reserved");
  TD_ASSERT(config.fanout >= 1 && config.fanout <= kFanoutMax, "fanout out of range");
  TD_ASSERT(config.anti_entropy_fanout >= 1 && config.anti_entropy_fanout <= kFanoutMax,
            "anti-entropy fanout out of range");
}

Effects Site::start(TimeUs now) {
  TD_ASSERT(!started_, "a site starts once");
  started_ = true;
  Effects fx;
  for (const SharedOp& op : store_->ops) {
    const ApplyOutcome outcome = replica_.apply(*op);
    TD_ASSERT(outcome == ApplyOutcome::kApplied || outcome == ApplyOutcome::kDuplicate,
              "the durable log replays cleanly");
    if (outcome == ApplyOutcome::kApplied) claim(op, &fx);
  }
  if (!store_->ops.empty()) fx.probes.add(Probe::kRebuiltAfterCrash);
  if (config_.anti_entropy_period_us > 0) {
    fx.timers.push_back({TimerKind::kAntiEntropy,
                         now + config_.anti_entropy_offset_us % config_.anti_entropy_period_us});
  }
  return fx;
}

void Site::claim(const SharedOp& op, Effects* fx) {
  // Honest sites claim exactly their replica's `seen`; only a sabotaged one keeps a set of its own.
  if (config_.sabotage != Sabotage::kNone && !claimed_.insert(op->id)) return;
  claimed_hash_.add(op->id);
  archive_->add(op);  // a no-op when another site added it first
  ++version_;
  fx->applied.push_back(op);
}

Effects Site::local_insert(TimeUs, uint32_t index, std::string_view atom, uint32_t width) {
  TD_ASSERT(started_, "start() first");
  TD_ASSERT(index <= replica_.size(), "insert index within the document");
  Op op = replica_.local_insert(index, atom, width);
  ++local_inserts_;
  if (config_.sabotage == Sabotage::kReuseTid && local_inserts_ % kSabotageReuseTidEvery == 0 &&
      !previous_insert_tid_.empty()) {
    op.tid = previous_insert_tid_;  // broken on purpose: the checker's TID uniqueness must fire
  }
  previous_insert_tid_ = op.tid;
  return local_op(std::move(op));
}

Effects Site::local_erase(TimeUs, uint32_t index) {
  TD_ASSERT(started_, "start() first");
  TD_ASSERT(index < replica_.size(), "erase index within the document");
  return local_op(replica_.local_erase(index));
}

Effects Site::local_op(Op op) {
  store_->counter = replica_.counter();
  return own_op(std::make_shared<const Op>(std::move(op)));
}

Effects Site::local_agent_op(TimeUs, const SharedOp& op) {
  TD_ASSERT(started_, "start() first");
  const ApplyOutcome outcome = replica_.apply(*op);
  TD_ASSERT(outcome == ApplyOutcome::kApplied, "an agent's op is new to its site");
  return own_op(op);
}

Effects Site::own_op(const SharedOp& op) {
  Effects fx;
  // Durable before it is sent: a crash after this point cannot lose the op (kOwnOps, kAllOps).
  if (config_.durability != Durability::kCounterOnly) store_->ops.push_back(op);
  claim(op, &fx);
  spread({op}, &fx);
  return fx;
}

std::shared_ptr<Message> Site::new_message(MessageKind kind) const {
  auto m = std::make_shared<Message>();
  m->kind = kind;
  m->from = config_.id;
  m->epoch = replica_.epoch();
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
  if (config_.spread == Spread::kBroadcast) {
    to.kind = Destination::Kind::kAllPeers;
  } else {
    to.kind = Destination::Kind::kRandomPeers;
    to.count = config_.fanout;
  }
  fx->sends.push_back({to, std::move(m)});
}

Effects Site::on_message(TimeUs, const Message& message) {
  TD_ASSERT(started_, "start() first");
  Effects fx;
  if (message.epoch != replica_.epoch()) {
    fx.wrong_epoch += message.kind == MessageKind::kOps ? message.ops.size() : 1;
    return fx;
  }
  if (message.kind == MessageKind::kOps) {
    on_ops(message, &fx);
  } else {
    on_digest(message, &fx);
  }
  return fx;
}

void Site::on_ops(const Message& message, Effects* fx) {
  std::vector<SharedOp> learned;
  for (const SharedOp& op : message.ops) {
    // An honest site lets apply() spot duplicates (one set lookup per op, the hot path at scale).
    const bool sabotaged = config_.sabotage != Sabotage::kNone;
    if (sabotaged && claimed_.contains(op->id)) {
      fx->probes.add(Probe::kDuplicateOp);
      continue;
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
      const ApplyOutcome outcome = replica_.apply(*op);
      if (outcome == ApplyOutcome::kIdCollision || outcome == ApplyOutcome::kMalformed) {
        fx->rejected.push_back({op, outcome});
        continue;
      }
      if (outcome == ApplyOutcome::kDuplicate) {
        TD_ASSERT(!sabotaged, "claimed() always includes the replica's seen");
        fx->probes.add(Probe::kDuplicateOp);
        continue;
      }
      if (outcome == ApplyOutcome::kWrongEpoch) {
        ++fx->wrong_epoch;
        continue;
      }
    }
    // Deletes are logged under kOwnOps too: a site that has shown a deletion must never show the
    // atom again after a crash (invariant 6), even before anti-entropy brings the delete back.
    if (config_.durability == Durability::kAllOps ||
        (config_.durability == Durability::kOwnOps && !op->is_insert())) {
      store_->ops.push_back(op);
    }
    claim(op, fx);
    learned.push_back(op);
    if (message.repair) fx->probes.add(Probe::kRepairedOp);
    if (before_insert) fx->probes.add(Probe::kDeleteBeforeInsert);
    if (message.from != op->id.site) fx->probes.add(Probe::kRelayedOp);
  }
  if (config_.spread == Spread::kEpidemic) spread(std::move(learned), fx);
}

std::shared_ptr<const DotSet> Site::digest_snapshot() {
  if (snapshot_->size() != claimed().size()) snapshot_ = std::make_shared<const DotSet>(claimed());
  return snapshot_;
}

void Site::on_digest(const Message& message, Effects* fx) {
  TD_ASSERT(message.digest != nullptr, "a digest carries a set");
  if (message.digest_hash == claimed_hash_) return;  // the same set (up to a 2^-64 collision)
  const DotSet& theirs = *message.digest;
  std::vector<SharedOp> missing =
      archive_->missing_from(claimed(), theirs, kRepairOpsPerMessageMax);
  if (!missing.empty()) {
    auto m = new_message(MessageKind::kOps);
    m->ops = std::move(missing);
    m->repair = true;
    fx->sends.push_back({{Destination::Kind::kSite, message.from, 0}, std::move(m)});
  }
  if (message.wants_reply && !claimed().includes(theirs)) {
    fx->sends.push_back({{Destination::Kind::kSite, message.from, 0}, new_digest(false)});
  }
}

Effects Site::on_timer(TimeUs now, TimerKind kind) {
  TD_ASSERT(started_, "start() first");
  Effects fx;
  TD_ASSERT(kind == TimerKind::kAntiEntropy, "the only timer so far");
  TD_ASSERT(config_.anti_entropy_period_us > 0, "no anti-entropy timer when it is off");
  fx.sends.push_back(
      {{Destination::Kind::kRandomPeers, 0, config_.anti_entropy_fanout}, new_digest(true)});
  fx.timers.push_back({TimerKind::kAntiEntropy, now + config_.anti_entropy_period_us});
  return fx;
}

}  // namespace treedoc::site
