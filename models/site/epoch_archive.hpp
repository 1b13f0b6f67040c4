// Every epoch of a run, shared by all sites: its base atoms, its ops, and how it ended (the
// committed cut, hash and translator). Like OpArchive, this is storage, not knowledge: a site only
// reads what it would hold itself (the base it installed, ops its own applied set names, an ending
// it learned from a decision or a CUT). One copy serves every site, so 10,000 sites that install
// the same epoch share its atoms (docs/protocol.md §3 step 5: flatten(C) is identical at every
// site).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/site/message.hpp"
#include "models/site/op_archive.hpp"
#include "models/treedoc/flatten.hpp"

namespace treedoc::site {

// The result of flatten(C) for one ending, computed once.
struct FlattenResult {
  std::shared_ptr<const std::vector<FlatAtom>> atoms;  // the next epoch's base
  std::shared_ptr<const Translator> translator;        // for the black ops of the closed epoch
  uint64_t hash = 0;                                   // flatten_hash(atoms)
};

class EpochArchive {
 public:
  EpochArchive();

  // The ops of `epoch` (created empty on first use).
  OpArchive& ops(uint64_t epoch);
  const OpArchive* find_ops(uint64_t epoch) const;
  // The base atoms `epoch` started from; empty for epoch 0.
  const std::shared_ptr<const std::vector<FlatAtom>>& base(uint64_t epoch) const;
  uint64_t newest() const { return epochs_.size() - 1; }

  // Records how `ending.epoch` ended and returns flatten(C) with its translator. The first ending
  // of an epoch is the one kept; a later, different one is returned as null (two decisions for one
  // epoch: invariant 9), and the caller reports it. Every op of the cut must be in ops(epoch).
  std::shared_ptr<const FlattenResult> end_epoch(const EpochEnding& ending);
  // How `epoch` ended, or null if it has not (as far as any site has told the archive).
  const std::shared_ptr<const EpochEnding>& ending(uint64_t epoch) const;

 private:
  struct Epoch {
    std::shared_ptr<const std::vector<FlatAtom>> base;
    OpArchive ops;
    std::shared_ptr<const EpochEnding> ending;
    std::shared_ptr<const FlattenResult> flattened;
  };
  std::vector<Epoch> epochs_;  // by epoch number: epochs are few and dense
};

}  // namespace treedoc::site
