// explain_run: a trace's attempts, catch-ups and violation told as text, from its records alone.
#include "sim/trace/run_explanation.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "sim/base/input_error.hpp"
#include "sim/trace/trace_fields.hpp"
#include "sim/trace/trace_past.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// A "prepared for another attempt" no is followed to that attempt's cause at most this deep.
constexpr int kBlockingDepthMax = 16;
// A catch-up shows at most this many of its steps; a violation this many events of its past.
constexpr size_t kCatchUpStepsMax = 24;
constexpr size_t kChainEventsMax = 40;

using trace_fields::at;
using trace_fields::number;
using trace_fields::text;

bool is_commit_message(const json& r, const char* commit_kind) {
  return text(r, "kind") == "send" && text(r, "msg") == "commit" &&
         text(r, "commit") == commit_kind;
}

// The trace indexed as explain reads it.
struct Index {
  const RunTrace& trace;
  std::vector<std::string> attempts;                      // in the order first seen
  std::map<std::string, std::vector<const json*>> steps;  // attempt -> commit records, sends
  std::map<std::string, const json*> local_ops;           // op id -> its local-op record
  std::map<std::string, const json*> decided;             // attempt -> its coordinator's end
  std::vector<const json*> catch_ups;
  const json* violation = nullptr;

  explicit Index(const RunTrace& t) : trace(t) {
    for (const json& r : t.records) add(r);
  }

 private:
  void add(const json& r) {
    const std::string kind = text(r, "kind");
    if (kind == "local-op") local_ops[text(r, "id")] = &r;
    if (kind == "catch-up") catch_ups.push_back(&r);
    if (kind == "violation") violation = &r;
    const bool late = is_commit_message(r, "late-update");
    if (kind != "commit" && !late) return;
    const std::string attempt = text(r, "attempt");
    if (!steps.count(attempt)) attempts.push_back(attempt);
    steps[attempt].push_back(&r);
    if (kind == "commit" && r.value("decided_here", false)) decided[attempt] = &r;
  }
};

// "n29#1, an insert n29 made at 1.5 s", or the id alone when the trace has no record of it.
std::string op_story(const Index& ix, const std::string& id) {
  const auto it = ix.local_ops.find(id);
  if (it == ix.local_ops.end()) return "op " + id;
  const json& r = *it->second;
  char buf[160];
  std::snprintf(buf, sizeof buf, "op %s (%s %s made at %.6f s)", id.c_str(),
                text(r, "op") == "insert" ? "an insert" : "a delete", text(r, "site").c_str(),
                static_cast<double>(number(r, "t_us")) / 1e6);
  return buf;
}

// The op that made `attempt` fail: its own cause, or, for a no from a member prepared for
// another attempt, that attempt's, and so on.
std::string root_cause(const Index& ix, const std::string& attempt) {
  std::string current = attempt;
  std::string via;
  for (int depth = 0; depth < kBlockingDepthMax; ++depth) {
    const auto it = ix.decided.find(current);
    if (it == ix.decided.end()) return via + "unknown: the trace has no decision of " + current;
    const json& end = *it->second;
    if (end.contains("cause")) return via + op_story(ix, text(end, "cause"));
    if (!end.contains("blocking")) {
      return via + "no op: " + text(end, "reason") +
             (end.contains("voter") ? " (" + text(end, "voter") + ")" : "");
    }
    via += text(end, "voter") + " was still prepared for " + text(end, "blocking") +
           ", which failed by ";
    current = text(end, "blocking");
  }
  return via + "...";
}

std::string commit_step_line(const json& r) {
  const std::string step = text(r, "step");
  std::string line = at(number(r, "t_us")) + "  " + text(r, "site") + " ";
  if (step == "prepare sent") {
    return line + "proposed it" +
           (r.contains("cut_ops") ? ", a cut of " + std::to_string(number(r, "cut_ops")) + " ops"
                                  : std::string(", a view change alone"));
  }
  if (step == "voted yes") return line + "voted yes";
  if (step == "voted no") {
    line += "voted " + text(r, "vote");
    if (r.contains("cause")) line += ": it held " + text(r, "cause");
    if (r.contains("blocking")) line += ": " + text(r, "blocking");
    return line;
  }
  const bool here = r.value("decided_here", false);
  line += (step == "committed" ? "COMMITTED" : "ABORTED");
  if (!here) return line + " (learned)";
  line += " it, as coordinator";
  if (r.contains("reason")) line += ": " + text(r, "reason");
  const std::string voter = text(r, "voter");
  if (voter == text(r, "site")) {
    line += ", an update it applied itself after proposing";
  } else if (!voter.empty()) {
    line += ", from " + voter;
  }
  if (r.contains("cause")) line += " (" + text(r, "cause") + ")";
  return line;
}

std::string late_update_line(const json& r) {
  return at(number(r, "t_us")) + "  " + text(r, "from") + " sent a LATE_UPDATE to " +
         text(r, "to") +
         (r.contains("cause") ? ": " + text(r, "cause") + " came after its yes" : "");
}

bool involves(const std::vector<const json*>& steps, const std::string& site) {
  return std::any_of(steps.begin(), steps.end(), [&](const json* r) {
    return text(*r, "site") == site || text(*r, "from") == site;
  });
}

std::string explain_attempt(const Index& ix, const std::string& attempt) {
  const std::vector<const json*>& steps = ix.steps.at(attempt);
  const json& first = *steps.front();
  std::string out = "attempt " + attempt + " (epoch " + std::to_string(number(first, "epoch")) +
                    ", view " + std::to_string(number(first, "view")) + ")\n";
  for (const json* r : steps) {
    out +=
        "  " + (text(*r, "kind") == "commit" ? commit_step_line(*r) : late_update_line(*r)) + "\n";
  }
  const auto end = ix.decided.find(attempt);
  if (end == ix.decided.end()) return out + "  undecided when the run ended\n";
  if (text(*end->second, "step") == "committed") return out + "  outcome: committed\n";
  return out + "  failed by: " + root_cause(ix, attempt) + "\n";
}

std::string explain_attempts(const Index& ix, const ExplainFilter& filter) {
  std::string out;
  size_t shown = 0, committed = 0;
  for (const std::string& attempt : ix.attempts) {
    if (!filter.attempt.empty() && attempt != filter.attempt) continue;
    if (!filter.site.empty() && !involves(ix.steps.at(attempt), filter.site)) continue;
    const auto end = ix.decided.find(attempt);
    if (end != ix.decided.end() && text(*end->second, "step") == "committed") ++committed;
    out += explain_attempt(ix, attempt);
    ++shown;
  }
  return "flatten attempts: " + std::to_string(shown) + " (" + std::to_string(committed) +
         " committed, " + std::to_string(shown - committed) + " not)\n" + out;
}

}  // namespace

std::string explain_run(const RunTrace& trace, const ExplainFilter& filter) {
  const Index ix(trace);
  if (!filter.attempt.empty() && !ix.steps.count(filter.attempt)) {
    throw InputError(trace.path, "--attempt",
                     "an attempt of this run, coordinator/number such as c0/1 (" +
                         std::to_string(ix.attempts.size()) + " in the trace)");
  }
  const json& sites = trace.run["sites"];
  if (!filter.site.empty() && std::find(sites.begin(), sites.end(), filter.site) == sites.end()) {
    throw InputError(trace.path, "--site", "a site of this run, such as c0 or n3");
  }
  std::string out = "run of " + text(trace.run, "scenario") + ", seed " +
                    std::to_string(number(trace.run, "seed")) + ", " +
                    std::to_string(sites.size()) + " sites\n\n" + explain_attempts(ix, filter);
  if (!filter.attempt.empty()) return out;
  out += "\n" + explain_catch_ups(trace, ix.catch_ups, filter.site, kCatchUpStepsMax);
  if (ix.violation)
    out += "\n" + explain_violation(trace, *ix.violation, filter.site, kChainEventsMax);
  return out;
}

}  // namespace treedoc::sim
