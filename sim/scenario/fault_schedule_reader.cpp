// Reading of fault events: the time, the one verb, and the verb's payload with its site selectors.
#include "sim/scenario/fault_schedule_reader.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "sim/base/json_path.hpp"
#include "sim/base/time_text.hpp"
#include "sim/scenario/limits.hpp"
#include "sim/scenario/site_selector.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// A selection of more sites than this is named by its first ones only in a message.
constexpr size_t kSitesNamedMax = 3;

class FaultEventReader {
 public:
  FaultEventReader(const ScenarioValueReader& reader, const Topology& topology, TimeUs safety_us)
      : reader_(reader), topology_(topology), safety_us_(safety_us) {}

  FaultEvent read(const json& entry, const std::string& path) const {
    if (!entry.is_object()) {
      reader_.fail(path, "expected a fault object such as {\"at_s\": 5, \"heal\": {}}, found " +
                             ScenarioValueReader::describe(entry));
    }
    const ScenarioObjectReader fields(reader_, entry, path,
                                      {"at_s", "partition", "cut", "heal", "crash", "restart",
                                       "pause", "loss_burst", "rpc_failure", "crash_at"});
    FaultEvent event;
    event.where = path;
    event.at_us = reader_.time(fields.require("at_s", "the time of the fault in seconds"),
                               fields.path_of("at_s"), TimeUnit::kSeconds, ZeroTime::kAllowed);
    if (event.at_us > safety_us_) {
      reader_.fail(fields.path_of("at_s"),
                   "expected a time within the safety phase (phases.safety_s is " +
                       seconds_text(safety_us_) + "), found " +
                       ScenarioValueReader::describe(*fields.find("at_s")));
    }

    std::optional<FaultVerb> verb;
    for (size_t k = 0; k < kFaultVerbs.size(); ++k) {
      const FaultVerb candidate = kFaultVerbs.value(k);
      if (fields.find(to_string(candidate)) == nullptr) continue;
      if (verb) {
        reader_.fail(path, std::string("expected exactly one verb, found both \"") +
                               to_string(*verb) + "\" and \"" + to_string(candidate) + "\"");
      }
      verb = candidate;
    }
    if (!verb) {
      reader_.fail(path,
                   "expected exactly one verb (" + names_of(kFaultVerbs, " or ") + "), found none");
    }
    event.verb = *verb;
    read_payload(*fields.find(to_string(*verb)), fields.path_of(to_string(*verb)), event);
    return event;
  }

 private:
  SiteSet sites(const ScenarioObjectReader& payload, std::string_view key) const {
    return resolve_site_selector(reader_, topology_, payload.require(key, "a site selector"),
                                 payload.path_of(key));
  }

  // A selector that must name exactly one site (one end of an RPC).
  SiteSet one_site(const ScenarioObjectReader& payload, std::string_view key) const {
    const json& selector = payload.require(key, "a site selector naming one site");
    SiteSet set = resolve_site_selector(reader_, topology_, selector, payload.path_of(key));
    if (set.size() != 1) {
      std::string names;
      for (size_t i = 0; i < set.size() && i < kSitesNamedMax; ++i) {
        names += (i == 0 ? "" : ", ") + site_name(topology_, set[i]);
      }
      reader_.fail(payload.path_of(key), "expected a selector naming exactly one site, found " +
                                             ScenarioValueReader::describe(selector) +
                                             ", which names " + std::to_string(set.size()) +
                                             " sites (" + names +
                                             (set.size() > kSitesNamedMax ? ", ...)" : ")"));
    }
    return set;
  }

  TimeUs duration(const ScenarioObjectReader& payload) const {
    return reader_.time(payload.require("for_s", "the duration in seconds"),
                        payload.path_of("for_s"), TimeUnit::kSeconds, ZeroTime::kAllowed);
  }

  void read_payload(const json& value, const std::string& path, FaultEvent& event) const {
    switch (event.verb) {
      case FaultVerb::kPartition: {
        const ScenarioObjectReader payload(reader_, value, path, {"groups"});
        read_groups(payload, event);
        break;
      }
      case FaultVerb::kCut: {
        const ScenarioObjectReader payload(reader_, value, path, {"from", "to"});
        event.from = sites(payload, "from");
        event.to = sites(payload, "to");
        break;
      }
      case FaultVerb::kHeal: {
        const ScenarioObjectReader payload(reader_, value, path, {});
        break;
      }
      case FaultVerb::kCrash:
      case FaultVerb::kRestart: {
        const ScenarioObjectReader payload(reader_, value, path, {"sites"});
        event.sites = sites(payload, "sites");
        break;
      }
      case FaultVerb::kPause: {
        const ScenarioObjectReader payload(reader_, value, path, {"sites", "for_s"});
        event.sites = sites(payload, "sites");
        event.duration_us = duration(payload);
        break;
      }
      case FaultVerb::kLossBurst: {
        const ScenarioObjectReader payload(reader_, value, path, {"sites", "loss", "for_s"});
        event.sites = sites(payload, "sites");
        event.loss = reader_.probability(payload.require("loss", "a probability from 0 to 1"),
                                         payload.path_of("loss"));
        event.duration_us = duration(payload);
        break;
      }
      case FaultVerb::kRpcFailure: read_rpc_failure(value, path, event); break;
      case FaultVerb::kCrashAt: {
        const ScenarioObjectReader payload(reader_, value, path,
                                           {"sites", "point", "restart_after_ms"});
        event.sites = sites(payload, "sites");
        event.point = reader_.choice(payload.require("point", "one of " + names_of(kCrashPoints)),
                                     payload.path_of("point"), kCrashPoints);
        if (const json* after = payload.find("restart_after_ms")) {
          event.restart_after_us = reader_.time(*after, payload.path_of("restart_after_ms"),
                                                TimeUnit::kMilliseconds, ZeroTime::kAllowed);
        }
        break;
      }
    }
  }

  void read_rpc_failure(const json& value, const std::string& path, FaultEvent& event) const {
    const ScenarioObjectReader payload(reader_, value, path,
                                       {"from", "to", "error", "for_s", "timeout_ms"});
    event.from = one_site(payload, "from");
    event.to = one_site(payload, "to");
    if (event.from == event.to) {
      reader_.fail(payload.path_of("to"), "expected a site other than from (" +
                                              site_name(topology_, event.from.front()) +
                                              "): an RPC goes to another site, found the same");
    }
    event.rpc_error = reader_.choice(payload.require("error", "one of " + names_of(kRpcErrors)),
                                     payload.path_of("error"), kRpcErrors);
    event.duration_us =
        reader_.time(payload.require("for_s", "the duration in seconds"), payload.path_of("for_s"),
                     TimeUnit::kSeconds, ZeroTime::kRejected);
    if (const json* timeout = payload.find("timeout_ms")) {
      if (event.rpc_error != RpcError::kTimeout) {
        reader_.fail(payload.path_of("timeout_ms"),
                     std::string("expected no timeout_ms with \"error\": \"") +
                         to_string(event.rpc_error) + "\" (only a timeout waits for one), found " +
                         ScenarioValueReader::describe(*timeout));
      }
      event.rpc_timeout_us = reader_.time(*timeout, payload.path_of("timeout_ms"),
                                          TimeUnit::kMilliseconds, ZeroTime::kRejected);
    }
  }

  // Groups must be disjoint: a site in two groups would have to be on both sides of a partition.
  // The check sorts (site, group) pairs, so it costs the groups' sizes, not the site count.
  void read_groups(const ScenarioObjectReader& payload, FaultEvent& event) const {
    const std::string groups_path = payload.path_of("groups");
    const json& groups = reader_.array(
        payload.require("groups", "an array of site selectors, one per group"), groups_path);
    if (groups.empty()) {
      reader_.fail(groups_path, "expected at least one group, found an empty array");
    }
    std::vector<std::pair<SiteIndex, size_t>> memberships;  // (site, group)
    for (size_t g = 0; g < groups.size(); ++g) {
      event.groups.push_back(
          resolve_site_selector(reader_, topology_, groups[g], json_element_path(groups_path, g)));
      for (const SiteIndex site : event.groups.back()) memberships.emplace_back(site, g);
    }
    std::sort(memberships.begin(), memberships.end());
    // Report what a reader meets first: the earliest group that repeats a site, its lowest such
    // site, and the group that held it before.
    struct Overlap {
      size_t group;
      SiteIndex site;
      size_t earlier_group;
    };
    std::optional<Overlap> first;
    for (size_t i = 1; i < memberships.size(); ++i) {
      if (memberships[i].first != memberships[i - 1].first) continue;
      const Overlap overlap{memberships[i].second, memberships[i].first, memberships[i - 1].second};
      if (!first || std::tie(overlap.group, overlap.site) < std::tie(first->group, first->site)) {
        first = overlap;
      }
    }
    if (first) {
      reader_.fail(json_element_path(groups_path, first->group),
                   "site " + site_name(topology_, first->site) + " is also in groups[" +
                       std::to_string(first->earlier_group) + "]; expected disjoint groups");
    }
  }

  const ScenarioValueReader& reader_;
  const Topology& topology_;
  const TimeUs safety_us_;
};

}  // namespace

std::vector<FaultEvent> read_fault_schedule(const ScenarioValueReader& reader,
                                            const Topology& topology, TimeUs safety_us,
                                            const json& faults, const std::string& path) {
  reader.array(faults, path);
  if (faults.size() > kFaultEventsMax) {
    reader.fail(path, "expected at most " + std::to_string(kFaultEventsMax) +
                          " fault events (kFaultEventsMax), found " +
                          std::to_string(faults.size()));
  }
  const FaultEventReader event_reader(reader, topology, safety_us);
  std::vector<FaultEvent> events;
  events.reserve(faults.size());
  size_t site_entries = 0;
  for (size_t i = 0; i < faults.size(); ++i) {
    const std::string event_path = json_element_path(path, i);
    events.push_back(event_reader.read(faults[i], event_path));
    const FaultEvent& event = events.back();
    site_entries += event.from.size() + event.to.size() + event.sites.size();
    for (const SiteSet& group : event.groups) site_entries += group.size();
    if (site_entries > kFaultSiteEntriesMax) {
      reader.fail(event_path, "the faults up to here name more than " +
                                  std::to_string(kFaultSiteEntriesMax) +
                                  " sites in all (kFaultSiteEntriesMax); expected fewer or "
                                  "smaller fault events");
    }
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const FaultEvent& a, const FaultEvent& b) { return a.at_us < b.at_us; });
  return events;
}

}  // namespace treedoc::sim
