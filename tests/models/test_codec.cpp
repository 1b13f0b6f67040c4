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
