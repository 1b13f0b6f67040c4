// Sweep rows: the column list and each run's cells, read off the run's JSON.
#include "sim/cli/sweep_rows.hpp"

#include <array>
#include <string_view>

#include "sim/scenario/figure.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// The columns read from the run object itself, in their order after the grid's axes ("point"
// comes first of all).
constexpr std::array<const char*, 6> kRunColumns = {"seed",      "outcome",        "exit_code",
                                                    "invariant", "event_log_hash", "wall_s"};
constexpr const char* kPointColumn = "point";

std::string cell_text(const json* value) {
  if (value == nullptr || value->is_null()) return "";
  if (value->is_string()) return value->get<std::string>();
  return value->dump();
}

const json* find_in(const json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

bool is_result_column(const std::string& name) {
  if (name == kPointColumn) return true;
  for (const char* column : kRunColumns) {
    if (name == column) return true;
  }
  for (size_t k = 0; k < kFigures.size(); ++k) {
    if (name == kFigures.name_at(k)) return true;
  }
  return false;
}

std::vector<std::string> sweep_columns(const SweepGrid& grid,
                                       const std::vector<std::string>& drawn_paths) {
  std::vector<std::string> columns = {kPointColumn};
  for (const SweepAxis& axis : grid.axes()) columns.push_back(axis.path);
  columns.insert(columns.end(), kRunColumns.begin(), kRunColumns.end());
  for (size_t k = 0; k < kFigures.size(); ++k) columns.push_back(kFigures.name_at(k));
  for (const std::string& path : drawn_paths) columns.push_back(kDrawnColumnPrefix + path);
  return columns;
}

std::vector<std::string> row_cells(const json& run, const std::vector<std::string>& columns) {
  const std::string_view drawn_prefix = kDrawnColumnPrefix;
  const json empty = json::object();
  const json* parameters = find_in(run, "parameters");
  std::vector<std::string> cells;
  for (const std::string& column : columns) {
    const json* value = nullptr;
    if (column.rfind(drawn_prefix, 0) == 0) {
      const json* drawn = find_in(run, "drawn");
      value = find_in(drawn ? *drawn : empty, column.substr(drawn_prefix.size()));
    } else if (const json* parameter = find_in(parameters ? *parameters : empty, column)) {
      value = parameter;
    } else if (const json* own = find_in(run, column)) {
      value = own;
    } else if (const json* figures = find_in(run, "figures")) {
      value = find_in(*figures, column);
    }
    cells.push_back(cell_text(value));
  }
  return cells;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t k = 0; k < cells.size(); ++k) {
    if (k > 0) line += ',';
    const std::string& cell = cells[k];
    if (cell.find_first_of(",\"\r\n") == std::string::npos) {
      line += cell;
      continue;
    }
    line += '"';
    for (const char c : cell) line += c == '"' ? std::string("\"\"") : std::string(1, c);
    line += '"';
  }
  return line + "\n";
}

bool run_before(const json& a, const json& b) {
  const uint64_t pa = a.value("point", uint64_t{0}), pb = b.value("point", uint64_t{0});
  if (pa != pb) return pa < pb;
  return a.value("seed", uint64_t{0}) < b.value("seed", uint64_t{0});
}

}  // namespace treedoc::sim
