// A compact binary codec for TIDs and ops (varints, branch bits), with exact encoded sizes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/treedoc/op.hpp"
#include "models/treedoc/tid.hpp"

namespace treedoc {

// TID layout: varint(elements) | branch bits, LSB first, ceil(elements/8) bytes | varint(dis count)
// | per Dis: varint(element index delta) varint(site) varint(counter).
void encode_tid(const Tid& t, std::string* out);
size_t encoded_tid_size(const Tid& t);
// Size of a TID of `elements` elements whose Dis values take `dis_bytes` bytes in total (their
// index deltas, sites and counters), without building it: used for tree statistics.
size_t encoded_tid_size(uint64_t elements, uint64_t dis_count, uint64_t dis_bytes);

// Op layout: kind byte | varint(site) varint(counter) varint(epoch) | tid | insert: varint(width)
// varint(atom size) atom bytes | delete: varint(target site) varint(target counter). A run (kind
// byte 2 insert, 3 delete) puts after its TID varint(run) chain byte (kBase: then varint(|A|)), and
// for an insert a uniform byte then varint(width) (uniform) or per atom varint(size)
// varint(width), then varint(bytes) and every atom's bytes; a delete run ends as a delete does
// (its first target).
std::string encode_op(const Op& op);
size_t encoded_op_size(const Op& op);

// Decoders consume from the front of `in`; they return nothing on malformed or truncated input.
std::optional<Tid> decode_tid(std::string_view* in);
std::optional<Op> decode_op(std::string_view bytes);

size_t varint_size(uint64_t v);
// The sums of varint_size(x) and of (x + 7) / 8 (a TID's branch bitmap bytes) over x in
// [lo, hi], in O(varint lengths) and O(1): a chain's TID sizes without visiting each member.
uint64_t sum_varint_sizes(uint64_t lo, uint64_t hi);
uint64_t sum_bitmap_bytes(uint64_t lo, uint64_t hi);

}  // namespace treedoc
