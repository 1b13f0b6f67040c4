// Invariant 21: every state transfer answers a HELLO from beyond the retention bound.
#include "sim/check/state_transfers.hpp"

#include <string>

namespace treedoc::sim {

StateTransfers::StateTransfers(const Scenario& scenario, const std::vector<uint64_t>& entered_epoch,
                               const ReportText& text, Verdict* verdict)
    : retention_epochs_(scenario.protocol.epochs.retention_epochs),
      entered_epoch_(entered_epoch),
      text_(text),
      verdict_(verdict) {}

void StateTransfers::sent(TimeUs now, const MessageSent& sent) {
  if (sent.kind == site::MessageKind::kHello) {
    hello_epoch_[{sent.from, sent.seq}] = entered_epoch_.at(sent.from);
    return;
  }
  if (sent.kind != site::MessageKind::kState || verdict_->failed()) return;
  // A STATE is sent only while its member handles a HELLO (docs/protocol.md §4 step 2), so the
  // last HELLO it received from the asker is the one it answers.
  const auto asked = asked_epoch_.find({sent.from, sent.to});
  const uint64_t mine = entered_epoch_.at(sent.from);
  if (asked != asked_epoch_.end() && mine > asked->second + retention_epochs_) return;
  const std::string why = asked == asked_epoch_.end()
                              ? "no HELLO from it had arrived"
                              : "it asked from epoch " + std::to_string(asked->second) +
                                    ", within the retention bound (" +
                                    std::to_string(retention_epochs_) + " epochs): a CUT would do";
  verdict_->report({Invariant::kForcedStateTransfer,
                    now,
                    {sent.from, sent.to},
                    {},
                    text_.site(sent.from) + " in epoch " + std::to_string(mine) +
                        " sent a STATE to " + text_.site(sent.to) + " though " + why});
}

void StateTransfers::delivered(const MessageDelivered& delivered) {
  const auto hello = hello_epoch_.find({delivered.from, delivered.seq});
  if (hello == hello_epoch_.end()) return;
  asked_epoch_[{delivered.to, delivered.from}] = hello->second;
}

}  // namespace treedoc::sim
