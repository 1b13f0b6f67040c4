// The controller's loop: act at fault instants, observe just after check and sample instants,
// and end the run at convergence, at the end of the liveness phase, or after a violation.
#include "sim/engine/controller.hpp"

#include <algorithm>
#include <cstdio>

#include "models/treedoc/assertion.hpp"
#include "sim/engine/courier.hpp"
#include "sim/engine/site_host.hpp"

namespace treedoc::sim {

namespace {

// How often, in host time, the progress line is redrawn.
constexpr double kProgressPeriodWallS = 0.5;
// Runs shorter than this in host time print no progress line at all.
constexpr double kProgressAfterWallS = 2.0;
// The observer looks this long after its instant: sites act only at whole microseconds.
constexpr double kObserverOffsetS = 0.5e-6;

}  // namespace

Controller::Controller(EngineContext& ctx, MetricsRecorder* metrics,
                       const RunStatistics& statistics, const EventLog& log, bool progress)
    : ctx_(ctx),
      metrics_(metrics),
      statistics_(statistics),
      log_(log),
      progress_(progress),
      wall_start_(std::chrono::steady_clock::now()) {
  for (SiteIndex i = 0; i < ctx.sites.size(); ++i) {
    for (const auto& [from, to] : ctx.faults.down_intervals(i)) {
      switches_.push_back({from, false, i});
      if (to != kNever) switches_.push_back({to, true, i});
    }
  }
  std::sort(switches_.begin(), switches_.end());
}

void Controller::start_actor(sg4::Host* host) {
  mutex_ = sg4::Mutex::create();
  cv_ = sg4::ConditionVariable::create();
  sg4::Actor::create("controller", host, [this] { main(); });
}

void Controller::reschedule(SiteIndex site, TimeUs now) {
  std::erase_if(switches_, [&](const HostSwitch& s) { return s.site == site && s.at_us > now; });
  for (const auto& [from, to] : ctx_.faults.down_intervals(site)) {
    if (from > now) switches_.push_back({from, false, site});
    if (to != kNever && to > now) switches_.push_back({to, true, site});
  }
  // Switches up to `now` are acted on or about to be, and none of them moved: sorting the rest
  // keeps next_switch_ where it was.
  std::sort(switches_.begin() + static_cast<std::ptrdiff_t>(next_switch_), switches_.end());
  // The courier must not deliver past the crash before the controller acts on it.
  ctx_.controller_wake_us = std::min(ctx_.controller_wake_us, now + 1);
  replan_ = true;
  cv_->notify_one();
}

void Controller::notify_if_violated() {
  if (ctx_.checker.violation()) cv_->notify_one();
}

SiteViews Controller::views() const {
  SiteViews v(ctx_.sites.size(), nullptr);
  for (SiteIndex i = 0; i < v.size(); ++i) v[i] = ctx_.site(i).site();
  return v;
}

bool Controller::all_up() const {
  return std::all_of(ctx_.sites.begin(), ctx_.sites.end(),
                     [](const SiteHost& s) { return s.up() || s.halted(); });
}

void Controller::act(TimeUs act_us, size_t* next_fault) {
  ctx_.courier->deliver_due(act_us);  // the instant's deliveries first (courier.cpp)
  const std::vector<FaultEvent>& faults = ctx_.scenario.faults;
  while (*next_fault < faults.size() && faults[*next_fault].at_us == act_us) {
    ctx_.observers.on_fault(act_us, *next_fault, faults[*next_fault]);
    ++*next_fault;
  }
  while (next_switch_ < switches_.size() && switches_[next_switch_].at_us == act_us) {
    const HostSwitch& s = switches_[next_switch_++];
    SiteHost& host = ctx_.site(s.site);
    if (host.halted()) continue;  // it stopped itself for good
    s.on ? host.restart(act_us) : host.crash(act_us);
  }
}

bool Controller::observe(TimeUs t, bool check, bool sample) {
  if (check || sample) {
    for (SiteIndex i = 0; i < ctx_.sites.size(); ++i) {
      SiteHost& host = ctx_.site(i);
      // A metrics sample only integrates, so it changes nothing of the run (SiteHost::verify).
      check ? host.verify(t) : host.integrate();
      // Hashed right after its integration, while the replica is in cache: the 1,000-site
      // benchmark ran 4 to 7% faster than hashing every site after integrating them all.
      if (check && host.up()) ctx_.checker.hash_state(i, *host.site());
    }
  }
  if (sample && metrics_) metrics_->sample(t, views(), statistics_.counters());
  if (!check) return false;
  if (t < ctx_.scenario.phases.safety_us) {
    ctx_.checker.check_convergence(t, views());
    return ctx_.checker.violation().has_value();
  }
  return observe_liveness(t);
}

bool Controller::observe_liveness(TimeUs t) {
  // Sites restarted at the end of the safety phase boot in that instant: wait for them.
  if (all_up() && ctx_.checker.complete(t, views())) {
    ctx_.observers.on_phase(t, RunPhase::kConverged);
    converged_at_us_ = t;
    ctx_.checker.check_workload_end(t, views(), ctx_.workload.end());
    return true;
  }
  if (ctx_.checker.violation()) return true;
  const Phases& phases = ctx_.scenario.phases;
  if (t < phases.safety_us + phases.liveness_us) return false;
  std::vector<SiteIndex> down;
  for (SiteIndex i = 0; i < ctx_.sites.size(); ++i) {
    if (!ctx_.site(i).up() && !ctx_.site(i).halted()) down.push_back(i);
  }
  ctx_.checker.fail_liveness(t, views(), down);
  ctx_.observers.on_phase(t, RunPhase::kLivenessFailed);
  return true;
}

void Controller::progress(TimeUs now, bool final_line) {
  if (!progress_) return;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
  if (wall_s < kProgressAfterWallS) return;
  if (!final_line && wall_s - progress_printed_wall_s_ < kProgressPeriodWallS) return;
  progress_printed_wall_s_ = wall_s;
  const TimeUs end = ctx_.scenario.phases.safety_us + ctx_.scenario.phases.liveness_us;
  std::fprintf(stderr,
               "\r[treedoc-sim] simulated %.1f of at most %.1f s, %llu events, %.1f s wall%s",
               to_seconds(now), to_seconds(end), static_cast<unsigned long long>(log_.count()),
               wall_s, final_line ? "\n" : "");
  std::fflush(stderr);
}

void Controller::main() {
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  const Scenario& s = ctx_.scenario;
  const TimeUs safety_end_us = s.phases.safety_us;
  const TimeUs liveness_end_us = safety_end_us + s.phases.liveness_us;
  size_t next_fault = 0;
  TimeUs next_check_us = std::min(s.checker.check_period_us, safety_end_us);
  TimeUs next_sample_us = metrics_ ? 0 : kNever;
  bool safety_end_logged = false;
  while (true) {
    // Instants where hosts switch or faults are logged, and observer instants (just after t).
    TimeUs act_us = next_switch_ < switches_.size() ? switches_[next_switch_].at_us : kNever;
    if (next_fault < s.faults.size()) act_us = std::min(act_us, s.faults[next_fault].at_us);
    TimeUs observe_us = std::min({next_check_us, next_sample_us, liveness_end_us});
    if (!safety_end_logged) observe_us = std::min(observe_us, safety_end_us);
    const bool acting = act_us <= observe_us;
    const double wake_s = acting ? to_seconds(act_us) : to_seconds(observe_us) + kObserverOffsetS;
    // The courier may deliver ahead up to, not including, this: the observer's instant is whole.
    ctx_.controller_wake_us = acting ? act_us : observe_us + 1;
    while (sg4::Engine::get_clock() < wake_s && !ctx_.checker.violation() && !replan_) {
      cv_->wait_until(lock, wake_s);
    }
    if (replan_ && !ctx_.checker.violation()) {  // a crash_at fault moved a switch: plan again
      replan_ = false;
      continue;
    }
    if (ctx_.checker.violation()) {
      // A site found it in the middle of an instant: let the instant finish, so that what the log
      // holds does not depend on which actors SimGrid ran first.
      end_us_ = ctx_.checker.violation()->at_us;
      const double end_s = to_seconds(end_us_) + kObserverOffsetS;
      while (sg4::Engine::get_clock() < end_s) cv_->wait_until(lock, end_s);
      ctx_.observers.on_phase(end_us_, RunPhase::kViolation);
      break;
    }
    if (acting) {
      act(act_us, &next_fault);
      continue;
    }
    const TimeUs t = observe_us;
    if (!safety_end_logged && t >= safety_end_us) {
      ctx_.observers.on_phase(safety_end_us, RunPhase::kSafetyEnd);
      safety_end_logged = true;
    }
    const bool check = t == next_check_us || t == liveness_end_us;
    const bool sample = t == next_sample_us;
    if (check) next_check_us = t + s.checker.check_period_us;
    if (sample) next_sample_us = t + s.metrics.sample_period_us;
    progress(t, false);
    if (observe(t, check, sample)) {
      end_us_ = t;
      break;
    }
  }
  ctx_.done = true;
  progress(end_us_, true);
}

}  // namespace treedoc::sim
