// Each catch-up of a run as one record: which site, from when to when, from which epoch to which,
// the ops it translated and the bytes its HELLOs and the CUTs and STATEs sent to it took
// (summary.json's "catch_ups", the typed trace and treedoc-sim explain).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/observe/run_observer.hpp"

namespace treedoc::sim {

struct CatchUpRecord {
  SiteIndex site = 0;
  TimeUs start_us = 0, end_us = 0;  // the first HELLO, and reaching the newest epoch known
  uint64_t from_epoch = 0, to_epoch = 0;
  uint64_t ops_translated = 0;  // by the epochs it entered by catch-up
  uint64_t messages = 0;        // HELLOs it sent, CUTs and STATEs sent to it
  uint64_t bytes = 0;           // ... and their encoded size
};

// Over every catch-up of the run, kept as a record or not.
struct CatchUpTotals {
  uint64_t count = 0;
  TimeUs took_us_total = 0, took_us_max = 0;
  uint64_t bytes_total = 0, bytes_max = 0;
};

class CatchUpRecords final : public RunObserver {
 public:
  // A run keeps its first this many records; the rest are counted (a 1,000-site run that
  // partitions often would otherwise hold one per site per epoch).
  static constexpr size_t kRecordsMax = 10'000;

  explicit CatchUpRecords(SiteIndex sites) : open_(sites) {}

  const std::vector<CatchUpRecord>& records() const { return records_; }
  uint64_t records_dropped() const { return dropped_; }
  const CatchUpTotals& totals() const { return totals_; }
  // The catch-up that ended last, kept or not.
  const CatchUpRecord& last() const { return last_; }

  void on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) override;
  void on_send(TimeUs now, const MessageSent& sent) override;
  void on_caught_up(TimeUs now, const CatchUpEnded& ended) override;

 private:
  // What a site's catch-up in progress has cost so far: only a catch-up sends HELLO, and CUT and
  // STATE answer one, so everything between two ends belongs to the second.
  struct Open {
    uint64_t ops_translated = 0, messages = 0, bytes = 0;
  };
  std::vector<Open> open_;  // per site
  std::vector<CatchUpRecord> records_;
  uint64_t dropped_ = 0;
  CatchUpRecord last_;
  CatchUpTotals totals_;
};

}  // namespace treedoc::sim
