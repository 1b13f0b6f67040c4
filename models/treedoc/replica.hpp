// A Treedoc replica: local insert/erase at a visible index, idempotent apply of remote ops in any
// order within an epoch, content, statistics, and the local side of flatten.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/dot_set.hpp"
#include "models/treedoc/op.hpp"
#include "models/treedoc/tree.hpp"

namespace treedoc {

// Document-wide constants (docs/protocol.md correction 4): every replica of a document uses the
// same.
struct DocumentOptions {
  DisMode dis_mode = DisMode::kUdis;
  // RR-7506's variant: new atoms attach to the mini itself, so concurrent runs do not interleave.
  bool mini_child = false;
};

// How a typed or pasted stretch chains in this document (docs/protocol.md §2 rules 2 and 4).
inline RunChain typed_chain(const DocumentOptions& d) {
  return d.mini_child ? RunChain::kMini : RunChain::kMajor;
}

struct ReplicaOptions {
  DocumentOptions document;
  // UDIS only: remove a DEAD leaf at once (docs/protocol.md §2 tombstone discard).
  bool discard_tombstones = false;
  // Test only, a broken engine (sabotage keep-late-base-deletes): with discard, a late delete of a
  // discarded epoch-initial atom is recorded (a GHOST_DEAD no insert fills) instead of settled.
  bool keep_late_base_deletes = false;
  // Representation only, never meaning: local inserts that fill a free slot become chained atoms
  // of the tree (Tree::add_chained) rather than explicit nodes. Off, the engine keeps a node per
  // atom: the oracle the tests compare the chained tree with.
  bool chained_atoms = true;
};

enum class ApplyOutcome : uint8_t {
  kApplied,     // the op changed (or, for a late delete of a discarded atom, settled) the state
  kDuplicate,   // already in `seen`: nothing done
  kWrongEpoch,  // op.epoch differs from the replica's: the caller handles it (docs/protocol.md §3)
  kIdCollision,  // another op already holds this TID: invariant 1 is broken
  kMalformed,    // not a well-formed op (empty TID, a TID naming the sentinel)
};

const char* to_string(ApplyOutcome o);

struct ReplicaStats {
  uint64_t majors = 0, minis = 0;  // tree nodes, the sentinel included
  uint64_t live = 0, dead = 0, ghost = 0, ghost_dead = 0;
  uint64_t discarded = 0;        // tombstones removed this epoch
  uint64_t initial_atoms = 0;    // |A| of this epoch
  uint64_t inserts_applied = 0;  // this epoch
  double tid_bytes_mean = 0;     // encoded TID size over LIVE and DEAD minis
  uint64_t tid_bytes_max = 0;
  uint64_t depth_max = 0;  // TID elements
  uint64_t memory_bytes = 0;
  double tombstone_ratio() const {
    return live + dead == 0 ? 0.0 : static_cast<double>(dead) / static_cast<double>(live + dead);
  }
};

class Replica {
 public:
  // `counter` is the durable per-site op counter: never reset, not at an epoch change nor a
  // restart.
  explicit Replica(SiteId site, ReplicaOptions options = {}, uint64_t counter = 0,
                   uint64_t epoch = 0);

  // Inserts `atom` so that it becomes the visible atom at `index` (0 <= index <= size()).
  Op local_insert(uint32_t index, std::string_view atom, uint32_t width = 1);
  // Deletes the visible atom at `index` (0 <= index < size()).
  Op local_erase(uint32_t index);
  // Inserts `atoms` (with `widths`, or width 1 each when empty) so that they become the visible
  // atoms at index..index+n-1: the tree and op ids of n local_insert calls at index, index+1, ...,
  // made as one run op (docs/BENCHMARKS.md, "Runs"); exactly local_insert's op when n == 1.
  Op local_insert_run(uint32_t index, const std::vector<std::string_view>& atoms,
                      const std::vector<uint32_t>& widths = {});
  // Deletes the visible atoms at index..index+count-1: the tree and op ids of count local_erase
  // calls at index, as the fewest run ops (a member whose atom is not the chain child of the one
  // before starts a new op; a run of one is local_erase's op).
  std::vector<Op> local_erase_run(uint32_t index, uint32_t count);
  // Applies a remote (or replayed) op; idempotent, and needs no causal order within an epoch.
  ApplyOutcome apply(const Op& op);
  // Accepts a remote op as apply() does (epoch, form, duplicate, `seen`) and leaves its tree update
  // to integrate(). Many deliveries to a replica then change its tree together, while it is in
  // cache: with a thousand replicas each delivery otherwise walks a cold tree. The result is the
  // state apply() would give, op for op in the same order, with one exception: a TID collision is
  // only found in the tree, so the op is already in `seen` when integrate() finds it; it is then
  // left out of the tree and kept for take_rejected(). The simulator defers only while its
  // checker verifies every TID as it is made, which stops a run before a second op with the same
  // TID can arrive. With discard_tombstones it is apply(): a late delete is judged by `seen` at
  // its own turn.
  ApplyOutcome receive(std::shared_ptr<const Op> op);
  // Applies every received op to the tree, in the order received; returns how many. Every other
  // mutator does it first; readers assert it was done.
  size_t integrate();
  size_t received_count() const { return received_.size(); }
  // An op apply() or integrate() refused (the site reports it as site::Rejection).
  struct Rejected {
    std::shared_ptr<const Op> op;
    ApplyOutcome outcome = ApplyOutcome::kMalformed;
  };
  // The received ops integrate() could not apply (kIdCollision, kMalformed), once each.
  std::vector<Rejected> take_rejected() { return std::exchange(rejected_, {}); }

  uint32_t size() const {
    assert_integrated();
    return tree_.visible_count();
  }
  uint64_t units() const {
    assert_integrated();
    return tree_.visible_units();
  }
  std::string content() const;
  // Visible atoms with the op that inserted each, in order: what convergence compares.
  std::vector<std::pair<OpId, std::string>> visible_atoms() const;
  // Every mini in walk order with TID, state, ops and atom: what tree identity compares.
  std::string tree_dump() const;
  ReplicaStats stats() const;
  // The visible index of the LIVE atom at `tid`, or nullopt when there is none. O(depth + log n).
  std::optional<uint32_t> visible_index(const Tid& tid) const;
  // The insert op id of the visible atom at `index` (0 <= index < size()). O(log n).
  OpId visible_id(uint32_t index) const;
  // A hash of everything tree_dump() shows (structure, states, op ids, atoms), without building
  // strings: equal trees give equal hashes on every machine.
  uint64_t state_hash() const;
  // A hash of visible_atoms(): what replicas must agree on even when tombstones were discarded.
  uint64_t visible_hash() const;

  SiteId site() const { return site_; }
  uint64_t epoch() const { return epoch_; }
  uint64_t counter() const { return counter_; }
  const DotSet& seen() const { return seen_; }
  const ReplicaOptions& options() const { return options_; }
  const Tree& tree() const {
    assert_integrated();
    return tree_;
  }

  // flatten(S): the LIVE atoms in order.
  std::vector<FlatAtom> flatten_atoms() const;
  // flatten(C) for a cut C within this epoch's `seen`, computed from the minis' insert and delete
  // op ids. Exact while no tombstone was discarded this epoch, or when C equals `seen`; otherwise
  // use flatten_array() on the epoch's ops (docs/protocol.md correction 2), which the assertion
  // enforces.
  std::vector<FlatAtom> flatten_atoms(const DotSet& cut) const;
  // flatten_atoms(cut) == atoms, without building flatten_atoms(cut): the check that flatten(C)
  // from ops agrees with the tree's, done at every flatten of a replay.
  bool flatten_equals(const DotSet& cut, const std::vector<FlatAtom>& atoms) const;
  // Starts `epoch` with the balanced layout of `atoms`; `seen` starts empty (docs/protocol.md
  // correction 7).
  void install_epoch(uint64_t epoch, const std::vector<FlatAtom>& atoms);
  // A local flatten of the whole state: install_epoch(epoch() + 1, flatten_atoms()).
  void flatten();

 private:
  // The Dis of this site's own insert `id`: the op id in UDIS, (site, 0) in SDIS.
  Dis own_dis(OpId id) const;
  // Members from..run.run - 1 of insert run `run`, whose bytes start at `offset`, as the next
  // members of the last chain, which `last` (member from - 1) ends.
  void append_run_members(const Op& run, uint32_t from, size_t offset, NodeIndex last);
  // fn(n) for every node of flatten(C), in order (flatten_atoms(cut)).
  template <typename Fn>
  void for_each_cut_atom(const DotSet& cut, Fn&& fn) const;
  void assert_integrated() const {
    TD_ASSERT(received_.empty(), "integrate() received ops before reading the tree");
  }
  // The tree part of applying an op that is of this epoch, well formed and not in `seen`: kApplied,
  // kIdCollision or kMalformed. Leaves `seen` alone.
  ApplyOutcome change_tree(const Op& op);
  // The latest member of a delete run being made, as it was before its delete.
  struct ErasedMember {
    NodeIndex major = kNoNode, mini = kNoNode;
    bool base = false;
  };
  // Whether deleting visible `n` (inserted by `target`) continues `run`, whose latest member was
  // `prev`: the chain child of prev (kMajor, kMini), or the next base atom (kBase).
  bool extends_delete_run(const Op& run, const ErasedMember& prev, NodeIndex n, OpId target) const;
  // local_erase_run's step at base atom `n` (visible index `index`, no discard): deletes the
  // stretch of base atoms that follow it in one go, at most `max`, extending the delete run in
  // `ops` or starting one. Returns how many.
  // The delete op `id` of the atom at node n, whose insert is `target`, in this epoch.
  Op delete_op(OpId id, NodeIndex n, OpId target) const;
  uint32_t erase_base_stretch(NodeIndex n, uint32_t index, uint32_t max, ErasedMember* prev,
                              std::vector<Op>* ops);
  // The same for chained atoms: consecutive atoms of the arrays that follow each other among the
  // visible ones, each deleted as local_erase would (ops grouped into runs as it goes).
  uint32_t erase_chained_stretch(NodeIndex n, uint32_t index, uint32_t max, ErasedMember* prev,
                                 std::vector<Op>* ops);
  // One more deleted atom `n` for local_erase_run: its delete id (claimed and in `seen`), added to
  // the last op in `ops` when it continues it, else a new op. The tree is not changed.
  OpId add_delete_member(NodeIndex n, ErasedMember* prev, std::vector<Op>* ops);
  // change_tree for a run op without tombstone discard: the members in order, each found from the
  // one before (Tree::chain_child), no TID built past the first.
  ApplyOutcome change_tree_run(const Op& run);
  // How many of a run op's ids are in `seen`.
  uint32_t seen_members(const Op& run) const;
  // A run op applied member by member as its expanded single-atom ops (some already seen, or
  // tombstone discard, where a member may vanish before the next is found).
  ApplyOutcome apply_expanded(const Op& run);
  // Creates the LIVE mini of a new local atom between p and its walk successor (rules 1-4).
  NodeIndex insert_after(NodeIndex p, OpId id, Dis dis, std::string_view atom, uint32_t width);
  void apply_delete_at(NodeIndex n, OpId id);
  // With tombstone discard: whether `del` targets an atom this replica held and already discarded,
  // so that the delete changes nothing.
  bool late_delete_of_discarded(const Op& del) const;
  // The bookkeeping of a new epoch whose base the tree has just installed.
  void start_epoch(uint64_t epoch);

  SiteId site_;
  ReplicaOptions options_;
  uint64_t counter_;
  uint64_t epoch_;
  DotSet seen_;
  Tree tree_;
  uint64_t discarded_ = 0;
  uint64_t initial_atoms_ = 0;
  uint64_t inserts_applied_ = 0;
  std::vector<std::shared_ptr<const Op>> received_;  // accepted, not yet in the tree
  std::vector<Rejected> rejected_;                   // received, then found not to fit
};

}  // namespace treedoc
