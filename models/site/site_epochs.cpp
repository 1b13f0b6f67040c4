// Site, the epoch side (docs/protocol.md §3 epoch rule and §4): fencing by STALE, buffering newer
// epochs, catch-up by HELLO and CUT (or STATE beyond the retention bound), and the transition
// itself: install flatten(C), translate the black ops by the graft, log the new epoch durably.
#include <algorithm>
#include <utility>

#include "models/site/site.hpp"
#include "models/treedoc/assertion.hpp"
#include "models/treedoc/rebase.hpp"
#include "models/treedoc/run.hpp"

namespace treedoc::site {

namespace {
// Ops a CUT may carry: the whole cut's worth for an asker that holds none of it.
constexpr uint64_t kCutOpsMax = uint64_t{1} << 24;

std::vector<OpId> visible_ids(const Replica& replica) {
  std::vector<OpId> ids;
  ids.reserve(replica.size());
  for (uint32_t k = 0; k < replica.size(); ++k) ids.push_back(replica.visible_id(k));
  return ids;
}
}  // namespace

bool Site::admit(TimeUs now, const Message& message, Effects* fx) {
  if (message.epoch == replica_.epoch()) return true;
  ++fx->observed.wrong_epoch;
  if (message.epoch < replica_.epoch()) {
    // Fencing: nothing of an older epoch is acted on; its sender learns it is behind.
    fx->observed.probes.add(Probe::kStaleFenced);
    send_stale(now, message.from, /*with_view=*/false, fx);
    return false;
  }
  catch_up_.learn(message.epoch);
  catch_up_.hold(message);
  start_catch_up(now, fx);
  return false;
}

void Site::on_stale(TimeUs now, const Message& message, Effects* fx) {
  if (message.epoch == replica_.epoch() && message.view > view_ && message.members) {
    take_view(now, message.view, message.members, fx);  // a view change alone it missed
    return;
  }
  if (message.epoch <= replica_.epoch()) return;
  if (message.expelled && learn_expelled(fx)) return;
  catch_up_.learn(message.epoch);
  start_catch_up(now, fx);
}

void Site::start_catch_up(TimeUs now, Effects* fx) {
  if (catch_up_.active() || members_->empty()) return;
  if (seeks_core()) note(MembershipEvent::Kind::kCatchUpStarted, fx);
  catch_up_.begin(replica_.epoch(), now);
  send_hello(now, fx);
}

void Site::send_hello(TimeUs now, Effects* fx) {
  // Core members in turn, skipping this site: one that is down or behind gets a retry elsewhere.
  const std::optional<SiteId> to = catch_up_.next_member(members_);
  if (!to) return;
  auto m = new_message(MessageKind::kHello);
  m->digest = digest_snapshot();
  m->digest_hash = claimed_hash_;
  fx->commands.sends.push_back({{Destination::Kind::kSite, *to, 0}, std::move(m)});
  fx->commands.timers.push_back({TimerKind::kCatchUp, now + config_.epochs.catch_up_retry_us});
}

std::shared_ptr<Message> Site::state_answer(uint64_t asker_epoch) const {
  const uint64_t mine = replica_.epoch();
  auto m = new_message(MessageKind::kState);
  m->base = epochs_->base(mine);
  m->members = members_;
  // Which ops since the asker's epoch the base reflects: the cuts are a few op-id runs each.
  auto folded = std::make_shared<DotSet>();
  for (uint64_t e = asker_epoch; e < mine; ++e) {
    for (const OpId& id : epochs_->ending(e)->cut->to_vector()) folded->insert(id);
  }
  // The deletes this epoch carries of atoms no cut took in (pre-tombstones, correction 1): the
  // asker must not re-base an insert one of them removed.
  if (const OpArchive* current = epochs_->find_ops(mine)) {
    for (const SharedOp& op : current->missing_atoms_from(claimed(), DotSet{}, kCutOpsMax)) {
      if (!op->is_insert() && !folded->contains(op->target)) m->ops.push_back(op);
    }
  }
  m->digest = std::move(folded);
  return m;
}

void Site::on_hello(TimeUs now, const Message& message, Effects* fx) {
  const uint64_t mine = replica_.epoch();
  if (message.epoch > mine) {  // the asker is ahead of this site: this one catches up too
    catch_up_.learn(message.epoch);
    start_catch_up(now, fx);
    return;
  }
  if (message.epoch == mine || !is_member()) return;  // nothing to tell, or not ours to tell
  TD_ASSERT(message.digest != nullptr, "a HELLO carries the asker's applied set");
  // (Broken on purpose under kStateWithinRetention: a state transfer where a cut would do.)
  if (mine - message.epoch > config_.epochs.retention_epochs ||
      config_.sabotage == Sabotage::kStateWithinRetention) {
    // The archive of the asker's epoch is gone: state transfer (docs/protocol.md §4, "Beyond
    // retention").
    fx->commands.sends.push_back(
        {{Destination::Kind::kSite, message.from, 0}, state_answer(message.epoch)});
    return;
  }
  const std::shared_ptr<const EpochEnding>& ending = epochs_->ending(message.epoch);
  TD_ASSERT(ending != nullptr, "an epoch this site has left has ended");
  auto m = new_message(MessageKind::kCut);
  m->epoch = message.epoch;
  m->ending = ending;
  const OpArchive* ops = epochs_->find_ops(message.epoch);
  TD_ASSERT(ops != nullptr, "the ops of an epoch within retention");
  m->ops = ops->missing_from(*ending->cut, *message.digest, kCutOpsMax);
  fx->commands.sends.push_back({{Destination::Kind::kSite, message.from, 0}, std::move(m)});
}

void Site::on_cut(TimeUs now, const Message& message, Effects* fx) {
  if (message.epoch != replica_.epoch() || !message.ending) return;  // late or duplicate
  const auto take = [&](const SharedOp& op) {
    const ApplyOutcome outcome = replica_.apply(*op);
    if (outcome != ApplyOutcome::kApplied) return;  // a duplicate: it arrived meanwhile
    if (durable(*op)) store_->ops.push_back(op);
    claim(op, fx);
  };
  for (const SharedOp& op : message.ops) for_each_unclaimed_part(op, take);
  if (!claimed().includes(*message.ending->cut)) return;  // a sabotaged set: the retry may help
  enter_next_epoch(now, *message.ending, /*catch_up=*/true, fx);
}

void Site::on_state(TimeUs now, const Message& message, Effects* fx) {
  if (message.epoch <= replica_.epoch() || !message.base || !message.digest) return;
  if (is_member() && !is_member_of(message.members, config_.id) && learn_expelled(fx)) return;
  const bool rebase = config_.epochs.beyond_retention == EpochPolicy::BeyondRetention::kRebase;
  EpochEntered entered;
  entered.epoch = message.epoch;
  entered.catch_up = true;
  entered.visible_hash_before = replica_.visible_hash();
  entered.lost_by_policy = rebase ? 0 : report_lost(message, fx);
  // What the base reflects that this site never held: unlike a CUT, a STATE brings no ops to
  // apply first, so the base may show atoms the site lacked and lack atoms it showed.
  entered.gained = message.digest->minus(claimed()).size();
  entered.visible_ids_before = visible_ids(replica_);
  if (rebase) {
    rebase_held(now, message, &entered, fx);
  } else {
    install(message.epoch, message.base);
    enter_view(now, message.view, message.members, fx);
    store_->ops.clear();
  }
  entered.visible_hash_after = replica_.visible_hash();
  const bool changed = entered.lost_by_policy > 0 || entered.gained > 0 || entered.rebased > 0 ||
                       entered.left_to_origin > 0;
  if (changed) {
    entered.visible_ids_after = visible_ids(replica_);
  } else {
    entered.visible_ids_before.clear();
  }
  fx->observed.epochs_entered.push_back(std::move(entered));
  after_epoch_change(now, fx);
}

uint64_t Site::report_lost(const Message& message, Effects* fx) const {
  // The opt-in policy kLose: what this site holds that no cut since its epoch took in is counted
  // and reported, never silently dropped.
  const OpArchive* ops = epochs_->find_ops(replica_.epoch());
  uint64_t lost = 0;
  if (ops) {
    for (const SharedOp& op : ops->missing_from(claimed(), *message.digest, UINT64_MAX)) {
      fx->observed.lost_by_policy.push_back(op);
      lost += op->atoms();
    }
  }
  if (lost > 0) fx->observed.probes.add(Probe::kLostByPolicy);
  return lost;
}

void Site::rebase_held(TimeUs now, const Message& message, EpochEntered* entered, Effects* fx) {
  // docs/protocol.md §4, "Beyond retention": the site's own ops no cut took in are re-based onto
  // the current base by atom identity; deletes target their atoms by id (or wait for them).
  std::vector<Op> held;
  if (const OpArchive* ops = epochs_->find_ops(replica_.epoch())) {
    for (const SharedOp& op : ops->missing_atoms_from(claimed(), DotSet{}, UINT64_MAX)) {
      held.push_back(*op);
    }
  }
  for (const SharedOp& d : store_->pending_deletes) held.push_back(*d);
  std::vector<Op> carried;  // the core's pre-tombstones, of the new epoch
  for (const SharedOp& d : message.ops) carried.push_back(*d);
  const RebaseInput in{*epochs_->base(replica_.epoch()),
                       held,
                       *message.digest,
                       carried,
                       *message.base,
                       message.epoch};
  Rebased r = rebase_onto(in, [this](OpId id) { return own(id); });
  install(message.epoch, message.base);
  enter_view(now, message.view, message.members, fx);
  store_->ops.clear();
  set_pending(std::move(r.pending_deletes));
  resend_.clear();
  for (Op& op : r.ops) {
    auto shared = std::make_shared<const Op>(std::move(op));
    const ApplyOutcome outcome = replica_.apply(*shared);
    if (outcome == ApplyOutcome::kDuplicate) continue;  // a carried delete the site also made
    if (outcome != ApplyOutcome::kApplied) {
      fx->observed.rejected.push_back({shared, outcome});
      continue;
    }
    if (durable(*shared)) store_->ops.push_back(shared);
    claim(shared, fx);
    fx->observed.translated.push_back(shared);
    resend_.push_back(shared);
  }
  entered->translated = resend_.size();  // re-based inserts and deletes placed by identity
  entered->rebased = r.inserts_rebased;
  entered->left_to_origin = r.foreign_inserts_left;
  if (r.inserts_rebased > 0) fx->observed.probes.add(Probe::kRebasedBeyondRetention);
}

void Site::install(uint64_t epoch, const std::shared_ptr<const std::vector<FlatAtom>>& base) {
  TD_ASSERT(base != nullptr && epoch > replica_.epoch(), "a newer epoch with its base");
  replica_.install_epoch(epoch, *base);
  claimed_ = DotSet{};
  claimed_hash_ = OpSetHash{};
  snapshot_ = std::make_shared<const DotSet>();
  ++version_;
  store_->epoch = epoch;
  store_->base = base;
}

Op Site::translate_at_end(const Op& black, const FlattenResult& flat) const {
  // Broken on purpose: every black atom is grafted under the last atom, so translated atoms move
  // to the end of the document (order preservation must fail; the graft picks c by old TID).
  const uint64_t n = flat.atoms->size();
  Op out = black;
  out.epoch = flat.translator->new_epoch();
  out.tid = n == 0 ? sentinel_tid() : flat_tid(n - 1, n);
  out.tid.push(1);
  out.tid.append(black.tid);
  return out;
}

bool Site::leave_to_origin(const Op& black, const EpochEnding& ending, const FlattenResult& flat) {
  // docs/protocol.md §4 step 6 and "Beyond retention": a catching-up site translates only its own
  // inserts. Another site's black insert is its origin's to carry, by cut or, beyond retention,
  // by re-base, and the two may place it differently: one translator per op keeps one TID per op
  // (invariants 1, 12). A delete of such an insert waits for it and follows it by identity.
  if (black.is_insert()) return !own(black.id);
  const bool target_black =
      !ending.cut->contains(black.target) && !flat.translator->initial_ids().contains(black.target);
  if (!target_black || own(black.target)) return false;
  auto waiting = std::make_shared<const Op>(black);
  pending_[waiting->target].push_back(waiting);
  if (durable(*waiting)) store_->pending_deletes.push_back(waiting);
  return true;
}

std::vector<SharedOp> Site::translate_black(const EpochEnding& ending, const FlattenResult& flat,
                                            bool catch_up, uint64_t* dropped, uint64_t* left) {
  // Black ops (docs/protocol.md, catch-up): those outside the cut, and the cut's deletes of black
  // atoms, which every holder of the cut carries over identically.
  std::vector<SharedOp> black;
  const OpArchive* ops = epochs_->find_ops(ending.epoch);
  TD_ASSERT(ops != nullptr, "the closing epoch's ops are archived");
  for (const SharedOp& op : ops->missing_atoms_from(claimed(), DotSet{}, UINT64_MAX)) {
    if (colour_of(*op, *ending.cut, flat.translator->initial_ids()) != Colour::kBlack) continue;
    if (catch_up && leave_to_origin(*op, ending, flat)) {
      if (op->is_insert()) ++*left;
      continue;
    }
    black.push_back(op);
  }
  std::vector<Op> translated;
  for (const SharedOp& op : black) {
    std::optional<Op> t;
    if (config_.sabotage == Sabotage::kTranslateAppendAtEnd &&
        (op->is_insert() || (!ending.cut->contains(op->target) &&
                             !flat.translator->initial_ids().contains(op->target)))) {
      t = translate_at_end(*op, flat);
    } else {
      t = flat.translator->translate(*op);
    }
    if (!t) {
      ++*dropped;  // a delete of a cyan tombstone: the flatten already removed its atom
      continue;
    }
    translated.push_back(std::move(*t));
  }
  // Taken atom by atom, carried as runs again: what a typed or pasted stretch was in the closing
  // epoch stays one op (unless a cyan atom came between its members, which grafts them apart), so
  // a catch-up resends it compactly.
  std::vector<SharedOp> runs;
  for (Op& op : compress_runs(translated, typed_chain(replica_.options().document))) {
    runs.push_back(std::make_shared<const Op>(std::move(op)));
  }
  return runs;
}

std::vector<SharedOp> Site::apply_translated(const std::vector<SharedOp>& translated, bool catch_up,
                                             Effects* fx) {
  std::vector<SharedOp> own;  // what this site resends
  for (const SharedOp& op : translated) {
    const ApplyOutcome outcome = replica_.apply(*op);
    if (outcome == ApplyOutcome::kIdCollision || outcome == ApplyOutcome::kMalformed) {
      fx->observed.rejected.push_back({op, outcome});
      continue;
    }
    TD_ASSERT(outcome == ApplyOutcome::kApplied, "a translated op is new to the new epoch");
    if (durable(*op)) store_->ops.push_back(op);
    claim(op, fx);
    fx->observed.translated.push_back(op);
    if (op->id.site == config_.id || catch_up) own.push_back(op);
  }
  return own;
}

void Site::enter_next_epoch(TimeUs now, const EpochEnding& ending, bool catch_up, Effects* fx) {
  TD_ASSERT(ending.epoch == replica_.epoch(), "an ending of this site's epoch");
  TD_ASSERT(claimed().includes(*ending.cut), "the site holds every op of the cut");
  // A member that learns from the ending that it was expelled (docs/protocol.md §6.7) halts here,
  // by policy, before translating anything; a demoted one goes on, and resends every op it
  // translates.
  if (is_member() && !is_member_of(ending.next_members, config_.id) && learn_expelled(fx)) return;
  const std::shared_ptr<const FlattenResult> flat = epochs_->end_epoch(ending);
  TD_ASSERT(flat != nullptr, "one decision per epoch (invariant 9)");
  const uint64_t visible_before = replica_.visible_hash();
  std::optional<ReplicaStats> stats_before;
  if (coordinator() && !catch_up) stats_before = replica_.stats();
  uint64_t dropped = 0, left = 0;
  const std::vector<SharedOp> translated =
      translate_black(ending, *flat, catch_up, &dropped, &left);
  if (left > 0) fx->observed.probes.add(Probe::kLeftToOrigin);
  install(ending.epoch + 1, flat->atoms);
  enter_view(now, ending.next_view, ending.next_members, fx);
  store_->ops.clear();
  const std::vector<SharedOp> own = apply_translated(translated, catch_up, fx);
  if (!translated.empty() && !catch_up) fx->observed.probes.add(Probe::kPostCutTranslated);
  EpochEntered entered;
  entered.epoch = ending.epoch + 1;
  entered.ending = std::make_shared<const EpochEnding>(ending);
  entered.catch_up = catch_up;
  entered.visible_hash_before = visible_before;
  entered.visible_hash_after = replica_.visible_hash();
  entered.translated = translated.size();
  entered.dropped = dropped;
  entered.left_to_origin = left;
  if (stats_before) {
    entered.stats_before = stats_before;
    entered.stats_after = replica_.stats();
  }
  fx->observed.epochs_entered.push_back(std::move(entered));
  // A commit resends only the site's own translated ops (every holder of the others translates
  // them too, and anti-entropy repairs the rest); catch-up resends all it carried, once, when it
  // is in the newest epoch it knows (docs/protocol.md §4 step 7): this step's translations replace
  // the last step's, whose ops are either in this cut (the core holds them) or translated again.
  if (catch_up) {
    resend_ = std::move(own);
  } else {
    spread(std::move(own), fx);
  }
  after_epoch_change(now, fx);
}

void Site::enter_view(TimeUs now, uint64_t view, const Members& members, Effects* fx) {
  if (!members) return;  // an ending without a view: the view stays
  const bool was_member = is_member();
  view_ = view;
  members_ = members;
  demoted_ = false;
  store_->view = view;
  store_->members = members;
  if (was_member || !is_member()) return;
  fx->observed.probes.add(Probe::kRejoined);
  note(MembershipEvent::Kind::kJoined, fx);
  arm_heartbeat(now, fx);
}

void Site::take_view(TimeUs now, uint64_t view, const Members& members, Effects* fx) {
  TD_ASSERT(view > view_ && members != nullptr, "a newer view of this epoch");
  // Left out of the view: the analogue of YouAreDead (docs/protocol.md §6.7), then by policy halt
  // or demote; a demoted site keeps every op and asks to join again.
  if (is_member() && !is_member_of(members, config_.id) && learn_expelled(fx)) return;
  enter_view(now, view, members, fx);
  detector_.new_view(members_);
  std::erase_if(joining_, [&](SiteId j) { return is_member_of(members_, j); });
  if (is_member()) join_asked_ = false;
  if (view_change_pending()) maybe_propose(now, fx);
  if (seeks_core() && !catch_up_.active()) ask_to_join(now, fx);
}

void Site::send_stale(TimeUs now, SiteId to, bool with_view, Effects* fx) {
  auto [it, fresh] = stale_sent_us_.emplace(to, now);
  if (!fresh && now - it->second < config_.epochs.catch_up_retry_us) return;
  it->second = now;
  auto stale = new_message(MessageKind::kStale);
  if (with_view) stale->members = members_;
  // YouAreDead, for a receiver that thinks itself a member of an older view (docs/protocol.md
  // §6.7).
  stale->expelled = !is_member_of(members_, to);
  fx->commands.sends.push_back({{Destination::Kind::kSite, to, 0}, std::move(stale)});
}

void Site::send_once_current(Effects* fx) {
  if (resend_.empty()) return;
  for (const SharedOp& op : resend_) {
    if (op->id.site == config_.id) continue;
    fx->observed.probes.add(Probe::kResentOthersTranslated);  // docs/protocol.md §4 step 7
    break;
  }
  // Ops of this epoch that arrived meanwhile may have deleted or repeated some: they stay
  // harmless duplicates at the receivers, which drop them by op id.
  spread(std::exchange(resend_, {}), fx);
}

void Site::after_epoch_change(TimeUs now, Effects* fx) {
  epoch_started_us_ = now;
  inherited_ops_ = claimed().size();
  aborts_in_row_ = 0;
  retry_at_us_ = 0;
  stale_sent_us_.clear();
  join_asked_ = false;
  detector_.new_view(members_);
  // A join is for the epoch it was asked in: admitted by the flatten that closes that epoch, the
  // joiner is at most one epoch behind (invariant 14). A joiner still behind asks again.
  joining_.clear();
  if (commit_) commit_->on_new_epoch(replica_.epoch());
  catch_up_.learn(replica_.epoch());
  // Messages held for this epoch now apply; older ones are moot, newer ones wait.
  for (const SharedMessage& m : catch_up_.release(replica_.epoch())) {
    fx->observed.probes.add(Probe::kBufferedNewerEpoch);
    on_ops(now, *m, fx);
  }
  if (catch_up_.behind(replica_.epoch())) {
    if (catch_up_.active()) {
      send_hello(now, fx);
    } else {
      start_catch_up(now, fx);
    }
    return;
  }
  send_once_current(fx);
  if (const std::optional<CatchUp::Finished> done = catch_up_.finish(replica_.epoch(), now)) {
    if (done->epochs_crossed >= 2) fx->observed.probes.add(Probe::kCatchUpMultiEpoch);
    fx->observed.caught_up = Observations::CaughtUp{done->took_us, done->from_epoch};
    if (seeks_core()) note(MembershipEvent::Kind::kCaughtUp, fx);
  }
  if (seeks_core()) ask_to_join(now, fx);
  if (view_change_pending()) maybe_propose(now, fx);
}

}  // namespace treedoc::site
