// What one std::map entry costs on the heap, for the memory accounting of the tree's side maps:
// libstdc++'s red-black node (colour and three links, 32 bytes) with its key and value, plus
// malloc's 8-byte header, rounded up to malloc's 16-byte chunks.
#pragma once

#include <cstddef>
#include <utility>

namespace treedoc {

template <typename Key, typename Value>
inline constexpr size_t kMapEntryBytes = (32 + sizeof(std::pair<const Key, Value>) + 8 + 15) / 16 *
                                         16;

}  // namespace treedoc
