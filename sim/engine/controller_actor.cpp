// The controller actor: turns sites' hosts off and on when the fault timeline crashes and
// restarts them, logs the scheduled faults, and, as the observer, runs the checker and samples the
// metrics half a microsecond after its instants, when every event of the instant has happened.
#include <algorithm>
#include <cstdio>

#include "models/treedoc/assertion.hpp"
#include "sim/engine/simulation_engine.hpp"

namespace treedoc::sim {

namespace {

// How often, in host time, the progress line is redrawn.
constexpr double kProgressPeriodWallS = 0.5;
// Runs shorter than this in host time print no progress line at all.
constexpr double kProgressAfterWallS = 2.0;
// The observer looks this long after its instant: sites act only at whole microseconds.
constexpr double kObserverOffsetS = 0.5e-6;

// A host switch the controller performs: a crash or a restart at an instant.
struct HostSwitch {
  TimeUs at_us;
  bool on;
  SiteIndex site;
  friend auto operator<=>(const HostSwitch&, const HostSwitch&) = default;
};

}  // namespace

void Simulation::crash(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  TD_ASSERT(slot.host->is_on(), "the timeline crashes only running sites");
  log_.record(now, EventKind::kCrash, i);
  ++result_.crashes;
  verify(i, now);  // the checks waiting for its received ops, before they are gone
  if (slot.site) checker_.on_crash(i, slot.site->claimed());
  slot.site.reset();  // volatile state is gone; slot.store stays
  ++slot.life;        // messages still on their way to it are lost when they arrive
  probes_.add(site::Probe::kLostWithCrash, drop_pending(i, now));
  slot.paused_until_us = 0;
  wakes_.plan(i, kNever);
  slot.host->turn_off();  // kills the site's actor at once
}

void Simulation::restart(SiteIndex i, TimeUs now) {
  TD_ASSERT(!slots_[i].host->is_on(), "the timeline restarts only crashed sites");
  log_.record(now, EventKind::kRestart, i);
  ++result_.restarts;
  // Planned before the actor can run and plan its own wake, which must not be overwritten.
  wakes_.plan(i, now);
  slots_[i].host->turn_on();  // re-runs the auto-restart actor's body, which boots the site
}

uint64_t Simulation::drop_pending(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  const uint64_t dropped = slot.inbox.size();
  while (!slot.inbox.empty()) {
    const Envelope& e = slot.inbox.top();
    log_.record(now, EventKind::kDrop, e.from, i, e.seq,
                static_cast<uint64_t>(DropReason::kSiteDown));
    ++slots_[e.from].counters.msgs_dropped;
    slot.inbox.pop();
  }
  slot.timers.clear();
  slot.failed_dispatches.clear();
  return dropped;
}

SiteViews Simulation::views() const {
  SiteViews v(slots_.size(), nullptr);
  for (SiteIndex i = 0; i < slots_.size(); ++i) v[i] = slots_[i].site.get();
  return v;
}

bool Simulation::all_up() const {
  return std::all_of(slots_.begin(), slots_.end(),
                     [](const SiteSlot& s) { return s.site != nullptr || s.halted; });
}

bool Simulation::observe(TimeUs t, bool check, bool sample) {
  if (check || sample) {
    for (SiteIndex i = 0; i < slots_.size(); ++i) {
      // A metrics sample only integrates, so it changes nothing of the run (verify()).
      check ? verify(i, t) : integrate(i);
      // Hashed right after its integration, while the replica is in cache: the 1,000-site
      // benchmark ran 4 to 7% faster than hashing every site after integrating them all.
      if (check && slots_[i].site) checker_.hash_state(i, *slots_[i].site);
    }
  }
  if (sample && metrics_) {
    std::vector<SiteCounters> counters;
    for (const SiteSlot& s : slots_) counters.push_back(s.counters);
    metrics_->sample(t, views(), counters);
  }
  if (!check) return false;
  const bool liveness = t >= scenario_.phases.safety_us;
  if (!liveness) {
    checker_.check_convergence(t, views());
    return checker_.violation().has_value();
  }
  // Sites restarted at the end of the safety phase boot in that instant: wait for them.
  if (all_up() && checker_.complete(t, views())) {
    log_.record_observation(t, EventKind::kPhase, 1);
    result_.converged_at_us = t;
    check_trace_end(t);
    return true;
  }
  if (checker_.violation()) return true;
  if (t >= scenario_.phases.safety_us + scenario_.phases.liveness_us) {
    std::vector<SiteIndex> down;
    for (SiteIndex i = 0; i < slots_.size(); ++i) {
      if (!slots_[i].site && !slots_[i].halted) down.push_back(i);
    }
    checker_.fail_liveness(t, views(), down);
    log_.record_observation(t, EventKind::kPhase, 2);
    return true;
  }
  return false;
}

void Simulation::check_trace_end(TimeUs now) {
  if (!trace_ || checker_.violation()) return;
  if (!trace_->finished()) {
    Violation v{"trace-finished",
                now,
                {},
                {},
                "the trace workload made " + std::to_string(trace_->issued()) + " of its " +
                    std::to_string(trace_->transactions()) +
                    " transactions by the end of the workload; give it a longer safety phase"};
    v.liveness = true;
    result_.trace_violation = std::move(v);
    return;
  }
  for (SiteIndex i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].site) continue;  // halted for good: the trace's text is for live sites
    const std::string content = slots_[i].site->replica().content();
    if (content == trace_->end_content()) continue;
    const auto diff = std::mismatch(content.begin(), content.end(), trace_->end_content().begin(),
                                    trace_->end_content().end());
    result_.trace_violation = Violation{
        "trace-end-content",
        now,
        {i},
        {},
        site_name(scenario_.topology, i) + "'s text differs from the trace's endContent at byte " +
            std::to_string(diff.first - content.begin()) + " (" + std::to_string(content.size()) +
            " bytes vs " + std::to_string(trace_->end_content().size()) + ")"};
    return;
  }
}

void Simulation::progress(TimeUs now, bool final_line) {
  if (!options_.progress) return;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
  if (wall_s < kProgressAfterWallS) return;
  if (!final_line && wall_s - progress_printed_wall_s_ < kProgressPeriodWallS) return;
  progress_printed_wall_s_ = wall_s;
  const TimeUs end = scenario_.phases.safety_us + scenario_.phases.liveness_us;
  std::fprintf(stderr,
               "\r[treedoc-sim] simulated %.1f of at most %.1f s, %llu events, %.1f s wall%s",
               to_seconds(now), to_seconds(end), static_cast<unsigned long long>(log_.count()),
               wall_s, final_line ? "\n" : "");
  std::fflush(stderr);
}

void Simulation::controller_main() {
  std::unique_lock<sg4::Mutex> lock(*controller_mutex_);
  const TimeUs safety_end_us = scenario_.phases.safety_us;
  const TimeUs liveness_end_us = safety_end_us + scenario_.phases.liveness_us;
  const TimeUs check_period_us = scenario_.checker.check_period_us;
  const TimeUs sample_period_us = scenario_.metrics.sample_period_us;

  std::vector<HostSwitch> switches;
  for (SiteIndex i = 0; i < slots_.size(); ++i) {
    for (const auto& [from, to] : faults_.down_intervals(i)) {
      switches.push_back({from, false, i});
      if (to != kNever) switches.push_back({to, true, i});
    }
  }
  std::sort(switches.begin(), switches.end());
  size_t next_switch = 0, next_fault = 0;
  TimeUs next_check_us = std::min(check_period_us, safety_end_us);
  TimeUs next_sample_us = metrics_ ? 0 : kNever;
  bool safety_end_logged = false;

  while (true) {
    // Instants where hosts switch or faults are logged, and observer instants (just after t).
    TimeUs act_us = kNever;
    if (next_switch < switches.size()) act_us = switches[next_switch].at_us;
    if (next_fault < scenario_.faults.size())
      act_us = std::min(act_us, scenario_.faults[next_fault].at_us);
    TimeUs observe_us = std::min({next_check_us, next_sample_us, liveness_end_us});
    if (!safety_end_logged) observe_us = std::min(observe_us, safety_end_us);
    const bool acting = act_us <= observe_us;
    const double wake_s = acting ? to_seconds(act_us) : to_seconds(observe_us) + kObserverOffsetS;
    // The courier may deliver ahead up to, not including, this: the observer's instant is whole.
    controller_wake_us_ = acting ? act_us : observe_us + 1;
    while (sg4::Engine::get_clock() < wake_s && !checker_.violation()) {
      controller_cv_->wait_until(lock, wake_s);
    }
    if (checker_.violation()) {
      // A site found it in the middle of an instant: let the instant finish, so that what the log
      // holds does not depend on which actors SimGrid ran first.
      result_.end_us = checker_.violation()->at_us;
      const double end_s = to_seconds(result_.end_us) + kObserverOffsetS;
      while (sg4::Engine::get_clock() < end_s) controller_cv_->wait_until(lock, end_s);
      log_.record_observation(result_.end_us, EventKind::kPhase, 3);
      break;
    }
    if (acting) {
      deliver_due(act_us);  // the instant's deliveries first (courier_actor.cpp)
      while (next_fault < scenario_.faults.size() && scenario_.faults[next_fault].at_us == act_us) {
        log_.record(act_us, EventKind::kFault, next_fault,
                    static_cast<uint64_t>(scenario_.faults[next_fault].verb));
        ++next_fault;
      }
      while (next_switch < switches.size() && switches[next_switch].at_us == act_us) {
        const HostSwitch& s = switches[next_switch++];
        if (slots_[s.site].halted) continue;  // it stopped itself for good
        s.on ? restart(s.site, act_us) : crash(s.site, act_us);
      }
      continue;
    }
    const TimeUs t = observe_us;
    if (!safety_end_logged && t >= safety_end_us) {
      log_.record_observation(safety_end_us, EventKind::kPhase, 0);
      safety_end_logged = true;
    }
    const bool check = t == next_check_us || t == liveness_end_us;
    const bool sample = t == next_sample_us;
    if (check) next_check_us = t + check_period_us;
    if (sample) next_sample_us = t + sample_period_us;
    progress(t, false);
    if (observe(t, check, sample)) {
      result_.end_us = t;
      break;
    }
  }
  done_ = true;
  progress(result_.end_us, true);
}

}  // namespace treedoc::sim
