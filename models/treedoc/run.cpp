// Run members: implicit TIDs, ids and atoms; expansion into single-atom ops and back.
#include "models/treedoc/run.hpp"

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/flatten.hpp"
#include "models/treedoc/node_index.hpp"

namespace treedoc {

std::optional<uint32_t> flat_index(const Tid& t, uint64_t count) {
  // flat_tid's descent, read back: R.right, then a branch per level, D_FLAT on the last.
  if (count == 0 || count > kBaseAtomsMax || !t.well_formed() || t.dises().size() != 1) {
    return std::nullopt;
  }
  if (t.dises()[0].second != kDisFlat || t.branch(0) != 1) return std::nullopt;
  uint64_t lo = 0, hi = count - 1;
  for (size_t i = 1; i < t.size(); ++i) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (t.branch(i) == 0) {
      if (mid == lo) return std::nullopt;
      hi = mid - 1;
    } else {
      if (mid == hi) return std::nullopt;
      lo = mid + 1;
    }
  }
  return static_cast<uint32_t>(lo + (hi - lo) / 2);
}

void step_run_tid(Tid* t, RunChain chain, Dis next) {
  TD_ASSERT(chain != RunChain::kBase, "a base run's members are placed by the layout");
  TD_ASSERT(t->well_formed(), "a run member's TID is well formed");
  if (chain == RunChain::kMajor) t->drop_last_dis();  // p'•(1:d): from p's major
  t->push(1, next);                                   // p•(1:d) with mini_child
}

bool run_well_formed(const Op& op) {
  if (op.run < 2 || op.run > kRunAtomsMax) return false;
  if (!op.tid.well_formed()) return false;
  if (op.chain == RunChain::kBase) {
    const std::optional<uint32_t> i = flat_index(op.tid, op.run_base_atoms);
    return op.kind == OpKind::kDelete && i && uint64_t{*i} + op.run <= op.run_base_atoms &&
           op.id.counter != 0 && op.id.counter <= UINT64_MAX - op.run && op.target.counter != 0 &&
           op.target.counter <= UINT64_MAX - op.run && op.atom.empty() && op.run_sizes.empty() &&
           op.run_widths.empty();
  }
  if (op.run_base_atoms != 0) return false;
  const Dis first = op.tid.dises().back().second;
  if (first.site < kSiteIdFirst) return false;  // D_MIN and D_FLAT name no run member
  if (op.id.counter == 0 || op.id.counter > UINT64_MAX - op.run) return false;
  if (first.counter > UINT64_MAX - op.run) return false;
  if (op.chain != RunChain::kMajor && op.chain != RunChain::kMini) return false;
  if (op.kind == OpKind::kDelete) {
    return op.target.counter != 0 && op.target.counter <= UINT64_MAX - op.run && op.atom.empty() &&
           op.run_sizes.empty() && op.run_widths.empty();
  }
  if (op.run_sizes.empty() != op.run_widths.empty()) return false;
  if (op.run_sizes.empty()) return op.atom.size() % op.run == 0;
  if (op.run_sizes.size() != op.run || op.run_widths.size() != op.run) return false;
  if (op.width != op.run_widths[0]) return false;  // `width` is atom 0's, as append_to_run keeps it
  uint64_t bytes = 0;
  for (uint32_t size : op.run_sizes) bytes += size;
  return bytes == op.atom.size();
}

size_t run_atom_offset(const Op& op, uint32_t j) {
  if (op.run == 0) return 0;
  if (op.run_sizes.empty()) return j * (op.atom.size() / op.run);
  size_t offset = 0;
  for (uint32_t k = 0; k < j; ++k) offset += op.run_sizes[k];
  return offset;
}

std::string_view run_atom(const Op& op, uint32_t j) {
  TD_ASSERT(j < op.atoms(), "a member of the run");
  if (op.run == 0) return op.atom;
  const size_t size = op.run_sizes.empty() ? op.atom.size() / op.run : op.run_sizes[j];
  return std::string_view(op.atom).substr(run_atom_offset(op, j), size);
}

uint32_t run_width(const Op& op, uint32_t j) {
  TD_ASSERT(j < op.atoms(), "a member of the run");
  return op.run_widths.empty() ? op.width : op.run_widths[j];
}

RunMembers::RunMembers(const Op& run) : run_(run) {
  first_dis_ = run.run == 0 ? Dis{} : run.tid.dises().back().second;
  base_index_ = run.run != 0 && run.chain == RunChain::kBase
                    ? flat_index(run.tid, run.run_base_atoms).value()
                    : 0;
  member_.kind = run.kind;
  member_.epoch = run.epoch;
  member_.tid = run.tid;
  set_member();
}

void RunMembers::set_member() {
  member_.id = run_member_id(run_, j_);
  if (run_.is_insert()) {
    const size_t size = run_.run == 0            ? run_.atom.size()
                        : run_.run_sizes.empty() ? run_.atom.size() / run_.run
                                                 : run_.run_sizes[j_];
    member_.atom.assign(run_.atom, offset_, size);
    offset_ += size;
    member_.width = run_width(run_, j_);
  } else {
    member_.target = run_member_target(run_, j_);
  }
}

bool RunMembers::next() {
  if (j_ + 1 >= run_.atoms()) return false;
  ++j_;
  if (run_.chain == RunChain::kBase) {
    member_.tid = flat_tid(base_index_ + j_, run_.run_base_atoms);
  } else {
    step_run_tid(&member_.tid, run_.chain, run_dis(first_dis_, j_));
  }
  set_member();
  return true;
}

std::vector<Op> expand_run(const Op& op) {
  if (op.run == 0) return {op};
  std::vector<Op> out;
  out.reserve(op.run);
  RunMembers members(op);
  do {
    out.push_back(members.member());
  } while (members.next());
  return out;
}

void append_to_run(Op* run, std::string_view atom, uint32_t width) {
  if (run->run == 0) {
    run->run = 1;
    run->run_sizes.assign(1, static_cast<uint32_t>(run->atom.size()));
    run->run_widths.assign(1, run->width);
  }
  run->atom.append(atom);
  run->run_sizes.push_back(static_cast<uint32_t>(atom.size()));
  run->run_widths.push_back(width);
  ++run->run;
}

void finish_run(Op* run) {
  if (run->run == 1) {  // one member: the single-atom op it started as
    run->run = 0;
    run->run_sizes.clear();
    run->run_widths.clear();
    return;
  }
  if (run->run == 0 || !run->is_insert()) return;
  bool uniform = true;
  for (uint32_t j = 1; j < run->run && uniform; ++j) {
    uniform = run->run_sizes[j] == run->run_sizes[0] && run->run_widths[j] == run->run_widths[0];
  }
  if (!uniform) return;
  run->width = run->run_widths[0];
  run->run_sizes.clear();
  run->run_widths.clear();
}

void append_and_finish_run(Op* run, const std::vector<std::string_view>& atoms,
                           const std::vector<uint32_t>& widths, size_t from) {
  TD_ASSERT(run->is_insert() && run->run == 0, "a single-atom insert to start from");
  TD_ASSERT(widths.empty() || widths.size() == atoms.size(), "one width per atom, or none");
  const auto width_of = [&](size_t k) { return widths.empty() ? 1u : widths[k]; };
  const size_t size = run->atom.size();
  bool uniform = true;
  for (size_t k = from; k < atoms.size() && uniform; ++k) {
    uniform = atoms[k].size() == size && width_of(k) == run->width;
  }
  if (!uniform) {
    for (size_t k = from; k < atoms.size(); ++k) append_to_run(run, atoms[k], width_of(k));
    finish_run(run);
    return;
  }
  run->atom.reserve(size * (atoms.size() - from + 1));
  // Atoms split from one pasted text lie back to back: one append, not one per atom.
  bool back_to_back = true;
  for (size_t k = from + 1; k < atoms.size() && back_to_back; ++k) {
    back_to_back = atoms[k].data() == atoms[k - 1].data() + atoms[k - 1].size();
  }
  if (back_to_back && from < atoms.size()) {
    run->atom.append(atoms[from].data(), size * (atoms.size() - from));
  } else {
    for (size_t k = from; k < atoms.size(); ++k) run->atom.append(atoms[k]);
  }
  const size_t members = atoms.size() - from + 1;
  run->run = members == 1 ? 0 : static_cast<uint32_t>(members);
}

namespace {

// Whether single-atom op `next` continues the run `last` is the latest member of.
bool continues(const Op& run, const Op& last, const Op& next, RunChain chain) {
  if (chain == RunChain::kBase) return false;  // the layout's size is not in single ops
  if (next.kind != run.kind || next.epoch != run.epoch || next.run != 0) return false;
  if (next.id.site != last.id.site || next.id.counter != last.id.counter + 1) return false;
  if (!next.is_insert() &&
      (next.target.site != last.target.site || next.target.counter != last.target.counter + 1)) {
    return false;
  }
  const Dis first = run.tid.dises().back().second;
  if (first.site < kSiteIdFirst) return false;
  Tid expected = last.tid;
  step_run_tid(&expected, chain, run_dis(first, next.id.counter - run.id.counter));
  return expected == next.tid;
}

}  // namespace

std::vector<Op> compress_runs(const std::vector<Op>& singles, RunChain chain) {
  std::vector<Op> out;
  const Op* last = nullptr;
  for (const Op& op : singles) {
    TD_ASSERT(op.run == 0, "compress_runs takes single-atom ops");
    if (last != nullptr && out.back().run < kRunAtomsMax &&
        continues(out.back(), *last, op, chain)) {
      Op& run = out.back();
      run.chain = chain;
      if (op.is_insert()) {
        append_to_run(&run, op.atom, op.width);
      } else {
        run.run = run.run == 0 ? 2 : run.run + 1;
      }
    } else {
      if (!out.empty()) finish_run(&out.back());
      out.push_back(op);
    }
    last = &op;
  }
  if (!out.empty()) finish_run(&out.back());
  return out;
}

}  // namespace treedoc
