// The codec round-trips every op and rejects truncated or malformed bytes.
#include <catch2/catch.hpp>

#include "models/treedoc/codec.hpp"
#include "tests/models/concurrent_history.hpp"

using namespace treedoc;

TEST_CASE("the codec round-trips every op of random histories", "[codec][property]") {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomStream rng(seed);
    test::HistoryShape shape;
    shape.options.document.dis_mode = seed % 2 ? DisMode::kUdis : DisMode::kSdis;
    shape.options.document.mini_child = seed % 3 == 0;
    const test::ConcurrentHistory h = test::make_history(rng, shape);
    for (const Op& op : h.ops) {
      const std::string bytes = encode_op(op);
      REQUIRE(bytes.size() == encoded_op_size(op));
      const std::optional<Op> back = decode_op(bytes);
      REQUIRE(back.has_value());
      REQUIRE(*back == op);
      std::string tid_bytes;
      encode_tid(op.tid, &tid_bytes);
      REQUIRE(tid_bytes.size() == encoded_tid_size(op.tid));
      // Every strict prefix is rejected: truncation is never mistaken for an op.
      for (size_t cut = 0; cut < bytes.size(); cut += 1 + bytes.size() / 7) {
        REQUIRE_FALSE(decode_op(std::string_view(bytes).substr(0, cut)).has_value());
      }
      REQUIRE_FALSE(decode_op(bytes + "x").has_value());
    }
  }
}

TEST_CASE("the codec keeps big values and long atoms", "[codec]") {
  Op op;
  op.kind = OpKind::kInsert;
  op.id = {UINT32_MAX, UINT64_MAX};
  op.epoch = UINT64_MAX - 1;
  for (int i = 0; i < 1000; ++i) op.tid.push(static_cast<uint8_t>(i % 3 == 0));
  op.tid.push(1, Dis{UINT32_MAX, UINT64_MAX});
  op.atom = std::string(5000, 'q');
  op.width = 5000;
  const std::optional<Op> back = decode_op(encode_op(op));
  REQUIRE(back.has_value());
  REQUIRE(*back == op);
  // A typed chain costs one bit per element, not one Dis per element.
  REQUIRE(encoded_tid_size(op.tid) < 1001 / 8 + 32);
}

TEST_CASE("the decoder rejects garbage", "[codec]") {
  REQUIRE_FALSE(decode_op("").has_value());
  REQUIRE_FALSE(decode_op(std::string("\x07", 1)).has_value());                  // unknown kind
  REQUIRE_FALSE(decode_op(std::string(20, '\xff')).has_value());                 // overlong varints
  REQUIRE_FALSE(decode_op(std::string("\x00\x02\x01\x00\x00", 5)).has_value());  // empty TID
}

TEST_CASE("varint and bitmap sizes sum over a range as element by element", "[codec]") {
  // Ranges around each varint length's ends, where a closed form would slip by one.
  std::vector<uint64_t> edges = {1, 2, 7, 8, 9, 15, 16, 17};
  for (int bytes = 1; bytes <= 9; ++bytes) {
    const uint64_t end = (uint64_t{1} << (7 * bytes)) - 1;
    for (uint64_t d : {uint64_t{0}, uint64_t{1}, uint64_t{2}}) {
      edges.push_back(end - d);
      edges.push_back(end + 1 + d);
    }
  }
  for (uint64_t lo : edges) {
    for (uint64_t span : {uint64_t{0}, uint64_t{1}, uint64_t{5}, uint64_t{130}}) {
      const uint64_t hi = lo + span;
      uint64_t varints = 0, bitmaps = 0;
      for (uint64_t x = lo; x <= hi; ++x) {
        varints += varint_size(x);
        bitmaps += (x + 7) / 8;
      }
      INFO("lo " << lo << " hi " << hi);
      REQUIRE(sum_varint_sizes(lo, hi) == varints);
      REQUIRE(sum_bitmap_bytes(lo, hi) == bitmaps);
    }
  }
  REQUIRE(sum_varint_sizes(0, 200) == 128 + 2 * 73);
  REQUIRE(sum_varint_sizes(UINT64_MAX - 1, UINT64_MAX) == 20);
}
