// Code-point patches onto character, word or line atoms.
#include "sim/workload/patch_editor.hpp"

#include "models/treedoc/assertion.hpp"

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

}  // namespace

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

bool apply_patch(Replica& replica, AtomGranularity g, const TracePatch& patch, const OpSink& emit) {
  const uint64_t units = replica.units();
  if (patch.position > units || patch.delete_count > units - patch.position) return false;
  if (g == AtomGranularity::kChar) {
    // One atom per code point: indices are code-point offsets.
    const auto pos = static_cast<uint32_t>(patch.position);
    for (uint64_t k = 0; k < patch.delete_count; ++k) emit(replica.local_erase(pos));
    uint32_t at = pos;
    for (std::string_view atom : split_atoms(patch.text, g))
      emit(replica.local_insert(at++, atom, 1));
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
  for (uint32_t k = first; k < last; ++k) emit(replica.local_erase(first));
  uint32_t at = first;
  for (std::string_view atom : split_atoms(new_text, g)) {
    emit(replica.local_insert(at++, atom, static_cast<uint32_t>(code_points(atom))));
  }
  return true;
}

}  // namespace treedoc::sim
