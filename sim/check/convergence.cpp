// Convergence: state hashes per claimed op set.
#include "sim/check/convergence.hpp"

namespace treedoc::sim {

Convergence::Convergence(const Scenario& scenario, const ReportText& text, Verdict* verdict)
    : text_(text),
      verdict_(verdict),
      compare_visible_only_(scenario.replication.replica.discard_tombstones),
      hash_cache_(scenario.topology.site_count()),
      checked_version_(scenario.topology.site_count(), UINT64_MAX) {}

void Convergence::forget_site(SiteIndex i) {
  hash_cache_[i] = HashCache{};
  checked_version_[i] = UINT64_MAX;
}

uint64_t Convergence::state_hash_of(SiteIndex i, const site::Site& s) {
  HashCache& c = hash_cache_[i];
  if (c.version != s.version()) {
    c.version = s.version();
    c.hash = compare_visible_only_ ? s.replica().visible_hash() : s.replica().state_hash();
  }
  return c.hash;
}

void Convergence::check(TimeUs now, const SiteViews& sites) {
  ++checks_;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    const site::Site* s = sites[i];
    if (!s || checked_version_[i] == s->version()) continue;  // only sites that changed
    checked_version_[i] = s->version();
    const SetKey set{s->epoch(), s->claimed_hash().sum, s->claimed_hash().count};
    const uint64_t hash = state_hash_of(i, *s);
    const auto [it, fresh] = state_of_set_.emplace(set, std::make_pair(hash, i));
    if (fresh) continue;
    ++comparisons_;
    if (it->second.first == hash) continue;
    report_differ(now, sites, it->second.second, i, std::get<2>(set));
    return;
  }
}

void Convergence::report_differ(TimeUs now, const SiteViews& sites, SiteIndex j, SiteIndex i,
                                uint64_t ops) {
  const site::Site& s = *sites[i];
  std::string texts;
  if (sites[j] && sites[j]->claimed_hash() == s.claimed_hash()) {
    const std::string ci = s.replica().content();
    const std::string cj = sites[j]->replica().content();
    texts = ci == cj
                ? " (same text)"
                : "; their texts first differ at byte " + std::to_string(first_difference(ci, cj)) +
                      " of " + std::to_string(ci.size()) + " and " + std::to_string(cj.size());
  } else {
    texts = " (" + text_.site(j) + " held that op set at an earlier check)";
  }
  verdict_->report({Invariant::kConvergence,
                    now,
                    {j, i},
                    {},
                    text_.site(j) + " and " + text_.site(i) + " applied the same " +
                        std::to_string(ops) + " ops of epoch " + std::to_string(s.epoch()) +
                        " but their " + (compare_visible_only_ ? "visible atoms" : "trees") +
                        " differ" + texts});
}

}  // namespace treedoc::sim
