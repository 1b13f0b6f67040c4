// Loader for josephg/editing-traces files: reads (and inflates) the file, parses it, validates it.
#include "sim/workload/editing_trace.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "sim/base/bounded_file_reader.hpp"
#include "sim/base/input_error.hpp"
#include "sim/scenario/strict_json_parser.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// Upper bound on the bytes of JSON text we accept, read or inflated: the largest bundled trace is
// 16 MiB, and the bound keeps a gzip bomb or a wrong file from eating all memory.
constexpr size_t kTraceBytesMax = size_t{512} << 20;
constexpr const char* kTraceBytesMaxText = "512 MiB";
// Objects and arrays nested in each other: a trace needs 5 (the top level, txns, a transaction,
// its patches, a patch); the bound stops a hostile file before it builds a deep tree.
constexpr size_t kTraceJsonDepthMax = 16;
// Agents a concurrent trace may have: each is a replica of its own. The josephg traces have a
// handful; numAgents 2^31 allocated until the process died.
constexpr uint64_t kTraceAgentsMax = 10'000;
// Quoted user strings in messages are cut to this many characters so one line stays one line.
constexpr size_t kQuotedStringMax = 40;

std::string read_file_bytes(const std::string& path) {
  return read_file_bounded(path, kTraceBytesMax,
                           std::string(kTraceBytesMaxText) + " limit for traces");
}

bool has_gzip_magic(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

// First output size for inflating: the gzip trailer's ISIZE (the last member's size mod 2^32) plus
// one byte, so a single-member file inflates without regrowing and a longer one is noticed. The
// trailer is untrusted, so the hint is bounded by deflate's best ratio and the limit; the output
// still doubles when the hint is short.
size_t inflated_size_hint(const std::string& compressed) {
  constexpr size_t kDeflateRatioMax = 1032;
  constexpr size_t kMinimumBytes = 4096;
  const size_t n = compressed.size();
  size_t trailer_size = 0;
  if (n >= 4) {
    for (size_t i = 0; i < 4; ++i) {
      trailer_size |= size_t{static_cast<unsigned char>(compressed[n - 4 + i])} << (8 * i);
    }
  }
  const size_t plausible_max = std::min(kTraceBytesMax + 1, n * kDeflateRatioMax + kMinimumBytes);
  return std::clamp(trailer_size + 1, kMinimumBytes, plausible_max);
}

std::string inflate_gzip(const std::string& path, const std::string& compressed) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (and check the CRC), not a raw zlib stream.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    throw InputError(path, "", "cannot start gzip decompression (out of memory?)");
  }
  struct InflateEnder {
    z_stream* stream;
    ~InflateEnder() { inflateEnd(stream); }
  } ender{&stream};

  // compressed.size() <= kTraceBytesMax, so it fits zlib's 32-bit counters.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());

  std::string text;
  text.resize(inflated_size_hint(compressed));
  size_t produced = 0;
  for (;;) {
    if (produced == text.size()) {
      if (produced > kTraceBytesMax) {
        throw InputError(path, "",
                         std::string("gzip stream inflates past the ") + kTraceBytesMaxText +
                             " limit for traces");
      }
      text.resize(std::min(kTraceBytesMax + 1, text.size() * 2));
    }
    const size_t room = std::min<size_t>(text.size() - produced, std::numeric_limits<uInt>::max());
    stream.next_out = reinterpret_cast<Bytef*>(text.data() + produced);
    stream.avail_out = static_cast<uInt>(room);
    const int status = inflate(&stream, Z_NO_FLUSH);
    produced += room - stream.avail_out;

    switch (status) {
      case Z_STREAM_END:
        if (stream.avail_in == 0) {
          text.resize(produced);
          return text;
        }
        // Concatenated gzip members are one valid file (as gzip -d reads them): go on.
        if (inflateReset(&stream) != Z_OK) throw InputError(path, "", "corrupt gzip stream");
        break;
      case Z_OK: break;
      case Z_BUF_ERROR:
        // No progress: either the output is full (grow it above) or the input ran out early.
        if (stream.avail_out != 0) throw InputError(path, "", "truncated gzip stream");
        break;
      case Z_MEM_ERROR: throw InputError(path, "", "out of memory while inflating the gzip stream");
      default:  // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
        throw InputError(path, "",
                         std::string("corrupt gzip stream: ") +
                             (stream.msg != nullptr ? stream.msg : "unknown zlib error"));
    }
    // inflate() returns Z_OK when it used up the input without reaching the trailer.
    if (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      throw InputError(path, "", "truncated gzip stream");
    }
  }
}

// Code points in valid UTF-8 (the parser has already rejected invalid UTF-8):
// every byte that is not a continuation byte 10xxxxxx starts one.
uint64_t code_point_count(const std::string& utf8) {
  uint64_t count = 0;
  for (const char c : utf8) count += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return count;
}

std::string txn_path(size_t txn) { return "txns[" + std::to_string(txn) + "]"; }
std::string patch_path(size_t txn, size_t patch) {
  return txn_path(txn) + ".patches[" + std::to_string(patch) + "]";
}

// Validates a parsed trace and moves its contents into an EditingTrace. Paths for messages are only
// built on the error paths, so the common case costs no string work.
class TraceValidator {
 public:
  explicit TraceValidator(const std::string& path) : path_(path) {}

  EditingTrace build(json& root) {
    if (!root.is_object()) {
      fail("", "expected a JSON object at the top level, found " + describe(root));
    }
    EditingTrace trace;
    read_kind(root, trace);
    trace.end_content = take_string(require(root, "endContent", "", "a string"), "endContent");
    if (const auto start = root.find("startContent"); start != root.end()) {
      trace.start_content = take_string(*start, "startContent");
      if (trace.concurrent && !trace.start_content.empty()) {
        fail("startContent", "concurrent traces start from an empty document; expected \"\"");
      }
    }

    json& txns = require(root, "txns", "", "an array of transactions");
    if (!txns.is_array()) {
      fail("txns", "expected an array of transactions, found " + describe(txns));
    }
    // Parent indices are stored as uint32_t; unreachable under kTraceBytesMax but checked anyway.
    if (txns.size() > std::numeric_limits<uint32_t>::max()) {
      fail("txns", "too many transactions: " + std::to_string(txns.size()));
    }

    uint64_t document_length = code_point_count(trace.start_content);
    trace.transactions.resize(txns.size());
    for (size_t txn_index = 0; txn_index < txns.size(); ++txn_index) {
      read_transaction(txns[txn_index], txn_index, trace, document_length);
    }

    if (!trace.concurrent) {
      const uint64_t end_length = code_point_count(trace.end_content);
      if (document_length != end_length) {
        fail("endContent", "patches end at length " + std::to_string(document_length) +
                               " but endContent has length " + std::to_string(end_length));
      }
    }
    return trace;
  }

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw InputError(path_, where, what);
  }

  static std::string quoted(const std::string& raw) {
    const std::string cut = raw.size() > kQuotedStringMax ? raw.substr(0, kQuotedStringMax) : raw;
    // dump() escapes quotes and control characters; the replace handler survives a cut mid-UTF-8.
    std::string out = json(cut).dump(-1, ' ', true, json::error_handler_t::replace);
    if (cut.size() < raw.size()) out += "...";
    return out;
  }

  // "found ..." text: the type, and for numbers the value, since that is what is usually wrong.
  static std::string describe(const json& value) {
    if (value.is_number()) return "number " + value.dump();
    if (value.is_boolean()) return "boolean " + value.dump();
    return value.type_name();
  }

  static std::string field_path(const std::string& parent, const char* key) {
    return parent.empty() ? std::string(key) : parent + "." + key;
  }

  json& require(json& object, const char* key, const std::string& object_path,
                const char* expected) const {
    const auto found = object.find(key);
    if (found == object.end()) {
      fail(field_path(object_path, key), std::string("missing field; expected ") + expected);
    }
    return *found;
  }

  std::string take_string(json& value, const std::string& where) const {
    if (!value.is_string()) fail(where, "expected a string, found " + describe(value));
    return std::move(value.get_ref<std::string&>());
  }

  // Returns the value of a non-negative JSON integer (the parser stores those as unsigned).
  template <typename WhereFn>
  uint64_t non_negative_integer(const json& value, const WhereFn& where) const {
    if (value.is_number_unsigned()) return value.get<uint64_t>();
    // "-0" parses as a signed zero; it is still a valid non-negative integer.
    if (value.is_number_integer() && value.get<int64_t>() == 0) return 0;
    fail(where(), "expected a non-negative integer, found " + describe(value));
  }

  void read_kind(json& root, EditingTrace& trace) const {
    const auto kind = root.find("kind");
    if (kind == root.end()) return;  // sequential traces carry no kind
    if (!kind->is_string()) fail("kind", "expected a string, found " + describe(*kind));
    const auto& name = kind->get_ref<const std::string&>();
    if (name != "concurrent") {
      fail("kind", "unknown kind " + quoted(name) +
                       "; expected \"concurrent\" (or no kind for a sequential trace)");
    }
    trace.concurrent = true;
    const json& agents = require(root, "numAgents", "", "an integer >= 1");
    const uint64_t agent_count = non_negative_integer(agents, [] { return "numAgents"; });
    if (agent_count < 1 || agent_count > kTraceAgentsMax) {
      fail("numAgents", "expected an integer in [1, " + std::to_string(kTraceAgentsMax) +
                            "], found " + agents.dump());
    }
    trace.agent_count = static_cast<uint32_t>(agent_count);
  }

  void read_transaction(json& txn, size_t txn_index, EditingTrace& trace,
                        uint64_t& document_length) const {
    if (!txn.is_object()) {
      fail(txn_path(txn_index), "expected a transaction object, found " + describe(txn));
    }
    TraceTransaction& out = trace.transactions[txn_index];
    if (trace.concurrent) read_causality(txn, txn_index, trace.agent_count, out);

    json& patches = require(txn, "patches", txn_path(txn_index), "an array of patches");
    if (!patches.is_array()) {
      fail(txn_path(txn_index) + ".patches",
           "expected an array of patches, found " + describe(patches));
    }
    out.patches.resize(patches.size());
    for (size_t patch_index = 0; patch_index < patches.size(); ++patch_index) {
      TracePatch& patch = out.patches[patch_index];
      read_patch(patches[patch_index], txn_index, patch_index, patch);
      if (!trace.concurrent) {
        check_in_document(patch, txn_index, patch_index, document_length);
      }
    }
  }

  void read_causality(json& txn, size_t txn_index, uint32_t agent_count,
                      TraceTransaction& out) const {
    const json& parents = require(txn, "parents", txn_path(txn_index), "an array of integers");
    if (!parents.is_array()) {
      fail(txn_path(txn_index) + ".parents",
           "expected an array of integers, found " + describe(parents));
    }
    out.parents.reserve(parents.size());
    for (size_t i = 0; i < parents.size(); ++i) {
      const auto where = [&] {
        return txn_path(txn_index) + ".parents[" + std::to_string(i) + "]";
      };
      const uint64_t parent = non_negative_integer(parents[i], where);
      if (parent >= txn_index) {
        fail(where(), "parent " + std::to_string(parent) +
                          " does not point to an earlier transaction (expected < " +
                          std::to_string(txn_index) + ")");
      }
      out.parents.push_back(static_cast<uint32_t>(parent));
    }

    const json& agent = require(txn, "agent", txn_path(txn_index), "an integer");
    const auto agent_where = [&] { return txn_path(txn_index) + ".agent"; };
    const uint64_t agent_id = non_negative_integer(agent, agent_where);
    if (agent_id >= agent_count) {
      fail(agent_where(), "agent " + std::to_string(agent_id) +
                              " is outside [0, numAgents = " + std::to_string(agent_count) + ")");
    }
    out.agent = static_cast<uint32_t>(agent_id);
  }

  void read_patch(json& patch, size_t txn_index, size_t patch_index, TracePatch& out) const {
    if (!patch.is_array() || patch.size() != 3) {
      const std::string found = patch.is_array()
                                    ? "an array of " + std::to_string(patch.size()) + " elements"
                                    : describe(patch);
      fail(patch_path(txn_index, patch_index),
           "expected a patch [position, deleteCount, insertText], found " + found);
    }
    const auto element_where = [&](int element) {
      return
          [=] { return patch_path(txn_index, patch_index) + "[" + std::to_string(element) + "]"; };
    };
    out.position = non_negative_integer(patch[0], element_where(0));
    out.delete_count = non_negative_integer(patch[1], element_where(1));
    if (!patch[2].is_string()) {
      fail(element_where(2)(), "expected a string, found " + describe(patch[2]));
    }
    out.text = std::move(patch[2].get_ref<std::string&>());
  }

  // Sequential traces only: the patch must stay inside the document as it is at that point.
  void check_in_document(const TracePatch& patch, size_t txn_index, size_t patch_index,
                         uint64_t& document_length) const {
    if (patch.position > document_length) {
      fail(patch_path(txn_index, patch_index), "position " + std::to_string(patch.position) +
                                                   " is past the document end " +
                                                   std::to_string(document_length));
    }
    // Written as a subtraction so that huge counts cannot overflow.
    if (patch.delete_count > document_length - patch.position) {
      fail(patch_path(txn_index, patch_index),
           "position " + std::to_string(patch.position) + " + delete " +
               std::to_string(patch.delete_count) + " is past the document end " +
               std::to_string(document_length));
    }
    document_length = document_length - patch.delete_count + code_point_count(patch.text);
  }

  const std::string& path_;
};

}  // namespace

uint64_t EditingTrace::patch_count() const {
  uint64_t count = 0;
  for (const TraceTransaction& txn : transactions) count += txn.patches.size();
  return count;
}

EditingTrace load_editing_trace(const std::string& path) {
  json root;
  {
    // Scoped so the raw and inflated bytes are freed before the trace is built.
    std::string bytes = read_file_bytes(path);
    if (bytes.empty()) throw InputError(path, "", "empty file");
    if (has_gzip_magic(bytes)) {
      bytes = inflate_gzip(path, bytes);
      if (bytes.empty()) throw InputError(path, "", "empty file (the gzip stream holds no data)");
    }
    // The scenario files' parser: a key given twice is an error, not the last one winning.
    root = parse_strict_json(path, bytes, kTraceJsonDepthMax);
  }
  return TraceValidator(path).build(root);
}

}  // namespace treedoc::sim
