// Code-point patches onto character, word or line atoms.
#include "sim/workload/patch_editor.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/run.hpp"

namespace treedoc::sim {

namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }
bool is_blank(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Byte offset of code point `units` in `text` (text.size() when past the end).
size_t byte_offset(std::string_view text, uint64_t units) {
  size_t i = 0;
  for (; i < text.size(); ++i) {
    if (!is_continuation(text[i])) {
      if (units == 0) return i;
      --units;
    }
  }
  return text.size();
}

// An atom that more typing right after it would extend (a word without its blank, a line without
// its newline): a patch at its end edits it rather than starting a new atom.
bool is_open(std::string_view atom, AtomGranularity g) {
  if (atom.empty()) return false;
  if (g == AtomGranularity::kWord) return !is_blank(atom.back());
  return atom.back() != '\n';
}

uint64_t room_of(const RunRoom& room) {
  if (!room) return 1;
  const uint64_t r = room();
  TD_ASSERT(r >= 1, "a sink always has room for one more atom");
  return r;
}

// Erases visible atoms index..index+count-1 as runs of at most room() atoms each.
void erase_range(Replica& replica, uint32_t index, uint64_t count, const OpSink& emit,
                 const RunRoom& room) {
  while (count > 0) {
    const auto n = static_cast<uint32_t>(std::min<uint64_t>(count, room_of(room)));
    for (Op& op : replica.local_erase_run(index, n)) emit(std::move(op));
    count -= n;
  }
}

// Inserts `atoms` (with `widths`, one per atom, or none for 1 each) at visible index `at` as runs
// of at most room() atoms each.
void insert_atoms(Replica& replica, uint32_t at, const std::vector<std::string_view>& atoms,
                  const std::vector<uint32_t>& widths, const OpSink& emit, const RunRoom& room) {
  size_t done = 0;
  std::vector<std::string_view> chunk;
  std::vector<uint32_t> chunk_widths;
  while (done < atoms.size()) {
    const size_t n = std::min<uint64_t>({atoms.size() - done, room_of(room), kRunAtomsMax});
    if (done == 0 && n == atoms.size()) {
      emit(replica.local_insert_run(at, atoms, widths));  // one run: no copy into chunks
      return;
    }
    chunk.assign(atoms.begin() + done, atoms.begin() + done + n);
    if (!widths.empty()) chunk_widths.assign(widths.begin() + done, widths.begin() + done + n);
    emit(replica.local_insert_run(at, chunk, chunk_widths));
    at += static_cast<uint32_t>(n);
    done += n;
  }
}

}  // namespace

uint64_t unbounded_room() { return UINT64_MAX; }

uint64_t code_points(std::string_view text) {
  uint64_t n = 0;
  for (char c : text) n += !is_continuation(c);
  return n;
}

std::vector<std::string_view> split_atoms(std::string_view text, AtomGranularity g) {
  std::vector<std::string_view> atoms;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    bool cut = false;
    if (g == AtomGranularity::kChar) {
      cut = i + 1 == text.size() || !is_continuation(text[i + 1]);
    } else if (g == AtomGranularity::kWord) {
      cut = i + 1 < text.size() && is_blank(text[i]) && !is_blank(text[i + 1]);
    } else {
      cut = text[i] == '\n';
    }
    if (cut) {
      atoms.push_back(text.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  if (start < text.size()) atoms.push_back(text.substr(start));
  return atoms;
}

bool apply_patch(Replica& replica, AtomGranularity g, const TracePatch& patch, const OpSink& emit,
                 const RunRoom& room) {
  const uint64_t units = replica.units();
  if (patch.position > units || patch.delete_count > units - patch.position) return false;
  if (g == AtomGranularity::kChar) {
    // One atom per code point: indices are code-point offsets.
    const auto pos = static_cast<uint32_t>(patch.position);
    erase_range(replica, pos, patch.delete_count, emit, room);
    if (!patch.text.empty() && code_points(patch.text) == 1) {
      // A keystroke, as most patches are: what insert_atoms would do, without building vectors.
      emit(replica.local_insert(pos, patch.text, 1));
      return true;
    }
    const std::vector<std::string_view> atoms = split_atoms(patch.text, g);
    insert_atoms(replica, pos, atoms, {}, emit, room);  // no widths: 1 each
    return true;
  }
  const Tree& tree = replica.tree();
  // The region of atoms to rewrite: from the atom holding position-1 (when the patch is inside it
  // or it is open) through the atom holding the last deleted unit.
  uint32_t first = 0;
  uint64_t region_start = 0;
  if (patch.position > 0) {
    uint64_t offset = 0;
    const NodeIndex n = tree.find_units(patch.position - 1, &offset);
    first = tree.index_of(n);
    region_start = patch.position - 1 - offset;
    const bool at_atom_end = offset + 1 == tree.width(n);
    if (at_atom_end && !is_open(tree.atom(n), g)) {
      ++first;
      region_start = patch.position;
    }
  }
  std::string old_text;
  uint32_t last = first;  // exclusive
  uint64_t region_end = region_start;
  while (region_end < patch.position + patch.delete_count) {
    const NodeIndex n = tree.find_visible(last++);
    old_text.append(tree.atom(n));
    region_end += tree.width(n);
  }
  const std::string_view old_view(old_text);
  std::string new_text(old_view.substr(0, byte_offset(old_view, patch.position - region_start)));
  new_text += patch.text;
  new_text +=
      old_view.substr(byte_offset(old_view, patch.position + patch.delete_count - region_start));
  erase_range(replica, first, last - first, emit, room);
  const std::vector<std::string_view> atoms = split_atoms(new_text, g);
  std::vector<uint32_t> widths;
  widths.reserve(atoms.size());
  for (std::string_view atom : atoms) widths.push_back(static_cast<uint32_t>(code_points(atom)));
  insert_atoms(replica, first, atoms, widths, emit, room);
  return true;
}

}  // namespace treedoc::sim
