// CatchUp: the progress of one site's catching up.
#include "models/site/catch_up.hpp"

namespace treedoc::site {

bool CatchUp::begin(uint64_t epoch, TimeUs now) {
  if (active_) return false;
  active_ = true;
  from_epoch_ = epoch;
  started_us_ = now;
  return true;
}

std::optional<SiteId> CatchUp::next_member(const Members& members) {
  for (size_t k = 0; k < members->size(); ++k) {
    const SiteId member = (*members)[turn_++ % members->size()];
    if (member != self_) return member;
  }
  active_ = false;  // a core of one, and it is this site: nobody to ask
  return std::nullopt;
}

void CatchUp::hold(const Message& message) {
  if (message.kind == MessageKind::kOps && held_.size() < kBufferedMessagesMax) {
    held_.push_back(std::make_shared<const Message>(message));
  }
}

std::vector<SharedMessage> CatchUp::release(uint64_t epoch) {
  std::vector<SharedMessage> waiting, ready;
  for (SharedMessage& m : held_) {
    if (m->epoch == epoch) {
      ready.push_back(std::move(m));
    } else if (m->epoch > epoch) {
      waiting.push_back(std::move(m));
    }
  }
  held_ = std::move(waiting);
  return ready;
}

std::optional<CatchUp::Finished> CatchUp::finish(uint64_t epoch, TimeUs now) {
  if (!active_) return std::nullopt;
  active_ = false;
  return Finished{now - started_us_, epoch - from_epoch_, from_epoch_};
}

}  // namespace treedoc::site
