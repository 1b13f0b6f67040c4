// Membership steps as summary.json and a story: one paragraph a student can follow, telling what
// happened in the order it happened (docs/FALSE-SUSPICION.md).
#include "sim/report/membership_report.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <utility>

namespace treedoc::sim {

namespace {

// Sentences a story tells before it stops (a run with churn would otherwise tell a novel).
constexpr size_t kStorySentencesMax = 14;

using Step = MembershipStats::Step;

std::string at(TimeUs t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(t) / 1e6);
  return buf;
}

const char* dispatch_policy(const Scenario& s) {
  return s.membership.policy.on_dispatch_failure ==
                 site::MembershipPolicy::OnDispatchFailure::kExpire
             ? "expire"
             : "abort-and-retry";
}

const char* expelled_policy(const Scenario& s) {
  return s.membership.policy.on_expelled == site::MembershipPolicy::OnExpelled::kAbort ? "abort"
                                                                                       : "demote";
}

std::string ops_text(uint64_t n) { return std::to_string(n) + (n == 1 ? " op" : " ops"); }

std::string rpc_error_text(const std::string& error) {
  if (error == "auth") return "an authentication error on the caller's own side";
  if (error == "refused") return "connection refused";
  return "a timeout";
}

}  // namespace

bool has_membership_steps(const RunResult& r) { return !r.membership.timeline.empty(); }

nlohmann::json membership_json(const Scenario& s, const RunResult& r) {
  const MembershipStats& m = r.membership;
  nlohmann::json timeline = nlohmann::json::array();
  for (const Step& step : m.timeline) {
    nlohmann::json j = {{"at_s", static_cast<double>(step.at_us) / 1e6},
                        {"step", step.what},
                        {"by", site_name(s.topology, step.by)},
                        {"site", site_name(s.topology, step.site)},
                        {"epoch", step.epoch},
                        {"view", step.view}};
    if (!step.detail.empty()) j["detail"] = step.detail;
    timeline.push_back(std::move(j));
  }
  return {{"on_dispatch_failure", dispatch_policy(s)},
          {"on_expelled", expelled_policy(s)},
          {"failure_detector", s.membership.policy.heartbeat_period_us > 0},
          {"rpc_failures", m.rpc_failures},
          {"suspicions", m.suspicions},
          {"wrong_suspicions", m.wrong_suspicions},
          {"view_changes", m.view_changes},
          {"view_change_aborts", m.view_change_aborts},
          {"expulsions", m.expulsions},
          {"admissions", m.admissions},
          {"halts", m.halts},
          {"demotions", m.demotions},
          {"joins", m.joins},
          {"held_alone_when_fenced", m.held_alone_when_fenced},
          {"timeline", timeline},
          {"timeline_truncated", m.timeline_truncated},
          {"story", membership_story(s, r)}};
}

namespace {

std::string rpc_failed_sentence(const Scenario& s, const std::string& when, const std::string& by,
                                const std::string& who, const Step& step) {
  std::string text = when + ", " + by + "'s flatten request to " + who + " failed with " +
                     rpc_error_text(step.detail) + " (the rpc_failure fault); " + who +
                     "'s heartbeats and ops kept flowing. ";
  text +=
      s.membership.policy.on_dispatch_failure == site::MembershipPolicy::OnDispatchFailure::kExpire
          ? "Under on_dispatch_failure expire, " + by + " took the failed call as proof " +
                "that " + who + " was dead, as HBase 2.1's master did (HBASE-25274)."
          : "Under on_dispatch_failure abort-and-retry, " + by +
                " only aborted that flatten attempt to retry it later: a failed call "
                "proves nothing about the member.";
  return text;
}

std::string fenced_sentence(const std::string& when, const std::string& who, const Step& step) {
  std::string text = when + ", " + who + ", still in view " + std::to_string(step.view) +
                     " of epoch " + std::to_string(step.epoch) +
                     ", learned it was no longer a member of the core's newer view (by STALE "
                     "or the view's decision, the analogue of HBase's YouAreDeadException).";
  if (step.ops > 0) {
    text += " At that moment it alone held " + ops_text(step.ops) + " that no other up site had.";
  }
  return text;
}

// One step told in a sentence, with why it happened under the scenario's policies; "" for a step
// the story does not tell.
std::string step_sentence(const Scenario& s, const Step& step) {
  const std::string who = site_name(s.topology, step.site), by = site_name(s.topology, step.by);
  const std::string when = "At " + at(step.at_us);
  const std::string epoch = std::to_string(step.epoch), view = std::to_string(step.view);
  if (step.what == "rpc-failed") return rpc_failed_sentence(s, when, by, who, step);
  if (step.what == "suspected")
    return when + ", " + by + " suspected " + who + " (" + step.detail + ").";
  if (step.what == "expelled") {
    return when + ", the remaining core committed view " + view + " without " + who + ": " + who +
           " was expelled, and view " + view + " fences it out of every vote.";
  }
  if (step.what == "fenced") return fenced_sentence(when, who, step);
  if (step.what == "halted") {
    return "Under on_expelled abort, " + who +
           " stopped for good, as the HBase region server did, and its volatile state was gone "
           "with it.";
  }
  if (step.what == "demoted") {
    return "Under on_expelled demote, " + who +
           " stopped voting but kept every op, and asked to join the core again.";
  }
  if (step.what == "catch-up-started") {
    return when + ", " + who + " began catching up from epoch " + epoch +
           ", translating the ops the flattens had not taken into each new epoch.";
  }
  if (step.what == "caught-up") {
    return when + ", " + who + " reached epoch " + epoch +
           " and sent its translated ops to the others.";
  }
  if (step.what == "join-requested")
    return when + ", " + who + " asked the coordinator to join the core.";
  if (step.what == "admitted") {
    return when + ", " + by + " committed view " + view + " with " + who + " in it (epoch " +
           epoch + ").";
  }
  if (step.what == "joined") {
    return when + ", " + who + " entered view " + view + " (epoch " + epoch + ") as a member" +
           ": it " + (step.site < s.topology.core ? "rejoined" : "joined") + " the core.";
  }
  return "";
}

// Whether a site that stopped for good is among those the lost-update violation names.
bool halted_site_lost_ops(const RunResult& r) {
  for (const Step& step : r.membership.timeline) {
    if (step.what != "halted") continue;
    const std::vector<SiteIndex>& named = r.violation->sites;
    if (std::find(named.begin(), named.end(), step.site) != named.end()) return true;
  }
  return false;
}

// How the story ends: how often, what was lost or that nothing was.
std::string story_ending(const RunResult& r, uint64_t rpc_repeats) {
  std::string end;
  if (r.membership.expulsions > 1) {
    end += " While the fault lasted, members were expelled " +
           std::to_string(r.membership.expulsions) + " times in all.";
  }
  if (rpc_repeats > 0) {
    end += " (" + std::to_string(rpc_repeats) + " more calls failed while the fault lasted.)";
  }
  if (r.violation && r.violation->invariant == Invariant::kNoLostUpdate) {
    // The checker's detail names each cause it found (a halt, a crash, a policy); the moral
    // about killing a fenced site is told only when a site that stopped for good was one.
    end += " In the end the checker found that " + r.violation->detail + ".";
    if (halted_site_lost_ops(r)) {
      end +=
          " They are lost for good: a Treedoc replica is the only copy of the edits it has "
          "not yet spread, so stopping a live but fenced site for good loses them.";
    }
  } else if (!r.violation && r.ops_lost > 0) {
    end += " " + std::to_string(r.ops_lost) +
           " ops were lost for good: no live site held them at the end (no-lost-update was not "
           "checked).";
  } else if (!r.violation) {
    end += " Nothing was lost: every op reached every live site.";
    if (r.membership.halts > 0 && r.membership.held_alone_when_fenced > 0) {
      end +=
          " What the stopped site alone held was already in flight to a member still in the "
          "old epoch, which took it in and translated it.";
    }
  }
  return end;
}

}  // namespace

std::string membership_story(const Scenario& s, const RunResult& r) {
  std::vector<std::string> sentences;
  std::set<std::pair<std::string, SiteIndex>> told;  // (step, site): each is told once
  uint64_t rpc_repeats = 0;
  for (const Step& step : r.membership.timeline) {
    if (!told.insert({step.what, step.site}).second) {
      if (step.what == "rpc-failed") ++rpc_repeats;
      continue;
    }
    std::string text = step_sentence(s, step);
    if (!text.empty()) sentences.push_back(std::move(text));
    if (sentences.size() >= kStorySentencesMax) break;
  }
  if (sentences.empty()) return "";
  std::string story;
  for (const std::string& sentence : sentences) story += (story.empty() ? "" : " ") + sentence;
  return story + story_ending(r, rpc_repeats);
}

}  // namespace treedoc::sim
