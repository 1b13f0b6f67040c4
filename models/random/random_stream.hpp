// The project's one seeded random generator, for the simulator and the tests (the model only takes
// values it is given): xoshiro256** streams split per site or fault process by a stable name, with
// our own integer and probability draws (never std:: distributions, whose output differs between
// standard libraries).
#pragma once

#include <cstdint>
#include <string_view>

namespace treedoc {

class RandomStream {
 public:
  explicit RandomStream(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& word : state_) word = splitmix64(&x);
  }

  // An independent stream derived from this one's seed material and a stable name, e.g.
  // split("site", 17) or split("network"). Splitting does not advance this stream.
  RandomStream split(std::string_view name, uint64_t index = 0) const {
    uint64_t h = 14695981039346656037ull;  // FNV-1a over the name, then mixed with the state
    for (unsigned char c : name) {
      h ^= c;
      h *= 1099511628211ull;
    }
    uint64_t x = h ^ (index * 0x9e3779b97f4a7c15ull) ^ state_[0] ^ rotl(state_[2], 17);
    return RandomStream(splitmix64(&x));
  }

  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's multiply-shift method).
  uint64_t below(uint64_t bound) {
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * bound;
    auto low = static_cast<uint64_t>(m);
    if (low < bound) {
      const uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next()) * bound;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Uniform in [lo, hi], lo <= hi.
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }

  // Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // True with probability p (p <= 0 never, p >= 1 always).
  bool chance(double p) { return unit() < p; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t* x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t state_[4];
};

}  // namespace treedoc
