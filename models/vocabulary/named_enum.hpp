// One registry per enum: a single list gives the enumerators, their names as files, logs and
// reports write them, and a line of documentation each; to_string, parsing and the count all
// come from it, so no name table can drift from its enum (docs/architecture.md, "one vocabulary").
//
// A registry is an X-macro list of X(enumerator, "name", "what it means") entries, one per line
// (a backslash ends each but the last); sim/scenario/atom_granularity.hpp is a small example:
//   enum class AtomGranularity : uint8_t { TREEDOC_ATOM_GRANULARITIES(TREEDOC_ENUMERATOR) };
//   inline constexpr auto kAtomGranularities =
//       named_enum<AtomGranularity>({TREEDOC_ATOM_GRANULARITIES(TREEDOC_ENUM_ENTRY)});
// The enumerators take the values 0, 1, 2, ... in list order, and so index the table.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#define TREEDOC_ENUMERATOR(id, name, doc) id,
#define TREEDOC_ENUM_ENTRY(id, name, doc) {name, doc},

namespace treedoc {

// Names and docs are string literals: printf-safe, and comparable at compile time.
struct EnumEntry {
  const char* name;
  const char* doc;
};

template <typename E, size_t N>
class NamedEnum {
 public:
  constexpr explicit NamedEnum(const std::array<EnumEntry, N>& entries) : entries_(entries) {}

  static constexpr size_t size() { return N; }
  constexpr const char* name(E value) const { return entry(value).name; }
  constexpr const char* doc(E value) const { return entry(value).doc; }
  // The value named `name` exactly, or nullopt.
  constexpr std::optional<E> parse(std::string_view name) const {
    for (size_t k = 0; k < N; ++k) {
      if (std::string_view(entries_[k].name) == name) return static_cast<E>(k);
    }
    return std::nullopt;
  }
  constexpr E value(size_t k) const { return static_cast<E>(k); }
  constexpr const char* name_at(size_t k) const { return entries_[k].name; }
  constexpr const std::array<EnumEntry, N>& entries() const { return entries_; }
  // Every name non-empty and distinct: checked where each registry is defined.
  constexpr bool well_formed() const {
    for (size_t a = 0; a < N; ++a) {
      const std::string_view name = entries_[a].name;
      if (name.empty() || std::string_view(entries_[a].doc).empty()) return false;
      for (size_t b = a + 1; b < N; ++b) {
        if (name == entries_[b].name) return false;
      }
    }
    return true;
  }

 private:
  constexpr const EnumEntry& entry(E value) const {
    const auto k = static_cast<size_t>(value);
    // An out-of-range value is a bug in the caller (a cast from an unchecked integer).
    return k < N ? entries_[k] : kUnknown;
  }
  static constexpr EnumEntry kUnknown{"?", "not a value of this enum"};
  std::array<EnumEntry, N> entries_;
};

template <typename E, size_t N>
constexpr NamedEnum<E, N> named_enum(const EnumEntry (&entries)[N]) {
  std::array<EnumEntry, N> table{};
  for (size_t k = 0; k < N; ++k) table[k] = entries[k];
  return NamedEnum<E, N>(table);
}

}  // namespace treedoc
