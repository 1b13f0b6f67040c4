// FNV-1a 64: the one hash for content hashes, state hashes and the event-log hash. Fixed and
// byte-wise, so every machine computes the same value.
#pragma once

#include <cstdint>
#include <string_view>

namespace treedoc {

class Fnv64 {
 public:
  void add_byte(unsigned char c) {
    value_ ^= c;
    value_ *= kPrime;
  }
  // Little-endian bytes of v, whatever the host's byte order.
  void add_u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) add_byte(static_cast<unsigned char>((v >> (8 * i)) & 0xff));
  }
  void add_bytes(std::string_view bytes) {
    for (unsigned char c : bytes) add_byte(c);
  }
  uint64_t value() const { return value_; }

 private:
  static constexpr uint64_t kPrime = 1099511628211ull;
  uint64_t value_ = 14695981039346656037ull;
};

}  // namespace treedoc
