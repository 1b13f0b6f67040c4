// A sweep's result files while it runs: each row is appended to --csv and to --json's partial
// JSON lines, flushed, as its run finishes, so an interrupted sweep keeps what it ran; at the end
// the CSV is rewritten in row order and the partial file gives way to the whole --json.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace treedoc::sim {

// Beside --json FILE while the sweep runs: FILE plus this suffix, one JSON object a line (the
// sweep's header first, then one run a line, in the order they finished).
inline constexpr const char* kPartialJsonSuffix = ".partial.jsonl";

class SweepStream {
 public:
  // Opens the files that are asked for (an empty path: none) and writes the CSV header and the
  // JSON header line; throws InputError naming the flag when a file cannot be written, before
  // any run starts.
  SweepStream(std::string csv_path, std::string json_path, const nlohmann::json& header,
              std::vector<std::string> columns);
  ~SweepStream();
  SweepStream(const SweepStream&) = delete;
  SweepStream& operator=(const SweepStream&) = delete;

  // Appends one run's row to each file and flushes them.
  void add(const nlohmann::json& run);
  // Rewrites the CSV with `runs` in their final order (through a temporary file, renamed, so the
  // file is whole at every moment) and removes the partial JSON lines, once --json is written.
  // Throws InputError when the CSV cannot be rewritten.
  void finish(const nlohmann::json& runs, bool json_written);

 private:
  void close();

  std::string csv_path_, partial_path_;
  std::vector<std::string> columns_;
  std::FILE* csv_ = nullptr;
  std::FILE* partial_ = nullptr;
};

// Writes `rows` (header then runs) as CSV to `path` through a temporary file renamed into place;
// false when it cannot.
bool write_csv_file(const std::string& path, const std::vector<std::string>& columns,
                    const nlohmann::json& runs);

// Writes `document` as indented JSON to `path` through a temporary file renamed into place;
// false when it cannot.
bool write_json_file(const std::string& path, const nlohmann::json& document);

}  // namespace treedoc::sim
