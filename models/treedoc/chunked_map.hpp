// A sorted map from uint32_t keys to small trivially copyable values, held in fixed-size sorted
// chunks under a directory of their first keys (a B-tree of two levels). The tree's side maps
// (delete runs, the walk-order index's runs, base attachments) hold a few thousand to a few
// hundred thousand entries keyed by atom: as std::map they cost a node of 48 to 80 bytes per
// entry and a pointer chase per level; here an entry costs its key and value (plus the chunks'
// spare slots) and a search is two binary searches over contiguous keys. See docs/BENCHMARKS.md
// ("Side maps in chunks").
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/treedoc/assertion.hpp"

namespace treedoc {

template <typename Value>
class ChunkedMap {
  static_assert(std::is_trivially_copyable_v<Value>, "values are moved by memmove");

 public:
  ChunkedMap() = default;
  ChunkedMap(ChunkedMap&&) noexcept = default;
  ChunkedMap& operator=(ChunkedMap&&) noexcept = default;
  // Replicas are copied (snapshots, tests' oracles): a deep copy of the chunks.
  ChunkedMap(const ChunkedMap& other) : first_keys_(other.first_keys_), size_(other.size_) {
    chunks_.reserve(other.chunks_.size());
    for (const auto& chunk : other.chunks_) chunks_.push_back(std::make_unique<Chunk>(*chunk));
  }
  ChunkedMap& operator=(const ChunkedMap& other) {
    if (this != &other) *this = ChunkedMap(other);
    return *this;
  }

  // Entries per chunk: an insert or erase shifts at most this many; a search inside a chunk takes
  // log2 of it steps.
  static constexpr uint32_t kChunkEntriesMax = 64;

  // An entry found: its key and a pointer to its value (null: none). Valid until the next insert
  // or erase.
  template <typename V>
  struct HitOf {
    uint32_t key = 0;
    V* value = nullptr;
    explicit operator bool() const { return value != nullptr; }
  };
  using Hit = HitOf<Value>;
  using ConstHit = HitOf<const Value>;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    chunks_.clear();
    first_keys_.clear();
    size_ = 0;
  }

  Value* find(uint32_t key) { return const_cast<Value*>(std::as_const(*this).find(key)); }
  const Value* find(uint32_t key) const {
    const ConstHit hit = floor(key);
    return hit && hit.key == key ? hit.value : nullptr;
  }
  // The entry with the greatest key <= `key`.
  Hit floor(uint32_t key) {
    const ConstHit hit = std::as_const(*this).floor(key);
    return Hit{hit.key, const_cast<Value*>(hit.value)};
  }
  ConstHit floor(uint32_t key) const {
    const size_t c = chunk_at_or_before(key);
    if (c == kNone) return {};
    const Chunk& chunk = *chunks_[c];
    const uint32_t s = slot_after(chunk, key) - 1;  // the chunk's first key is <= key
    return {chunk.keys[s], &chunk.values[s]};
  }
  // The entry with the least key >= `key`.
  ConstHit ceiling(uint32_t key) const {
    size_t c = chunk_at_or_before(key);
    uint32_t s = 0;
    if (c == kNone) {
      c = 0;
    } else {
      s = slot_at_or_after(*chunks_[c], key);
      if (s == chunks_[c]->size) ++c, s = 0;
    }
    if (c == chunks_.size()) return {};
    return {chunks_[c]->keys[s], &chunks_[c]->values[s]};
  }

  // Adds `key` (absent) with `value`.
  void insert(uint32_t key, const Value& value);
  // Removes `key`; false when it was absent.
  bool erase(uint32_t key);
  // Gives entry `key` the key `new_key`, which must keep it between its neighbours: a re-key in
  // place, with no shift.
  void rekey(uint32_t key, uint32_t new_key);

  // fn(key, value) for every entry with key in [lo, hi), in key order.
  template <typename Fn>
  void for_each_in(uint32_t lo, uint32_t hi, Fn&& fn) const {
    size_t c = chunk_at_or_before(lo);
    uint32_t s = 0;
    if (c == kNone) {
      c = 0;
    } else {
      s = slot_at_or_after(*chunks_[c], lo);
    }
    for (; c < chunks_.size(); ++c, s = 0) {
      const Chunk& chunk = *chunks_[c];
      for (; s < chunk.size; ++s) {
        if (chunk.keys[s] >= hi) return;
        fn(chunk.keys[s], chunk.values[s]);
      }
    }
  }

  // Heap bytes: the chunks (each with malloc's 16-byte header and rounding) and the directory.
  size_t memory_bytes() const {
    constexpr size_t chunk_bytes = (sizeof(Chunk) + 8 + 15) / 16 * 16;
    return chunks_.size() * chunk_bytes + chunks_.capacity() * sizeof(chunks_[0]) +
           first_keys_.capacity() * sizeof(uint32_t);
  }

 private:
  static constexpr size_t kNone = SIZE_MAX;
  struct Chunk {
    uint32_t size = 0;
    uint32_t keys[kChunkEntriesMax];
    Value values[kChunkEntriesMax];
  };

  // The last chunk whose first key is <= key, or kNone.
  size_t chunk_at_or_before(uint32_t key) const {
    const auto it = std::upper_bound(first_keys_.begin(), first_keys_.end(), key);
    return it == first_keys_.begin() ? kNone : static_cast<size_t>(it - first_keys_.begin()) - 1;
  }
  static uint32_t slot_after(const Chunk& chunk, uint32_t key) {
    return static_cast<uint32_t>(std::upper_bound(chunk.keys, chunk.keys + chunk.size, key) -
                                 chunk.keys);
  }
  static uint32_t slot_at_or_after(const Chunk& chunk, uint32_t key) {
    return static_cast<uint32_t>(std::lower_bound(chunk.keys, chunk.keys + chunk.size, key) -
                                 chunk.keys);
  }
  void add_chunk(size_t at) {
    chunks_.insert(chunks_.begin() + static_cast<ptrdiff_t>(at), std::make_unique<Chunk>());
    first_keys_.insert(first_keys_.begin() + static_cast<ptrdiff_t>(at), 0);
  }
  void remove_chunk(size_t at) {
    chunks_.erase(chunks_.begin() + static_cast<ptrdiff_t>(at));
    first_keys_.erase(first_keys_.begin() + static_cast<ptrdiff_t>(at));
  }
  // Moves chunk c + 1's entries to the end of chunk c and removes it.
  void merge_next(size_t c);

  std::vector<std::unique_ptr<Chunk>> chunks_;
  std::vector<uint32_t> first_keys_;  // first_keys_[c] = chunks_[c]->keys[0]
  size_t size_ = 0;
};

template <typename Value>
void ChunkedMap<Value>::insert(uint32_t key, const Value& value) {
  size_t c = chunk_at_or_before(key);
  if (c == kNone) c = 0;
  if (chunks_.empty()) add_chunk(0);
  uint32_t s = slot_at_or_after(*chunks_[c], key);
  TD_ASSERT(s == chunks_[c]->size || chunks_[c]->keys[s] != key, "a key is inserted once");
  if (chunks_[c]->size == kChunkEntriesMax) {
    if (s == kChunkEntriesMax) {
      // After a full chunk's last entry (keys rising, as typing and deleting forward make them):
      // a chunk of its own, so rising keys fill chunks rather than leave them half full.
      add_chunk(++c);
      s = 0;
    } else if (c + 1 < chunks_.size() && chunks_[c + 1]->size < kChunkEntriesMax) {
      // Into the middle of a full chunk: its last entry moves to the next chunk when that has
      // room, and only when neither neighbour has does it split. Splitting at once left the
      // delete runs' chunks 40% full on average (docs/BENCHMARKS.md, "Remote typing as chains").
      Chunk& next = *chunks_[c + 1];
      std::copy_backward(next.keys, next.keys + next.size, next.keys + next.size + 1);
      std::copy_backward(next.values, next.values + next.size, next.values + next.size + 1);
      next.keys[0] = chunks_[c]->keys[kChunkEntriesMax - 1];
      next.values[0] = chunks_[c]->values[kChunkEntriesMax - 1];
      ++next.size;
      first_keys_[c + 1] = next.keys[0];
      --chunks_[c]->size;
    } else if (c > 0 && chunks_[c - 1]->size < kChunkEntriesMax) {
      // The first entry moves to the previous chunk; s > 0, as the chunk's first key is below key.
      Chunk& head = *chunks_[c];
      Chunk& previous = *chunks_[c - 1];
      previous.keys[previous.size] = head.keys[0];
      previous.values[previous.size] = head.values[0];
      ++previous.size;
      std::copy(head.keys + 1, head.keys + head.size, head.keys);
      std::copy(head.values + 1, head.values + head.size, head.values);
      --head.size;
      --s;
    } else {
      add_chunk(c + 1);
      Chunk& head = *chunks_[c];
      Chunk& tail = *chunks_[c + 1];
      constexpr uint32_t half = kChunkEntriesMax / 2;
      std::copy(head.keys + half, head.keys + kChunkEntriesMax, tail.keys);
      std::copy(head.values + half, head.values + kChunkEntriesMax, tail.values);
      head.size = half;
      tail.size = kChunkEntriesMax - half;
      first_keys_[c + 1] = tail.keys[0];
      if (s > half) ++c, s -= half;
    }
  }
  Chunk& chunk = *chunks_[c];
  TD_ASSERT(chunk.size < kChunkEntriesMax, "a chunk with room");
  std::copy_backward(chunk.keys + s, chunk.keys + chunk.size, chunk.keys + chunk.size + 1);
  std::copy_backward(chunk.values + s, chunk.values + chunk.size, chunk.values + chunk.size + 1);
  chunk.keys[s] = key;
  chunk.values[s] = value;
  ++chunk.size;
  first_keys_[c] = chunk.keys[0];
  ++size_;
}

template <typename Value>
bool ChunkedMap<Value>::erase(uint32_t key) {
  const size_t c = chunk_at_or_before(key);
  if (c == kNone) return false;
  Chunk& chunk = *chunks_[c];
  const uint32_t s = slot_at_or_after(chunk, key);
  if (s == chunk.size || chunk.keys[s] != key) return false;
  std::copy(chunk.keys + s + 1, chunk.keys + chunk.size, chunk.keys + s);
  std::copy(chunk.values + s + 1, chunk.values + chunk.size, chunk.values + s);
  --chunk.size;
  --size_;
  if (chunk.size == 0) {
    remove_chunk(c);
    return true;
  }
  first_keys_[c] = chunk.keys[0];
  // Chunks that fit in half of one are merged, so erasing cannot leave many near-empty chunks.
  constexpr uint32_t half = kChunkEntriesMax / 2;
  if (c + 1 < chunks_.size() && chunk.size + chunks_[c + 1]->size <= half) {
    merge_next(c);
  } else if (c > 0 && chunks_[c - 1]->size + chunk.size <= half) {
    merge_next(c - 1);
  }
  return true;
}

template <typename Value>
void ChunkedMap<Value>::merge_next(size_t c) {
  Chunk& head = *chunks_[c];
  const Chunk& tail = *chunks_[c + 1];
  TD_ASSERT(head.size + tail.size <= kChunkEntriesMax, "merged chunks fit in one");
  std::copy(tail.keys, tail.keys + tail.size, head.keys + head.size);
  std::copy(tail.values, tail.values + tail.size, head.values + head.size);
  head.size += tail.size;
  remove_chunk(c + 1);
}

template <typename Value>
void ChunkedMap<Value>::rekey(uint32_t key, uint32_t new_key) {
  const size_t c = chunk_at_or_before(key);
  TD_ASSERT(c != kNone, "a key present");
  Chunk& chunk = *chunks_[c];
  const uint32_t s = slot_at_or_after(chunk, key);
  TD_ASSERT(s < chunk.size && chunk.keys[s] == key, "a key present");
  const bool after_previous =
      s > 0 ? chunk.keys[s - 1] < new_key
            : (c == 0 || chunks_[c - 1]->keys[chunks_[c - 1]->size - 1] < new_key);
  TD_ASSERT(after_previous, "the new key stays after the previous entry");
  const bool before_next = s + 1 < chunk.size
                               ? new_key < chunk.keys[s + 1]
                               : (c + 1 == chunks_.size() || new_key < first_keys_[c + 1]);
  TD_ASSERT(before_next, "the new key stays before the next entry");
  chunk.keys[s] = new_key;
  first_keys_[c] = chunk.keys[0];
}

}  // namespace treedoc
