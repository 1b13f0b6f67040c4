// A tiny deterministic network for testing models/site without SimGrid: random delay, loss and
// duplication, anti-entropy timers, crashes. Tests drive it step by step.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/random/random_stream.hpp"
#include "models/site/site.hpp"
#include "models/treedoc/run.hpp"

namespace treedoc::test {

class SiteNetwork {
 public:
  // `core_count`: the first sites form the core (the protocol's voters), the rest are nebula.
  // `tweak` may change each site's config before it boots (e.g. one site asks to join the core).
  SiteNetwork(uint64_t seed, size_t site_count, site::SiteConfig base, size_t core_count = 0,
              const std::function<void(size_t, site::SiteConfig&)>& tweak = {})
      : rng_(seed) {
    stores_.resize(site_count);
    for (size_t i = 0; i < core_count; ++i)
      base.core.push_back(static_cast<SiteId>(kSiteIdFirst + i));
    for (size_t i = 0; i < site_count; ++i) {
      site::SiteConfig c = base;
      c.id = static_cast<SiteId>(kSiteIdFirst + i);
      c.anti_entropy_offset_us = rng_.below(base.replication.anti_entropy_period_us + 1);
      if (core_count > 0) c.role = i < core_count ? site::Role::kCore : site::Role::kNebula;
      if (tweak) tweak(i, c);
      configs_.push_back(c);
    }
    sites_.resize(site_count);
    timers_.resize(site_count);
    for (size_t i = 0; i < site_count; ++i) boot(i);
  }

  double loss = 0;
  double duplicate = 0;
  // Links (from, to) that drop every message.
  std::set<std::pair<size_t, size_t>> cut;
  // Flatten-commit messages from `first` to `second` fail, and the sender is told (rpc_failure).
  std::optional<std::pair<size_t, size_t>> rpc_failure;
  // Membership steps seen so far, by kind and the site they are about.
  std::map<std::pair<site::MembershipEvent::Kind, size_t>, uint64_t> membership;
  uint64_t steps(site::MembershipEvent::Kind kind, size_t about) const {
    auto it = membership.find({kind, about});
    return it == membership.end() ? 0 : it->second;
  }
  bool halted(size_t i) const { return halted_.count(i) > 0; }
  // Every epoch entered so far, by the site that entered it.
  std::vector<std::pair<size_t, site::EpochEntered>> entered;
  // Every op a site translated into a new epoch, with the site.
  std::vector<std::pair<size_t, site::SharedOp>> translated;

  size_t size() const { return sites_.size(); }
  bool up(size_t i) const { return sites_[i] != nullptr; }
  const site::Site& site(size_t i) const { return *sites_[i]; }
  site::DurableStore& store(size_t i) { return stores_[i]; }
  site::TimeUs now() const { return now_; }
  // Every op any site made, by id (what "no lost update" compares against).
  const std::map<OpId, site::SharedOp>& made() const { return made_; }

  // A random local edit at site i (an insert when the document is empty).
  void edit(size_t i) {
    site::Site& s = *sites_[i];
    const uint32_t n = s.replica().size();
    site::Effects fx;
    if (n == 0 || rng_.chance(0.7)) {
      const char atom = static_cast<char>('a' + rng_.below(26));
      fx = s.local_insert(now_, static_cast<uint32_t>(rng_.below(n + 1)), std::string(1, atom));
    } else {
      fx = s.local_erase(now_, static_cast<uint32_t>(rng_.below(n)));
    }
    for (const site::SharedOp& op : fx.observed.applied) made_.emplace(op->id, op);
    handle(i, std::move(fx));
  }

  // Site i pastes `count` random atoms at a random index: one run op.
  void paste(size_t i, uint32_t count) {
    site::Site& s = *sites_[i];
    std::string bytes;
    for (uint32_t k = 0; k < count; ++k) bytes += static_cast<char>('a' + rng_.below(26));
    std::vector<std::string_view> atoms;
    for (uint32_t k = 0; k < count; ++k) atoms.push_back(std::string_view(bytes).substr(k, 1));
    const auto index = static_cast<uint32_t>(rng_.below(s.replica().size() + 1));
    site::Effects fx = s.local_insert_run(now_, index, atoms);
    for (const site::SharedOp& op : fx.observed.applied) {
      for (Op& m : expand_run(*op)) made_.emplace(m.id, std::make_shared<const Op>(std::move(m)));
    }
    handle(i, std::move(fx));
  }

  void crash(size_t i) {
    sites_[i].reset();
    timers_[i].clear();
  }
  void boot(size_t i) {
    if (halted(i)) return;  // stopped for good
    sites_[i] = std::make_unique<site::Site>(configs_[i], &stores_[i], &archive_);
    timers_[i].clear();
    handle(i, sites_[i]->start(now_));
  }

  // Advances time by `duration_us`, delivering messages and firing timers in time order.
  void run_for(site::TimeUs duration_us) {
    const site::TimeUs end = now_ + duration_us;
    while (true) {
      site::TimeUs next = end;
      if (!in_flight_.empty()) next = std::min(next, in_flight_.begin()->first.due);
      for (const auto& timers : timers_) {
        for (const auto& [kind, t] : timers) next = std::min(next, t);
      }
      if (!failed_.empty()) next = now_;  // failed dispatches are reported at once
      if (next >= end) break;
      now_ = next;
      while (!failed_.empty()) {
        const Failed f = failed_.front();
        failed_.erase(failed_.begin());
        if (sites_[f.from]) {
          handle(f.from, sites_[f.from]->on_dispatch_failed(
                             now_, static_cast<SiteId>(kSiteIdFirst + f.to), *f.message));
        }
      }
      for (size_t i = 0; i < sites_.size(); ++i) {
        std::vector<site::TimerKind> due;
        for (const auto& [kind, t] : timers_[i]) {
          if (t <= now_) due.push_back(kind);
        }
        for (site::TimerKind kind : due) {
          timers_[i].erase(kind);
          if (sites_[i]) handle(i, sites_[i]->on_timer(now_, kind));
        }
      }
      while (!in_flight_.empty() && in_flight_.begin()->first.due <= now_) {
        auto node = in_flight_.extract(in_flight_.begin());
        const size_t to = node.key().to;
        if (sites_[to]) handle(to, sites_[to]->on_message(now_, *node.mapped()));
      }
    }
    now_ = end;
  }

  const std::set<OpId>& lost_by_policy() const { return lost_by_policy_; }

  // Whether every up site is in the same epoch with the same claimed set and the same tree.
  bool converged() const {
    const site::Site* first = nullptr;
    for (const auto& s : sites_) {
      if (!s) continue;
      if (s->catching_up() || s->in_commit()) return false;
      if (!first) {
        first = s.get();
      } else if (s->epoch() != first->epoch() || !(s->claimed() == first->claimed()) ||
                 s->replica().state_hash() != first->replica().state_hash()) {
        return false;
      }
    }
    return true;
  }

 private:
  struct Key {
    site::TimeUs due;
    uint64_t seq;
    size_t to;
    friend auto operator<=>(const Key&, const Key&) = default;
  };

  void send(size_t from, size_t to, const site::SharedMessage& m) {
    if (m->kind == site::MessageKind::kCommit && rpc_failure &&
        *rpc_failure == std::pair<size_t, size_t>{from, to}) {
      failed_.push_back({from, to, m});
      return;
    }
    if (cut.count({from, to})) return;
    if (rng_.chance(loss)) return;
    in_flight_.emplace(Key{now_ + 1 + rng_.below(50'000), seq_++, to}, m);
    if (rng_.chance(duplicate))
      in_flight_.emplace(Key{now_ + 1 + rng_.below(50'000), seq_++, to}, m);
  }

  void handle(size_t from, site::Effects fx) {
    for (const site::Rejection& r : fx.observed.rejected) {
      FAIL("site " << from << " rejected op " << to_string(*r.op) << ": " << to_string(r.outcome));
    }
    for (const site::Outgoing& out : fx.commands.sends) {
      std::vector<size_t> peers;
      for (size_t j = 0; j < sites_.size(); ++j) {
        if (j != from) peers.push_back(j);
      }
      switch (out.to.kind) {
        case site::Destination::Kind::kSite:
          send(from, out.to.site - kSiteIdFirst, out.message);
          break;
        case site::Destination::Kind::kAllPeers:
          for (size_t j : peers) send(from, j, out.message);
          break;
        case site::Destination::Kind::kRandomPeers:
          for (uint32_t k = 0; k < out.to.count && !peers.empty(); ++k) {
            const size_t pick = rng_.below(peers.size());
            send(from, peers[pick], out.message);
            peers.erase(peers.begin() + static_cast<std::ptrdiff_t>(pick));
          }
          break;
      }
    }
    for (const site::TimerRequest& t : fx.commands.timers) timers_[from][t.kind] = t.at_us;
    for (const site::SharedOp& op : fx.observed.lost_by_policy) lost_by_policy_.insert(op->id);
    for (const site::SharedOp& op : fx.observed.translated) translated.emplace_back(from, op);
    for (site::EpochEntered& e : fx.observed.epochs_entered)
      entered.emplace_back(from, std::move(e));
    for (const site::MembershipEvent& e : fx.observed.membership)
      ++membership[{e.kind, e.site - kSiteIdFirst}];
    if (fx.commands.halt) {
      halted_.insert(from);
      crash(from);
    }
  }

  struct Failed {
    size_t from, to;
    site::SharedMessage message;
  };
  std::vector<Failed> failed_;
  std::set<size_t> halted_;

  RandomStream rng_;
  std::vector<site::SiteConfig> configs_;
  std::vector<site::DurableStore> stores_;
  site::EpochArchive archive_;
  std::vector<std::unique_ptr<site::Site>> sites_;
  std::vector<std::map<site::TimerKind, site::TimeUs>> timers_;  // per site, one per kind
  std::set<OpId> lost_by_policy_;
  std::map<Key, site::SharedMessage> in_flight_;
  std::map<OpId, site::SharedOp> made_;
  site::TimeUs now_ = 0;
  uint64_t seq_ = 0;
};

// The inserts made anywhere and deleted nowhere, minus those lost by policy, sorted.
inline std::vector<OpId> surviving(const SiteNetwork& net) {
  std::set<OpId> deleted;
  for (const auto& [id, op] : net.made()) {
    if (!op->is_insert()) deleted.insert(op->target);
  }
  std::vector<OpId> out;
  for (const auto& [id, op] : net.made()) {
    if (op->is_insert() && !deleted.count(id) && !net.lost_by_policy().count(id)) out.push_back(id);
  }
  return out;
}

inline std::vector<OpId> visible_ids(const site::Site& s) {
  std::vector<OpId> ids;
  for (const auto& [id, atom] : s.replica().visible_atoms()) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace treedoc::test
