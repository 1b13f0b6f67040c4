// Varint-based binary codec for TIDs and ops; decoders reject malformed or truncated input.
#include "models/treedoc/codec.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/run.hpp"

namespace treedoc {

namespace {

// Kind bytes of run ops; a single-atom op's kind byte is its OpKind (0 or 1), as before runs.
constexpr uint8_t kKindInsertRun = 2;
constexpr uint8_t kKindDeleteRun = 3;

// Limits on what a decoder accepts, so a corrupt length cannot make it allocate without bound.
constexpr uint64_t kTidElementsMax = uint64_t{1} << 26;
constexpr uint64_t kAtomBytesMax = uint64_t{1} << 26;
constexpr size_t kVarintBytesMax = 10;

void put_varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

std::optional<uint64_t> get_varint(std::string_view* in) {
  uint64_t v = 0;
  for (size_t i = 0; i < kVarintBytesMax && i < in->size(); ++i) {
    const auto byte = static_cast<uint8_t>((*in)[i]);
    if (i == kVarintBytesMax - 1 && byte > 1) return std::nullopt;  // would overflow 64 bits
    v |= uint64_t{byte & 0x7fu} << (7 * i);
    if ((byte & 0x80) == 0) {
      in->remove_prefix(i + 1);
      return v;
    }
  }
  return std::nullopt;
}

}  // namespace

size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

uint64_t sum_varint_sizes(uint64_t lo, uint64_t hi) {
  uint64_t sum = 0;
  for (uint64_t x = lo; x <= hi;) {
    const uint64_t size = varint_size(x);
    // The last value of `size` bytes: 7 bits a byte.
    const uint64_t last = size >= 10 ? UINT64_MAX : (uint64_t{1} << (7 * size)) - 1;
    const uint64_t end = std::min(last, hi);
    sum += size * (end - x + 1);
    if (end == UINT64_MAX) break;
    x = end + 1;
  }
  return sum;
}

uint64_t sum_bitmap_bytes(uint64_t lo, uint64_t hi) {
  TD_ASSERT(lo >= 1 && lo <= hi + 1, "a range of TID lengths from 1");
  // sum_{x=1}^{n} ceil(x / 8) = 4 q (q + 1) + r (q + 1), with n = 8 q + r.
  const auto prefix = [](uint64_t n) {
    const uint64_t q = n / 8, r = n % 8;
    return 4 * q * (q + 1) + r * (q + 1);
  };
  return prefix(hi) - prefix(lo - 1);
}

size_t encoded_tid_size(uint64_t elements, uint64_t dis_count, uint64_t dis_bytes) {
  return varint_size(elements) + (elements + 7) / 8 + varint_size(dis_count) + dis_bytes;
}

size_t encoded_tid_size(const Tid& t) {
  uint64_t dis_bytes = 0;
  uint64_t expected = 0;
  for (const auto& [index, dis] : t.dises()) {
    dis_bytes += varint_size(index - expected) + varint_size(dis.site) + varint_size(dis.counter);
    expected = index + 1;
  }
  return encoded_tid_size(t.size(), t.dises().size(), dis_bytes);
}

void encode_tid(const Tid& t, std::string* out) {
  put_varint(t.size(), out);
  const size_t bits_at = out->size();
  // Element i's branch is bit i % 8 of byte i / 8: the TID's words, byte by byte, low first.
  const size_t bytes = (t.size() + 7) / 8;
  out->resize(bits_at + bytes);
  for (size_t k = 0; k < bytes; ++k) {
    (*out)[bits_at + k] = static_cast<char>(t.branch_word(k / 8) >> (8 * (k % 8)));
  }
  put_varint(t.dises().size(), out);
  uint64_t expected = 0;
  for (const auto& [index, dis] : t.dises()) {
    put_varint(index - expected, out);
    put_varint(dis.site, out);
    put_varint(dis.counter, out);
    expected = index + 1;
  }
}

std::optional<Tid> decode_tid(std::string_view* in) {
  const auto elements = get_varint(in);
  if (!elements || *elements > kTidElementsMax) return std::nullopt;
  const size_t bit_bytes = (*elements + 7) / 8;
  if (in->size() < bit_bytes) return std::nullopt;
  const std::string_view bits = in->substr(0, bit_bytes);
  in->remove_prefix(bit_bytes);
  const auto dis_count = get_varint(in);
  if (!dis_count || *dis_count > *elements) return std::nullopt;
  Tid t;
  t.reserve(*elements);
  uint64_t next_element = 0;
  for (uint64_t k = 0; k < *dis_count; ++k) {
    const auto delta = get_varint(in);
    const auto site = get_varint(in);
    const auto counter = get_varint(in);
    if (!delta || !site || !counter || *site > UINT32_MAX) return std::nullopt;
    if (*delta >= *elements || next_element + *delta >= *elements) return std::nullopt;
    const uint64_t index = next_element + *delta;
    for (; next_element < index; ++next_element) {
      t.push((static_cast<uint8_t>(bits[next_element / 8]) >> (next_element % 8)) & 1);
    }
    t.push((static_cast<uint8_t>(bits[index / 8]) >> (index % 8)) & 1,
           Dis{static_cast<SiteId>(*site), *counter});
    next_element = index + 1;
  }
  for (; next_element < *elements; ++next_element) {
    t.push((static_cast<uint8_t>(bits[next_element / 8]) >> (next_element % 8)) & 1);
  }
  return t;
}

namespace {

uint8_t kind_byte(const Op& op) {
  if (op.run == 0) return static_cast<uint8_t>(op.kind);
  return op.is_insert() ? kKindInsertRun : kKindDeleteRun;
}

// A run's fields after its TID: count, chain, then an insert run's atoms or a delete run's target.
void encode_run_fields(const Op& op, std::string* out) {
  put_varint(op.run, out);
  out->push_back(static_cast<char>(op.chain));
  if (op.chain == RunChain::kBase) put_varint(op.run_base_atoms, out);
  if (!op.is_insert()) return;
  const bool uniform = op.run_sizes.empty();
  out->push_back(static_cast<char>(uniform ? 1 : 0));
  if (uniform) {
    put_varint(op.width, out);
  } else {
    for (uint32_t j = 0; j < op.run; ++j) {
      put_varint(op.run_sizes[j], out);
      put_varint(op.run_widths[j], out);
    }
  }
}

size_t run_fields_size(const Op& op) {
  size_t n = varint_size(op.run) + 1;
  if (op.chain == RunChain::kBase) n += varint_size(op.run_base_atoms);
  if (!op.is_insert()) return n;
  n += 1;
  if (op.run_sizes.empty()) return n + varint_size(op.width);
  for (uint32_t j = 0; j < op.run; ++j) {
    n += varint_size(op.run_sizes[j]) + varint_size(op.run_widths[j]);
  }
  return n;
}

}  // namespace

std::string encode_op(const Op& op) {
  TD_ASSERT(op.run == 0 || run_well_formed(op), "only well-formed runs are encoded");
  std::string out;
  out.push_back(static_cast<char>(kind_byte(op)));
  put_varint(op.id.site, &out);
  put_varint(op.id.counter, &out);
  put_varint(op.epoch, &out);
  encode_tid(op.tid, &out);
  if (op.run != 0) encode_run_fields(op, &out);
  if (op.is_insert()) {
    if (op.run == 0) put_varint(op.width, &out);
    put_varint(op.atom.size(), &out);
    out.append(op.atom);
  } else {
    put_varint(op.target.site, &out);
    put_varint(op.target.counter, &out);
  }
  return out;
}

size_t encoded_op_size(const Op& op) {
  size_t n = 1 + varint_size(op.id.site) + varint_size(op.id.counter) + varint_size(op.epoch) +
             encoded_tid_size(op.tid);
  if (op.run != 0) n += run_fields_size(op);
  if (op.is_insert()) {
    n += (op.run == 0 ? varint_size(op.width) : 0) + varint_size(op.atom.size()) + op.atom.size();
  } else {
    n += varint_size(op.target.site) + varint_size(op.target.counter);
  }
  return n;
}

namespace {

// Reads a run's count and chain, and an insert run's per-atom sizes and widths.
bool decode_run_fields(std::string_view* in, Op* op) {
  const auto run = get_varint(in);
  if (!run || *run < 2 || *run > kRunAtomsMax || in->size() < 1) return false;
  op->run = static_cast<uint32_t>(*run);
  const auto chain = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  if (chain > 2) return false;
  op->chain = static_cast<RunChain>(chain);
  if (op->chain == RunChain::kBase) {
    const auto base_atoms = get_varint(in);
    if (!base_atoms || *base_atoms > UINT32_MAX) return false;
    op->run_base_atoms = static_cast<uint32_t>(*base_atoms);
  }
  if (!op->is_insert()) return true;
  if (in->empty()) return false;
  const auto uniform = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  if (uniform > 1) return false;
  if (uniform == 1) {
    const auto width = get_varint(in);
    if (!width || *width > UINT32_MAX) return false;
    op->width = static_cast<uint32_t>(*width);
    return true;
  }
  // Each atom takes at least two bytes here: a count the input cannot hold is refused up front.
  if (in->size() / 2 < op->run) return false;
  op->run_sizes.reserve(op->run);
  op->run_widths.reserve(op->run);
  for (uint32_t j = 0; j < op->run; ++j) {
    const auto size = get_varint(in);
    const auto width = get_varint(in);
    if (!size || *size > kAtomBytesMax || !width || *width > UINT32_MAX) return false;
    op->run_sizes.push_back(static_cast<uint32_t>(*size));
    op->run_widths.push_back(static_cast<uint32_t>(*width));
  }
  op->width = op->run_widths[0];  // as a run is built: `width` is atom 0's
  return true;
}

}  // namespace

std::optional<Op> decode_op(std::string_view bytes) {
  std::string_view in = bytes;
  if (in.empty()) return std::nullopt;
  Op op;
  const auto kind = static_cast<uint8_t>(in[0]);
  if (kind > kKindDeleteRun) return std::nullopt;
  const bool is_run = kind >= kKindInsertRun;
  op.kind = static_cast<OpKind>(is_run ? kind - kKindInsertRun : kind);
  in.remove_prefix(1);
  const auto site = get_varint(&in);
  const auto counter = get_varint(&in);
  const auto epoch = get_varint(&in);
  if (!site || !counter || !epoch || *site > UINT32_MAX) return std::nullopt;
  op.id = {static_cast<SiteId>(*site), *counter};
  op.epoch = *epoch;
  auto tid = decode_tid(&in);
  if (!tid || !tid->well_formed()) return std::nullopt;
  op.tid = std::move(*tid);
  if (is_run && !decode_run_fields(&in, &op)) return std::nullopt;
  if (op.is_insert()) {
    const auto width = is_run ? std::optional<uint64_t>(op.width) : get_varint(&in);
    const auto size = get_varint(&in);
    if (!width || *width > UINT32_MAX || !size || *size > kAtomBytesMax || in.size() < *size) {
      return std::nullopt;
    }
    op.width = static_cast<uint32_t>(*width);
    op.atom = std::string(in.substr(0, *size));
    in.remove_prefix(*size);
  } else {
    const auto tsite = get_varint(&in);
    const auto tcounter = get_varint(&in);
    if (!tsite || !tcounter || *tsite > UINT32_MAX) return std::nullopt;
    op.target = {static_cast<SiteId>(*tsite), *tcounter};
  }
  if (!in.empty()) return std::nullopt;  // trailing bytes: not one op
  if (is_run && !run_well_formed(op)) return std::nullopt;
  return op;
}

std::string to_string(const Op& op) {
  std::string s = op.is_insert() ? "insert " : "delete ";
  if (op.run != 0) s += "run of " + std::to_string(op.run) + " from ";
  s += to_string(op.id) + " e" + std::to_string(op.epoch) + " " + to_string(op.tid);
  if (op.is_insert()) {
    s += " '" + op.atom + "'";
  } else {
    s += " target " + to_string(op.target);
  }
  return s;
}

}  // namespace treedoc
