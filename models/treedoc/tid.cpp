// The TID comparator and path helpers (docs/protocol.md §1).
#include "models/treedoc/tid.hpp"

#include <algorithm>
#include <bit>

#include "models/treedoc/assertion.hpp"

namespace treedoc {

void Tid::append(const Tid& tail) {
  const auto offset = static_cast<uint32_t>(branches_.size());
  branches_.insert(branches_.end(), tail.branches_.begin(), tail.branches_.end());
  for (const auto& [index, dis] : tail.dises_) dises_.emplace_back(index + offset, dis);
}

void Tid::append_suffix(const Tid& src, size_t from, size_t src_dises) {
  TD_ASSERT(from <= src.size(), "a suffix of the source");
  const auto offset = static_cast<uint32_t>(branches_.size()) - static_cast<uint32_t>(from);
  branches_.insert(branches_.end(), src.branches_.begin() + from, src.branches_.end());
  for (size_t k = src_dises; k < src.dises_.size(); ++k) {
    dises_.emplace_back(src.dises_[k].first + offset, src.dises_[k].second);
  }
}

TidElement Tid::element(size_t i) const {
  TD_ASSERT(i < branches_.size(), "TID element index in range");
  TidElement e{branches_[i], false, {}};
  auto it = std::lower_bound(dises_.begin(), dises_.end(), static_cast<uint32_t>(i),
                             [](const auto& entry, uint32_t index) { return entry.first < index; });
  if (it != dises_.end() && it->first == i) {
    e.has_dis = true;
    e.dis = it->second;
  }
  return e;
}

bool Tid::well_formed() const {
  return !branches_.empty() && !dises_.empty() && dises_.back().first + 1 == branches_.size();
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
// as bytes (vectorized), equal Dis elements one by one. Returns the element index and each side's
// Dis index where the element loop must go on.
struct Skipped {
  size_t i, da, db;
};
Skipped skip_equal_prefix(const Tid& a, const Tid& b) {
  const auto& ba = a.branches();
  const auto& bb = b.branches();
  const auto& xa = a.dises();
  const auto& xb = b.dises();
  const size_t n = std::min(ba.size(), bb.size());
  size_t i = 0, da = 0, db = 0;
  for (;;) {
    const size_t next_a = da < xa.size() ? xa[da].first : n;
    const size_t next_b = db < xb.size() ? xb[db].first : n;
    const size_t limit = std::min({next_a, next_b, n});
    const auto diff = std::mismatch(ba.begin() + i, ba.begin() + limit, bb.begin() + i);
    i = static_cast<size_t>(diff.first - ba.begin());
    if (i < limit || limit == n) return {i, da, db};
    // Element `limit` carries a Dis on one side at least: equal only if both have the same one.
    if (next_a != next_b || ba[i] != bb[i] || xa[da].second != xb[db].second) return {i, da, db};
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

}  // namespace

std::string tid_sort_key(const Tid& t) {
  constexpr char kLeft = 0, kEnd = 1, kDis = 2, kRight = 3;  // the comparator's token order
  constexpr size_t kDisKeyBytesMax = 1 + (1 + sizeof(SiteId)) + (1 + sizeof(uint64_t));
  std::string key(t.size() + t.dises().size() * kDisKeyBytesMax + 1, '\0');
  char* out = key.data();
  const auto& branches = t.branches();
  size_t i = 0;
  const auto put_branches_below = [&](size_t end) {
    for (; i < end; ++i) *out++ = branches[i] == 0 ? kLeft : kRight;
  };
  for (const auto& [index, dis] : t.dises()) {
    put_branches_below(index + 1);
    *out++ = kDis;
    out = put_ordered_uint(dis.site, out);
    out = put_ordered_uint(dis.counter, out);
  }
  put_branches_below(branches.size());
  *out++ = kEnd;
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
