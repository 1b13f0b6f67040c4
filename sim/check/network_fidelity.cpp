// Network fidelity: each message's fate against the checker's own replay of the scenario's faults.
#include "sim/check/network_fidelity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "sim/base/time_text.hpp"

namespace treedoc::sim {
namespace {

// How far from its binomial mean a count may fall: six standard deviations, plus a little for
// small samples, so that no honest run of any seed comes near it.
constexpr double kSigmas = 6;
constexpr double kSlack = 3;
// Jitter below which two latency draws agree too often to tell a shared draw from chance.
constexpr TimeUs kJitterUsMinForCoincidence = 100;

std::string rate_text(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", p);
  return buf;
}

}  // namespace

NetworkFidelity::NetworkFidelity(const Scenario& scenario, const ReportText& text, Verdict* verdict)
    : scenario_(scenario),
      text_(text),
      verdict_(verdict),
      safety_end_us_(scenario.phases.safety_us),
      bursts_(scenario.topology.site_count()) {
  const uint32_t n = scenario.topology.site_count();
  links_.push_back({0, std::vector<uint32_t>(n, 0), {}});
  for (const FaultEvent& f : scenario.faults) replay(f);
  // The liveness phase: every partition and cut heals when the safety phase ends.
  Links& healed = links_from(safety_end_us_);
  std::fill(healed.group.begin(), healed.group.end(), 0);
  healed.cuts.clear();
}

NetworkFidelity::Links& NetworkFidelity::links_from(TimeUs at) {
  if (links_.back().from_us != at) {
    Links next = links_.back();
    next.from_us = at;
    links_.push_back(std::move(next));
  }
  return links_.back();
}

void NetworkFidelity::replay(const FaultEvent& f) {
  const uint32_t n = scenario_.topology.site_count();
  const TimeUs ends_us = std::min(f.at_us + f.duration_us, safety_end_us_);
  if (f.verb == FaultVerb::kPartition) {
    Links& l = links_from(f.at_us);
    std::fill(l.group.begin(), l.group.end(), 0);
    for (uint32_t g = 0; g < f.groups.size(); ++g) {
      for (SiteIndex i : f.groups[g]) l.group[i] = g + 1;
    }
  } else if (f.verb == FaultVerb::kCut) {
    std::vector<bool> from(n, false), to(n, false);
    for (SiteIndex i : f.from) from[i] = true;
    for (SiteIndex i : f.to) to[i] = true;
    links_from(f.at_us).cuts.emplace_back(std::move(from), std::move(to));
  } else if (f.verb == FaultVerb::kHeal) {
    Links& l = links_from(f.at_us);
    std::fill(l.group.begin(), l.group.end(), 0);
    l.cuts.clear();
  } else if (f.verb == FaultVerb::kLossBurst) {
    for (SiteIndex i : f.sites) bursts_[i].push_back({f.at_us, ends_us, f.loss, 0, 0});
  } else if (f.verb == FaultVerb::kRpcFailure) {
    for (SiteIndex a : f.from) {
      for (SiteIndex b : f.to) rpc_failures_.push_back({f.at_us, ends_us, 0, a, b});
    }
  }
}

DropReason NetworkFidelity::expected(SiteIndex src, SiteIndex dst, TimeUs t) const {
  auto it = std::upper_bound(links_.begin(), links_.end(), t,
                             [](TimeUs x, const Links& l) { return x < l.from_us; });
  const Links& l = *(it - 1);
  if (l.group[src] != l.group[dst]) return DropReason::kPartition;
  for (const auto& [from, to] : l.cuts) {
    if (from[src] && to[dst]) return DropReason::kCut;
  }
  return DropReason::kNone;
}

double NetworkFidelity::loss_rate(SiteIndex src, SiteIndex dst, TimeUs t) const {
  double p = scenario_.network.loss;
  for (SiteIndex s : {src, dst}) {
    for (const Window& w : bursts_[s]) {
      if (w.from_us <= t && t < w.to_us) p = std::max(p, w.loss);
    }
  }
  return p;
}

bool NetworkFidelity::under_rpc_failure(SiteIndex src, SiteIndex dst, TimeUs t) const {
  return std::any_of(rpc_failures_.begin(), rpc_failures_.end(), [&](const Window& w) {
    return w.from == src && w.to == dst && w.from_us <= t && t < w.to_us;
  });
}

void NetworkFidelity::judge(TimeUs now, SiteIndex src, SiteIndex dst, DropReason got,
                            DropReason want, const char* when) {
  const auto reach = [](DropReason r) {
    return r == DropReason::kPartition || r == DropReason::kCut;
  };
  // A message to a halted site is dropped as such whatever the links say.
  if (got == want || (!reach(got) && !reach(want)) || got == DropReason::kSiteDown) return;
  verdict_->report({Invariant::kNetworkFidelity,
                    now,
                    {src, dst},
                    {},
                    "a message from " + text_.site(src) + " to " + text_.site(dst) + " " + when +
                        " at " + seconds_text(now) + " was " +
                        (got == DropReason::kNone ? "let through" : to_string(got)) +
                        "; the scenario's faults say " +
                        (want == DropReason::kNone ? "it could pass" : to_string(want))});
}

void NetworkFidelity::sent(TimeUs now, const MessageSent& m) {
  judge(now, m.from, m.to, m.fate.drop, expected(m.from, m.to, now), "sent");
  const bool drawn = m.fate.drop == DropReason::kNone || m.fate.drop == DropReason::kLoss;
  // Flatten messages under an rpc_failure are failed only when the draws let them through, so
  // they would bias the count: they are left out.
  if (!drawn || (m.kind == site::MessageKind::kCommit && under_rpc_failure(m.from, m.to, now)))
    return;
  Tally& t = losses_[loss_rate(m.from, m.to, now)];
  ++t.trials;
  if (m.fate.drop == DropReason::kLoss) {
    ++t.hits;
    return;
  }
  ++duplicates_.trials;
  if (m.fate.copies != 2) return;
  ++duplicates_.hits;
  copies_apart(m);
}

void NetworkFidelity::copies_apart(const MessageSent& m) {
  // A duplicate's copy has its own delay (docs/scenarios.md, network.duplicate): under uniform
  // jitter two draws agree to the microsecond with chance 1 / (jitter + 1). Links whose cap can
  // clip both draws to one value are left out.
  const LatencyClass& c = latency_class(scenario_.topology, m.from, m.to);
  if (c.jitter != LatencyClass::Jitter::kUniform || c.jitter_us < kJitterUsMinForCoincidence ||
      c.base_us + c.jitter_us >= c.latency_us_max) {
    return;
  }
  const double p = 1.0 / static_cast<double>(c.jitter_us + 1);
  ++same_instant_.trials;
  same_instant_.mean += p;
  same_instant_.variance += p * (1 - p);
  if (m.fate.due_us[0] == m.fate.due_us[1]) ++same_instant_.hits;
}

void NetworkFidelity::dropped(TimeUs now, const MessageDropped& m) {
  if (m.reason != DropReason::kPartition && m.reason != DropReason::kCut) return;
  judge(now, m.from, m.to, m.reason, expected(m.from, m.to, now), "arriving");
}

void NetworkFidelity::delivered(TimeUs now, const MessageDelivered& m) {
  judge(now, m.from, m.to, DropReason::kNone, expected(m.from, m.to, now), "arriving");
}

void NetworkFidelity::judge_rate(TimeUs end_us, const char* what, const char* done, double p,
                                 const Tally& t) {
  const double n = static_cast<double>(t.trials);
  const double mean = n * p;
  const double spread = p <= 0 || p >= 1 ? 0 : kSigmas * std::sqrt(mean * (1 - p)) + kSlack;
  const double got = static_cast<double>(t.hits);
  if (std::fabs(got - mean) <= spread) return;
  verdict_->report_at_end({Invariant::kNetworkFidelity,
                           end_us,
                           {},
                           {},
                           std::to_string(t.hits) + " of " + std::to_string(t.trials) +
                               " messages under a " + what + " rate of " + rate_text(p) + " were " +
                               done + "; expected " + rate_text(mean) + " +- " +
                               rate_text(spread)});
}

void NetworkFidelity::finish(TimeUs end_us) {
  for (const auto& [p, t] : losses_) judge_rate(end_us, "loss", "lost", p, t);
  judge_rate(end_us, "duplication", "duplicated", scenario_.network.duplicate, duplicates_);
  const Coincidences& s = same_instant_;
  const double bound = s.mean + kSigmas * std::sqrt(s.variance) + kSlack;
  if (static_cast<double>(s.hits) <= bound) return;
  verdict_->report_at_end({Invariant::kNetworkFidelity,
                           end_us,
                           {},
                           {},
                           std::to_string(s.hits) + " of " + std::to_string(s.trials) +
                               " duplicated messages had both copies due at one instant; " +
                               "independent latency draws expect " + rate_text(s.mean) +
                               ", at most " + rate_text(bound)});
}

}  // namespace treedoc::sim
