// Tests of the editing-trace loader: bad files are rejected with a precise message, good ones load.
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "sim/base/input_error.hpp"
#include "sim/workload/editing_trace.hpp"
#include "tests/sim/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using treedoc::sim::EditingTrace;
using treedoc::sim::InputError;
using treedoc::sim::load_editing_trace;

// A fresh temp directory per test (tests/sim/temp_dir.hpp).
class TraceTempDir : public treedoc::test::TempDir {
 public:
  TraceTempDir() : treedoc::test::TempDir("treedoc-trace-test") {}
};

// gzip (with header and trailer, as the gzip tool writes) of `raw`.
std::string gzip(const std::string& raw) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK);
  std::string compressed(deflateBound(&stream, raw.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  stream.avail_in = static_cast<uInt>(raw.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  // deflateBound makes the output room enough for a single Z_FINISH call.
  const int status = deflate(&stream, Z_FINISH);
  compressed.resize(stream.total_out);
  deflateEnd(&stream);
  REQUIRE(status == Z_STREAM_END);
  return compressed;
}

struct LoadFailure {
  bool threw = false;
  std::string file;
  std::string where;
  std::string message;
};

LoadFailure load_failure(const std::string& path) {
  try {
    load_editing_trace(path);
  } catch (const InputError& error) {
    return {true, error.file(), error.where(), error.what()};
  }
  return {};
}

// The loader must throw InputError naming the file, the JSON path and the problem.
void check_rejected(const std::string& path, const std::string& where, const std::string& problem) {
  const LoadFailure failure = load_failure(path);
  REQUIRE(failure.threw);
  CHECK(failure.file == path);
  CHECK(failure.where == where);
  CHECK_THAT(failure.message, Contains(path) && Contains(problem));
}

// "ab" -> "aX" -> "aXc": the smallest trace with a delete, a replace and several txns.
const std::string kSmallSequential =
    R"({"startContent": "ab", "endContent": "aXc", "txns": [)"
    R"({"time": "2021-04-19T06:06:58.219Z", "patches": [[1, 1, "X"]]},)"
    R"({"patches": [[2, 0, "c"]]}]})";

void check_small_sequential(const EditingTrace& trace) {
  CHECK_FALSE(trace.concurrent);
  CHECK(trace.agent_count == 1);
  CHECK(trace.start_content == "ab");
  CHECK(trace.end_content == "aXc");
  REQUIRE(trace.transactions.size() == 2);
  CHECK(trace.patch_count() == 2);
  const auto& first = trace.transactions[0].patches.at(0);
  CHECK(first.position == 1);
  CHECK(first.delete_count == 1);
  CHECK(first.text == "X");
  const auto& second = trace.transactions[1].patches.at(0);
  CHECK(second.position == 2);
  CHECK(second.delete_count == 0);
  CHECK(second.text == "c");
  CHECK(trace.transactions[1].parents.empty());
  CHECK(trace.transactions[1].agent == 0);
}

// Two agents typing "ab" concurrently at the start, then agent 0 merging both.
const std::string kSmallConcurrent =
    R"({"kind": "concurrent", "endContent": "abc", "numAgents": 2, "txns": [)"
    R"({"parents": [], "numChildren": 1, "agent": 0, "time": "t", "patches": [[0, 0, "a"]]},)"
    R"({"parents": [], "numChildren": 1, "agent": 1, "patches": [[0, 0, "b"]]},)"
    R"({"parents": [0, 1], "numChildren": 0, "agent": 0, "patches": [[2, 0, "c"]]}]})";

std::string bundled_trace(const std::string& relative) {
  return std::string(TREEDOC_SOURCE_DIR) + "/scenarios/traces/" + relative;
}

}  // namespace

// ---- rejected files ----

TEST_CASE("trace loader rejects a missing file", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.path_of("no-such-trace.json"), "", "cannot open: No such file or directory");
}

TEST_CASE("trace loader rejects a directory", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.path_of(""), "", "cannot read");
}

TEST_CASE("trace loader refuses a FIFO and a device before reading them", "[trace]") {
  // A FIFO with no writer would block the open forever; /dev/zero would be read to the limit.
  const TraceTempDir dir;
  const std::string fifo = dir.path_of("trace.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  check_rejected(fifo, "", "not a regular file (a FIFO, socket or device)");
  check_rejected("/dev/zero", "", "not a regular file (a FIFO, socket or device)");
}

TEST_CASE("trace loader rejects an empty file", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.write("empty.json", ""), "", "empty file");
}

TEST_CASE("trace loader rejects a truncated gzip stream", "[trace]") {
  const TraceTempDir dir;
  const std::string compressed = gzip(kSmallSequential);
  check_rejected(dir.write("half.json.gz", compressed.substr(0, compressed.size() / 2)), "",
                 "truncated gzip stream");
  check_rejected(dir.write("magic-only.json.gz", compressed.substr(0, 2)), "",
                 "truncated gzip stream");
}

TEST_CASE("trace loader rejects a corrupt gzip stream", "[trace]") {
  const TraceTempDir dir;
  std::string compressed = gzip(kSmallSequential);
  // The trailer is CRC32 then ISIZE; a wrong CRC is corruption zlib must notice.
  compressed[compressed.size() - 8] ^= 0x55;
  check_rejected(dir.write("bad-crc.json.gz", compressed), "", "corrupt gzip stream: ");
  check_rejected(dir.write("trailing-garbage.json.gz", gzip(kSmallSequential) + "garbage"), "",
                 "corrupt gzip stream: ");
}

TEST_CASE("trace loader caps the inflated size", "[trace]") {
  const TraceTempDir dir;
  // 513 gzip members of 1 MiB of spaces each (valid JSON padding): about half a megabyte on disk,
  // cheap to build, and past the 512 MiB limit once inflated.
  const std::string member = gzip(std::string(size_t{1} << 20, ' '));
  std::string bomb;
  for (int i = 0; i < 513; ++i) bomb += member;
  check_rejected(dir.write("bomb.json.gz", bomb), "", "inflates past the 512 MiB limit");
}

TEST_CASE("trace loader rejects a binary file that is not gzip", "[trace]") {
  const TraceTempDir dir;
  const std::string binary("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", 18);
  check_rejected(dir.write("image.png", binary), "", "not UTF-8 text (byte 0x89 at byte 0)");
}

TEST_CASE("trace loader rejects text that is not JSON", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.write("prose.json", "this is not a trace"), "",
                 "not JSON: parse error at line 1, column 2: ");
  check_rejected(dir.write("cut.json", R"({"endContent": "x", "txns": [)"), "",
                 "unexpected end of input");
  check_rejected(dir.write("bad-utf8.json", "{\"endContent\": \"\xff\"}"), "",
                 "not UTF-8 text (byte 0xff at byte 16)");
  check_rejected(dir.write("huge-number.json", R"({"endContent": 1e999})"), "endContent",
                 "number 1e999 is too large");
}

TEST_CASE("trace loader rejects a key given twice, as scenario files do", "[trace]") {
  // The last one used to win silently: here the second endContent, which the patches miss.
  const TraceTempDir dir;
  check_rejected(dir.write("twice.json", R"({"endContent": "a", "endContent": "b", "txns": []})"),
                 "endContent", "duplicate key; each key may appear once in an object");
  check_rejected(dir.write("twice-in-txn.json",
                           R"({"endContent": "", "txns": [{"patches": [], "patches": []}]})"),
                 "txns[0].patches", "duplicate key");
}

TEST_CASE("trace loader rejects JSON that is not an object", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.write("array.json", "[1, 2, 3]"), "",
                 "expected a JSON object at the top level, found array");
}

TEST_CASE("trace loader rejects missing or mistyped top-level fields", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.write("no-txns.json", R"({"endContent": ""})"), "txns",
                 "missing field; expected an array of transactions");
  check_rejected(dir.write("txns-object.json", R"({"endContent": "", "txns": {}})"), "txns",
                 "expected an array of transactions, found object");
  check_rejected(dir.write("no-end.json", R"({"txns": []})"), "endContent",
                 "missing field; expected a string");
  check_rejected(dir.write("end-number.json", R"({"endContent": 5, "txns": []})"), "endContent",
                 "expected a string, found number 5");
  check_rejected(
      dir.write("start-null.json", R"({"startContent": null, "endContent": "", "txns": []})"),
      "startContent", "expected a string, found null");
}

TEST_CASE("trace loader rejects malformed transactions", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.write("txn-string.json", R"({"endContent": "", "txns": ["x"]})"), "txns[0]",
                 "expected a transaction object, found string");
  check_rejected(dir.write("no-patches.json", R"({"endContent": "", "txns": [{"time": 1}]})"),
                 "txns[0].patches", "missing field; expected an array of patches");
}

TEST_CASE("trace loader rejects a patch with two elements", "[trace]") {
  const TraceTempDir dir;
  const std::string text =
      R"({"endContent": "a", "txns": [{"patches": [[0, 0, "a"]]}, {"patches": [[0, 0]]}]})";
  check_rejected(dir.write("short-patch.json", text), "txns[1].patches[0]",
                 "expected a patch [position, deleteCount, insertText], found an array of 2");
}

TEST_CASE("trace loader rejects a negative position", "[trace]") {
  const TraceTempDir dir;
  check_rejected(
      dir.write("negative.json", R"({"endContent": "a", "txns": [{"patches": [[-1, 0, "a"]]}]})"),
      "txns[0].patches[0][0]", "expected a non-negative integer, found number -1");
}

TEST_CASE("trace loader rejects a string position and other mistyped elements", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.write("string-pos.json",
                           R"({"endContent": "a", "txns": [{"patches": [["0", 0, "a"]]}]})"),
                 "txns[0].patches[0][0]", "expected a non-negative integer, found string");
  check_rejected(
      dir.write("float-del.json", R"({"endContent": "a", "txns": [{"patches": [[0, 0.5, "a"]]}]})"),
      "txns[0].patches[0][1]", "expected a non-negative integer, found number 0.5");
  check_rejected(
      dir.write("number-text.json", R"({"endContent": "a", "txns": [{"patches": [[0, 0, 7]]}]})"),
      "txns[0].patches[0][2]", "expected a string, found number 7");
}

TEST_CASE("trace loader rejects a patch past the document end", "[trace]") {
  const TraceTempDir dir;
  const std::string text =
      R"({"startContent": "abc", "endContent": "abcx", "txns": [{"patches": [[4, 0, "x"]]}]})";
  check_rejected(dir.write("past-end.json", text), "txns[0].patches[0]",
                 "position 4 is past the document end 3");
}

TEST_CASE("trace loader rejects a delete past the document end", "[trace]") {
  const TraceTempDir dir;
  const std::string text =
      R"({"startContent": "abc", "endContent": "a", "txns": [{"patches": [[1, 1, ""], [1, 2, ""]]}]})";
  check_rejected(dir.write("delete-past-end.json", text), "txns[0].patches[1]",
                 "position 1 + delete 2 is past the document end 2");
  // A count near 2^64 must not wrap around when added to the position.
  const std::string huge =
      R"({"startContent": "abc", "endContent": "", "txns": [{"patches": [[1, 18446744073709551615, ""]]}]})";
  check_rejected(dir.write("huge-delete.json", huge), "txns[0].patches[0]",
                 "position 1 + delete 18446744073709551615 is past the document end 3");
}

TEST_CASE("trace loader counts document length in code points", "[trace]") {
  const TraceTempDir dir;
  // "é" is 2 bytes, "日本" 6 bytes, "😀" 4 bytes: 4 code points, 12 bytes in all.
  const std::string good =
      R"({"startContent": "é", "endContent": "é日本😀", "txns": [{"patches": [[1, 0, "日本"], [3, 0, "😀"]]}]})";
  const EditingTrace trace = load_editing_trace(dir.write("unicode.json", good));
  CHECK(trace.end_content == "é日本😀");
  CHECK(trace.patch_count() == 2);

  const std::string past =
      R"({"startContent": "日本", "endContent": "日本x", "txns": [{"patches": [[3, 0, "x"]]}]})";
  check_rejected(dir.write("unicode-past.json", past), "txns[0].patches[0]",
                 "position 3 is past the document end 2");
}

TEST_CASE("trace loader rejects an endContent length mismatch", "[trace]") {
  const TraceTempDir dir;
  const std::string text =
      R"({"startContent": "ab", "endContent": "abcdef", "txns": [{"patches": [[2, 0, "c"]]}]})";
  check_rejected(dir.write("mismatch.json", text), "endContent",
                 "patches end at length 3 but endContent has length 6");
}

TEST_CASE("trace loader rejects a concurrent parent that does not point back", "[trace]") {
  const TraceTempDir dir;
  const std::string forward =
      R"({"kind": "concurrent", "endContent": "ab", "numAgents": 1, "txns": [)"
      R"({"parents": [1], "agent": 0, "patches": [[0, 0, "a"]]},)"
      R"({"parents": [], "agent": 0, "patches": [[0, 0, "b"]]}]})";
  check_rejected(dir.write("forward.json", forward), "txns[0].parents[0]",
                 "parent 1 does not point to an earlier transaction (expected < 0)");
  const std::string itself =
      R"({"kind": "concurrent", "endContent": "ab", "numAgents": 1, "txns": [)"
      R"({"parents": [], "agent": 0, "patches": [[0, 0, "a"]]},)"
      R"({"parents": [0, 1], "agent": 0, "patches": [[0, 0, "b"]]}]})";
  check_rejected(dir.write("self.json", itself), "txns[1].parents[1]",
                 "parent 1 does not point to an earlier transaction (expected < 1)");
  const std::string negative =
      R"({"kind": "concurrent", "endContent": "a", "numAgents": 1, "txns": [)"
      R"({"parents": [-1], "agent": 0, "patches": [[0, 0, "a"]]}]})";
  check_rejected(dir.write("negative-parent.json", negative), "txns[0].parents[0]",
                 "expected a non-negative integer, found number -1");
}

TEST_CASE("trace loader rejects a concurrent agent outside numAgents", "[trace]") {
  const TraceTempDir dir;
  const std::string text = R"({"kind": "concurrent", "endContent": "a", "numAgents": 2, "txns": [)"
                           R"({"parents": [], "agent": 2, "patches": [[0, 0, "a"]]}]})";
  check_rejected(dir.write("agent.json", text), "txns[0].agent",
                 "agent 2 is outside [0, numAgents = 2)");
  const std::string no_agents =
      R"({"kind": "concurrent", "endContent": "", "numAgents": 0, "txns": []})";
  check_rejected(dir.write("no-agents.json", no_agents), "numAgents",
                 "expected an integer in [1, 10000], found 0");
  // Each agent is a replica: 2^31 of them allocated until the process died.
  const std::string many_agents =
      R"({"kind": "concurrent", "endContent": "", "numAgents": 2147483648, "txns": []})";
  check_rejected(dir.write("many-agents.json", many_agents), "numAgents",
                 "expected an integer in [1, 10000], found 2147483648");
  const std::string no_parents =
      R"({"kind": "concurrent", "endContent": "a", "numAgents": 1, "txns": [)"
      R"({"agent": 0, "patches": [[0, 0, "a"]]}]})";
  check_rejected(dir.write("no-parents.json", no_parents), "txns[0].parents",
                 "missing field; expected an array of integers");
}

TEST_CASE("trace loader rejects a concurrent trace with a start or without numAgents", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.write("start.json", R"({"kind": "concurrent", "startContent": "x", )"
                                         R"("endContent": "", "numAgents": 1, "txns": []})"),
                 "startContent", "concurrent traces start from an empty document");
  check_rejected(
      dir.write("agents.json", R"({"kind": "concurrent", "endContent": "", "txns": []})"),
      "numAgents", "missing field; expected an integer >= 1");
}

TEST_CASE("trace loader rejects an unknown kind", "[trace]") {
  const TraceTempDir dir;
  check_rejected(dir.write("kind.json", R"({"kind": "branching", "endContent": "", "txns": []})"),
                 "kind", "unknown kind \"branching\"; expected \"concurrent\"");
  check_rejected(dir.write("kind-number.json", R"({"kind": 3, "endContent": "", "txns": []})"),
                 "kind", "expected a string, found number 3");
}

// ---- accepted files ----

TEST_CASE("trace loader loads a small sequential trace, plain and gzipped", "[trace]") {
  const TraceTempDir dir;
  check_small_sequential(load_editing_trace(dir.write("small.json", kSmallSequential)));
  // The extension does not matter: gzip is recognised by its magic bytes.
  check_small_sequential(load_editing_trace(dir.write("small.json", gzip(kSmallSequential))));
  // Concatenated gzip members form one stream, as gzip -d reads them.
  const std::string half = kSmallSequential.substr(0, kSmallSequential.size() / 2);
  const std::string rest = kSmallSequential.substr(half.size());
  check_small_sequential(
      load_editing_trace(dir.write("two-members.json.gz", gzip(half) + gzip(rest))));
}

TEST_CASE("trace loader loads a small concurrent trace", "[trace]") {
  const TraceTempDir dir;
  const EditingTrace trace = load_editing_trace(dir.write("concurrent.json", kSmallConcurrent));
  CHECK(trace.concurrent);
  CHECK(trace.agent_count == 2);
  CHECK(trace.start_content.empty());
  CHECK(trace.end_content == "abc");
  REQUIRE(trace.transactions.size() == 3);
  CHECK(trace.patch_count() == 3);
  CHECK(trace.transactions[1].agent == 1);
  CHECK(trace.transactions[1].parents.empty());
  CHECK(trace.transactions[2].parents == std::vector<uint32_t>{0, 1});
  CHECK(trace.transactions[2].patches.at(0).position == 2);
  CHECK(trace.transactions[2].patches.at(0).text == "c");
}

TEST_CASE("trace loader loads bundled automerge-paper", "[trace]") {
  const EditingTrace trace =
      load_editing_trace(bundled_trace("sequential/automerge-paper.json.gz"));
  CHECK_FALSE(trace.concurrent);
  CHECK(trace.agent_count == 1);
  CHECK(trace.start_content.empty());
  CHECK(trace.end_content.size() == 104852);
  CHECK(trace.transactions.size() == 259778);
  CHECK(trace.patch_count() == 259778);
}

TEST_CASE("trace loader loads bundled friendsforever_flat", "[trace]") {
  const EditingTrace trace =
      load_editing_trace(bundled_trace("sequential/friendsforever_flat.json.gz"));
  CHECK_FALSE(trace.concurrent);
  CHECK(trace.end_content.size() == 21362);
  CHECK(trace.patch_count() == 26078);
}

TEST_CASE("trace loader loads bundled rustcode", "[trace]") {
  const EditingTrace trace = load_editing_trace(bundled_trace("sequential/rustcode.json.gz"));
  CHECK_FALSE(trace.concurrent);
  CHECK(trace.end_content.size() == 65218);
  CHECK(trace.transactions.size() == 36981);
  CHECK(trace.patch_count() == 40173);
}

TEST_CASE("trace loader loads bundled sveltecomponent", "[trace]") {
  const EditingTrace trace =
      load_editing_trace(bundled_trace("sequential/sveltecomponent.json.gz"));
  CHECK_FALSE(trace.concurrent);
  CHECK(trace.end_content.size() == 18451);
  CHECK(trace.transactions.size() == 18335);
  CHECK(trace.patch_count() == 19749);
}

TEST_CASE("trace loader loads bundled concurrent friendsforever", "[trace]") {
  const EditingTrace trace = load_editing_trace(bundled_trace("concurrent/friendsforever.json.gz"));
  CHECK(trace.concurrent);
  CHECK(trace.agent_count == 2);
  CHECK(trace.start_content.empty());
  CHECK(trace.end_content.size() == 21362);
  CHECK(trace.transactions.size() == 26078);
  CHECK(trace.patch_count() == 26078);
  CHECK(trace.transactions[0].parents.empty());
}
