// The layers' fences, checked on every #include of the sources (docs/architecture.md): models/
// knows no simulator and takes randomness only as values; in sim/, each folder includes only the
// folders below it; only the engine includes SimGrid. CMake links the same way, but a header-only
// include would cross a fence unseen by the linker: this test sees it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// For each sim/ folder, the sim/ folders its files may include (its own is always allowed).
const std::map<std::string, std::set<std::string>>& sim_layers() {
  static const std::map<std::string, std::set<std::string>> layers = {
      {"base", {}},
      {"scenario", {"base"}},
      {"world", {"base", "scenario"}},
      {"workload", {"base", "scenario"}},
      {"observe", {"base", "scenario", "world"}},
      {"check", {"base", "scenario", "world", "workload", "observe"}},
      {"report", {"base", "scenario", "world", "workload", "observe", "check"}},
      {"trace", {"base", "scenario", "world", "workload", "observe", "check", "report"}},
      {"engine", {"base", "scenario", "world", "workload", "observe", "check", "report", "trace"}},
      {"cli",
       {"base", "scenario", "world", "workload", "observe", "check", "report", "trace", "engine"}},
  };
  return layers;
}

// The first path component after `prefix` ("sim/check/x.hpp" -> "check"), or "" if none.
std::string folder_after(const std::string& path, const std::string& prefix) {
  if (path.rfind(prefix, 0) != 0) return "";
  const size_t end = path.find('/', prefix.size());
  return end == std::string::npos ? "" : path.substr(prefix.size(), end - prefix.size());
}

// Why `file` (a path from the repository root) may not include `target` (as written between the
// quotes or angle brackets), or "" when it may.
std::string fence_broken(const std::string& file, const std::string& target) {
  const bool model = file.rfind("models/", 0) == 0 || file.rfind("tests/models/", 0) == 0;
  if (model && target.rfind("sim/", 0) == 0) return "models/ and its tests include nothing of sim/";
  const bool model_code =
      file.rfind("models/treedoc/", 0) == 0 || file.rfind("models/site/", 0) == 0;
  if (model_code && target.rfind("models/random/", 0) == 0) {
    return "the model takes randomness only as values it is given, never a generator";
  }
  if (file.rfind("models/treedoc/", 0) == 0 && target.rfind("models/site/", 0) == 0) {
    return "the CRDT (models/treedoc) knows no site protocol (models/site)";
  }
  const std::string layer = folder_after(file, "sim/");
  const bool simgrid = target.rfind("simgrid", 0) == 0 || target.rfind("xbt/", 0) == 0;
  if (simgrid && layer != "engine") {
    return "only sim/engine includes SimGrid";
  }
  if (layer.empty()) return "";
  const std::string included = folder_after(target, "sim/");
  if (included.empty() || included == layer) return "";
  const auto it = sim_layers().find(layer);
  if (it == sim_layers().end()) return "sim/" + layer + " is not a known layer";
  if (it->second.count(included) == 0) return "sim/" + layer + " may not include sim/" + included;
  return "";
}

struct Crossing {
  std::string file;
  int line = 0;
  std::string target;
  std::string why;
};

// Every fence the text of `file` crosses.
std::vector<Crossing> crossings_in(const std::string& file, std::istream& text) {
  std::vector<Crossing> out;
  std::string line;
  for (int number = 1; std::getline(text, line); ++number) {
    const size_t hash = line.find_first_not_of(" \t");
    if (hash == std::string::npos || line.compare(hash, 8, "#include") != 0) continue;
    const size_t open = line.find_first_of("\"<", hash + 8);
    if (open == std::string::npos) continue;
    const size_t close = line.find_first_of("\">", open + 1);
    if (close == std::string::npos) continue;
    const std::string target = line.substr(open + 1, close - open - 1);
    const std::string why = fence_broken(file, target);
    if (!why.empty()) out.push_back({file, number, target, why});
  }
  return out;
}

std::vector<Crossing> crossings_in_tree(const fs::path& root) {
  std::vector<Crossing> out;
  for (const char* top : {"models", "sim", "tests"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
      std::ifstream in(entry.path());
      const std::string file = fs::relative(entry.path(), root).generic_string();
      for (Crossing& c : crossings_in(file, in)) out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("no include crosses a layer's fence", "[architecture]") {
  const std::vector<Crossing> found = crossings_in_tree(TREEDOC_SOURCE_DIR);
  for (const Crossing& c : found) {
    UNSCOPED_INFO(c.file << ":" << c.line << " includes " << c.target << ": " << c.why);
  }
  CHECK(found.empty());
}

TEST_CASE("the fence check reports each kind of wrong include", "[architecture]") {
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {"models/site/site.cpp", "sim/base/input_error.hpp"},
      {"tests/models/test_replica.cpp", "sim/world/network.hpp"},
      {"models/treedoc/replica.cpp", "models/random/random_stream.hpp"},
      {"models/treedoc/tree.cpp", "models/site/site.hpp"},
      {"sim/check/checker.cpp", "simgrid/s4u.hpp"},
      {"sim/check/checker.cpp", "sim/engine/simulation.hpp"},
      {"sim/observe/metrics_recorder.cpp", "sim/check/checker.hpp"},
      {"sim/scenario/scenario.hpp", "sim/workload/patch_editor.hpp"},
      {"sim/base/time_text.cpp", "sim/scenario/scenario.hpp"},
  };
  for (const auto& [file, target] : wrong) {
    std::istringstream text("// a file\n#include <vector>\n  #include \"" + target + "\"\n");
    const std::vector<Crossing> found = crossings_in(file, text);
    INFO(file << " including " << target);
    REQUIRE(found.size() == 1);
    CHECK(found[0].line == 3);
  }
  const std::vector<std::pair<std::string, std::string>> right = {
      {"sim/engine/courier.cpp", "simgrid/s4u.hpp"},
      {"sim/check/checker.cpp", "sim/observe/run_observer.hpp"},
      {"sim/cli/main.cpp", "sim/engine/simulation.hpp"},
      {"tests/models/test_replica.cpp", "models/random/random_stream.hpp"},
      {"tests/sim/test_run_command.cpp", "sim/engine/simulation.hpp"},
      {"models/site/site.cpp", "models/treedoc/replica.hpp"},
  };
  for (const auto& [file, target] : right) {
    std::istringstream text("#include \"" + target + "\"\n");
    INFO(file << " including " << target);
    CHECK(crossings_in(file, text).empty());
  }
}
