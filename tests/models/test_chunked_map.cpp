// The chunked sorted map against std::map: every operation's answer and the order of entries,
// under rising, falling and random keys (chunk splits, appended chunks, merges after erases).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/chunked_map.hpp"

using namespace treedoc;

namespace {

struct Payload {
  uint32_t a = 0;
  uint64_t b = 0;
  bool operator==(const Payload& o) const { return a == o.a && b == o.b; }
};

// A key near `base` in the pattern `mode`: 0 random, 1 rising, 2 falling, 3 clustered.
uint32_t next_key(RandomStream& rng, int mode, uint32_t step) {
  switch (mode) {
    case 1: return step * 3 + static_cast<uint32_t>(rng.below(3));
    case 2: return 100000 - step * 3 - static_cast<uint32_t>(rng.below(3));
    case 3:
      return static_cast<uint32_t>(rng.below(8)) * 5000 + static_cast<uint32_t>(rng.below(300));
    default: return static_cast<uint32_t>(rng.below(20000));
  }
}

void require_same(const ChunkedMap<Payload>& map, const std::map<uint32_t, Payload>& model,
                  RandomStream& rng) {
  REQUIRE(map.size() == model.size());
  std::vector<std::pair<uint32_t, Payload>> seen;
  map.for_each_in(0, UINT32_MAX, [&](uint32_t k, const Payload& v) { seen.emplace_back(k, v); });
  REQUIRE(seen == std::vector<std::pair<uint32_t, Payload>>(model.begin(), model.end()));
  for (int probe = 0; probe < 40; ++probe) {
    const uint32_t key = static_cast<uint32_t>(rng.below(100005));
    const auto up = model.upper_bound(key);
    const auto floor = map.floor(key);
    REQUIRE(bool(floor) == (up != model.begin()));
    if (floor) REQUIRE(floor.key == std::prev(up)->first);
    if (floor) REQUIRE(*floor.value == std::prev(up)->second);
    const auto low = model.lower_bound(key);
    const auto ceiling = map.ceiling(key);
    REQUIRE(bool(ceiling) == (low != model.end()));
    if (ceiling) REQUIRE(ceiling.key == low->first);
    REQUIRE((map.find(key) != nullptr) == (model.count(key) == 1));
    const uint32_t hi = key + static_cast<uint32_t>(rng.below(500));
    size_t in_range = 0;
    map.for_each_in(key, hi, [&](uint32_t k, const Payload&) {
      REQUIRE(k >= key);
      REQUIRE(k < hi);
      ++in_range;
    });
    REQUIRE(in_range == static_cast<size_t>(std::distance(low, model.lower_bound(hi))));
  }
}

}  // namespace

TEST_CASE("a chunked map answers as std::map under any key pattern", "[chunked_map]") {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomStream rng(seed);
    const int mode = static_cast<int>(seed % 4);
    ChunkedMap<Payload> map;
    std::map<uint32_t, Payload> model;
    for (uint32_t step = 0; step < 3000; ++step) {
      const uint32_t key = next_key(rng, mode, step);
      const Payload value{step, rng.below(1000)};
      if (rng.chance(0.25) && !model.empty()) {
        // Erase a present key (or, a tenth of the time, one likely absent).
        const uint32_t victim =
            rng.chance(0.9)
                ? std::next(model.begin(), static_cast<long>(rng.below(model.size())))->first
                : key;
        REQUIRE(map.erase(victim) == (model.erase(victim) == 1));
      } else if (model.count(key) == 0) {
        map.insert(key, value);
        model.emplace(key, value);
      } else {
        *map.find(key) = value;
        model[key] = value;
      }
      if (step % 300 == 0) require_same(map, model, rng);
    }
    require_same(map, model, rng);
    // A copy is deep: clearing the original leaves it whole.
    const ChunkedMap<Payload> copy = map;
    map.clear();
    require_same(copy, model, rng);
    map = copy;
    // Re-keying an entry between its neighbours keeps the order.
    for (auto it = std::next(model.begin()); it != model.end(); ++it) {
      const uint32_t previous = std::prev(it)->first;
      if (it->first > previous + 1) {
        const Payload v = it->second;
        map.rekey(it->first, previous + 1);
        model.erase(it);
        it = model.emplace(previous + 1, v).first;
      }
    }
    require_same(map, model, rng);
    map.clear();
    REQUIRE(map.empty());
  }
}

TEST_CASE("inserts into full chunks spill into a neighbour before they split", "[chunked_map]") {
  // Eight rising streams of keys, as eight places of a document typed and deleted in turn: each
  // insert lands inside a full chunk. Splitting at once left such chunks about half full.
  ChunkedMap<Payload> interleaved, rising;
  constexpr uint32_t kStreams = 8, kKeys = 32000;
  RandomStream rng(5);
  std::vector<uint32_t> keys;
  for (uint32_t k = 0; k < kKeys; ++k) {
    keys.push_back(static_cast<uint32_t>(rng.below(kStreams)) * 100'000'000 + k);
    interleaved.insert(keys.back(), Payload{k, 0});
  }
  std::sort(keys.begin(), keys.end());
  for (uint32_t key : keys) rising.insert(key, Payload{key, 0});
  REQUIRE(interleaved.size() == rising.size());
  // Rising keys fill every chunk; the interleaved ones must come within 10% of that.
  REQUIRE(interleaved.memory_bytes() * 10 <= rising.memory_bytes() * 11);
}
