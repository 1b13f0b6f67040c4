// One Treedoc site as a sans-I/O state machine: local edits become ops, ops spread by broadcast or
// epidemic push, and periodic digest exchange (anti-entropy) repairs whatever the network lost.
// Messages in, effects out; no clock, no randomness, no I/O (docs: architecture, "models/").
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "models/site/durable_store.hpp"
#include "models/site/effects.hpp"
#include "models/site/message.hpp"
#include "models/site/op_archive.hpp"
#include "models/site/site_config.hpp"
#include "models/treedoc/replica.hpp"

namespace treedoc::site {

// Ops per anti-entropy repair message: a digest far behind gets several rounds, not one huge reply.
inline constexpr uint64_t kRepairOpsPerMessageMax = 1024;
// The test-only sabotages strike every Nth op.
inline constexpr uint64_t kSabotageDropEvery = 100;
inline constexpr uint64_t kSabotageReuseTidEvery = 10;

class Site {
 public:
  // `store` is the site's durable state; it must outlive the site (it survives crashes).
  // `archive` holds every op of the run, shared by all sites; it must outlive them.
  Site(const SiteConfig& config, DurableStore* store, OpArchive* archive);

  // Rebuilds the replica from the durable store and arms the anti-entropy timer. Call once, first;
  // the rebuilt ops are reported as applied.
  Effects start(TimeUs now);
  // A user edit at a visible index (0 <= index <= size for insert, < size for erase).
  Effects local_insert(TimeUs now, uint32_t index, std::string_view atom, uint32_t width = 1);
  Effects local_erase(TimeUs now, uint32_t index);
  // An op a user agent made against its own view of the document (a trace-driven workload): the
  // site applies it, logs it and spreads it as one of its own.
  Effects local_agent_op(TimeUs now, const SharedOp& op);
  Effects on_message(TimeUs now, const Message& message);
  Effects on_timer(TimeUs now, TimerKind kind);

  const SiteConfig& config() const { return config_; }
  SiteId id() const { return config_.id; }
  const Replica& replica() const { return replica_; }
  // The ops the site counts as applied: its replica's `seen`, unless a sabotage makes it lie.
  const DotSet& claimed() const {
    return config_.sabotage == Sabotage::kNone ? replica_.seen() : claimed_;
  }
  const OpSetHash& claimed_hash() const { return claimed_hash_; }
  // Changes whenever the replica or the claimed set does: lets observers cache per-state work.
  uint64_t version() const { return version_; }

 private:
  // Logs and claims a new op (applied or, under sabotage, only claimed).
  void claim(const SharedOp& op, Effects* fx);
  Effects local_op(Op op);
  Effects own_op(const SharedOp& op);
  std::shared_ptr<Message> new_message(MessageKind kind) const;
  std::shared_ptr<Message> new_digest(bool wants_reply);
  void spread(std::vector<SharedOp> ops, Effects* fx) const;
  void on_ops(const Message& message, Effects* fx);
  void on_digest(const Message& message, Effects* fx);
  std::shared_ptr<const DotSet> digest_snapshot();

  SiteConfig config_;
  DurableStore* store_;
  OpArchive* archive_;
  Replica replica_;
  DotSet claimed_;  // only under a sabotage: what the site says it applied
  OpSetHash claimed_hash_;
  std::shared_ptr<const DotSet> snapshot_;  // claimed_ as of the last digest, if unchanged since
  uint64_t version_ = 0;
  uint64_t remote_ops_received_ = 0;  // sabotage kDropEveryHundredthRemoteOp counts these
  uint64_t local_inserts_ = 0;        // sabotage kReuseTid counts these
  Tid previous_insert_tid_;
  bool started_ = false;
};

}  // namespace treedoc::site
