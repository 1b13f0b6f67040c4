// The scenario schema: which fields each object takes, their defaults, limits and cross-checks.
#include "sim/scenario/scenario_loader.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "sim/base/bounded_file_reader.hpp"
#include "sim/base/input_error.hpp"
#include "sim/base/json_path.hpp"
#include "sim/base/time_text.hpp"
#include "sim/scenario/fault_schedule_reader.hpp"
#include "sim/scenario/grid_forms.hpp"
#include "sim/scenario/scenario_json_reader.hpp"
#include "sim/scenario/site_selector.hpp"
#include "sim/scenario/strict_json_parser.hpp"
#include "sim/scenario/swarm_resolver.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kScenarioFileLimitText = "16 MiB limit for scenario files";
static_assert(kScenarioFileBytesMax == size_t{16} << 20, "kScenarioFileLimitText names the limit");

// Builds a Scenario from the parsed file, one section at a time. Sections that others depend on
// come first: topology (sites), then phases (times), then the rest.
class ScenarioReader {
 public:
  explicit ScenarioReader(const std::string& path) : path_(path), values_(path) {}

  Scenario read(const json& root) const {
    if (!root.is_object()) {
      values_.fail("", "expected a JSON object at the top level, found " +
                           ScenarioValueReader::describe(root));
    }
    const ScenarioObjectReader top(
        values_, root, "",
        {"description", "seed", "topology", "network", "replication", "flatten", "epochs",
         "membership", "workload", "faults", "phases", "checker", "metrics", "sabotage"});
    Scenario s;
    s.file = path_;
    s.description = read_description(top);
    top.read_whole_number("seed", s.seed, 0, kSeedMax);
    s.topology = read_topology(top.require("topology", "an object with at least \"core\""));
    if (const json* v = top.find("phases")) s.phases = read_phases(*v);
    if (const json* v = top.find("network")) s.network = read_network(*v);
    if (const json* v = top.find("replication")) s.replication = read_replication(*v);
    if (const json* v = top.find("flatten")) s.protocol.flatten = read_flatten(*v);
    if (const json* v = top.find("epochs")) read_epochs(*v, &s.protocol);
    if (const json* v = top.find("membership")) s.membership = read_membership(*v, s.topology);
    s.workload = read_workload(top.find("workload"), s.topology, s.phases);
    if (const json* v = top.find("faults")) {
      s.faults =
          read_fault_schedule(values_, s.topology, s.phases.safety_us, *v, top.path_of("faults"));
    }
    if (const json* v = top.find("checker")) s.checker = read_checker(*v);
    if (const json* v = top.find("metrics")) s.metrics = read_metrics(*v);
    if (const json* v = top.find("sabotage")) s.sabotage = read_sabotage(*v, s.topology);
    return s;
  }

 private:
  std::string read_description(const ScenarioObjectReader& top) const {
    const char* expected = "a non-empty one-line string saying what the scenario is for";
    const json& value = top.require("description", expected);
    bool one_line = value.is_string();
    bool blank = true;
    if (one_line) {
      for (const char c : value.get_ref<const std::string&>()) {
        const auto byte = static_cast<unsigned char>(c);
        one_line = one_line && byte >= 0x20 && byte != 0x7f;  // no newline or other control
        blank = blank && c == ' ';
      }
    }
    if (!one_line || blank) {
      values_.fail(top.path_of("description"), std::string("expected ") + expected + ", found " +
                                                   ScenarioValueReader::describe(value));
    }
    return value.get<std::string>();
  }

  Topology read_topology(const json& value) const {
    const ScenarioObjectReader fields(values_, value, "topology", {"core", "nebula", "latency"});
    Topology t;
    t.core = static_cast<uint32_t>(values_.whole_number(
        fields.require("core", "a whole number from 1 to " + std::to_string(kSitesMax)),
        fields.path_of("core"), kCoreSitesMin, kSitesMax));
    fields.read_whole_number("nebula", t.nebula, 0, kSitesMax - t.core);
    if (const json* latency = fields.find("latency")) {
      const ScenarioObjectReader classes(values_, *latency, fields.path_of("latency"),
                                         {"core-core", "core-nebula", "nebula-nebula"});
      read_latency_class(classes, "core-core", t.core_core);
      read_latency_class(classes, "core-nebula", t.core_nebula);
      read_latency_class(classes, "nebula-nebula", t.nebula_nebula);
    }
    return t;
  }

  void read_latency_class(const ScenarioObjectReader& classes, std::string_view key,
                          LatencyClass& out) const {
    const json* value = classes.find(key);
    if (value == nullptr) return;
    const ScenarioObjectReader fields(values_, *value, classes.path_of(key),
                                      {"base_ms", "jitter_ms", "jitter", "pareto_shape", "max_ms"});
    fields.read_time("base_ms", out.base_us, TimeUnit::kMilliseconds, ZeroTime::kAllowed);
    fields.read_time("jitter_ms", out.jitter_us, TimeUnit::kMilliseconds, ZeroTime::kAllowed);
    fields.read_choice("jitter", out.jitter, kJitters);
    if (const json* shape = fields.find("pareto_shape")) {
      out.pareto_shape =
          values_.number_above(*shape, fields.path_of("pareto_shape"), kParetoShapeAbove);
    }
    fields.read_time("max_ms", out.latency_us_max, TimeUnit::kMilliseconds, ZeroTime::kAllowed);
    if (out.latency_us_max < out.base_us) {
      // Blame the field the user wrote: max_ms if given, else base_ms against the default cap.
      const bool max_given = fields.find("max_ms") != nullptr;
      values_.fail(fields.path_of(max_given ? "max_ms" : "base_ms"),
                   "expected max_ms (" + milliseconds_text(out.latency_us_max) +
                       (max_given ? "" : ", the default") + ") to be at least base_ms (" +
                       milliseconds_text(out.base_us) + ")");
    }
  }

  Phases read_phases(const json& value) const {
    const ScenarioObjectReader fields(values_, value, "phases", {"safety_s", "liveness_s"});
    Phases p;
    fields.read_time("safety_s", p.safety_us, TimeUnit::kSeconds, ZeroTime::kRejected);
    fields.read_time("liveness_s", p.liveness_us, TimeUnit::kSeconds, ZeroTime::kAllowed);
    return p;
  }

  NetworkConfig read_network(const json& value) const {
    const ScenarioObjectReader fields(values_, value, "network", {"loss", "duplicate"});
    NetworkConfig n;
    fields.read_probability("loss", n.loss);
    fields.read_probability("duplicate", n.duplicate);
    return n;
  }

  ReplicationConfig read_replication(const json& value) const {
    const ScenarioObjectReader fields(
        values_, value, "replication",
        {"spread", "fanout", "anti_entropy_period_ms", "anti_entropy_fanout", "durability", "dis",
         "mini_child", "discard_tombstones"});
    ReplicationConfig r;
    fields.read_choice("spread", r.spread, site::kSpreads);
    fields.read_whole_number("fanout", r.fanout, kFanoutMin, kFanoutMax);
    fields.read_time("anti_entropy_period_ms", r.anti_entropy_period_us, TimeUnit::kMilliseconds,
                     ZeroTime::kAllowed);
    fields.read_whole_number("anti_entropy_fanout", r.anti_entropy_fanout, kFanoutMin, kFanoutMax);
    fields.read_choice("durability", r.durability, site::kDurabilities);
    fields.read_choice("dis", r.replica.document.dis_mode, kDisModes);
    fields.read_boolean("mini_child", r.replica.document.mini_child);
    fields.read_boolean("discard_tombstones", r.replica.discard_tombstones);
    if (r.replica.discard_tombstones && r.replica.document.dis_mode != DisMode::kUdis) {
      // Spec (b): under SDIS a discarded tombstone's TID can be made again, so never discard.
      values_.fail(
          fields.path_of("discard_tombstones"),
          "true needs \"dis\": \"udis\" (docs/protocol.md §2: SDIS never discards tombstones), "
          "found \"dis\": \"sdis\"");
    }
    return r;
  }

  site::FlattenPolicy read_flatten(const json& value) const {
    const ScenarioObjectReader fields(
        values_, value, "flatten",
        {"policy", "ops", "period_s", "tombstone_ratio", "check_period_ms", "vote_timeout_ms",
         "retry_backoff_min_ms", "retry_backoff_max_ms"});
    site::FlattenPolicy f;
    f.kind = values_.choice(fields.require("policy", "one of " + names_of(site::kFlattenPolicies)),
                            fields.path_of("policy"), site::kFlattenPolicies);
    fields.read_whole_number("ops", f.ops, 1, kFlattenOpsMax);
    fields.read_time("period_s", f.period_us, TimeUnit::kSeconds, ZeroTime::kRejected);
    fields.read_probability("tombstone_ratio", f.tombstone_ratio);
    fields.read_time("check_period_ms", f.check_period_us, TimeUnit::kMilliseconds,
                     ZeroTime::kRejected);
    fields.read_time("vote_timeout_ms", f.vote_timeout_us, TimeUnit::kMilliseconds,
                     ZeroTime::kRejected);
    fields.read_time("retry_backoff_min_ms", f.retry_backoff_us_min, TimeUnit::kMilliseconds,
                     ZeroTime::kRejected);
    fields.read_time("retry_backoff_max_ms", f.retry_backoff_us_max, TimeUnit::kMilliseconds,
                     ZeroTime::kRejected);
    if (f.retry_backoff_us_max < f.retry_backoff_us_min) {
      values_.fail(fields.path_of("retry_backoff_max_ms"),
                   "expected at least retry_backoff_min_ms (" +
                       std::to_string(f.retry_backoff_us_min / site::kUsPerMs) + "), found " +
                       std::to_string(f.retry_backoff_us_max / site::kUsPerMs));
    }
    return f;
  }

  void read_epochs(const json& value, ProtocolConfig* p) const {
    const ScenarioObjectReader fields(values_, value, "epochs",
                                      {"retention", "catch_up_retry_ms", "beyond_retention"});
    fields.read_whole_number("retention", p->epochs.retention_epochs, 0, site::kRetentionEpochsMax);
    fields.read_time("catch_up_retry_ms", p->epochs.catch_up_retry_us, TimeUnit::kMilliseconds,
                     ZeroTime::kRejected);
    fields.read_choice("beyond_retention", p->epochs.beyond_retention, site::kBeyondRetention);
  }

  MembershipConfig read_membership(const json& value, const Topology& topology) const {
    const ScenarioObjectReader fields(
        values_, value, "membership",
        {"failure_detector", "on_dispatch_failure", "on_expelled", "join", "join_retry_ms"});
    MembershipConfig m;
    site::MembershipPolicy& p = m.policy;
    if (const json* detector = fields.find("failure_detector")) {
      read_failure_detector(
          ScenarioObjectReader(values_, *detector, fields.path_of("failure_detector"),
                               {"heartbeat_period_ms", "suspect_after_ms"}),
          p);
    }
    fields.read_choice("on_dispatch_failure", p.on_dispatch_failure, site::kOnDispatchFailures);
    fields.read_choice("on_expelled", p.on_expelled, site::kOnExpelled);
    if (const json* join = fields.find("join")) {
      const std::string join_path = fields.path_of("join");
      m.join = resolve_site_selector(values_, topology, *join, join_path);
      // Sorted, core sites first: the lowest one says whether any core site is in.
      if (m.join.front() < topology.core) {
        values_.fail(join_path, "expected nebula sites: " + site_name(topology, m.join.front()) +
                                    " is a core site, a member of view 0 already");
      }
    }
    fields.read_time("join_retry_ms", p.join_retry_us, TimeUnit::kMilliseconds,
                     ZeroTime::kRejected);
    return m;
  }

  // Both times are required: a detector that suspects is only meaningful with both.
  void read_failure_detector(const ScenarioObjectReader& fields, site::MembershipPolicy& p) const {
    p.heartbeat_period_us = values_.time(
        fields.require("heartbeat_period_ms", "the time between heartbeats in milliseconds"),
        fields.path_of("heartbeat_period_ms"), TimeUnit::kMilliseconds, ZeroTime::kRejected);
    p.suspect_after_us = values_.time(
        fields.require("suspect_after_ms",
                       "how long a member may stay silent before it is suspected, "
                       "in milliseconds, more than heartbeat_period_ms"),
        fields.path_of("suspect_after_ms"), TimeUnit::kMilliseconds, ZeroTime::kRejected);
    if (p.suspect_after_us <= p.heartbeat_period_us) {
      values_.fail(fields.path_of("suspect_after_ms"),
                   "expected more than heartbeat_period_ms (" +
                       milliseconds_text(p.heartbeat_period_us) + "), found " +
                       milliseconds_text(p.suspect_after_us));
    }
  }

  WorkloadConfig read_workload(const json* value, const Topology& topology,
                               const Phases& phases) const {
    WorkloadConfig w;
    w.sites = SiteSet(topology.site_count());
    for (SiteIndex i = 0; i < topology.site_count(); ++i) w.sites[i] = i;
    w.stop_us = phases.safety_us;
    if (value == nullptr) return w;
    if (!value->is_object()) {
      values_.fail("workload",
                   "expected an object, found " + ScenarioValueReader::describe(*value));
    }
    // The kind decides which other fields are allowed, so it is read first.
    if (const auto kind = value->find("kind"); kind != value->end()) {
      w.kind = values_.choice(*kind, "workload.kind", kWorkloadKinds);
    }
    const bool trace = w.kind == WorkloadConfig::Kind::kTrace;
    const ScenarioObjectReader fields =
        trace
            ? ScenarioObjectReader(values_, *value, "workload",
                                   {"kind", "sites", "start_s", "file", "atoms", "txn_interval_ms"})
            : ScenarioObjectReader(values_, *value, "workload",
                                   {"kind", "sites", "start_s", "stop_s", "ops_per_s",
                                    "insert_ratio", "atom_bytes", "hot_spot", "paste"});
    if (const json* sites = fields.find("sites")) {
      w.sites = resolve_site_selector(values_, topology, *sites, fields.path_of("sites"));
    }
    fields.read_time("start_s", w.start_us, TimeUnit::kSeconds, ZeroTime::kAllowed);
    if (w.start_us > phases.safety_us) {
      values_.fail(fields.path_of("start_s"),
                   "expected a time within the safety phase (phases.safety_s is " +
                       seconds_text(phases.safety_us) + "), found " +
                       ScenarioValueReader::describe(*fields.find("start_s")));
    }
    if (trace) {
      read_trace_workload(fields, w.trace);
    } else {
      read_synthetic_workload(fields, w, phases);
    }
    return w;
  }

  void read_synthetic_workload(const ScenarioObjectReader& fields, WorkloadConfig& w,
                               const Phases& phases) const {
    fields.read_time("stop_s", w.stop_us, TimeUnit::kSeconds, ZeroTime::kAllowed);
    if (w.stop_us < w.start_us || w.stop_us > phases.safety_us) {
      values_.fail(fields.path_of("stop_s"),
                   "expected a time from start_s (" + seconds_text(w.start_us) +
                       ") to the end of the safety phase (phases.safety_s is " +
                       seconds_text(phases.safety_us) + "), found " +
                       ScenarioValueReader::describe(*fields.find("stop_s")));
    }
    SyntheticWorkloadConfig& s = w.synthetic;
    fields.read_number("ops_per_s", s.ops_per_s, 0, kOpsPerSecondMax);
    fields.read_probability("insert_ratio", s.insert_ratio);
    fields.read_whole_number("atom_bytes", s.atom_bytes, kAtomBytesMin, kAtomBytesMax);
    if (const json* hot_spot = fields.find("hot_spot")) {
      const ScenarioObjectReader spot(values_, *hot_spot, fields.path_of("hot_spot"),
                                      {"probability", "at", "width_atoms"});
      spot.read_probability("probability", s.hot_spot_probability);
      spot.read_number("at", s.hot_spot_at, 0, 1);
      spot.read_whole_number("width_atoms", s.hot_spot_width_atoms, kHotSpotWidthAtomsMin,
                             kHotSpotWidthAtomsMax);
    }
    if (const json* paste = fields.find("paste")) {
      const ScenarioObjectReader p(values_, *paste, fields.path_of("paste"),
                                   {"probability", "atoms_max"});
      p.read_probability("probability", s.paste_probability);
      p.read_whole_number("atoms_max", s.paste_atoms_max, kPasteAtomsMin, kPasteAtomsMax);
    }
  }

  void read_trace_workload(const ScenarioObjectReader& fields, TraceWorkloadConfig& t) const {
    const std::string file_path = fields.path_of("file");
    const std::string& file = values_.string(
        fields.require("file", "the trace file, relative to the scenario's folder"), file_path);
    if (file.empty()) values_.fail(file_path, "expected a trace file name, found \"\"");
    // The C library would stop at a NUL: the part before it would be read instead, and every
    // message naming the path would be cut short there.
    if (const size_t nul = file.find('\0'); nul != std::string::npos) {
      values_.fail(file_path,
                   "expected a trace file name without NUL characters, found one at "
                   "character " +
                       std::to_string(nul) + " of " + json(file).dump());
    }
    fs::path resolved(file);
    if (resolved.is_relative()) resolved = fs::path(path_).parent_path() / resolved;
    t.file = resolved.string();
    check_readable(t.file, file_path);
    fields.read_choice("atoms", t.atoms, kAtomGranularities);
    fields.read_time("txn_interval_ms", t.txn_interval_us, TimeUnit::kMilliseconds,
                     ZeroTime::kAllowed);
  }

  // The trace is loaded when the run starts; a missing one should fail validation already.
  void check_readable(const std::string& file, const std::string& where) const {
    std::error_code error;
    const fs::file_status status = fs::status(file, error);
    if (error) values_.fail(where, "cannot read trace \"" + file + "\": " + error.message());
    if (!fs::is_regular_file(status)) {
      values_.fail(where, "cannot read trace \"" + file + "\": not a regular file");
    }
    struct FileCloser {
      void operator()(std::FILE* f) const { std::fclose(f); }
    };
    errno = 0;
    const std::unique_ptr<std::FILE, FileCloser> opened(std::fopen(file.c_str(), "rb"));
    if (!opened) {
      values_.fail(where,
                   "cannot read trace \"" + file + "\": " + std::generic_category().message(errno));
    }
  }

  CheckerConfig read_checker(const json& value) const {
    const ScenarioObjectReader fields(values_, value, "checker",
                                      {"invariants", "check_period_ms", "require_probes",
                                       "forbid_probes", "expect", "expect_lost_by_policy"});
    CheckerConfig c;
    if (const json* names = fields.find("invariants")) {
      const std::string path = fields.path_of("invariants");
      values_.array(*names, path);
      std::vector<std::pair<std::string_view, Invariant>> switchable;
      for (const auto& [name, invariant] : ScenarioValueReader::choices_of(kInvariants)) {
        if (is_switchable(invariant)) switchable.emplace_back(name, invariant);
      }
      // The list enables exactly the switchable invariants it names.
      for (const auto& [name, invariant] : switchable) c.invariants.set(invariant, false);
      std::vector<Invariant> listed;
      for (size_t i = 0; i < names->size(); ++i) {
        const std::string element = json_element_path(path, i);
        const Invariant invariant = values_.choice((*names)[i], element, switchable);
        if (std::find(listed.begin(), listed.end(), invariant) != listed.end()) {
          values_.fail(element, ScenarioValueReader::describe((*names)[i]) +
                                    " is listed twice; expected each invariant once");
        }
        listed.push_back(invariant);
        c.invariants.set(invariant, true);
      }
    }
    fields.read_time("check_period_ms", c.check_period_us, TimeUnit::kMilliseconds,
                     ZeroTime::kRejected);
    if (const json* v = fields.find("require_probes")) {
      c.required_probes = read_required_probes(*v, fields.path_of("require_probes"));
    }
    if (const json* v = fields.find("forbid_probes")) {
      c.forbidden_probes = read_probe_list(*v, fields.path_of("forbid_probes"));
      for (size_t i = 0; i < c.forbidden_probes.size(); ++i) {
        for (const CheckerConfig::ProbeMinimum& r : c.required_probes) {
          if (r.probe != c.forbidden_probes[i]) continue;
          values_.fail(json_element_path(fields.path_of("forbid_probes"), i),
                       "\"" + std::string(site::to_string(r.probe)) +
                           "\" is also required; expected a probe either required or forbidden");
        }
      }
    }
    if (const json* v = fields.find("expect")) c.expect = read_expect(*v, fields.path_of("expect"));
    fields.read_boolean("expect_lost_by_policy", c.expect_lost_by_policy);
    return c;
  }

  // A list of probe names, each at most once.
  std::vector<site::Probe> read_probe_list(const json& names, const std::string& path) const {
    values_.array(names, path);
    const auto choices = ScenarioValueReader::choices_of(site::kProbes);
    std::vector<site::Probe> probes;
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string element = json_element_path(path, i);
      const site::Probe p = values_.choice<site::Probe>(names[i], element, choices);
      if (std::find(probes.begin(), probes.end(), p) != probes.end()) {
        values_.fail(element, ScenarioValueReader::describe(names[i]) +
                                  " is listed twice; expected each probe once");
      }
      probes.push_back(p);
    }
    return probes;
  }

  // A list of probe names (each must fire once), or an object of probe names to minimum counts.
  std::vector<CheckerConfig::ProbeMinimum> read_required_probes(const json& value,
                                                                const std::string& path) const {
    std::vector<CheckerConfig::ProbeMinimum> required;
    if (!value.is_object()) {
      if (!value.is_array()) {
        values_.fail(path,
                     "expected a list of probe names or an object of probe names to "
                     "counts, found " +
                         ScenarioValueReader::describe(value));
      }
      for (site::Probe p : read_probe_list(value, path)) required.push_back({p, 1});
      return required;
    }
    const auto choices = ScenarioValueReader::choices_of(site::kProbes);
    for (const auto& item : value.items()) {
      const std::string at = json_child_path(path, item.key());
      const site::Probe p = values_.choice<site::Probe>(json(item.key()), at, choices);
      required.push_back({p, values_.whole_number(item.value(), at, 1, kProbeTimesMax)});
    }
    return required;
  }

  // Figure names (sim/scenario/figure.hpp) to {"min": n, "max": n}, at least one of them.
  std::vector<FigureBound> read_expect(const json& value, const std::string& path) const {
    if (!value.is_object()) {
      values_.fail(path, "expected an object of figure names to bounds, found " +
                             ScenarioValueReader::describe(value));
    }
    std::vector<FigureBound> bounds;
    const auto choices = ScenarioValueReader::choices_of(kFigures);
    for (const auto& item : value.items()) {
      const std::string at = json_child_path(path, item.key());
      FigureBound b;
      b.figure = values_.choice<Figure>(json(item.key()), at, choices);
      const ScenarioObjectReader fields(values_, item.value(), at, {"min", "max"});
      if (const json* v = fields.find("min")) {
        b.min = values_.whole_number(*v, fields.path_of("min"), 0, kFigureBoundMax);
      }
      if (const json* v = fields.find("max")) {
        b.max = values_.whole_number(*v, fields.path_of("max"), 0, kFigureBoundMax);
      }
      if (!b.min && !b.max) values_.fail(at, "expected \"min\", \"max\" or both");
      if (b.min && b.max && *b.min > *b.max) {
        values_.fail(at, "expected min <= max, found " + std::to_string(*b.min) + " > " +
                             std::to_string(*b.max));
      }
      bounds.push_back(b);
    }
    return bounds;
  }

  MetricsConfig read_metrics(const json& value) const {
    const ScenarioObjectReader fields(values_, value, "metrics", {"sample_period_ms"});
    MetricsConfig m;
    fields.read_time("sample_period_ms", m.sample_period_us, TimeUnit::kMilliseconds,
                     ZeroTime::kRejected);
    return m;
  }

  Sabotage read_sabotage(const json& value, const Topology& topology) const {
    const ScenarioObjectReader fields(values_, value, "sabotage", {"variant", "sites"});
    Sabotage s;
    s.variant =
        values_.choice(fields.require("variant", "the name of a broken variant"),
                       fields.path_of("variant"), site::kSabotages, {site::Sabotage::kNone});
    s.sites = resolve_site_selector(
        values_, topology, fields.require("sites", "the sabotaged sites"), fields.path_of("sites"));
    return s;
  }

  const std::string& path_;
  const ScenarioValueReader values_;
};

}  // namespace

json read_scenario_json(const std::string& path) {
  return parse_strict_json(path,
                           read_file_bounded(path, kScenarioFileBytesMax, kScenarioFileLimitText),
                           kScenarioJsonDepthMax);
}

Scenario load_scenario(const std::string& path, std::optional<uint64_t> seed) {
  return load_scenario_json(path, read_scenario_json(path), seed);
}

Scenario load_scenario_json(const std::string& path, const json& root,
                            std::optional<uint64_t> seed) {
  reject_grid_forms(path, root);  // a grid is a sweep's: `sweep` writes each point out concrete
  if (check_swarm_forms(path, root) == 0) return ScenarioReader(path).read(root);
  return load_swarm_draw(path, root, seed.value_or(swarm_file_seed(root)));
}

Scenario load_swarm_draw(const std::string& path, const json& root, uint64_t seed) {
  try {
    return ScenarioReader(path).read(resolve_swarm(root, seed));
  } catch (const InputError& e) {
    throw InputError(e.file(), e.where(),
                     e.what_text() + " (drawn for seed " + std::to_string(seed) + ")");
  }
}

}  // namespace treedoc::sim
