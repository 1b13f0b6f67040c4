// explain's catch-ups and violations: the records around a catch-up, and a backward causal slice
// from a violation through the messages that reached its sites.
#include "sim/trace/trace_past.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "sim/trace/trace_fields.hpp"

namespace treedoc::sim {

namespace trace_fields {

namespace {

std::string message_name(const nlohmann::json& r) {
  const std::string commit = text(r, "commit");
  return text(r, "msg") + (commit.empty() ? "" : "/" + commit);
}

std::string message_line(const nlohmann::json& r, const std::string& kind) {
  if (kind == "send") {
    return text(r, "from") + " sent " + message_name(r) + " to " + text(r, "to") + " (" +
           std::to_string(number(r, "bytes")) + " B)";
  }
  if (kind == "deliver")
    return text(r, "to") + " received " + message_name(r) + " from " + text(r, "from");
  return text(r, "from") + " -> " + text(r, "to") + " " + message_name(r) + " lost (" +
         text(r, "reason") + ")";
}

}  // namespace

std::string describe(const nlohmann::json& r) {
  const std::string kind = text(r, "kind");
  const std::string site = text(r, "site");
  if (kind == "send" || kind == "deliver" || kind == "drop") return message_line(r, kind);
  if (kind == "local-op") return site + " made " + text(r, "op") + " " + text(r, "id");
  if (kind == "commit") {
    std::string line = site + " " + text(r, "step") + " " + text(r, "attempt");
    if (r.contains("reason")) line += " (" + text(r, "reason") + ")";
    if (r.contains("vote")) line += " (" + text(r, "vote") + ")";
    return line;
  }
  if (kind == "epoch") {
    return site + " entered epoch " + std::to_string(number(r, "epoch")) + " by " + text(r, "by") +
           ", " + std::to_string(number(r, "translated")) + " ops translated";
  }
  if (kind == "catch-up") {
    return site + " caught up from epoch " + std::to_string(number(r, "from_epoch")) + " to " +
           std::to_string(number(r, "to_epoch"));
  }
  if (kind == "membership") return site + ": " + text(r, "about") + " " + text(r, "step");
  if (kind == "fault") return "fault " + text(r, "verb") + " (" + text(r, "where") + ")";
  if (kind == "crash" || kind == "restart" || kind == "halt") return site + " " + kind;
  if (kind == "rpc-failed") {
    return text(r, "caller") + " -> " + text(r, "callee") + " RPC failed (" + text(r, "error") +
           ")";
  }
  if (kind == "phase") return "phase: " + text(r, "phase");
  return kind;
}

}  // namespace trace_fields

namespace {

using nlohmann::json;
using trace_fields::at;
using trace_fields::describe;
using trace_fields::number;
using trace_fields::text;

// The first record at or after `t_us` (records are in time order).
size_t first_at(const RunTrace& trace, uint64_t t_us) {
  const auto it = std::lower_bound(trace.records.begin(), trace.records.end(), t_us,
                                   [](const json& r, uint64_t t) { return number(r, "t_us") < t; });
  return static_cast<size_t>(it - trace.records.begin());
}

// Whether `r` is a step of `site`'s catch-up: its HELLOs, the answers it got, the epochs it
// entered.
bool catch_up_step(const json& r, const std::string& site) {
  const std::string kind = text(r, "kind");
  const std::string msg = text(r, "msg");
  if (kind == "epoch") return text(r, "site") == site;
  if ((kind == "send" || kind == "drop") && msg == "hello") return text(r, "from") == site;
  const bool answer = msg == "stale" || msg == "cut" || msg == "state";
  return answer && (kind == "deliver" || kind == "drop") && text(r, "to") == site;
}

std::string catch_up_story(const RunTrace& trace, const json& c, size_t steps_max) {
  const std::string site = text(c, "site");
  const uint64_t start = number(c, "start_us"), end = number(c, "end_us");
  char head[256];
  std::snprintf(head, sizeof head,
                "%s caught up from epoch %llu to %llu: %.6f s to %.6f s (%.1f ms), %llu messages, "
                "%llu bytes, %llu ops translated\n",
                site.c_str(), static_cast<unsigned long long>(number(c, "from_epoch")),
                static_cast<unsigned long long>(number(c, "to_epoch")),
                static_cast<double>(start) / 1e6, static_cast<double>(end) / 1e6,
                static_cast<double>(end - start) / 1e3,
                static_cast<unsigned long long>(number(c, "messages")),
                static_cast<unsigned long long>(number(c, "bytes")),
                static_cast<unsigned long long>(number(c, "ops_translated")));
  std::string out = head;
  size_t shown = 0, more = 0;
  for (size_t k = first_at(trace, start); k < trace.records.size(); ++k) {
    const json& r = trace.records[k];
    if (number(r, "t_us") > end) break;
    if (!catch_up_step(r, site)) continue;
    if (shown == steps_max) {
      ++more;
      continue;
    }
    out += "  " + at(number(r, "t_us")) + "  " + describe(r) + "\n";
    ++shown;
  }
  if (more > 0) out += "  ... and " + std::to_string(more) + " more steps\n";
  return out;
}

// The site a record happened at, for the causal slice; "" for what happens to every site.
std::string site_of(const json& r) {
  const std::string kind = text(r, "kind");
  if (kind == "send" || kind == "drop") return text(r, "from");
  if (kind == "deliver") return text(r, "to");
  if (kind == "rpc-failed") return text(r, "caller");
  return text(r, "site");
}

// Backwards from the violation: every event at a site in the slice, and through each delivery
// the sender's events up to its send (happened-before). Most recent first.
std::vector<const json*> causal_past(const RunTrace& trace, const json& violation) {
  std::set<std::string> active;
  for (const json& s : violation["sites"]) active.insert(s.get<std::string>());
  std::set<std::pair<std::string, uint64_t>> awaited;  // (sender, seq) of deliveries in the slice
  std::vector<const json*> past;
  for (size_t k = first_at(trace, number(violation, "t_us") + 1); k-- > 0;) {
    const json& r = trace.records[k];
    const std::string kind = text(r, "kind"), site = site_of(r);
    if (kind == "violation") continue;
    if (kind == "send") {
      // Only the sends whose delivery is in the slice: they carry its past to it.
      if (awaited.count({site, number(r, "seq")}) == 0) continue;
      active.insert(site);
    } else if (kind == "drop") {
      // A message the slice never got: what it lacks may be why.
      if (active.count(text(r, "to")) == 0) continue;
    } else if (!site.empty() && active.count(site) == 0) {
      continue;
    }
    if (kind == "deliver") awaited.insert({text(r, "from"), number(r, "seq")});
    past.push_back(&r);
  }
  return past;
}

}  // namespace

std::string explain_catch_ups(const RunTrace& trace, const std::vector<const json*>& catch_ups,
                              const std::string& site, size_t steps_max) {
  std::string out;
  size_t shown = 0;
  for (const json* c : catch_ups) {
    if (!site.empty() && text(*c, "site") != site) continue;
    out += catch_up_story(trace, *c, steps_max);
    ++shown;
  }
  return "catch-ups: " + std::to_string(shown) + "\n" + out;
}

std::string explain_violation(const RunTrace& trace, const json& violation, const std::string& site,
                              size_t events_max) {
  std::string out = "violation: " + text(violation, "invariant") + " at " +
                    at(number(violation, "t_us")) + "\n  " + text(violation, "detail") + "\n";
  const std::vector<const json*> past = causal_past(trace, violation);
  std::vector<const json*> shown;
  for (const json* r : past) {
    if (shown.size() == events_max) break;
    if (site.empty() || site_of(*r) == site || site_of(*r).empty()) shown.push_back(r);
  }
  out += "its causal past: " + std::to_string(past.size()) + " events; the last " +
         std::to_string(shown.size()) + (site.empty() ? "" : " at " + site) + ", oldest first:\n";
  for (auto it = shown.rbegin(); it != shown.rend(); ++it) {
    out += "  " + at(number(**it, "t_us")) + "  " + describe(**it) + "\n";
  }
  return out;
}

}  // namespace treedoc::sim
