// read_trace: a trace.jsonl line by line, each checked for a kind of the schema.
#include "sim/trace/trace_reader.hpp"

#include <filesystem>
#include <fstream>

#include "sim/base/input_error.hpp"
#include "sim/trace/trace_schema.hpp"

namespace treedoc::sim {

namespace {

namespace fs = std::filesystem;

std::string trace_file_of(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return (fs::path(path) / "trace.jsonl").string();
  return path;
}

// What explain never reads: the bulk of a trace, and no part of any explanation.
bool skipped(const nlohmann::json& line) {
  const std::string& kind = line["kind"].get_ref<const std::string&>();
  if (kind == "timer") return true;
  const auto msg = line.find("msg");
  return msg != line.end() && (*msg == "heartbeat" || *msg == "digest");
}

nlohmann::json parse_line(const std::string& file, size_t number, const std::string& text) {
  const std::string where = "line " + std::to_string(number);
  nlohmann::json line = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (line.is_discarded() || !line.is_object()) {
    throw InputError(file, where,
                     "a JSON object per line (a trace.jsonl of treedoc-sim run --trace)");
  }
  const auto kind = line.find("kind");
  if (kind == line.end() || !kind->is_string() ||
      !trace_schema()["kinds"].contains(kind->get<std::string>())) {
    throw InputError(file, where + ": kind", "a record kind of trace.schema.json");
  }
  if (!line.contains("t_us") || !line["t_us"].is_number_unsigned()) {
    throw InputError(file, where + ": t_us", "a time in microseconds");
  }
  return line;
}

}  // namespace

RunTrace read_trace(const std::string& path) {
  RunTrace trace;
  trace.path = trace_file_of(path);
  std::error_code ec;
  if (!fs::is_regular_file(trace.path, ec)) {
    throw InputError(trace.path, "",
                     "a typed trace: write one with treedoc-sim run SCENARIO --out DIR --trace");
  }
  std::ifstream in(trace.path);
  std::string text;
  size_t number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (text.size() > kTraceLineBytesMax) {
      throw InputError(trace.path, "line " + std::to_string(number),
                       "a line of at most " + std::to_string(kTraceLineBytesMax) + " bytes");
    }
    nlohmann::json line = parse_line(trace.path, number, text);
    if (number == 1) {
      if (line["kind"] != "run" || line.value("schema_version", 0) != kTraceSchemaVersion) {
        throw InputError(
            trace.path, "line 1",
            "the run line of trace schema version " + std::to_string(kTraceSchemaVersion));
      }
      trace.run = std::move(line);
      continue;
    }
    if (skipped(line)) continue;
    if (trace.records.size() >= kTraceRecordsMax) {
      throw InputError(trace.path, "line " + std::to_string(number),
                       "at most " + std::to_string(kTraceRecordsMax) +
                           " records for explain: explain a shorter run");
    }
    trace.records.push_back(std::move(line));
  }
  if (number == 0) throw InputError(trace.path, "", "a trace with its run line; the file is empty");
  return trace;
}

}  // namespace treedoc::sim
