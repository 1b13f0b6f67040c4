// The run report: its JSON from the run's result, and its text from that JSON alone.
#include "sim/report/run_report.hpp"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <vector>

#include "sim/check/report_text.hpp"
#include "sim/report/membership_report.hpp"
#include "sim/world/event_log.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// Membership timeline steps the text lists; summary.json has them all.
constexpr size_t kPrintedStepsMax = 24;

double seconds(TimeUs t) { return static_cast<double>(t) / 1e6; }

// printf into a string: the report's lines keep the exact formats they always had.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string out(static_cast<size_t>(n > 0 ? n : 0), '\0');
  std::vsnprintf(out.data(), out.size() + 1, fmt, again);
  va_end(again);
  return out;
}

// A host duration for the summary: "850 ns", "1.9 us", "12.3 ms".
std::string duration_text(double ns) {
  if (ns < 1e3) return format("%.0f ns", ns);
  if (ns < 1e6) return format("%.1f us", ns / 1e3);
  return format("%.1f ms", ns / 1e6);
}

uint64_t u64(const json& j, const char* key) { return j.at(key).get<uint64_t>(); }
double f64(const json& j, const char* key) { return j.at(key).get<double>(); }

// Each catch-up: who, from when to when, across which epochs, at what cost.
json catch_up_records_json(const Topology& t, const RunResult& r) {
  json records = json::array();
  for (const CatchUpRecord& c : r.catch_ups) {
    records.push_back({{"site", site_name(t, c.site)},
                       {"start_s", seconds(c.start_us)},
                       {"end_s", seconds(c.end_us)},
                       {"from_epoch", c.from_epoch},
                       {"to_epoch", c.to_epoch},
                       {"epochs_crossed", c.to_epoch - c.from_epoch},
                       {"ops_translated", c.ops_translated},
                       {"messages", c.messages},
                       {"bytes", c.bytes}});
  }
  return records;
}

json flatten_json(const Scenario& s, const RunResult& r) {
  const FlattenStats& f = r.flatten;
  json aborts = json::object();
  for (size_t k = 1; k < f.aborts_by_reason.size(); ++k) {
    aborts[site::kAbortReasons.name_at(k)] = f.aborts_by_reason[k];
  }
  json epochs = json::array();
  for (const FlattenStats::EpochStart& e : f.epochs) {
    json ej = {{"epoch", e.epoch}, {"at_s", seconds(e.at_us)}, {"txid", e.txid}};
    if (e.before && e.after) {
      ej["atoms"] = e.after->live;
      ej["tree_nodes_before"] = e.before->majors + e.before->minis;
      ej["tree_nodes_after"] = e.after->majors + e.after->minis;
      ej["tombstones_before"] = e.before->dead;
      ej["tid_bytes_mean_before"] = e.before->tid_bytes_mean;
      ej["tid_bytes_mean_after"] = e.after->tid_bytes_mean;
    }
    epochs.push_back(std::move(ej));
  }
  const CatchUpTotals& c = f.catch_ups;
  const double catch_up_ms_mean =
      c.count ? static_cast<double>(c.took_us_total) / static_cast<double>(c.count) / 1e3 : 0.0;
  return {{"policy", site::kFlattenPolicies.name(s.protocol.flatten.kind)},
          {"attempts", f.attempts},
          {"commits", f.commits},
          {"aborts", f.attempts - f.commits},
          {"aborts_by_reason", aborts},
          {"epochs", epochs},
          {"final_epoch", r.final_epoch},
          {"ops_translated", f.ops_translated},
          {"catch_ups", c.count},
          {"catch_up_ms_mean", catch_up_ms_mean},
          {"catch_up_ms_max", static_cast<double>(c.took_us_max) / 1e3},
          {"catch_up_bytes", c.bytes_total},
          {"catch_up_records", catch_up_records_json(s.topology, r)},
          {"catch_up_records_dropped", r.catch_ups_dropped},
          {"lost_by_policy", f.lost_by_policy}};
}

json violation_json(const Scenario& s, uint64_t seed, const Violation& v) {
  std::vector<std::string> ops;
  for (const OpId& id : v.ops) ops.push_back(op_name(s.topology, id));
  std::vector<std::string> sites;
  for (SiteIndex i : v.sites) sites.push_back(site_name(s.topology, i));
  return {{"invariant", v.name()},
          {"at_s", seconds(v.at_us)},
          {"sites", sites},
          {"ops", ops},
          {"detail", v.detail},
          {"reproduce", "treedoc-sim run " + s.file + " --seed " + std::to_string(seed)}};
}

json counts_json(const RunResult& r) {
  const SiteCounters& t = r.totals;
  return {{"ops_made", t.ops_made},
          {"ops_applied", t.ops_applied},
          {"ops_lost", r.ops_lost},
          {"msgs_sent", t.msgs_sent},
          {"bytes_sent", t.bytes_sent},
          {"msgs_received", t.msgs_received},
          {"msgs_dropped", t.msgs_dropped},
          {"msgs_duplicated", t.msgs_duplicated},
          {"wrong_epoch", t.wrong_epoch},
          {"crashes", r.crashes},
          {"restarts", r.restarts},
          {"convergence_checks", r.convergence_checks},
          {"state_comparisons", r.state_comparisons},
          {"final_atoms", r.final_atoms},
          {"final_tombstone_ratio", r.final_tombstone_ratio},
          {"final_tid_bytes_mean", r.final_tid_bytes_mean},
          {"replica_memory_bytes", r.replica_memory_bytes}};
}

}  // namespace

json run_report(const Scenario& s, uint64_t seed, const RunResult& r) {
  json j = {
      {"scenario", s.file},
      {"description", s.description},
      {"seed", seed},
      {"sites", s.topology.site_count()},
      {"core", s.topology.core},
      {"nebula", s.topology.nebula},
      {"result",
       r.violation ? (r.violation->liveness() ? "liveness-failure" : "safety-violation") : "pass"},
      {"event_log_hash", hash_hex(r.event_hash)},
      {"events", r.events},
      {"end_s", seconds(r.end_us)},
      {"safety_s", seconds(s.phases.safety_us)},
      {"faults_scheduled", s.faults.size()},
      {"wall_s", r.wall_s},
      {"deliveries_per_wall_s",
       r.wall_s > 0 ? static_cast<double>(r.totals.msgs_received) / r.wall_s : 0.0},
  };
  j.update(counts_json(r));
  if (r.converged_at_us) j["converged_at_s"] = seconds(*r.converged_at_us);
  json probes = json::object();
  for (size_t k = 0; k < site::kProbeCount; ++k) {
    probes[site::kProbes.name_at(k)] = r.probes.fired[k];
  }
  j["probes"] = probes;
  j["flatten"] = flatten_json(s, r);
  if (has_membership_steps(r)) j["membership"] = membership_json(s, r);
  // Host time, measured: it varies from run to run and is not in the event-log hash.
  const ApplyTimeStats& a = r.apply_time;
  j["host"] = {{"apply_ns_per_op_mean", a.mean_ns()},
               {"apply_ns_per_op_p50", a.quantile_ns(0.5)},
               {"apply_ns_per_op_p99", a.quantile_ns(0.99)},
               {"ops_timed", a.ops},
               {"calls_timed", a.calls}};
  if (r.violation) j["violation"] = violation_json(s, seed, *r.violation);
  return j;
}

namespace {

std::string flatten_text(const json& f) {
  std::string aborts;
  for (size_t k = 1; k < site::kAbortReasons.size(); ++k) {
    const uint64_t n = f.at("aborts_by_reason").at(site::kAbortReasons.name_at(k)).get<uint64_t>();
    if (n == 0) continue;
    aborts +=
        (aborts.empty() ? "" : ", ") + std::to_string(n) + " " + site::kAbortReasons.name_at(k);
  }
  std::string out =
      format("flatten   %" PRIu64 " attempts: %" PRIu64 " committed, %" PRIu64
             " aborted%s%s%s; final epoch %" PRIu64 "\n",
             u64(f, "attempts"), u64(f, "commits"), u64(f, "aborts"), aborts.empty() ? "" : " (",
             aborts.c_str(), aborts.empty() ? "" : ")", u64(f, "final_epoch"));
  out += format("epochs    %" PRIu64 " ops translated; %" PRIu64
                " catch-ups (mean %.1f ms, max %.1f ms); %" PRIu64 " ops lost by policy\n",
                u64(f, "ops_translated"), u64(f, "catch_ups"), f64(f, "catch_up_ms_mean"),
                f64(f, "catch_up_ms_max"), u64(f, "lost_by_policy"));
  return out;
}

std::string membership_text(const json& m) {
  std::string out =
      format("members   %" PRIu64 " failed RPCs, %" PRIu64 " suspicions (%" PRIu64
             " wrong), %" PRIu64 " expelled, %" PRIu64 " halted, %" PRIu64 " demoted, %" PRIu64
             " joined (on_dispatch_failure %s, on_expelled %s)\n",
             u64(m, "rpc_failures"), u64(m, "suspicions"), u64(m, "wrong_suspicions"),
             u64(m, "expulsions"), u64(m, "halts"), u64(m, "demotions"), u64(m, "joins"),
             m.at("on_dispatch_failure").get<std::string>().c_str(),
             m.at("on_expelled").get<std::string>().c_str());
  const json& timeline = m.at("timeline");
  for (size_t k = 0; k < timeline.size() && k < kPrintedStepsMax; ++k) {
    const json& step = timeline[k];
    const std::string detail = step.value("detail", "");
    out += format(
        "  %10s  %-4s %-16s %-4s epoch %" PRIu64 ", view %" PRIu64 "%s%s\n",
        format("%.3f s", f64(step, "at_s")).c_str(), step.at("by").get<std::string>().c_str(),
        step.at("step").get<std::string>().c_str(), step.at("site").get<std::string>().c_str(),
        u64(step, "epoch"), u64(step, "view"), detail.empty() ? "" : "; ", detail.c_str());
  }
  if (timeline.size() > kPrintedStepsMax) {
    out += format("  ... %zu more steps in summary.json\n", timeline.size() - kPrintedStepsMax);
  }
  return out;
}

std::string probes_text(const json& probes) {
  std::string fired;
  for (size_t k = 0; k < site::kProbeCount; ++k) {
    const uint64_t n = probes.at(site::kProbes.name_at(k)).get<uint64_t>();
    if (n == 0) continue;
    fired += (fired.empty() ? "" : ", ") + std::string(site::kProbes.name_at(k)) + " " +
             std::to_string(n);
  }
  return format("probes    %s\n", fired.empty() ? "none fired" : fired.c_str());
}

std::string counts_text(const json& j) {
  std::string out =
      format("ops       %" PRIu64 " made, %" PRIu64 " applied across sites, %" PRIu64 " lost\n",
             u64(j, "ops_made"), u64(j, "ops_applied"), u64(j, "ops_lost"));
  out += format("messages  %" PRIu64 " sent (%.1f MiB), %" PRIu64 " delivered, %" PRIu64
                " dropped, %" PRIu64 " duplicated; %.0f deliveries per wall second\n",
                u64(j, "msgs_sent"), static_cast<double>(u64(j, "bytes_sent")) / (1 << 20),
                u64(j, "msgs_received"), u64(j, "msgs_dropped"), u64(j, "msgs_duplicated"),
                f64(j, "deliveries_per_wall_s"));
  out +=
      format("faults    %" PRIu64 " crashes, %" PRIu64 " restarts, %" PRIu64 " scheduled faults\n",
             u64(j, "crashes"), u64(j, "restarts"), u64(j, "faults_scheduled"));
  out += format(
      "document  %" PRIu64 " atoms, %.1f%% tombstones, %.1f B mean TID; %.1f MiB in all replicas\n",
      u64(j, "final_atoms"), 100 * f64(j, "final_tombstone_ratio"), f64(j, "final_tid_bytes_mean"),
      static_cast<double>(u64(j, "replica_memory_bytes")) / (1 << 20));
  return out;
}

}  // namespace

std::string run_report_text(const json& j) {
  std::string out = format("scenario  %s: %s\n", j.at("scenario").get<std::string>().c_str(),
                           j.at("description").get<std::string>().c_str());
  out += format("sites     %" PRIu64 " (%" PRIu64 " core, %" PRIu64 " nebula); seed %" PRIu64 "\n",
                u64(j, "sites"), u64(j, "core"), u64(j, "nebula"), u64(j, "seed"));
  out += format("time      %.1f s simulated (safety phase %.1f s) in %.2f s wall\n",
                f64(j, "end_s"), f64(j, "safety_s"), f64(j, "wall_s"));
  out += counts_text(j);
  const json& f = j.at("flatten");
  if (f.at("policy") != "never" || u64(f, "attempts") > 0) out += flatten_text(f);
  if (j.contains("membership")) out += membership_text(j.at("membership"));
  const json& host = j.at("host");
  if (u64(host, "ops_timed") > 0) {
    out += format("host      apply %s per op mean (p50 %s, p99 %s) over %" PRIu64
                  " ops; host time, not in the event-log hash\n",
                  duration_text(f64(host, "apply_ns_per_op_mean")).c_str(),
                  duration_text(f64(host, "apply_ns_per_op_p50")).c_str(),
                  duration_text(f64(host, "apply_ns_per_op_p99")).c_str(), u64(host, "ops_timed"));
  }
  out += format("checker   %" PRIu64 " convergence checks, %" PRIu64 " state comparisons\n",
                u64(j, "convergence_checks"), u64(j, "state_comparisons"));
  out += probes_text(j.at("probes"));
  if (j.contains("membership")) {
    out += format("\nwhat happened: %s\n\n",
                  j.at("membership").at("story").get<std::string>().c_str());
  }
  return out;
}

std::string run_verdict_text(const json& j) {
  if (!j.contains("violation")) {
    const double at = j.contains("converged_at_s") ? f64(j, "converged_at_s") : f64(j, "end_s");
    return format("result    PASS: every invariant held; converged at t=%.1f s\n", at);
  }
  const json& v = j.at("violation");
  std::string sites, ops;
  for (const json& s : v.at("sites")) sites += (sites.empty() ? "" : ", ") + s.get<std::string>();
  for (const json& o : v.at("ops")) ops += (ops.empty() ? "" : ", ") + o.get<std::string>();
  std::string out = format("%s %s at t=%.6f s: %s\n",
                           j.at("result") == "liveness-failure" ? "LIVENESS FAILURE" : "VIOLATION",
                           v.at("invariant").get<std::string>().c_str(), f64(v, "at_s"),
                           v.at("detail").get<std::string>().c_str());
  out +=
      format("  seed %" PRIu64 ", sites %s", u64(j, "seed"), sites.empty() ? "-" : sites.c_str());
  if (!ops.empty()) out += format(", ops %s", ops.c_str());
  out += format("\n  reproduce with: %s\n", v.at("reproduce").get<std::string>().c_str());
  return out;
}

}  // namespace treedoc::sim
