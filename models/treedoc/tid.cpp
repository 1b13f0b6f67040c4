// The TID comparator and path helpers (docs/protocol.md §1).
#include "models/treedoc/tid.hpp"

#include <algorithm>
#include <array>
#include <bit>

#include "models/treedoc/assertion.hpp"

namespace treedoc {

void Tid::put_bits(uint64_t bits, size_t count) {
  // Every element pushed passes here (tid_of, decode): the range check always, the rest slow.
  TD_ASSERT(count >= 1 && count <= kWordBits, "1 to 64 bits at a time");
  TD_ASSERT_SLOW(count == kWordBits || bits >> count == 0, "no bits above the count");
  const size_t offset = size_ % kWordBits;
  if (offset == 0) {
    words_.push_back(bits);
  } else {
    words_.back() |= bits << offset;
    if (offset + count > kWordBits) words_.push_back(bits >> (kWordBits - offset));
  }
  size_ += count;
  TD_ASSERT_SLOW(words_.size() == words_for(size_), "one word per 64 elements");
}

void Tid::push_repeated(uint8_t branch, size_t count) {
  for (size_t done = 0; done < count;) {
    const size_t take = std::min(kWordBits, count - done);
    const uint64_t ones = take == kWordBits ? ~uint64_t{0} : (uint64_t{1} << take) - 1;
    put_bits(branch ? ones : 0, take);
    done += take;
  }
}

void Tid::append_branches(const Tid& src, size_t from, size_t count) {
  TD_ASSERT(from + count <= src.size_, "branches within the source");
  for (size_t done = 0; done < count;) {
    const size_t at = from + done;
    const size_t take = std::min(kWordBits, count - done);
    const size_t w = at / kWordBits, offset = at % kWordBits;
    uint64_t bits = src.words_[w] >> offset;
    if (offset != 0 && offset + take > kWordBits) bits |= src.words_[w + 1] << (kWordBits - offset);
    if (take < kWordBits) bits &= (uint64_t{1} << take) - 1;
    put_bits(bits, take);
    done += take;
  }
}

void Tid::append(const Tid& tail) {
  const auto offset = static_cast<uint32_t>(size_);
  append_branches(tail, 0, tail.size_);
  for (const auto& [index, dis] : tail.dises_) dises_.emplace_back(index + offset, dis);
}

void Tid::append_suffix(const Tid& src, size_t from, size_t src_dises) {
  TD_ASSERT(from <= src.size(), "a suffix of the source");
  const auto offset = static_cast<uint32_t>(size_) - static_cast<uint32_t>(from);
  append_branches(src, from, src.size_ - from);
  for (size_t k = src_dises; k < src.dises_.size(); ++k) {
    dises_.emplace_back(src.dises_[k].first + offset, src.dises_[k].second);
  }
}

void Tid::truncate(size_t elements) {
  if (elements >= size_) return;
  size_ = elements;
  words_.resize(words_for(elements));
  if (elements % kWordBits != 0) words_.back() &= (uint64_t{1} << (elements % kWordBits)) - 1;
  while (!dises_.empty() && dises_.back().first >= elements) dises_.pop_back();
}

TidElement Tid::element(size_t i) const {
  TD_ASSERT(i < size_, "TID element index in range");
  TidElement e{branch(i), false, {}};
  auto it = std::lower_bound(dises_.begin(), dises_.end(), static_cast<uint32_t>(i),
                             [](const auto& entry, uint32_t index) { return entry.first < index; });
  if (it != dises_.end() && it->first == i) {
    e.has_dis = true;
    e.dis = it->second;
  }
  return e;
}

bool Tid::well_formed() const {
  return size_ != 0 && !dises_.empty() && dises_.back().first + 1 == size_;
}

namespace {

// Walks a TID element by element, knowing in O(1) whether the current element has a Dis.
class TidCursor {
 public:
  explicit TidCursor(const Tid& t, size_t i = 0, size_t d = 0) : t_(t), i_(i), d_(d) {}
  bool at_end() const { return i_ >= t_.size(); }
  uint8_t branch() const { return t_.branch(i_); }
  bool has_dis() const { return d_ < t_.dises().size() && t_.dises()[d_].first == i_; }
  const Dis& dis() const { return t_.dises()[d_].second; }
  void advance() {
    if (has_dis()) ++d_;
    ++i_;
  }
  // The token that follows this element's branch token when the element has no Dis: the next
  // element's branch token (0 or 2), or the terminal (1,-inf), which sorts between them.
  int following_rank() const {
    if (i_ + 1 >= t_.size()) return 1;
    return 2 * t_.branch(i_ + 1);
  }

 private:
  const Tid& t_;
  size_t i_ = 0;
  size_t d_ = 0;
};

// Skips the equal leading elements of a and b: stretches without a Dis on either side compare
// as words of 64 branches, equal Dis elements one by one. Returns the element index and each side's
// Dis index where the element loop must go on.
struct Skipped {
  size_t i, da, db;
};
// The first element in [from, limit) where a's and b's branches differ, or limit: 64 at a time.
size_t first_branch_difference(const Tid& a, const Tid& b, size_t from, size_t limit) {
  constexpr size_t kBits = Tid::kWordBits;
  for (size_t i = from; i < limit;) {
    const size_t w = i / kBits, offset = i % kBits;
    const size_t span = std::min(kBits - offset, limit - i);
    uint64_t differ = (a.branch_word(w) ^ b.branch_word(w)) >> offset;
    if (span < kBits) differ &= (uint64_t{1} << span) - 1;
    if (differ != 0) return i + static_cast<size_t>(std::countr_zero(differ));
    i += span;
  }
  return limit;
}

Skipped skip_equal_prefix(const Tid& a, const Tid& b) {
  const auto& xa = a.dises();
  const auto& xb = b.dises();
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0, da = 0, db = 0;
  for (;;) {
    const size_t next_a = da < xa.size() ? xa[da].first : n;
    const size_t next_b = db < xb.size() ? xb[db].first : n;
    const size_t limit = std::min({next_a, next_b, n});
    i = first_branch_difference(a, b, i, limit);
    if (i < limit || limit == n) return {i, da, db};
    // Element `limit` carries a Dis on one side at least: equal only if both have the same one.
    if (next_a != next_b || a.branch(i) != b.branch(i) || xa[da].second != xb[db].second) {
      return {i, da, db};
    }
    ++i;
    ++da;
    ++db;
  }
}

}  // namespace

size_t common_prefix(const Tid& a, const Tid& b, size_t* dises) {
  const Skipped s = skip_equal_prefix(a, b);
  *dises = s.da;
  return s.i;
}

int compare_tids(const Tid& a, const Tid& b) {
  const Skipped s = skip_equal_prefix(a, b);
  TidCursor x(a, s.i, s.da), y(b, s.i, s.db);
  while (!x.at_end() && !y.at_end()) {
    if (x.branch() != y.branch()) return x.branch() < y.branch() ? -1 : 1;
    const bool xd = x.has_dis(), yd = y.has_dis();
    if (xd && yd) {
      if (x.dis() != y.dis()) return x.dis() < y.dis() ? -1 : 1;
    } else if (xd != yd) {
      // One side's (1,d) token meets the other side's next token: 0 (left), 2 (right), or the
      // terminal (1,-inf), which is below every (1,d).
      const int other = xd ? y.following_rank() : x.following_rank();
      const int cmp_x_vs_y = (other == 0) ? 1 : -1;  // (1,d) > 0 and (1,d) > (1,-inf); (1,d) < 2
      const int sign = (other == 1) ? 1 : cmp_x_vs_y;
      return xd ? sign : -sign;
    }
    x.advance();
    y.advance();
  }
  if (x.at_end() && y.at_end()) return 0;
  // One key continues past the other's terminal (1,-inf): a left branch sorts before it.
  if (x.at_end()) return y.branch() == 0 ? 1 : -1;
  return x.branch() == 0 ? -1 : 1;
}

namespace {

// An unsigned integer as its count of significant bytes, then those bytes big-endian: a shorter
// number sorts first, and equal lengths sort by value, so memcmp keeps the order.
char* put_ordered_uint(uint64_t v, char* out) {
  const int bytes = (std::bit_width(v) + 7) / 8;
  *out++ = static_cast<char>(bytes);
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) *out++ = static_cast<char>(v >> shift);
  return out;
}

// Branches i .. i + 3 of t (i + 4 <= t.size()), element i in bit 0.
unsigned four_branches(const Tid& t, size_t i) {
  const size_t w = i / Tid::kWordBits, b = i % Tid::kWordBits;
  uint64_t bits = t.branch_word(w) >> b;
  if (b > Tid::kWordBits - 4) bits |= t.branch_word(w + 1) << (Tid::kWordBits - b);
  return static_cast<unsigned>(bits & 0xF);
}

// The key byte of four branches (four_branches' bits): left 0 and right 3 as base-4 digits, the
// first branch in the high bits.
constexpr std::array<uint8_t, 16> kFourBranchDigits = [] {
  std::array<uint8_t, 16> table{};
  for (unsigned n = 0; n < 16; ++n) {
    for (unsigned k = 0; k < 4; ++k) {
      if ((n >> k) & 1u) table[n] |= static_cast<uint8_t>(3u << (6 - 2 * k));
    }
  }
  return table;
}();

}  // namespace

std::string tid_sort_key(const Tid& t) {
  // Tokens as base-4 digits, four to a byte, the first in the high bits: a typed TID of n
  // elements is a key of n / 4 bytes, built a byte per four branches (with a byte per element,
  // building and sorting the keys took 110 M of the 653 M instructions of the concurrent trace's
  // replay with a flatten every 1,000; docs/BENCHMARKS.md). After a Dis token the byte is closed
  // and the Dis's bytes follow; two keys that reach it share everything before.
  constexpr unsigned kLeft = 0, kEnd = 1, kDis = 2, kRight = 3;  // the comparator's token order
  constexpr size_t kDisPayloadBytesMax = (1 + sizeof(SiteId)) + (1 + sizeof(uint64_t));
  std::string key((t.size() + 3) / 4 + t.dises().size() * (2 + kDisPayloadBytesMax) + 2, '\0');
  char* out = key.data();
  unsigned byte = 0;    // the byte being filled
  unsigned digits = 0;  // how many of its four digits are set
  const auto put_digit = [&](unsigned digit) {
    byte |= digit << (6 - 2 * digits);
    if (++digits == 4) {
      *out++ = static_cast<char>(byte);
      byte = digits = 0;
    }
  };
  const auto close_byte = [&] {
    if (digits == 0) return;
    *out++ = static_cast<char>(byte);
    byte = digits = 0;
  };
  size_t i = 0;
  const auto put_branches_below = [&](size_t end) {
    while (i < end && digits != 0) put_digit(t.branch(i++) == 0 ? kLeft : kRight);
    for (; i + 4 <= end; i += 4) *out++ = static_cast<char>(kFourBranchDigits[four_branches(t, i)]);
    while (i < end) put_digit(t.branch(i++) == 0 ? kLeft : kRight);
  };
  for (const auto& [index, dis] : t.dises()) {
    put_branches_below(index + 1);
    put_digit(kDis);
    close_byte();
    out = put_ordered_uint(dis.site, out);
    out = put_ordered_uint(dis.counter, out);
  }
  put_branches_below(t.size());
  put_digit(kEnd);
  close_byte();
  TD_ASSERT(out <= key.data() + key.size(), "a sort key within its bound");
  key.resize(static_cast<size_t>(out - key.data()));
  return key;
}

bool is_proper_prefix(const Tid& a, const Tid& b) {
  if (a.size() >= b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a.element(i) == b.element(i))) return false;
  }
  return true;
}

Tid major_path(const Tid& t) {
  TD_ASSERT(t.well_formed(), "major_path of a well-formed TID");
  Tid m;
  m.reserve(t.size());
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    const TidElement e = t.element(i);
    if (e.has_dis) {
      m.push(e.branch, e.dis);
    } else {
      m.push(e.branch);
    }
  }
  m.push(t.branch(t.size() - 1));
  return m;
}

std::string to_string(const Tid& t) {
  std::string s = "[";
  for (size_t i = 0; i < t.size(); ++i) {
    if (i) s += ' ';
    const TidElement e = t.element(i);
    if (e.has_dis) {
      s += "(" + std::to_string(e.branch) + ":" + to_string(e.dis) + ")";
    } else {
      s += std::to_string(e.branch);
    }
  }
  return s + "]";
}

}  // namespace treedoc
