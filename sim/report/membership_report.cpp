// Membership steps as summary.json, summary lines and a story (issue 5: "the summary explains in
// one paragraph a student can follow what happened, in the order it happened").
#include "sim/report/membership_report.hpp"

#include <cinttypes>
#include <cstdio>
#include <set>
#include <utility>

namespace treedoc::sim {

namespace {

// Timeline steps the human summary lists; summary.json has them all.
constexpr size_t kPrintedStepsMax = 24;
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

void print_membership(const Scenario& s, const RunResult& r) {
  const MembershipStats& m = r.membership;
  std::printf("members   %" PRIu64 " failed RPCs, %" PRIu64 " suspicions (%" PRIu64
              " wrong), %" PRIu64 " expelled, %" PRIu64 " halted, %" PRIu64 " demoted, %" PRIu64
              " joined (on_dispatch_failure %s, on_expelled %s)\n",
              m.rpc_failures, m.suspicions, m.wrong_suspicions, m.expulsions, m.halts, m.demotions,
              m.joins, dispatch_policy(s), expelled_policy(s));
  for (size_t k = 0; k < m.timeline.size() && k < kPrintedStepsMax; ++k) {
    const Step& step = m.timeline[k];
    std::printf("  %10s  %-4s %-16s %-4s epoch %" PRIu64 ", view %" PRIu64 "%s%s\n",
                at(step.at_us).c_str(), site_name(s.topology, step.by).c_str(), step.what.c_str(),
                site_name(s.topology, step.site).c_str(), step.epoch, step.view,
                step.detail.empty() ? "" : "; ", step.detail.c_str());
  }
  if (m.timeline.size() > kPrintedStepsMax) {
    std::printf("  ... %zu more steps in summary.json\n", m.timeline.size() - kPrintedStepsMax);
  }
}

std::string membership_story(const Scenario& s, const RunResult& r) {
  const auto name = [&](SiteIndex i) { return site_name(s.topology, i); };
  std::vector<std::string> sentences;
  std::set<std::pair<std::string, SiteIndex>> told;  // (step, site): each is told once
  uint64_t rpc_repeats = 0;
  for (const Step& step : r.membership.timeline) {
    if (!told.insert({step.what, step.site}).second) {
      if (step.what == "rpc-failed") ++rpc_repeats;
      continue;
    }
    const std::string who = name(step.site), by = name(step.by), when = "At " + at(step.at_us);
    std::string text;
    if (step.what == "rpc-failed") {
      text = when + ", " + by + "'s flatten request to " + who + " failed with " +
             rpc_error_text(step.detail) + " (the rpc_failure fault); " + who +
             "'s heartbeats and ops kept flowing. ";
      text += s.membership.policy.on_dispatch_failure ==
                      site::MembershipPolicy::OnDispatchFailure::kExpire
                  ? "Under on_dispatch_failure expire, " + by + " took the failed call as proof " +
                        "that " + who + " was dead, as HBase 2.1's master did (HBASE-25274)."
                  : "Under on_dispatch_failure abort-and-retry, " + by +
                        " only aborted that flatten attempt to retry it later: a failed call "
                        "proves nothing about the member.";
    } else if (step.what == "suspected") {
      text = when + ", " + by + " suspected " + who + " (" + step.detail + ").";
    } else if (step.what == "expelled") {
      text = when + ", the remaining core committed a flatten that starts epoch " +
             std::to_string(step.epoch) + " with view " + std::to_string(step.view) + " without " +
             who + ": " + who + " was expelled, and epoch " + std::to_string(step.epoch) +
             " fences it out.";
    } else if (step.what == "fenced") {
      text = when + ", " + who + ", still in epoch " + std::to_string(step.epoch) +
             ", was told its epoch was over and it was no longer a member (STALE from a newer "
             "view, the analogue of HBase's YouAreDeadException).";
      if (step.ops > 0) {
        text +=
            " At that moment it alone held " + ops_text(step.ops) + " that no other up site had.";
      }
    } else if (step.what == "halted") {
      text = "Under on_expelled abort, " + who +
             " stopped for good, as the HBase region server did, and its volatile state was "
             "gone with it.";
    } else if (step.what == "demoted") {
      text = "Under on_expelled demote, " + who +
             " stopped voting but kept its state, to catch up as a nebula site.";
    } else if (step.what == "catch-up-started") {
      text = when + ", " + who + " began catching up from epoch " + std::to_string(step.epoch) +
             ", translating the ops the flattens had not taken into each new epoch.";
    } else if (step.what == "caught-up") {
      text = when + ", " + who + " reached epoch " + std::to_string(step.epoch) +
             " and sent its translated ops to the others.";
    } else if (step.what == "join-requested") {
      text = when + ", " + who + " asked the coordinator to join the core.";
    } else if (step.what == "admitted") {
      text = when + ", " + by + " committed view " + std::to_string(step.view) + " with " + who +
             " in it (epoch " + std::to_string(step.epoch) + ").";
    } else if (step.what == "joined") {
      text = when + ", " + who + " entered epoch " + std::to_string(step.epoch) +
             " as a member of view " + std::to_string(step.view) + ": it " +
             (step.site < s.topology.core ? "rejoined" : "joined") + " the core.";
    }
    if (!text.empty()) sentences.push_back(std::move(text));
    if (sentences.size() >= kStorySentencesMax) break;
  }
  if (sentences.empty()) return "";
  std::string story;
  for (const std::string& sentence : sentences) story += (story.empty() ? "" : " ") + sentence;
  if (r.membership.expulsions > 1) {
    story += " While the fault lasted, members were expelled " +
             std::to_string(r.membership.expulsions) + " times in all.";
  }
  if (rpc_repeats > 0) {
    story += " (" + std::to_string(rpc_repeats) + " more calls failed while the fault lasted.)";
  }
  if (r.violation && r.violation->invariant == Invariant::kNoLostUpdate) {
    story += " In the end the checker found ops no live site held: " + r.violation->detail +
             ". They are lost for good: a Treedoc replica is the only copy of the edits it has "
             "not yet spread, so killing a live but fenced site loses them.";
  } else if (!r.violation) {
    story += " Nothing was lost: every op reached every live site.";
    if (r.membership.halts > 0 && r.membership.held_alone_when_fenced > 0) {
      story +=
          " What the stopped site alone held was already in flight to a member still in the "
          "old epoch, which took it in and translated it.";
    }
  }
  return story;
}

}  // namespace treedoc::sim
