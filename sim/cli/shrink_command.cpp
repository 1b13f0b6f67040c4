// `treedoc-sim shrink`: delta debugging over a failing scenario's faults, sites, editing sites and
// numbers (rates, durations, phase lengths), keeping a candidate only when a child run of it
// fails the same way: the same exit code, the same invariant and, for a check at the run's end,
// the same probes and figures out of bounds.
#include "sim/cli/shrink_command.hpp"

#include "sim/cli/command.hpp"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "models/treedoc/assertion.hpp"
#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/cli/child_run.hpp"
#include "sim/scenario/replay_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/site_selector.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A number is narrowed by bisection at most this many times: 1/64 of its first span is as close
// as a shrink needs to get.
constexpr int kBisectStepsMax = 6;
// Numbers are written rounded to whole thousandths (a millisecond for times in seconds), so the
// result reads cleanly and a bisection stops at a grain a scenario author would write.
constexpr double kGrainsPerUnit = 1000;
constexpr double kNumberGrain = 1 / kGrainsPerUnit;

double seconds(TimeUs t) { return static_cast<double>(t) / 1e6; }
// Divides last, so 1.009 is the double nearest 1.009 and prints as such.
double on_grain(double x) { return std::round(x * kGrainsPerUnit) / kGrainsPerUnit; }

// What a shrink reports of a scenario: the sizes it tries to lower.
struct Sizes {
  uint32_t core = 0, nebula = 0;
  size_t editing_sites = 0;
  size_t faults = 0;
  uint64_t ops_made = 0;  // by the run
  double safety_s = 0;

  static Sizes of(const Scenario& s, const ChildRun& run) {
    Sizes z;
    z.core = s.topology.core;
    z.nebula = s.topology.nebula;
    z.editing_sites = s.workload.sites.size();
    z.faults = s.faults.size();
    z.ops_made = run.summary.is_object() ? run.summary.value("ops_made", uint64_t{0}) : 0;
    z.safety_s = seconds(s.phases.safety_us);
    return z;
  }
  std::string text() const {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "%u sites (%u core, %u nebula), %zu editing, %zu faults, %" PRIu64
                  " ops made, safety phase %g s",
                  core + nebula, core, nebula, editing_sites, faults, ops_made, safety_s);
    return buf;
  }
};

// A selector naming exactly `sites` of `t`: a keyword when one fits, else names and ranges.
json selector_of(const Topology& t, const SiteSet& sites) {
  TD_ASSERT(!sites.empty(), "an empty selection has no selector");
  if (sites.size() == t.site_count()) return "all";
  const bool all_core = sites.size() == t.core && sites.back() < t.core;
  const bool all_nebula = sites.size() == t.nebula && sites.front() >= t.core;
  if (all_core) return "core";
  if (all_nebula) return "nebula";
  json names = json::array();
  for (size_t i = 0; i < sites.size();) {
    size_t j = i;  // a run of consecutive sites of one kind becomes "a..b"
    while (j + 1 < sites.size() && sites[j + 1] == sites[j] + 1 &&
           (sites[j + 1] < t.core) == (sites[i] < t.core)) {
      ++j;
    }
    names.push_back(j == i ? site_name(t, sites[i])
                           : site_name(t, sites[i]) + ".." + site_name(t, sites[j]));
    i = j + 1;
  }
  return names.size() == 1 ? names[0] : names;
}

// A scenario's sites after some are removed: the kept ones, renumbered in order.
class SiteRemoval {
 public:
  SiteRemoval(const Scenario& s, const std::vector<bool>& kept) : values_(s.file) {
    before_ = s.topology;
    after_ = s.topology;
    after_.core = after_.nebula = 0;
    new_index_.assign(s.topology.site_count(), kSitesMax);
    for (SiteIndex i = 0; i < s.topology.site_count(); ++i) {
      if (!kept[i]) continue;
      new_index_[i] = after_.site_count();
      ++(i < s.topology.core ? after_.core : after_.nebula);
    }
  }

  bool keeps_a_core_site() const { return after_.core > 0; }

  void write_topology(json* scenario) const {
    (*scenario)["topology"]["core"] = after_.core;
    (*scenario)["topology"]["nebula"] = after_.nebula;
  }

  // The selector at `path` of the scenario, renumbered; null when it keeps no site.
  json renumbered(const json& selector, const std::string& path) const {
    SiteSet sites;
    for (SiteIndex i : resolve_site_selector(values_, before_, selector, path)) {
      if (new_index_[i] != kSitesMax) sites.push_back(new_index_[i]);
    }
    return sites.empty() ? json() : selector_of(after_, sites);
  }

 private:
  const ScenarioValueReader values_;
  Topology before_, after_;
  std::vector<SiteIndex> new_index_;  // kSitesMax: removed
};

// The fault with its sites renumbered, or null when it no longer names any site.
json renumbered_fault(const SiteRemoval& removal, const json& fault, const std::string& path) {
  json out = fault;
  for (auto verb = fault.begin(); verb != fault.end(); ++verb) {
    if (!verb->is_object()) continue;  // at_s
    json& payload = out[verb.key()];
    const std::string payload_path = path + "." + verb.key();
    for (const char* key : {"sites", "from", "to"}) {
      if (!payload.contains(key)) continue;
      payload[key] = removal.renumbered(payload[key], payload_path + "." + key);
      if (payload[key].is_null()) return json();
    }
    if (payload.contains("groups")) {
      json groups = json::array();
      for (size_t g = 0; g < payload["groups"].size(); ++g) {
        json group = removal.renumbered(payload["groups"][g],
                                        payload_path + ".groups[" + std::to_string(g) + "]");
        if (!group.is_null()) groups.push_back(std::move(group));
      }
      if (groups.empty()) return json();
      payload["groups"] = std::move(groups);
    }
  }
  return out;
}

// The checks of the run's end that a child's summary.json shows failing: the required probes that
// fell short, the forbidden probes that fired, the figures outside their bounds. The checker
// reports only the first, so two runs failing `required-probe` may miss different probes: a
// shrink that kept any such run would end at one too small to fire anything (a shrink of
// hbase-25274-demote seed 301 once ended at 1 site and 0.001 s, missing another probe).
std::vector<std::string> end_check_failures(const Scenario& s, const json& summary) {
  std::vector<std::string> out;
  if (!summary.is_object()) return out;
  const auto count = [&summary](const char* section, const char* name) -> uint64_t {
    const auto counts = summary.find(section);
    if (counts == summary.end() || !counts->is_object()) return 0;
    const auto value = counts->find(name);
    return value != counts->end() && value->is_number_unsigned() ? value->get<uint64_t>() : 0;
  };
  for (const CheckerConfig::ProbeMinimum& r : s.checker.required_probes) {
    const char* name = site::to_string(r.probe);
    if (count("probes", name) < r.times) out.push_back(std::string("required ") + name);
  }
  for (const site::Probe p : s.checker.forbidden_probes) {
    if (count("probes", site::to_string(p)) > 0) {
      out.push_back(std::string("forbidden ") + site::to_string(p));
    }
  }
  for (const FigureBound& b : s.checker.expect) {
    const uint64_t value = count("figures", to_string(b.figure));
    if (b.min && value < *b.min) out.push_back(std::string(to_string(b.figure)) + " below min");
    if (b.max && value > *b.max) out.push_back(std::string(to_string(b.figure)) + " above max");
  }
  return out;
}

bool is_end_check(const std::string& invariant) {
  for (const Invariant i :
       {Invariant::kRequiredProbe, Invariant::kForbiddenProbe, Invariant::kExpectedFigure}) {
    if (invariant == to_string(i)) return true;
  }
  return false;
}

// A number to lower (or raise) toward `target`, at a JSON pointer.
struct Knob {
  json::json_pointer at;
  double value = 0;
  double target = 0;
};

class Shrinker {
 public:
  Shrinker(const ShrinkRequest& req, fs::path work) : req_(req), work_(std::move(work)) {}

  // Runs the input; returns false (after saying why) when it is bad or does not fail.
  bool start() {
    try {
      const Scenario input = load_scenario(req_.path);
      current_ = replay_scenario_json(req_.path, input.seed, "");
      current_scenario_ = write_candidate(current_);
    } catch (const InputError& e) {
      std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
      return false;
    }
    current_run_ = run_child_to_end(candidate_path(), std::nullopt, run_dir());
    if (current_run_.exit_code != kExitSafetyViolation &&
        current_run_.exit_code != kExitLivenessFailure) {
      std::fprintf(stderr,
                   "treedoc-sim: %s: expected a scenario that fails (exit 1 or 2), found exit "
                   "code %d: %s\n",
                   req_.path.c_str(), current_run_.exit_code, current_run_.verdict.c_str());
      return false;
    }
    exit_code_ = current_run_.exit_code;
    invariant_ = current_run_.invariant();
    end_failures_ = failures_at_end(current_scenario_, current_run_);
    before_ = Sizes::of(current_scenario_, current_run_);
    return true;
  }

  void shrink() {
    bool progress = true;
    while (progress && attempts_left()) {
      progress = remove_faults();
      progress |= remove_sites();
      progress |= remove_editing_sites();
      for (const Knob& knob : knobs()) progress |= narrow(knob);
    }
  }

  void report(const std::string& out_path) const {
    std::string failure = invariant_.empty() ? current_run_.verdict : invariant_;
    for (size_t i = 0; i < end_failures_.size(); ++i) {
      failure += (i == 0 ? ": " : ", ") + end_failures_[i];
    }
    std::printf("failure   %s (exit %d), kept by every step\n", failure.c_str(), exit_code_);
    std::printf("before    %s\n", before_.text().c_str());
    std::printf("after     %s\n", Sizes::of(current_scenario_, current_run_).text().c_str());
    std::printf("attempts  %u candidate runs (limit %u), %u kept, %u invalid candidates skipped\n",
                attempts_, req_.attempts_max, kept_, invalid_);
    std::printf("wrote     %s\n  replay with: treedoc-sim run %s\n", out_path.c_str(),
                out_path.c_str());
  }

  const json& result() const { return current_; }

 private:
  bool attempts_left() const { return attempts_ < req_.attempts_max; }
  // What the failure is about, when it is a check at the run's end (empty otherwise).
  std::vector<std::string> failures_at_end(const Scenario& s, const ChildRun& run) const {
    return is_end_check(invariant_) ? end_check_failures(s, run.summary)
                                    : std::vector<std::string>();
  }
  std::string candidate_path() const { return (work_ / "candidate.json").string(); }
  std::string run_dir() const { return (work_ / "run").string(); }

  // Writes `candidate` where the child will read it; throws InputError when it is invalid.
  Scenario write_candidate(const json& candidate) const {
    write_scenario_json(candidate, candidate_path());
    return load_scenario(candidate_path());
  }

  // Runs `candidate`; keeps it as the current scenario when it fails the same way.
  bool try_candidate(const json& candidate) {
    if (!attempts_left()) return false;
    Scenario scenario;
    try {
      scenario = write_candidate(candidate);
    } catch (const InputError&) {
      ++invalid_;  // e.g. a fault after a shortened safety phase: not worth a run
      return false;
    }
    ++attempts_;
    ChildRun run = run_child_to_end(candidate_path(), std::nullopt, run_dir());
    if (run.exit_code != exit_code_ || run.invariant() != invariant_ ||
        failures_at_end(scenario, run) != end_failures_) {
      return false;
    }
    ++kept_;
    current_ = candidate;
    current_scenario_ = std::move(scenario);
    current_run_ = std::move(run);
    return true;
  }

  // Removes what it can of `count` items, largest chunks first (Zeller's ddmin, complements
  // only). `build(kept)` is the candidate that keeps the items flagged, or null when no scenario
  // can. Every candidate is built from the scenario as this call found it.
  bool reduce(size_t count, const std::function<json(const std::vector<bool>&)>& build) {
    std::vector<bool> kept(count, true);
    size_t left = count;
    size_t parts = 1;
    bool progress = false;
    while (left > 0 && attempts_left()) {
      const size_t chunk = (left + parts - 1) / parts;
      bool removed = false;
      for (size_t first = 0; first < left && !removed && attempts_left(); first += chunk) {
        std::vector<bool> trial = kept;
        size_t seen = 0;  // the kept items, counted, so the chunk is [first, first + chunk)
        for (size_t i = 0; i < count; ++i) {
          if (!kept[i]) continue;
          if (seen >= first && seen < first + chunk) trial[i] = false;
          ++seen;
        }
        const json candidate = build(trial);
        if (!candidate.is_null() && try_candidate(candidate)) {
          kept = std::move(trial);
          left = static_cast<size_t>(std::count(kept.begin(), kept.end(), true));
          removed = progress = true;
        }
      }
      if (removed) {
        parts = std::max<size_t>(parts - 1, 1);
      } else if (chunk == 1) {
        break;
      } else {
        parts = std::min(left, parts * 2);
      }
    }
    return progress;
  }

  bool remove_faults() {
    const json base = current_;
    if (!base.contains("faults")) return false;
    return reduce(base["faults"].size(), [&](const std::vector<bool>& kept) {
      json candidate = base;
      candidate["faults"] = json::array();
      for (size_t i = 0; i < kept.size(); ++i) {
        if (kept[i]) candidate["faults"].push_back(base["faults"][i]);
      }
      return candidate;
    });
  }

  bool remove_sites() {
    const json base = current_;
    const Scenario s = current_scenario_;
    return reduce(s.topology.site_count(), [&](const std::vector<bool>& kept) -> json {
      const SiteRemoval removal(s, kept);
      if (!removal.keeps_a_core_site()) return json();
      json candidate = base;
      removal.write_topology(&candidate);
      for (const char* section : {"workload", "sabotage"}) {
        if (!candidate.contains(section) || !candidate[section].contains("sites")) continue;
        candidate[section]["sites"] =
            removal.renumbered(base[section]["sites"], std::string(section) + ".sites");
        if (candidate[section]["sites"].is_null()) return json();
      }
      // The nebula sites that ask to join the core: renumbered, and the key dropped with the
      // last of them (no joining site is a valid scenario, unlike no editing site).
      if (candidate.contains("membership") && candidate["membership"].contains("join")) {
        json join = removal.renumbered(base["membership"]["join"], "membership.join");
        if (join.is_null()) {
          candidate["membership"].erase("join");
        } else {
          candidate["membership"]["join"] = std::move(join);
        }
      }
      if (base.contains("faults")) {
        candidate["faults"] = json::array();
        for (size_t i = 0; i < base["faults"].size(); ++i) {
          json fault =
              renumbered_fault(removal, base["faults"][i], "faults[" + std::to_string(i) + "]");
          if (!fault.is_null()) candidate["faults"].push_back(std::move(fault));
        }
      }
      return candidate;
    });
  }

  bool remove_editing_sites() {
    const json base = current_;
    const Scenario s = current_scenario_;
    const SiteSet editing = s.workload.sites;
    return reduce(editing.size(), [&](const std::vector<bool>& kept) -> json {
      SiteSet sites;
      for (size_t i = 0; i < editing.size(); ++i) {
        if (kept[i]) sites.push_back(editing[i]);
      }
      if (sites.empty()) return json();
      json candidate = base;
      candidate["workload"]["sites"] = selector_of(s.topology, sites);
      return candidate;
    });
  }

  // The numbers worth lowering in the current scenario, each toward where it does least.
  std::vector<Knob> knobs() const {
    const Scenario& s = current_scenario_;
    std::vector<Knob> out;
    const auto add = [&](const std::string& pointer, double value, double target) {
      if (value != target) out.push_back({json::json_pointer(pointer), value, target});
    };
    const bool synthetic = s.workload.kind == WorkloadConfig::Kind::kSynthetic;
    if (synthetic)
      add("/workload/stop_s", seconds(s.workload.stop_us), seconds(s.workload.start_us));
    TimeUs latest_fault_us = 0;
    for (const FaultEvent& f : s.faults) latest_fault_us = std::max(latest_fault_us, f.at_us);
    add("/phases/safety_s", seconds(s.phases.safety_us),
        std::max({kNumberGrain, seconds(latest_fault_us), seconds(s.workload.stop_us)}));
    // A liveness failure is about what does not converge in the liveness phase, and a trace's
    // end content is judged once the sites have converged: a shorter phase fails for want of time
    // instead (with none, every scenario does), so the result would fail even with the cause (no
    // anti-entropy, say) removed.
    if (invariant_ != to_string(Invariant::kLiveness) &&
        invariant_ != to_string(Invariant::kTraceEndContent)) {
      add("/phases/liveness_s", seconds(s.phases.liveness_us), 0);
    }
    if (synthetic) add("/workload/ops_per_s", s.workload.synthetic.ops_per_s, 0);
    add("/network/loss", s.network.loss, 0);
    add("/network/duplicate", s.network.duplicate, 0);
    for (const FaultEvent& f : s.faults) {
      // f.where is "faults[3]": its place in the file, so "/faults/3" as a pointer.
      const std::string index = "/faults/" + f.where.substr(f.where.find('[') + 1,
                                                            f.where.size() - f.where.find('[') - 2);
      const char* verb = to_string(f.verb);
      if (f.verb == FaultVerb::kPause || f.verb == FaultVerb::kLossBurst) {
        add(index + "/" + verb + "/for_s", seconds(f.duration_us), 0);
      }
      if (f.verb == FaultVerb::kLossBurst) add(index + "/loss_burst/loss", f.loss, 0);
      if (f.verb == FaultVerb::kHeal || f.verb == FaultVerb::kRestart) {
        // A partition, cut or crash ends here: bring the end toward its start.
        TimeUs start_us = f.at_us;
        for (const FaultEvent& g : s.faults) {
          const bool starts = f.verb == FaultVerb::kHeal
                                  ? g.verb == FaultVerb::kPartition || g.verb == FaultVerb::kCut
                                  : g.verb == FaultVerb::kCrash;
          if (starts && g.at_us < f.at_us) start_us = g.at_us;  // faults are sorted by time
        }
        add(index + "/at_s", seconds(f.at_us), seconds(start_us));
      }
    }
    return out;
  }

  // Moves one number toward its target: the target itself first, then by bisection.
  bool narrow(const Knob& knob) {
    const auto with = [&](double value) {
      json candidate = current_;
      candidate[knob.at] = value;
      return candidate;
    };
    if (try_candidate(with(knob.target))) return true;
    double fails_at = knob.value, passes_at = knob.target;  // as far as the runs have shown
    bool progress = false;
    for (int step = 0; step < kBisectStepsMax && attempts_left(); ++step) {
      const double middle = on_grain((fails_at + passes_at) / 2);
      if (middle == fails_at || middle == passes_at) break;
      if (try_candidate(with(middle))) {
        fails_at = middle;
        progress = true;
      } else {
        passes_at = middle;
      }
    }
    return progress;
  }

  const ShrinkRequest& req_;
  const fs::path work_;
  json current_;  // the smallest failing scenario so far
  Scenario current_scenario_;
  ChildRun current_run_;
  int exit_code_ = 0;
  std::string invariant_;
  std::vector<std::string> end_failures_;  // end_check_failures() of the input, for end checks
  Sizes before_;
  uint32_t attempts_ = 0, kept_ = 0, invalid_ = 0;
};

std::string default_out_path(const std::string& path) {
  const fs::path p(path);
  return (p.parent_path() / (p.stem().string() + ".shrunk.json")).string();
}

}  // namespace

int run_shrink(const ShrinkRequest& req) {
  const fs::path work = fs::temp_directory_path() / ("treedoc-shrink-" + std::to_string(getpid()));
  fs::create_directories(work);
  Shrinker shrinker(req, work);
  const bool failing = shrinker.start();
  if (failing) shrinker.shrink();
  std::error_code ignored;
  fs::remove_all(work, ignored);
  if (!failing) return kExitBadInput;
  const std::string out_path = req.out_path.empty() ? default_out_path(req.path) : req.out_path;
  try {
    write_scenario_json(shrinker.result(), out_path);
  } catch (const InputError& e) {
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
    return kExitBadInput;
  }
  shrinker.report(out_path);
  return kExitPass;
}

namespace {

class ShrinkCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "shrink", "Shrink a failing scenario to a smaller one that breaks the same invariant");
    cmd->add_option("FILE", req_.path, "failing scenario file (.json)")->required();
    cmd->add_option("--out", req_.out_path,
                    "write the smallest failing scenario to FILE (default: FILE.shrunk.json)");
    cmd->add_option("--attempts", req_.attempts_max, "candidate runs at most")
        ->check(CLI::Range(uint32_t{1}, kShrinkAttemptsMax))
        ->capture_default_str();
    return cmd;
  }
  int run() override { return run_shrink(req_); }

 private:
  ShrinkRequest req_;
};

}  // namespace

std::unique_ptr<Command> make_shrink_command() { return std::make_unique<ShrinkCommand>(); }

}  // namespace treedoc::sim
