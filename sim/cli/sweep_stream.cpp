// Sweep result files: appended and flushed row by row, then rewritten whole in row order.
#include "sim/cli/sweep_stream.hpp"

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "sim/base/input_error.hpp"
#include "sim/cli/sweep_rows.hpp"

namespace treedoc::sim {

namespace {

// Writes `text` to `path` through `path` + ".tmp" renamed over it.
bool write_whole_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  std::FILE* out = std::fopen(temporary.c_str(), "w");
  if (!out) return false;
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (std::fclose(out) != 0 || !written) {
    std::remove(temporary.c_str());
    return false;
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  return !error;
}

std::FILE* open_or_throw(const std::string& path, const char* flag) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (!file) throw InputError(path, "", std::string(flag) + ": cannot write the file");
  return file;
}

bool put_line(std::FILE* file, const std::string& line) {
  return std::fputs(line.c_str(), file) >= 0 && std::fflush(file) == 0;
}

}  // namespace

SweepStream::SweepStream(std::string csv_path, std::string json_path, const nlohmann::json& header,
                         std::vector<std::string> columns)
    : csv_path_(std::move(csv_path)), columns_(std::move(columns)) {
  if (!csv_path_.empty()) {
    csv_ = open_or_throw(csv_path_, "--csv");
    put_line(csv_, csv_line(columns_));
  }
  if (!json_path.empty()) {
    partial_path_ = json_path + kPartialJsonSuffix;
    try {
      partial_ = open_or_throw(partial_path_, "--json");
    } catch (const InputError&) {
      close();
      throw InputError(json_path, "", "--json: cannot write the file");
    }
    put_line(partial_, nlohmann::json({{"sweep", header}}).dump() + "\n");
  }
}

SweepStream::~SweepStream() { close(); }

void SweepStream::close() {
  if (csv_) std::fclose(csv_);
  if (partial_) std::fclose(partial_);
  csv_ = partial_ = nullptr;
}

void SweepStream::add(const nlohmann::json& run) {
  // A full disk shows at the end, when the files are rewritten whole and checked. The JSON line
  // goes first: a row in the CSV then means its run is in the partial JSON too, whenever the
  // sweep is killed (CI once killed one between the two writes of a row, and the test that reads
  // both after a kill at the CSV's second row found one run in the JSON).
  if (partial_) (void)put_line(partial_, run.dump() + "\n");
  if (csv_) (void)put_line(csv_, csv_line(row_cells(run, columns_)));
}

void SweepStream::finish(const nlohmann::json& runs, bool json_written) {
  const bool csv_open = csv_ != nullptr;
  close();
  if (csv_open && !write_csv_file(csv_path_, columns_, runs)) {
    throw InputError(csv_path_, "", "--csv: cannot write the file");
  }
  if (json_written && !partial_path_.empty()) std::remove(partial_path_.c_str());
}

bool write_csv_file(const std::string& path, const std::vector<std::string>& columns,
                    const nlohmann::json& runs) {
  std::string text = csv_line(columns);
  for (const nlohmann::json& run : runs) text += csv_line(row_cells(run, columns));
  return write_whole_file(path, text);
}

bool write_json_file(const std::string& path, const nlohmann::json& document) {
  return write_whole_file(path, document.dump(2) + "\n");
}

}  // namespace treedoc::sim
