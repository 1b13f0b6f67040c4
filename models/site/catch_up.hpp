// How a site behind the core's epoch catches up (docs/protocol.md, "Catch-up"): which epoch it
// knows to be newest, since when and from which epoch it has been catching up, which core member
// it asks next (in turn, so one that is down or behind gets a retry elsewhere), and the ops of
// newer epochs it holds until it reaches them. The site does the epoch transitions themselves;
// this keeps the progress. Sans-I/O.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/site/flatten_commit.hpp"
#include "models/site/message.hpp"
#include "models/site/time_us.hpp"

namespace treedoc::site {

// Messages of newer epochs held until catch-up reaches them; beyond, anti-entropy repairs.
inline constexpr size_t kBufferedMessagesMax = 4096;

class CatchUp {
 public:
  explicit CatchUp(SiteId self) : self_(self) {}

  bool active() const { return active_; }
  // Some message showed that `epoch` exists.
  void learn(uint64_t epoch) { newest_known_ = std::max(newest_known_, epoch); }
  // Whether an epoch newer than `epoch` is known.
  bool behind(uint64_t epoch) const { return newest_known_ > epoch; }
  // Starts catching up from `epoch`; false when it already is.
  bool begin(uint64_t epoch, TimeUs now);
  // The member to ask next, in turn, never this site; none (a core of one, itself): it stops.
  std::optional<SiteId> next_member(const Members& members);
  // Holds a message of a newer epoch (ops only, up to kBufferedMessagesMax).
  void hold(const Message& message);
  // The site entered `epoch`: the held messages of it, in arrival order; older ones are moot.
  std::vector<SharedMessage> release(uint64_t epoch);
  // The site reached the newest epoch it knows: how long it took, from which epoch and across
  // how many.
  struct Finished {
    TimeUs took_us = 0;
    uint64_t epochs_crossed = 0;
    uint64_t from_epoch = 0;
  };
  std::optional<Finished> finish(uint64_t epoch, TimeUs now);

 private:
  SiteId self_;
  bool active_ = false;
  uint64_t newest_known_ = 0;  // the newest epoch any message has shown this site
  uint64_t from_epoch_ = 0;
  TimeUs started_us_ = 0;
  uint64_t turn_ = 0;  // rotates HELLO among the core members
  std::vector<SharedMessage> held_;
};

}  // namespace treedoc::site
