// Swarm scenarios: ranges, choices and $maybe draw per seed, within their bounds, the same on
// every run, each form from its own stream; malformed forms and bad draws are bad input (exit 3).
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/cli/validate_command.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/swarm_resolver.hpp"
#include "tests/sim/cli_process.hpp"
#include "tests/sim/temp_dir.hpp"

using namespace treedoc;
using namespace treedoc::sim;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

// Seeds drawn per property: enough to see every choice and both ends' neighbourhoods.
constexpr uint64_t kSeedsDrawn = 200;
// A swarm file of about 1 MiB for validate: this many descriptions to choose from, each this long.
constexpr size_t kBulkyChoices = 1000;
constexpr size_t kBulkyDescriptionBytes = 1000;
// validate draws 100 seeds: parsing the file for each took over 100 times one parse. Drawing
// them from one parse takes a few; the bound leaves room for a loaded machine either way.
constexpr double kValidateParsesMax = 25;

// The best of kTimingRepeats runs of `work`: one run on a shared machine can be slowed by anything.
constexpr int kTimingRepeats = 3;
double seconds_taken(const std::function<void()>& work) {
  double best = 0;
  for (int k = 0; k < kTimingRepeats; ++k) {
    const auto start = std::chrono::steady_clock::now();
    work();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (k == 0 || s < best) best = s;
  }
  return best;
}

json forms_at(const char* text) { return json::parse(text); }

std::string bad_form_message(const char* text) {
  try {
    check_swarm_forms("x.json", json::parse(text));
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("ranges draw whole numbers or reals within their ends", "[swarm]") {
  const json root = forms_at(
      R"({"whole": {"$range": [3, 7]}, "real": {"$range": [0.5, 2]}, "neg": {"$range": [-2, 2]},
          "big": {"$range": [18446744073709551614, 18446744073709551615]}})");
  REQUIRE(check_swarm_forms("x.json", root) == 4);
  std::set<uint64_t> wholes;
  for (uint64_t seed = 0; seed < kSeedsDrawn; ++seed) {
    const json drawn = resolve_swarm(root, seed);
    REQUIRE(drawn["whole"].is_number_unsigned());
    wholes.insert(drawn["whole"].get<uint64_t>());
    REQUIRE(drawn["real"].is_number_float());
    REQUIRE(drawn["real"].get<double>() >= 0.5);
    REQUIRE(drawn["real"].get<double>() < 2);
    REQUIRE(drawn["neg"].get<int64_t>() >= -2);
    REQUIRE(drawn["neg"].get<int64_t>() <= 2);
    REQUIRE(drawn["big"].get<uint64_t>() >= 18446744073709551614ull);
  }
  REQUIRE(wholes == std::set<uint64_t>{3, 4, 5, 6, 7});  // both ends included
}

TEST_CASE("choices pick every value, nested forms resolve, $maybe keeps about half", "[swarm]") {
  const json root = forms_at(
      R"({"c": {"$choice": ["a", {"$range": [10, 11]}, [1, 2]]},
          "list": [{"$maybe": 1}, 2, {"$choice": [{"$maybe": 3}, 4]}]})");
  REQUIRE(check_swarm_forms("x.json", root) == 5);
  std::set<std::string> picked;
  size_t kept = 0;
  for (uint64_t seed = 0; seed < kSeedsDrawn; ++seed) {
    const json drawn = resolve_swarm(root, seed);
    picked.insert(drawn["c"].dump());
    const json& list = drawn["list"];
    REQUIRE(std::find(list.begin(), list.end(), json(2)) != list.end());  // not a form: stays
    kept += std::find(list.begin(), list.end(), json(1)) != list.end() ? 1 : 0;
  }
  REQUIRE(picked == std::set<std::string>{"\"a\"", "10", "11", "[1,2]"});
  REQUIRE(kept > kSeedsDrawn / 4);
  REQUIRE(kept < 3 * kSeedsDrawn / 4);
}

TEST_CASE("draws depend on the seed and on nothing else in the file", "[swarm]") {
  const json one = forms_at(R"({"a": {"$range": [0, 1000000]}, "b": {"$range": [0, 1000000]}})");
  const json two = forms_at(R"({"a": {"$range": [0, 1000000]}, "aa": {"$choice": [1, 2]},
                                "b": {"$range": [0, 1000000]}, "list": [{"$maybe": 0}]})");
  REQUIRE(resolve_swarm(one, 7) == resolve_swarm(one, 7));
  REQUIRE(resolve_swarm(one, 7)["a"] != resolve_swarm(one, 8)["a"]);
  REQUIRE(resolve_swarm(one, 7)["a"] != resolve_swarm(one, 7)["b"]);  // a stream per path
  // Another form in the file moves no existing draw.
  REQUIRE(resolve_swarm(one, 7)["a"] == resolve_swarm(two, 7)["a"]);
  REQUIRE(resolve_swarm(one, 7)["b"] == resolve_swarm(two, 7)["b"]);
  // A concrete file resolves to itself; its seed field is the caller's to set.
  const json concrete = forms_at(R"({"seed": 3, "x": [1, {"y": "z"}]})");
  REQUIRE(check_swarm_forms("x.json", concrete) == 0);
  REQUIRE(resolve_swarm(concrete, 9) == concrete);
}

TEST_CASE("malformed swarm forms name the file, the path and what was expected", "[swarm][bad]") {
  CHECK_THAT(bad_form_message(R"({"a": {"$range": [2, 1]}})"),
             Contains("x.json: a.\"$range\": expected [low, high]") && Contains("2 > 1"));
  CHECK_THAT(bad_form_message(R"({"a": {"$range": [1]}})"), Contains("a.\"$range\": expected"));
  CHECK_THAT(bad_form_message(R"({"a": {"$range": ["1", 2]}})"), Contains("found an array"));
  CHECK_THAT(bad_form_message(R"({"a": {"$range": [-1, 18446744073709551615]}})"),
             Contains("both >= 0 or both below 2^63"));
  CHECK_THAT(bad_form_message(R"({"a": {"$choice": []}})"), Contains("a non-empty array"));
  CHECK_THAT(bad_form_message(R"({"a": {"$choice": 3}})"), Contains("a non-empty array"));
  CHECK_THAT(bad_form_message(R"({"a": {"$maybe": 3}})"), Contains("a: $maybe keeps or drops"));
  CHECK_THAT(bad_form_message(R"({"a": {"$choice": [{"$maybe": 1}]}})"),
             Contains("$maybe keeps or drops"));
  CHECK_THAT(bad_form_message(R"({"a": {"$range": [1, 2], "x": 1}})"),
             Contains("alone in its object") && Contains("\"$range\", \"x\""));
  CHECK_THAT(bad_form_message(R"({"a": [{"$sometimes": 1}]})"),
             Contains("a[0]: expected one swarm form"));
  CHECK_THAT(bad_form_message(R"({"seed": {"$range": [1, 2]}})"),
             Contains("seed: expected a whole number: the seed cannot be drawn"));
  CHECK_THAT(bad_form_message(R"({"$choice": [{}]})"), Contains("not a swarm form"));
}

TEST_CASE("a swarm file loads for any seed, and run and validate accept it", "[swarm][cli]") {
  const std::string swarm = test::source_path("scenarios/swarm.json");
  std::set<uint32_t> cores;
  for (uint64_t seed = 1; seed <= 20; ++seed)
    cores.insert(load_scenario(swarm, seed).topology.core);
  REQUIRE(cores.size() > 1);  // the seed draws the topology
  const test::CliRun v = test::run_cli_capture("validate " + swarm);
  INFO(v.out);
  REQUIRE(v.exit_code == kExitPass);
  REQUIRE_THAT(v.out, Contains("(seed 1's draw); swarm of ") &&
                          Contains(" forms, draws for seeds 1..100 valid"));
  // `run --seed` draws for that seed: the same seed gives the same run.
  const test::CliRun a = test::run_cli_capture("run " + swarm + " --quiet --seed 5");
  const test::CliRun b = test::run_cli_capture("run " + swarm + " --quiet --seed 5");
  REQUIRE(a.exit_code == kExitPass);
  REQUIRE(test::event_log_hash(a.out) == test::event_log_hash(b.out));
}

TEST_CASE("validate parses a swarm file once and draws every seed from that tree", "[swarm][cli]") {
  // A file that is all parsing and little drawing: its bulk is the values of one choice.
  json descriptions = json::array();
  for (size_t i = 0; i < kBulkyChoices; ++i) {
    descriptions.push_back(std::to_string(i) + std::string(kBulkyDescriptionBytes, 'x'));
  }
  const test::TempDir dir("treedoc-swarm-validate");
  const std::string file =
      dir.write("bulky.json", json({{"description", {{"$choice", descriptions}}},
                                    {"topology", {{"core", {{"$range", {1, 4}}}}, {"nebula", 2}}}})
                                  .dump());
  const json root = read_scenario_json(file);
  for (uint64_t seed = 1; seed <= 5; ++seed) {  // the tree's draws are the file's
    const Scenario a = load_swarm_draw(file, root, seed), b = load_scenario(file, seed);
    REQUIRE(a.description == b.description);
    REQUIRE(a.topology.core == b.topology.core);
  }
  const double parse_s = seconds_taken([&] { (void)read_scenario_json(file); });
  int exit_code = -1;
  const double validate_s = seconds_taken([&] { exit_code = run_validate(file); });
  REQUIRE(exit_code == kExitPass);
  INFO("one parse " << parse_s << " s, validate " << validate_s << " s");
  REQUIRE(validate_s < kValidateParsesMax * parse_s);
}

TEST_CASE("a draw the loader rejects names the seed it was drawn for", "[swarm][bad]") {
  const test::TempDir dir("treedoc-swarm-test");
  const std::string file =
      dir.write("s.json", R"({"description": "d", "topology": {"core": {"$range": [0, 1]}}})");
  uint64_t valid = 0, invalid = 0;  // the first seed with a valid draw, the first after it without
  for (uint64_t seed = 1; seed <= 40 && invalid == 0; ++seed) {
    try {
      (void)load_scenario(file, seed);
      if (valid == 0) valid = seed;
    } catch (const InputError& e) {
      REQUIRE_THAT(e.what(), Contains("topology.core: expected a whole number from 1") &&
                                 Contains("(drawn for seed " + std::to_string(seed) + ")"));
      if (valid != 0) invalid = seed;
    }
  }
  REQUIRE(invalid != 0);
  // A sweep counts such a seed as an error and shows the loader's line as its verdict.
  const test::CliRun sweep =
      test::run_cli_capture("sweep " + file + " --seeds " + std::to_string(valid) + ".." +
                            std::to_string(invalid) + " --failures " + dir.path_of("failures"));
  INFO(sweep.out);
  REQUIRE(sweep.exit_code == kExitSafetyViolation);
  REQUIRE_THAT(sweep.out, Contains("FAILED    seed " + std::to_string(invalid) +
                                   " (error): treedoc-sim: " + file + ": topology.core") &&
                              Contains("(drawn for seed " + std::to_string(invalid) + ")"));
  // validate tries a hundred draws, so it finds a bad one that the file's own seed hides.
  const test::CliRun v = test::run_cli_capture("validate " + file);
  REQUIRE(v.exit_code == kExitBadInput);
  REQUIRE_THAT(v.out, Contains("drawn for seed"));
  const std::string bad =
      dir.write("bad.json", R"({"description": "d", "topology": {"core": {"$choice": []}}})");
  const test::CliRun r = test::run_cli_capture("run " + bad);
  REQUIRE(r.exit_code == kExitBadInput);
  REQUIRE_THAT(r.out, Contains("topology.core.\"$choice\": expected a non-empty array"));
}
