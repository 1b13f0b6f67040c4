// Parameter grids of `treedoc-sim sweep`, as functions: JSON paths parsed and set, --set values
// read as JSON or else strings, points in nested-loop order, $grid forms found and refused by a
// plain load, a swarm's drawn values, and CSV cells.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "sim/base/input_error.hpp"
#include "sim/base/json_path_steps.hpp"
#include "sim/cli/sweep_grid.hpp"
#include "sim/cli/sweep_rows.hpp"
#include "sim/scenario/grid_forms.hpp"
#include "sim/scenario/swarm_resolver.hpp"

using namespace treedoc::sim;
using Catch::Matchers::Contains;
using nlohmann::json;

TEST_CASE("JSON paths parse to steps and print back and set a value adding missing keys",
          "[sweep][grid]") {
  const auto steps = parse_json_path("topology.latency.core-core.base_ms");
  REQUIRE(steps);
  REQUIRE(steps->size() == 4);
  REQUIRE(json_path_text(*steps) == "topology.latency.core-core.base_ms");
  REQUIRE(json_path_text(*parse_json_path("faults[2].at_s")) == "faults[2].at_s");
  for (const char* bad : {"", ".a", "a.", "a..b", "[0]", "a[x]", "a[]", "a b", "a[1"}) {
    INFO(bad);
    REQUIRE_FALSE(parse_json_path(bad));
  }
  json doc = {{"topology", {{"core", 3}}}, {"faults", json::array({{{"at_s", 1}}})}};
  REQUIRE(set_json_path(&doc, *steps, 20).empty());
  REQUIRE(doc["topology"]["latency"]["core-core"]["base_ms"] == 20);
  REQUIRE(doc["topology"]["core"] == 3);
  REQUIRE(set_json_path(&doc, *parse_json_path("faults[0].at_s"), 5).empty());
  REQUIRE(doc["faults"][0]["at_s"] == 5);
  REQUIRE_THAT(set_json_path(&doc, *parse_json_path("faults[3].at_s"), 5), Contains("1 elements"));
  REQUIRE_THAT(set_json_path(&doc, *parse_json_path("topology.core.x"), 5),
               Contains("topology.core is a number, not an object"));
}

TEST_CASE("a set flag reads each value as JSON or else as a string and refuses bad lists",
          "[sweep][grid]") {
  const SweepAxis axis = parse_set_flag("flatten.policy=abort,1,2.5,true,\"7\"");
  REQUIRE(axis.path == "flatten.policy");
  REQUIRE(axis.values == std::vector<json>{"abort", 1, 2.5, true, "7"});
  REQUIRE(parse_set_flag("a=[1").values == std::vector<json>{"[1"});
  for (const char* bad : {"a", "=1", "a=", "a=1,,2", "a=1,1", "a b=1"}) {
    INFO(bad);
    REQUIRE_THROWS_AS(parse_set_flag(bad), InputError);
  }
  REQUIRE_THROWS_WITH(parse_set_flag("a=1,1"), Contains("--set") && Contains("twice"));
}

TEST_CASE("grid points run as nested loops with the first axis outermost", "[sweep][grid]") {
  const json root = {{"a", 0}, {"b", {{"$grid", {"x", "y", "z"}}}}};
  const SweepGrid grid = make_sweep_grid("f.json", root, {"c=1,2"});
  REQUIRE(grid.points() == 6);
  REQUIRE(grid.axes()[0].path == "b");  // the file's forms first, then --set in order
  REQUIRE(grid.axes()[1].path == "c");
  REQUIRE(grid.parameters(0) == json({{"b", "x"}, {"c", 1}}));
  REQUIRE(grid.parameters(1) == json({{"b", "x"}, {"c", 2}}));
  REQUIRE(grid.parameters(2) == json({{"b", "y"}, {"c", 1}}));
  REQUIRE(grid.parameters(5) == json({{"b", "z"}, {"c", 2}}));
  REQUIRE(grid.scenario_at("f.json", root, 3) == json({{"a", 0}, {"b", "y"}, {"c", 2}}));
  REQUIRE(grid.set_flags(3) == "--set b=y --set c=2");
  // A --set of the file's own axis gives it other values instead of adding an axis.
  REQUIRE(make_sweep_grid("f.json", root, {"b=q"}).points() == 1);
  REQUIRE_THROWS_WITH(make_sweep_grid("f.json", root, {"seed=1,2"}), Contains("--seeds"));
  REQUIRE_THROWS_WITH(make_sweep_grid("f.json", root, {"c=1", "c=2"}), Contains("set twice"));
  REQUIRE_THROWS_WITH(make_sweep_grid("f.json", root, {"outcome=1"}), Contains("result column"));
}

TEST_CASE("grid forms are found with their paths and checked and refused by a plain load",
          "[sweep][grid]") {
  const json root = {{"topology", {{"core", {{"$grid", {3, 4}}}}}},
                     {"faults", {{{"at_s", {{"$grid", {1, 2}}}}}}}};
  const std::vector<GridForm> forms = find_grid_forms("f.json", root);
  REQUIRE(forms.size() == 2);
  REQUIRE(forms[0].path == "faults[0].at_s");
  REQUIRE(forms[1].path == "topology.core");
  REQUIRE(forms[1].values == std::vector<json>{3, 4});
  REQUIRE_THROWS_WITH(reject_grid_forms("f.json", root),
                      Contains("f.json: faults[0].at_s: ") && Contains("treedoc-sim sweep"));
  REQUIRE_NOTHROW(reject_grid_forms("f.json", json({{"a", 1}})));
  REQUIRE_THROWS_WITH(find_grid_forms("f.json", json({{"a", {{"$grid", json::array()}}}})),
                      Contains("non-empty array"));
  REQUIRE_THROWS_WITH(find_grid_forms("f.json", json({{"a", {{"$grid", {1}}, {"b", 2}}}})),
                      Contains("alone"));
  REQUIRE_THROWS_WITH(find_grid_forms("f.json", json({{"seed", {{"$grid", {1, 2}}}}})),
                      Contains("--seeds"));
  REQUIRE_THROWS_WITH(find_grid_forms("f.json", json({{"a", {{"$grid", {{{"$grid", {1}}}, 2}}}}})),
                      Contains("another $grid"));
}

TEST_CASE("a swarm's draws are listed by form path for every seed and null for a dropped element",
          "[sweep][swarm]") {
  const json root = {{"x", {{"$range", {1, 1000}}}},
                     {"list", {{{"$maybe", 5}}, 6}},
                     {"y", {{"$choice", {{{"z", {{"$range", {1, 3}}}}}}}}}};
  std::set<std::string> xs;
  bool dropped = false, kept = false;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const json draws = swarm_draws(root, seed);
    const json drawn = resolve_swarm(root, seed);
    REQUIRE(draws.size() == 3);  // x, list[0] and y: the choice's inner range is y's own value
    REQUIRE(draws["x"] == drawn["x"]);
    REQUIRE(draws["y"] == drawn["y"]);
    xs.insert(draws["x"].dump());
    dropped = dropped || draws["list[0]"].is_null();
    kept = kept || draws["list[0]"] == 5;
  }
  REQUIRE(xs.size() > 10);
  REQUIRE(dropped);
  REQUIRE(kept);
  REQUIRE(swarm_draws(json({{"a", 1}}), 1).empty());
}

TEST_CASE("CSV cells quote commas and quotes and line breaks", "[sweep][csv]") {
  REQUIRE(csv_line({"a", "b,c", "say \"hi\"", "x\ny", ""}) ==
          "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\n");
  const json run = {{"point", 1},
                    {"seed", 7},
                    {"outcome", "pass"},
                    {"wall_s", 0.5},
                    {"parameters", {{"p.q", "abort"}}},
                    {"figures", {{"ops_made", 12}}},
                    {"drawn", {{"x", {1, 2}}}}};
  REQUIRE(row_cells(run, {"point", "p.q", "seed", "ops_made", "invariant", "drawn:x"}) ==
          std::vector<std::string>{"1", "abort", "7", "12", "", "[1,2]"});
}
