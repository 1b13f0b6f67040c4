// CatchUpRecords: a record per catch-up, its cost summed from the sends and epochs it caused.
#include "sim/observe/catch_up_records.hpp"

#include <algorithm>
#include <utility>

#include "models/treedoc/assertion.hpp"

namespace treedoc::sim {

void CatchUpRecords::on_epoch_entered(TimeUs /*now*/, const EpochEnteredAt& entered) {
  TD_ASSERT(entered.site < open_.size(), "a site that exists");
  if (entered.entered.catch_up) open_[entered.site].ops_translated += entered.entered.translated;
}

void CatchUpRecords::on_send(TimeUs /*now*/, const MessageSent& sent) {
  using Kind = site::MessageKind;
  SiteIndex behind = 0;
  if (sent.kind == Kind::kHello) {
    behind = sent.from;
  } else if (sent.kind == Kind::kCut || sent.kind == Kind::kState) {
    behind = sent.to;
  } else {
    return;
  }
  TD_ASSERT(behind < open_.size(), "a site that exists");
  ++open_[behind].messages;
  open_[behind].bytes += sent.bytes;
}

void CatchUpRecords::on_caught_up(TimeUs now, const CatchUpEnded& ended) {
  TD_ASSERT(ended.site < open_.size(), "a site that exists");
  TD_ASSERT(ended.took_us <= now && ended.from_epoch <= ended.to_epoch,
            "a catch-up ends after it starts");
  const Open spent = std::exchange(open_[ended.site], {});
  last_ = {ended.site,           now - ended.took_us, now,        ended.from_epoch, ended.to_epoch,
           spent.ops_translated, spent.messages,      spent.bytes};
  ++totals_.count;
  totals_.took_us_total += ended.took_us;
  totals_.took_us_max = std::max(totals_.took_us_max, ended.took_us);
  totals_.bytes_total += spent.bytes;
  totals_.bytes_max = std::max(totals_.bytes_max, spent.bytes);
  if (records_.size() >= kRecordsMax) {
    ++dropped_;
    return;
  }
  records_.push_back(last_);
}

}  // namespace treedoc::sim
