// HBASE-25274 end to end (docs/FALSE-SUSPICION.md): the abort scenario fails the right way (exit 1,
// the lost ops named, the story told in order), the demote and retry scenarios pass, and across
// seeds the abort policy loses ops only when the expelled site alone held edits, the demote policy
// never.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/base/exit_code.hpp"
#include "tests/sim/cli_process.hpp"
#include "tests/sim/temp_dir.hpp"

using namespace treedoc;
using test::run_cli_capture;
using test::source_path;

namespace {

// Seeds each policy runs in the suite (the 200-seed table is in docs/FALSE-SUSPICION.md).
constexpr int kSeedsInSuite = 12;

struct Run {
  test::CliRun cli;
  nlohmann::json summary;
};

Run run(const std::string& scenario, int seed) {
  test::TempDir dir("false-suspicion");
  Run r;
  r.cli = run_cli_capture("run " + source_path(scenario) + " --seed " + std::to_string(seed) +
                          " --out " + dir.path_of("out"));
  std::ifstream in(dir.path_of("out/summary.json"));
  REQUIRE(in.good());
  in >> r.summary;
  return r;
}

// The time of the first timeline step `what` about site `site`, or -1.
double first(const nlohmann::json& timeline, const std::string& what, const std::string& site) {
  for (const nlohmann::json& step : timeline) {
    if (step["step"] == what && step["site"] == site) return step["at_s"].get<double>();
  }
  return -1;
}

}  // namespace

TEST_CASE("hbase-25274-abort fails with the lost ops named and the story told in order",
          "[scenario][membership]") {
  const Run r = run("scenarios/hbase-25274-abort.json", 121);
  INFO(r.cli.out);
  REQUIRE(r.cli.exit_code == sim::kExitSafetyViolation);
  REQUIRE(r.cli.out.find("VIOLATION no-lost-update") != std::string::npos);
  REQUIRE(r.cli.out.find("c2, which stopped for good") != std::string::npos);
  REQUIRE(r.cli.out.find("alone held 1 it made (c2#") != std::string::npos);
  const nlohmann::json& m = r.summary["membership"];
  REQUIRE(m["halts"] == 1);
  REQUIRE(m["wrong_suspicions"] == 1);
  REQUIRE(m["held_alone_when_fenced"].get<int>() >= 1);
  REQUIRE(r.summary["ops_lost"].get<int>() >= 1);  // counted, whatever the path
  const nlohmann::json& t = m["timeline"];
  const double failed = first(t, "rpc-failed", "c2"), expelled = first(t, "expelled", "c2"),
               fenced = first(t, "fenced", "c2"), halted = first(t, "halted", "c2");
  REQUIRE(failed >= 0);
  REQUIRE(failed <= expelled);
  REQUIRE(expelled <= fenced);
  REQUIRE(fenced <= halted);
  const std::string story = m["story"];
  const size_t a = story.find("failed with an authentication error"), b = story.find("expelled"),
               c = story.find("YouAreDeadException"), d = story.find("stopped for good"),
               e = story.find("They are lost for good");
  REQUIRE(a < b);
  REQUIRE(b < c);
  REQUIRE(c < d);
  REQUIRE(d < e);
  REQUIRE(e != std::string::npos);
  REQUIRE(r.cli.out.find("what happened: " + story) != std::string::npos);
}

TEST_CASE("hbase-25274-demote passes: expulsion, fencing, catch-up and rejoin, in order",
          "[scenario][membership]") {
  const Run r = run("scenarios/hbase-25274-demote.json", 121);
  INFO(r.cli.out);
  REQUIRE(r.cli.exit_code == sim::kExitPass);
  const nlohmann::json& t = r.summary["membership"]["timeline"];
  const double expelled = first(t, "expelled", "c2"), fenced = first(t, "fenced", "c2"),
               demoted = first(t, "demoted", "c2"), caught_up = first(t, "caught-up", "c2"),
               joined = first(t, "joined", "c2");
  REQUIRE(expelled >= 0);
  REQUIRE(expelled <= fenced);
  REQUIRE(fenced <= demoted);
  REQUIRE(demoted <= caught_up);
  REQUIRE(caught_up <= joined);
  REQUIRE(r.summary["membership"]["held_alone_when_fenced"].get<int>() >= 1);
  REQUIRE(r.summary["membership"]["story"].get<std::string>().find("Nothing was lost") !=
          std::string::npos);
  REQUIRE(r.summary["ops_lost"] == 0);
}

TEST_CASE("a view change does not wait for a flatten: the wrongly expelled c2 is fenced soon",
          "[scenario][membership]") {
  // Seeds 301, 400 and 425 are regressions: under steady edits no flatten committed, and when
  // view changes rode on flattens the expulsion, the fence and the demotion never came.
  for (int seed : {301, 400, 425, 1, 2, 3}) {
    const Run r = run("scenarios/hbase-25274-demote.json", seed);
    INFO("seed " << seed << "\n" << r.cli.out);
    REQUIRE(r.cli.exit_code == sim::kExitPass);
    const nlohmann::json& t = r.summary["membership"]["timeline"];
    const double failed = first(t, "rpc-failed", "c2"), fenced = first(t, "fenced", "c2");
    REQUIRE(failed >= 0);
    REQUIRE(fenced >= failed);
    // Suspected at the failed RPC; the view change takes a few round trips (60 ms links), and c2
    // learns it from the decision or from STALE at its next heartbeat (every 200 ms).
    REQUIRE(fenced - failed < 1.0);
  }
}

TEST_CASE("a live member behind by a lost decision or admission is not suspected",
          "[scenario][membership]") {
  // Regressions: in these seeds of membership-churn (no loss burst, 1% loss) a decision or an
  // admission to a member was lost; it heartbeat from the old epoch, or asked to join again, and
  // the detector, counting only current heartbeats, expelled it though it was up.
  for (int seed : {45, 60, 64, 109, 115}) {
    const Run r = run("scenarios/membership-churn.json", seed);
    INFO("seed " << seed << "\n" << r.cli.out);
    REQUIRE(r.cli.exit_code == sim::kExitPass);
    REQUIRE(r.summary["membership"]["wrong_suspicions"] == 0);
    REQUIRE(r.summary["membership"]["expulsions"] == 1);  // c1, while it was crashed
  }
}

TEST_CASE("hbase-25274-retry passes without expelling anyone", "[scenario][membership]") {
  const Run r = run("scenarios/hbase-25274-retry.json", 121);
  INFO(r.cli.out);
  REQUIRE(r.cli.exit_code == sim::kExitPass);
  REQUIRE(r.summary["membership"]["rpc_failures"].get<int>() > 0);
  REQUIRE(r.summary["membership"]["suspicions"] == 0);
  REQUIRE(r.summary["membership"]["expulsions"] == 0);
}

TEST_CASE(
    "across seeds: abort loses ops only when the expelled site held edits alone; demote "
    "never loses",
    "[scenario][membership][sweep]") {
  for (int seed = 1; seed <= kSeedsInSuite; ++seed) {
    INFO("seed " << seed);
    const Run a = run("scenarios/hbase-25274-abort.json", seed);
    const bool held = a.summary["membership"]["held_alone_when_fenced"].get<int>() > 0;
    const bool lost = a.cli.exit_code == sim::kExitSafetyViolation;
    INFO(a.cli.out);
    // Lost implies held alone at the fencing. A view change alone leaves the epoch, so what the
    // expelled site had spread is taken in: abort loses in 2 of 200 seeds (13 and 121, the
    // scenarios' own, tested above; docs/FALSE-SUSPICION.md).
    if (lost) REQUIRE(held);
    if (lost) REQUIRE(a.summary["violation"]["invariant"] == "no-lost-update");
    const Run d = run("scenarios/hbase-25274-demote.json", seed);
    INFO(d.cli.out);
    REQUIRE(d.cli.exit_code == sim::kExitPass);
  }
}

TEST_CASE("membership-churn passes: a crashed member is expelled and rejoins, a nebula site joins",
          "[scenario][membership]") {
  // Seed 33 is a regression: a join asked in one epoch was admitted two epochs later, leaving the
  // new member two epochs behind its view (core-agreement). Joins now hold for their epoch only.
  for (int seed : {1, 33}) {
    const Run r = run("scenarios/membership-churn.json", seed);
    INFO(r.cli.out);
    REQUIRE(r.cli.exit_code == sim::kExitPass);
    REQUIRE(r.summary["membership"]["expulsions"].get<int>() >= 1);
    REQUIRE(r.summary["membership"]["joins"].get<int>() >= 2);
  }
}
