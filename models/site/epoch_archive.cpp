// EpochArchive: per-epoch storage, and flatten(C) computed once per ending.
#include "models/site/epoch_archive.hpp"

#include "models/treedoc/assertion.hpp"

namespace treedoc::site {

namespace {
// Epochs a run may have: one per committed flatten. Far beyond any scenario's length.
constexpr uint64_t kEpochsMax = 1'000'000;
}  // namespace

EpochArchive::EpochArchive() {
  epochs_.resize(1);
  epochs_[0].base = std::make_shared<const std::vector<FlatAtom>>();
}

OpArchive& EpochArchive::ops(uint64_t epoch) {
  TD_ASSERT(epoch < kEpochsMax, "epoch within bounds");
  if (epoch >= epochs_.size()) epochs_.resize(epoch + 1);
  return epochs_[epoch].ops;
}

const OpArchive* EpochArchive::find_ops(uint64_t epoch) const {
  return epoch < epochs_.size() ? &epochs_[epoch].ops : nullptr;
}

const std::shared_ptr<const std::vector<FlatAtom>>& EpochArchive::base(uint64_t epoch) const {
  TD_ASSERT(epoch < epochs_.size() && epochs_[epoch].base, "the base of an epoch that began");
  return epochs_[epoch].base;
}

const std::shared_ptr<const EpochEnding>& EpochArchive::ending(uint64_t epoch) const {
  static const std::shared_ptr<const EpochEnding> kNone;
  return epoch < epochs_.size() ? epochs_[epoch].ending : kNone;
}

std::shared_ptr<const FlattenResult> EpochArchive::end_epoch(const EpochEnding& ending) {
  TD_ASSERT(ending.cut != nullptr, "an ending carries its cut");
  ops(ending.epoch + 1);  // makes room for both epochs
  Epoch& e = epochs_[ending.epoch];
  TD_ASSERT(e.base != nullptr, "only an epoch that began can end");
  if (e.ending) {
    const bool same = e.ending->txid == ending.txid && e.ending->hash == ending.hash &&
                      *e.ending->cut == *ending.cut;
    return same ? e.flattened : nullptr;
  }
  // flatten(C) from ops (docs/protocol.md correction 2): the base atoms, which carry their TIDs
  // implicitly, and the cut's ops as this epoch logged them.
  std::vector<Op> cut_ops;
  uint64_t cut_atoms = 0;
  for (const SharedOp& op : e.ops.missing_from(*ending.cut, DotSet{}, UINT64_MAX)) {
    cut_ops.push_back(*op);
    cut_atoms += op->atoms();
  }
  TD_ASSERT(cut_atoms == ending.cut->size(), "every op of the cut is archived");
  CutArray a_cyan = flatten_array(*e.base, cut_ops);
  auto result = std::make_shared<FlattenResult>();
  result->translator = std::make_shared<const Translator>(
      a_cyan.atoms, std::move(a_cyan.order), *ending.cut, ids_of_atoms(*e.base), ending.epoch + 1);
  result->atoms = std::make_shared<const std::vector<FlatAtom>>(std::move(a_cyan.atoms));
  result->hash = flatten_hash(*result->atoms);
  e.ending = std::make_shared<const EpochEnding>(ending);
  e.flattened = result;
  epochs_[ending.epoch + 1].base = result->atoms;
  return result;
}

}  // namespace treedoc::site
