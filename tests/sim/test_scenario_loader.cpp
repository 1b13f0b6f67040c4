// Tests of the scenario loader and `treedoc-sim validate`: full files, defaults and selectors load
// to the right values, and every bad file is rejected with the exact JSON path and exit code 3.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using namespace treedoc;
using namespace treedoc::sim;

// A fresh temp directory per test (tests/sim/temp_dir.hpp).
class ScenarioTempDir : public treedoc::test::TempDir {
 public:
  ScenarioTempDir() : treedoc::test::TempDir("treedoc-scenario-test") {}
};

using treedoc::test::read_text;

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs treedoc-sim with `args` (already shell-safe), capturing stdout and stderr.
CliResult run_cli(const ScenarioTempDir& dir, const std::string& args) {
  const std::string out = dir.path_of("cli.out"), err = dir.path_of("cli.err");
  const std::string command = std::string(TREEDOC_CLI_PATH) + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_text(out);
  result.err = read_text(err);
  return result;
}

std::string data_path(const std::string& name) {
  return std::string(TREEDOC_SOURCE_DIR) + "/tests/data/scenarios/" + name;
}

// The smallest valid scenario (3 core and 30 nebula sites), with more top-level fields appended.
std::string scenario_with(const std::string& fields = "") {
  return R"({"description": "test", "topology": {"core": 3, "nebula": 30})" +
         (fields.empty() ? "" : ", " + fields) + "}";
}

// The smallest valid scenario with a topology.latency object.
std::string with_latency(const std::string& latency) {
  return R"({"description": "test", "topology": {"core": 3, "nebula": 30, "latency": )" + latency +
         "}}";
}

struct BadFile {
  std::string name;   // what is wrong, for the test log
  std::string bytes;  // the file
  std::string where;  // the exact JSON path the error must name ("" for the whole file)
  std::string what;   // a part of the message that says what was expected or found
};

// The loader must throw for the file with exactly `where` and a message containing `what`; the
// CLI must print that same message as one line on stderr and exit with kExitBadInput.
void check_rejected(const BadFile& bad) {
  INFO("bad file: " << bad.name);
  const ScenarioTempDir dir;
  const std::string path = dir.write("bad.json", bad.bytes);
  std::string message;
  try {
    load_scenario(path);
    FAIL("accepted: " << bad.name);
  } catch (const InputError& e) {
    message = e.what();
    CHECK(e.file() == path);
    CHECK(e.where() == bad.where);
    CHECK_THAT(message, Contains(bad.what));
    CHECK_THAT(message, Contains(path + ": " + (bad.where.empty() ? "" : bad.where + ": ")));
  }
  const CliResult cli = run_cli(dir, "validate " + path);
  CHECK(cli.exit_code == kExitBadInput);
  CHECK(cli.out.empty());
  CHECK(cli.err == "treedoc-sim: " + message + "\n");
}

void check_all_rejected(const std::vector<BadFile>& bad_files) {
  for (const BadFile& bad : bad_files) check_rejected(bad);
}

std::string repeated(const std::string& text, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += text;
  return out;
}

}  // namespace

TEST_CASE("a full scenario loads its topology, network, replication and workload", "[scenario]") {
  const Scenario s = load_scenario(data_path("full.json"));
  CHECK(s.file == data_path("full.json"));
  CHECK(s.description ==
        "Every field set away from its default, so the loader test sees each one arrive");
  CHECK(s.seed == 18446744073709551615ull);

  const Topology& t = s.topology;
  CHECK(t.core == 4);
  CHECK(t.nebula == 30);
  CHECK(t.site_count() == 34);
  CHECK(t.core_core.base_us == 2'000);
  CHECK(t.core_core.jitter_us == 3'000);
  CHECK(t.core_core.jitter == LatencyClass::Jitter::kUniform);
  CHECK(t.core_core.latency_us_max == 10 * site::kUsPerS);  // default
  CHECK(t.core_nebula.jitter == LatencyClass::Jitter::kPareto);
  CHECK(t.core_nebula.pareto_shape == 2.5);
  CHECK(t.core_nebula.latency_us_max == 5 * site::kUsPerS);
  CHECK(t.nebula_nebula.base_us == 40'000);  // 40.0004 ms rounds to whole microseconds
  CHECK(t.nebula_nebula.jitter_us == 0);
  CHECK(t.nebula_nebula.latency_us_max == 40'500);

  CHECK(s.network.loss == 0.02);
  CHECK(s.network.duplicate == 0.01);

  const ReplicationConfig& r = s.replication;
  CHECK(r.spread == Spread::kEpidemic);
  CHECK(r.fanout == 5);
  CHECK(r.anti_entropy_period_us == 0);
  CHECK(r.anti_entropy_fanout == 2);
  CHECK(r.durability == Durability::kCounterOnly);
  CHECK(r.replica.document.dis_mode == DisMode::kSdis);
  CHECK(r.replica.document.mini_child);
  CHECK_FALSE(r.replica.discard_tombstones);

  const WorkloadConfig& w = s.workload;
  CHECK(w.kind == WorkloadConfig::Kind::kSynthetic);
  // n0..n9 are 4..13, c1 is 1, n5 (9) is already in: sorted and without duplicates.
  CHECK(w.sites == SiteSet{1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
  CHECK(w.start_us == 1'500'000);
  CHECK(w.stop_us == 20 * site::kUsPerS);
  CHECK(w.synthetic.ops_per_s == 2.5);
  CHECK(w.synthetic.insert_ratio == 0.6);
  CHECK(w.synthetic.atom_bytes == 8);
  CHECK(w.synthetic.hot_spot_probability == 0.3);
  CHECK(w.synthetic.hot_spot_at == 0.25);
  CHECK(w.synthetic.hot_spot_width_atoms == 32);
  CHECK(w.synthetic.paste_probability == 0.2);
  CHECK(w.synthetic.paste_atoms_max == 8);
}

TEST_CASE("a full scenario loads every fault, phase and checker value", "[scenario]") {
  const Scenario s = load_scenario(data_path("full.json"));
  // Sorted by time; the two events at 5 s keep their order in the file.
  REQUIRE(s.faults.size() == 8);
  const std::vector<std::string> where = {"faults[1]", "faults[5]", "faults[2]", "faults[3]",
                                          "faults[4]", "faults[0]", "faults[6]", "faults[7]"};
  for (size_t i = 0; i < where.size(); ++i) CHECK(s.faults[i].where == where[i]);
  const FaultEvent& partition = s.faults[0];
  CHECK(partition.verb == FaultVerb::kPartition);
  CHECK(partition.at_us == 5 * site::kUsPerS);
  REQUIRE(partition.groups.size() == 2);
  CHECK(partition.groups[0] == SiteSet{0, 1, 2, 3});
  CHECK(partition.groups[1].size() == 15);
  CHECK(partition.groups[1].front() == 4);
  CHECK(partition.groups[1].back() == 18);
  const FaultEvent& pause = s.faults[1];
  CHECK(pause.verb == FaultVerb::kPause);
  CHECK(pause.sites == SiteSet{11});
  CHECK(pause.duration_us == 250'000);
  CHECK(s.faults[2].verb == FaultVerb::kCrash);
  CHECK(s.faults[2].sites == SiteSet{2, 7});
  CHECK(s.faults[3].verb == FaultVerb::kRestart);
  CHECK(s.faults[4].verb == FaultVerb::kHeal);
  const FaultEvent& burst = s.faults[5];
  CHECK(burst.verb == FaultVerb::kLossBurst);
  CHECK(burst.sites.size() == 30);
  CHECK(burst.loss == 0.5);
  CHECK(burst.duration_us == 2 * site::kUsPerS);
  const FaultEvent& cut = s.faults[6];
  CHECK(cut.verb == FaultVerb::kCut);
  CHECK(cut.from == SiteSet{0, 1, 2, 3});
  CHECK(cut.to.size() == 10);
  CHECK(cut.to.front() == 24);
  const FaultEvent& rpc = s.faults[7];
  CHECK(rpc.verb == FaultVerb::kRpcFailure);
  CHECK(rpc.at_us == 18 * site::kUsPerS);
  CHECK(rpc.from == SiteSet{0});
  CHECK(rpc.to == SiteSet{2});  // "c2..c2" names one site
  CHECK(rpc.rpc_error == RpcError::kTimeout);
  CHECK(rpc.duration_us == 3'500'000);
  CHECK(rpc.rpc_timeout_us == 400'000);

  CHECK(s.phases.safety_us == 25 * site::kUsPerS);
  CHECK(s.phases.liveness_us == 0);
  CHECK_FALSE(s.checker.invariants.contains(Invariant::kTidUniqueness));
  CHECK(s.checker.invariants.contains(Invariant::kConvergence));
  CHECK(s.checker.invariants.contains(Invariant::kNoLostUpdate));
  CHECK_FALSE(s.checker.invariants.contains(Invariant::kNoResurrection));
  CHECK_FALSE(s.checker.invariants.contains(Invariant::kLocalIntention));
  CHECK(s.checker.check_period_us == 250'000);
  CHECK(s.metrics.sample_period_us == 100'000);
  const site::FlattenPolicy& f = s.protocol.flatten;
  CHECK(f.kind == site::FlattenPolicy::Kind::kTombstoneRatio);
  CHECK(f.ops == 77);
  CHECK(f.period_us == 3'500'000);
  CHECK(f.tombstone_ratio == 0.25);
  CHECK(f.check_period_us == 40'000);
  CHECK(f.vote_timeout_us == 900'000);
  CHECK(f.retry_backoff_us_min == 30'000);
  CHECK(f.retry_backoff_us_max == 700'000);
  CHECK(s.protocol.epochs.retention_epochs == 9);
  CHECK(s.protocol.epochs.catch_up_retry_us == 250'000);
  CHECK(s.checker.expect_lost_by_policy);
  const site::MembershipPolicy& m = s.membership.policy;
  CHECK(m.heartbeat_period_us == 150'000);
  CHECK(m.suspect_after_us == 900'500);
  CHECK(m.on_dispatch_failure == site::MembershipPolicy::OnDispatchFailure::kExpire);
  CHECK(m.on_expelled == site::MembershipPolicy::OnExpelled::kAbort);
  CHECK(m.join_retry_us == 300'000);
  CHECK_FALSE(m.join_core);  // the sites in s.membership.join ask; the loader sets no site's flag
  CHECK(s.membership.join == SiteSet{4, 5, 6, 33});  // n0..n2 and n29

  REQUIRE(s.sabotage.has_value());
  CHECK(s.sabotage->variant == Sabotage::Variant::kReuseTid);
  CHECK(s.sabotage->sites == SiteSet{4, 5});
}

TEST_CASE("a trace workload resolves its file against the scenario's folder", "[scenario]") {
  const Scenario s = load_scenario(data_path("trace.json"));
  const WorkloadConfig& w = s.workload;
  CHECK(w.kind == WorkloadConfig::Kind::kTrace);
  CHECK(fs::equivalent(w.trace.file, std::string(TREEDOC_SOURCE_DIR) +
                                         "/scenarios/traces/concurrent/friendsforever.json.gz"));
  CHECK(w.trace.atoms == AtomGranularity::kWord);
  CHECK(w.trace.txn_interval_us == 2'500);
  CHECK(w.sites == SiteSet{1, 2});
  CHECK(w.start_us == 3 * site::kUsPerS);
  CHECK(w.stop_us == 10 * site::kUsPerS);  // the end of the safety phase

  // Next to the scenario, a bare name works, whatever the trace holds (it is not parsed here).
  const ScenarioTempDir dir;
  dir.write("edits.json", "not parsed by validate");
  const std::string path =
      dir.write("s.json", scenario_with(R"("workload": {"kind": "trace", "file": "edits.json"})"));
  CHECK(load_scenario(path).workload.trace.file == dir.path_of("edits.json"));
}

TEST_CASE("omitted fields take the defaults of scenario.hpp", "[scenario]") {
  const ScenarioTempDir dir;
  const Scenario s =
      load_scenario(dir.write("minimal.json", R"({"description": "d", "topology": {"core": 2}})"));
  const Scenario defaults;
  CHECK(s.seed == defaults.seed);
  CHECK(s.topology.core == 2);
  CHECK(s.topology.nebula == 0);
  for (const LatencyClass* c :
       {&s.topology.core_core, &s.topology.core_nebula, &s.topology.nebula_nebula}) {
    CHECK(c->base_us == defaults.topology.core_core.base_us);
    CHECK(c->jitter_us == defaults.topology.core_core.jitter_us);
    CHECK(c->jitter == defaults.topology.core_core.jitter);
    CHECK(c->pareto_shape == defaults.topology.core_core.pareto_shape);
    CHECK(c->latency_us_max == defaults.topology.core_core.latency_us_max);
  }
  CHECK(s.network.loss == 0);
  CHECK(s.network.duplicate == 0);
  CHECK(s.replication.spread == Spread::kBroadcast);
  CHECK(s.replication.fanout == defaults.replication.fanout);
  CHECK(s.replication.anti_entropy_period_us == defaults.replication.anti_entropy_period_us);
  CHECK(s.replication.anti_entropy_fanout == defaults.replication.anti_entropy_fanout);
  CHECK(s.replication.durability == Durability::kOwnOps);
  CHECK(s.replication.replica.document.dis_mode == DisMode::kUdis);
  CHECK_FALSE(s.replication.replica.document.mini_child);
  CHECK_FALSE(s.replication.replica.discard_tombstones);
  CHECK(s.workload.kind == WorkloadConfig::Kind::kSynthetic);
  CHECK(s.workload.sites == SiteSet{0, 1});  // every site edits
  CHECK(s.workload.start_us == 0);
  CHECK(s.workload.stop_us == defaults.phases.safety_us);
  CHECK(s.workload.synthetic.ops_per_s == defaults.workload.synthetic.ops_per_s);
  CHECK(s.workload.synthetic.insert_ratio == defaults.workload.synthetic.insert_ratio);
  CHECK(s.workload.synthetic.atom_bytes == defaults.workload.synthetic.atom_bytes);
  CHECK(s.workload.synthetic.hot_spot_probability == 0);
  CHECK(s.workload.synthetic.paste_probability == 0);
  CHECK(s.faults.empty());
  CHECK(s.phases.safety_us == defaults.phases.safety_us);
  CHECK(s.phases.liveness_us == defaults.phases.liveness_us);
  CHECK(s.checker.invariants.contains(Invariant::kTidUniqueness));
  CHECK(s.checker.invariants.contains(Invariant::kConvergence));
  CHECK(s.checker.invariants.contains(Invariant::kNoLostUpdate));
  CHECK(s.checker.invariants.contains(Invariant::kNoResurrection));
  CHECK(s.checker.invariants.contains(Invariant::kLocalIntention));
  CHECK(s.checker.check_period_us == defaults.checker.check_period_us);
  CHECK(s.metrics.sample_period_us == defaults.metrics.sample_period_us);
  CHECK_FALSE(s.sabotage.has_value());
  // No membership section: no failure detector, the safe policies, no site asks to join.
  const site::MembershipPolicy& m = s.membership.policy;
  CHECK(m.heartbeat_period_us == 0);
  CHECK(m.suspect_after_us == 0);
  CHECK(m.on_dispatch_failure == site::MembershipPolicy::OnDispatchFailure::kAbortAndRetry);
  CHECK(m.on_expelled == site::MembershipPolicy::OnExpelled::kDemote);
  CHECK(m.join_retry_us == defaults.membership.policy.join_retry_us);
  CHECK(s.membership.join.empty());
}

TEST_CASE("membership fields each take their default when left out", "[scenario]") {
  const ScenarioTempDir dir;
  const auto membership = [&](const std::string& section) {
    return load_scenario(dir.write("m.json", scenario_with(R"("membership": )" + section)))
        .membership;
  };
  const MembershipConfig empty = membership("{}");
  CHECK(empty.policy.heartbeat_period_us == 0);
  CHECK(empty.policy.suspect_after_us == 0);
  CHECK(empty.join.empty());
  CHECK(empty.policy.join_retry_us == site::kUsPerS);

  const MembershipConfig detector =
      membership(R"({"failure_detector": {"heartbeat_period_ms": 200, "suspect_after_ms": 1000}})");
  CHECK(detector.policy.heartbeat_period_us == 200'000);
  CHECK(detector.policy.suspect_after_us == site::kUsPerS);
  CHECK(detector.policy.on_dispatch_failure ==
        site::MembershipPolicy::OnDispatchFailure::kAbortAndRetry);
  CHECK(detector.policy.on_expelled == site::MembershipPolicy::OnExpelled::kDemote);

  const MembershipConfig join = membership(R"({"join": "nebula", "on_expelled": "demote"})");
  CHECK(join.join.size() == 30);
  CHECK(join.join.front() == 3);
}

TEST_CASE("an rpc_failure's timeout defaults to 1 s and its errors read by name", "[scenario]") {
  const ScenarioTempDir dir;
  const auto rpc = [&](const std::string& payload) {
    const Scenario s = load_scenario(dir.write(
        "r.json", scenario_with(R"("faults": [{"at_s": 2, "rpc_failure": )" + payload + "}]")));
    REQUIRE(s.faults.size() == 1);
    return s.faults[0];
  };
  const FaultEvent timeout = rpc(R"({"from": "c1", "to": "c0", "error": "timeout", "for_s": 5})");
  CHECK(timeout.verb == FaultVerb::kRpcFailure);
  CHECK(timeout.from == SiteSet{1});
  CHECK(timeout.to == SiteSet{0});
  CHECK(timeout.rpc_error == RpcError::kTimeout);
  CHECK(timeout.rpc_timeout_us == site::kUsPerS);
  CHECK(timeout.duration_us == 5 * site::kUsPerS);
  CHECK(rpc(R"({"from": "c0", "to": "c2", "error": "auth", "for_s": 1})").rpc_error ==
        RpcError::kAuth);
  // Any two sites: a nebula site that joined the core exchanges flatten messages too.
  const FaultEvent refused = rpc(R"({"from": ["n4"], "to": "c2", "error": "refused", "for_s": 1})");
  CHECK(refused.rpc_error == RpcError::kRefused);
  CHECK(refused.from == SiteSet{7});
  CHECK(std::string(to_string(FaultVerb::kRpcFailure)) == "rpc_failure");
  CHECK(std::string(to_string(RpcError::kAuth)) == "auth");
  CHECK(std::string(to_string(RpcError::kRefused)) == "refused");
  CHECK(std::string(to_string(RpcError::kTimeout)) == "timeout");
}

TEST_CASE("site selectors resolve to sorted sets without duplicates", "[scenario]") {
  const ScenarioTempDir dir;
  const auto sites_of = [&](const std::string& selector) {
    return load_scenario(
               dir.write("s.json", scenario_with(R"("workload": {"sites": )" + selector + "}")))
        .workload.sites;
  };
  CHECK(sites_of(R"("all")").size() == 33);
  CHECK(sites_of(R"("core")") == SiteSet{0, 1, 2});
  CHECK(sites_of(R"("nebula")").front() == 3);
  CHECK(sites_of(R"("nebula")").size() == 30);
  CHECK(sites_of(R"("c2")") == SiteSet{2});
  CHECK(sites_of(R"("n0")") == SiteSet{3});
  CHECK(sites_of(R"("n29")") == SiteSet{32});
  CHECK(sites_of(R"("c0..c1")") == SiteSet{0, 1});
  CHECK(sites_of(R"("n4..n4")") == SiteSet{7});
  CHECK(sites_of(R"(["n2..n3", "c1", "n3", "c1"])") == SiteSet{1, 5, 6});
  CHECK(sites_of(R"(["core", "n0..n1", "c0"])") == SiteSet{0, 1, 2, 3, 4});

  Topology t;
  t.core = 3;
  t.nebula = 30;
  CHECK(site_name(t, 0) == "c0");
  CHECK(site_name(t, 2) == "c2");
  CHECK(site_name(t, 3) == "n0");
  CHECK(site_name(t, 32) == "n29");
  CHECK(std::string(to_string(FaultVerb::kLossBurst)) == "loss_burst");
  CHECK(std::string(to_string(FaultVerb::kPartition)) == "partition");
}

TEST_CASE("times round to whole microseconds", "[scenario]") {
  const ScenarioTempDir dir;
  const Scenario s = load_scenario(dir.write(
      "t.json",
      scenario_with(R"("phases": {"safety_s": 0.0000015, "liveness_s": 7},)"
                    R"("metrics": {"sample_period_ms": 0.0005}, "checker": {"invariants": []})")));
  CHECK(s.phases.safety_us == 2);  // 1.5 µs rounds half away from zero
  CHECK(s.phases.liveness_us == 7 * site::kUsPerS);
  CHECK(s.metrics.sample_period_us == 1);
  CHECK_FALSE(s.checker.invariants.contains(
      Invariant::kConvergence));  // an empty list enables no invariant
  CHECK(s.workload.stop_us == 2);
}

TEST_CASE("validate prints one summary line and exits 0", "[scenario][cli]") {
  const ScenarioTempDir dir;
  const CliResult full = run_cli(dir, "validate " + data_path("full.json"));
  CHECK(full.exit_code == kExitPass);
  CHECK(full.err.empty());
  CHECK(full.out == data_path("full.json") +
                        ": ok: 34 sites (4 core, 30 nebula), synthetic workload, 8 faults, "
                        "safety 25 s, liveness 0 s, sabotage reuse-tid on 2 sites\n");
  const CliResult trace = run_cli(dir, "validate " + data_path("trace.json"));
  CHECK(trace.exit_code == kExitPass);
  CHECK(trace.out == data_path("trace.json") +
                         ": ok: 3 sites (1 core, 2 nebula), trace workload, 0 faults, "
                         "safety 10 s, liveness 30 s\n");
  CHECK(run_cli(dir, "validate").exit_code == kExitBadInput);  // FILE is required
}

namespace {

// The first ```json block after `heading` in docs/scenarios.md, so tests and docs cannot drift.
std::string docs_json_block(const std::string& heading) {
  const std::string docs = read_text(std::string(TREEDOC_SOURCE_DIR) + "/docs/scenarios.md");
  const std::string fence = "```json\n";
  const size_t at = docs.find(heading);
  REQUIRE(at != std::string::npos);
  const size_t begin = docs.find(fence, at);
  REQUIRE(begin != std::string::npos);
  const size_t end = docs.find("```", begin + fence.size());
  REQUIRE(end != std::string::npos);
  return docs.substr(begin + fence.size(), end - begin - fence.size());
}

}  // namespace

TEST_CASE("the full example in docs/scenarios.md is valid", "[scenario]") {
  const ScenarioTempDir dir;
  const Scenario s = load_scenario(dir.write("example.json", docs_json_block("## Full example")));
  CHECK(s.faults.size() == 7);
  CHECK(s.topology.site_count() == 33);
}

TEST_CASE("the membership example in docs/scenarios.md is valid", "[scenario]") {
  const ScenarioTempDir dir;
  const Scenario s = load_scenario(
      dir.write("membership.json", scenario_with(docs_json_block("### `membership`"))));
  CHECK(s.membership.policy.heartbeat_period_us == 200'000);
  CHECK(s.membership.policy.suspect_after_us == site::kUsPerS);
  CHECK(s.membership.join == SiteSet{3});
}

TEST_CASE("empty, binary and malformed files are bad input", "[scenario][bad]") {
  const std::string valid = scenario_with();
  check_all_rejected({
      {"empty file", "", "", "empty file"},
      {"only blanks", " \n\t ", "", "blank file"},
      {"not JSON", "description: test\n", "", "not JSON: parse error at line 1, column 1"},
      {"truncated", valid.substr(0, valid.size() - 3), "", "unexpected end of input"},
      {"text after the object", valid + " {}", "", "not JSON"},
      {"binary (NUL byte)", std::string("{\"description\": \"a\0b\"}", 22), "",
       "binary data (a NUL byte at byte 18)"},
      {"invalid UTF-8", "{\"description\": \"caf\xe9\"}", "", "not UTF-8 text (byte 0xe9"},
      {"UTF-8 surrogate", "{\"description\": \"\xed\xa0\x80\"}", "", "not UTF-8 text"},
      {"top level is an array", "[" + valid + "]", "",
       "expected a JSON object at the top level, found an array"},
      {"top level is a string", "\"scenario\"", "", "found \"scenario\""},
  });
}

TEST_CASE("missing, unreadable and oversized files are bad input", "[scenario][bad]") {
  const ScenarioTempDir dir;
  SECTION("a missing file") {
    const std::string path = dir.path_of("missing.json");
    REQUIRE_THROWS_WITH(load_scenario(path), path + ": cannot open: No such file or directory");
    CHECK(run_cli(dir, "validate " + path).exit_code == kExitBadInput);
  }
  SECTION("a directory") {
    REQUIRE_THROWS_WITH(load_scenario(dir.path_of("")), Contains("cannot read"));
  }
  SECTION("a file past the size limit") {
    // Blanks are valid JSON padding, so only the size can be at fault.
    const std::string path =
        dir.write("big.json", scenario_with() + std::string(kScenarioFileBytesMax, ' '));
    REQUIRE_THROWS_WITH(load_scenario(path),
                        path + ": file is larger than the 16 MiB limit for scenario files");
    CHECK(run_cli(dir, "validate " + path).exit_code == kExitBadInput);
  }
}

TEST_CASE("duplicate keys, deep nesting and huge numbers are bad input", "[scenario][bad]") {
  // Arrays inside checker.invariants: root, checker and invariants are the first three levels.
  const size_t inner_arrays = kScenarioJsonDepthMax - 2;
  check_all_rejected({
      {"duplicate top-level key",
       R"({"description": "a", "description": "b", "topology": {"core": 1}})", "description",
       "duplicate key"},
      {"duplicate nested key",
       scenario_with(R"("faults": [{"at_s": 1, "heal": {}},)"
                     R"({"at_s": 2, "crash": {"sites": "n1", "sites": "n2"}}])"),
       "faults[1].crash.sites", "duplicate key"},
      {"duplicate key in an unknown object", scenario_with(R"("x": {"y": [{"z": 1, "z": 2}]})"),
       "x.y[0].z", "duplicate key"},
      {"nesting past the limit",
       scenario_with(R"("checker": {"invariants": )" + repeated("[", inner_arrays + 1) +
                     repeated("]", inner_arrays + 1) + "}"),
       "checker.invariants" + repeated("[0]", inner_arrays), "nested more than 64 deep"},
      {"float beyond a double", scenario_with(R"("network": {"loss": 1e400})"), "network.loss",
       "number 1e400 is too large"},
      {"integer past 2^64-1", scenario_with(R"("seed": 18446744073709551616)"), "seed",
       "expected a whole number from 0 to 18446744073709551615, found 1.8446744073709552e+19"},
      {"negative seed", scenario_with(R"("seed": -1)"), "seed", "found -1"},
      {"huge site count", R"({"description": "d", "topology": {"core": 99999999999999999999}})",
       "topology.core", "expected a whole number from 1 to 30000"},
  });
}

TEST_CASE("missing, unknown and mistyped fields are bad input", "[scenario][bad]") {
  check_all_rejected({
      {"no description", R"({"topology": {"core": 1}})", "description", "missing; expected"},
      {"empty description", R"({"description": "", "topology": {"core": 1}})", "description",
       "non-empty one-line string"},
      {"two-line description", R"({"description": "a\nb", "topology": {"core": 1}})", "description",
       "found \"a\\nb\""},
      {"description not a string", R"({"description": 7, "topology": {"core": 1}})", "description",
       "found 7"},
      {"no topology", R"({"description": "d"})", "topology", "missing"},
      {"no core", R"({"description": "d", "topology": {"nebula": 3}})", "topology.core", "missing"},
      {"unknown top-level field", scenario_with(R"("sede": 4)"), "sede",
       "unknown field; expected one of: description, seed, topology"},
      {"unknown nested field", scenario_with(R"("replication": {"fanot": 2})"), "replication.fanot",
       "expected one of: spread, fanout, anti_entropy_period_ms"},
      {"unknown latency class", with_latency(R"({"core-cloud": {}})"),
       "topology.latency.core-cloud", "expected one of: core-core, core-nebula, nebula-nebula"},
      {"count as a string", R"({"description": "d", "topology": {"core": "3"}})", "topology.core",
       "found \"3\""},
      {"count as a fraction", scenario_with(R"("workload": {"atom_bytes": 2.5})"),
       "workload.atom_bytes", "expected a whole number from 1 to 1024, found 2.5"},
      {"section as an array", scenario_with(R"("network": [0.1])"), "network",
       "expected an object, found an array"},
      {"boolean as a string", scenario_with(R"("replication": {"mini_child": "yes"})"),
       "replication.mini_child", "expected true or false, found \"yes\""},
      {"time as a string", scenario_with(R"("phases": {"safety_s": "10s"})"), "phases.safety_s",
       "expected a time in seconds"},
      {"invariants not an array", scenario_with(R"("checker": {"invariants": "convergence"})"),
       "checker.invariants", "expected an array"},
      {"synthetic field in trace mode",
       scenario_with(R"("workload": {"kind": "trace", "file": "t.json", "ops_per_s": 3})"),
       "workload.ops_per_s", "expected one of: kind, sites, start_s, file, atoms"},
      {"trace field in synthetic mode", scenario_with(R"("workload": {"file": "t.json"})"),
       "workload.file", "unknown field"},
  });
}

TEST_CASE("values out of range and unknown names are bad input", "[scenario][bad]") {
  check_all_rejected({
      {"no core sites", R"({"description": "d", "topology": {"core": 0}})", "topology.core",
       "expected a whole number from 1 to 30000, found 0"},
      {"negative nebula", R"({"description": "d", "topology": {"core": 3, "nebula": -3}})",
       "topology.nebula", "expected a whole number from 0 to 29997, found -3"},
      {"too many sites", R"({"description": "d", "topology": {"core": 3, "nebula": 29998}})",
       "topology.nebula", "from 0 to 29997, found 29998"},
      {"negative rate", scenario_with(R"("workload": {"ops_per_s": -1})"), "workload.ops_per_s",
       "expected a number from 0 to 1000, found -1"},
      {"rate past the limit", scenario_with(R"("workload": {"ops_per_s": 1000.5})"),
       "workload.ops_per_s", "found 1000.5"},
      {"probability above 1", scenario_with(R"("network": {"loss": 1.5})"), "network.loss",
       "expected a probability from 0 to 1, found 1.5"},
      {"negative probability", scenario_with(R"("workload": {"hot_spot": {"probability": -0.1}})"),
       "workload.hot_spot.probability", "found -0.1"},
      {"atoms too large", scenario_with(R"("workload": {"atom_bytes": 1025})"),
       "workload.atom_bytes", "from 1 to 1024"},
      {"a paste of one atom", scenario_with(R"("workload": {"paste": {"atoms_max": 1}})"),
       "workload.paste.atoms_max", "from 2 to 4096, found 1"},
      {"paste probability above 1", scenario_with(R"("workload": {"paste": {"probability": 2}})"),
       "workload.paste.probability", "found 2"},
      {"an unknown paste field", scenario_with(R"("workload": {"paste": {"atoms": 4}})"),
       "workload.paste.atoms", "expected one of: probability, atoms_max"},
      {"fanout 0", scenario_with(R"("replication": {"fanout": 0})"), "replication.fanout",
       "from 1 to 64, found 0"},
      {"anti-entropy fanout 65", scenario_with(R"("replication": {"anti_entropy_fanout": 65})"),
       "replication.anti_entropy_fanout", "from 1 to 64, found 65"},
      {"negative time", scenario_with(R"("phases": {"liveness_s": -1})"), "phases.liveness_s",
       "expected a time in seconds from 0 to 1000000, found -1"},
      {"time past the limit", scenario_with(R"("phases": {"safety_s": 1000001})"),
       "phases.safety_s", "greater than 0 and at most 1000000, found 1000001"},
      {"zero safety phase", scenario_with(R"("phases": {"safety_s": 0})"), "phases.safety_s",
       "greater than 0"},
      {"zero check period", scenario_with(R"("checker": {"check_period_ms": 0})"),
       "checker.check_period_ms", "expected a time in milliseconds greater than 0"},
      {"sample period rounding to 0", scenario_with(R"("metrics": {"sample_period_ms": 0.0004})"),
       "metrics.sample_period_ms", "rounds to 0 microseconds"},
      {"pareto shape 1",
       with_latency(R"({"core-nebula": {"jitter": "pareto", "pareto_shape": 1}})"),
       "topology.latency.core-nebula.pareto_shape", "expected a number greater than 1, found 1"},
      {"max below base", with_latency(R"({"core-core": {"base_ms": 50, "max_ms": 40}})"),
       "topology.latency.core-core.max_ms",
       "expected max_ms (40 ms) to be at least base_ms (50 ms)"},
      {"base above the default max", with_latency(R"({"nebula-nebula": {"base_ms": 20000}})"),
       "topology.latency.nebula-nebula.base_ms", "(10000 ms, the default)"},
      {"unknown jitter", with_latency(R"({"core-core": {"jitter": "normal"}})"),
       "topology.latency.core-core.jitter",
       "expected one of \"uniform\", \"pareto\", found \"normal\""},
      {"unknown spread", scenario_with(R"("replication": {"spread": "gossip"})"),
       "replication.spread", "found \"gossip\""},
      {"unknown durability", scenario_with(R"("replication": {"durability": "none"})"),
       "replication.durability", "\"own-ops\", \"all-ops\", \"counter-only\""},
      {"discard with sdis",
       scenario_with(R"("replication": {"dis": "sdis", "discard_tombstones": true})"),
       "replication.discard_tombstones", "SDIS never discards tombstones"},
      {"unknown workload kind", scenario_with(R"("workload": {"kind": "replay"})"), "workload.kind",
       "\"synthetic\", \"trace\""},
      {"unknown atoms",  // The trace file "bad.json" is the scenario itself: it exists, and is not
                         // parsed.
       scenario_with(R"("workload": {"kind": "trace", "file": "bad.json", "atoms": "page"})"),
       "workload.atoms", "\"char\", \"word\", \"line\""},
      {"stop after the safety phase",
       scenario_with(R"("phases": {"safety_s": 10}, "workload": {"stop_s": 11})"),
       "workload.stop_s", "phases.safety_s is 10 s), found 11"},
      {"start after stop", scenario_with(R"("workload": {"start_s": 10, "stop_s": 5})"),
       "workload.stop_s", "expected a time from start_s (10 s)"},
      {"start after the safety phase",
       scenario_with(R"("phases": {"safety_s": 10}, "workload": {"kind": "trace", "start_s": 12})"),
       "workload.start_s", "within the safety phase"},
      {"missing trace file", scenario_with(R"("workload": {"kind": "trace", "file": "none.json"})"),
       "workload.file", "none.json\": No such file or directory"},
      {"trace file is a folder", scenario_with(R"("workload": {"kind": "trace", "file": "."})"),
       "workload.file", "not a regular file"},
      {"NUL in the trace file name",  // "bad.json", before the NUL, is the scenario itself
       scenario_with(R"("workload": {"kind": "trace", "file": "bad.json\u0000.gz"})"),
       "workload.file",
       "expected a trace file name without NUL characters, found one at character 8 of "
       "\"bad.json\\u0000.gz\""},
      {"unknown invariant",
       scenario_with(R"("checker": {"invariants": ["convergence", "termination"]})"),
       "checker.invariants[1]", "found \"termination\""},
      {"invariant listed twice",
       scenario_with(R"("checker": {"invariants": ["convergence", "convergence"]})"),
       "checker.invariants[1]", "listed twice"},
      {"unknown probe",
       scenario_with(R"("checker": {"require_probes": ["in-flight-drop", "cosmic-ray"]})"),
       "checker.require_probes[1]", "found \"cosmic-ray\""},
      {"probe listed twice",
       scenario_with(R"("checker": {"require_probes": ["repaired-op", "repaired-op"]})"),
       "checker.require_probes[1]", "listed twice"},
      {"unknown sabotage", scenario_with(R"("sabotage": {"variant": "drop-all", "sites": "n0"})"),
       "sabotage.variant", "\"reuse-tid\""},
      {"sabotage without sites", scenario_with(R"("sabotage": {"variant": "reuse-tid"})"),
       "sabotage.sites", "missing"},
      {"flatten without a policy", scenario_with(R"("flatten": {"ops": 10})"), "flatten.policy",
       "missing"},
      {"unknown flatten policy", scenario_with(R"("flatten": {"policy": "sometimes"})"),
       "flatten.policy", "\"tombstone-ratio\""},
      {"flatten every 0 ops", scenario_with(R"("flatten": {"policy": "every-ops", "ops": 0})"),
       "flatten.ops", "found 0"},
      {"tombstone ratio above 1",
       scenario_with(R"("flatten": {"policy": "tombstone-ratio", "tombstone_ratio": 1.5})"),
       "flatten.tombstone_ratio", "found 1.5"},
      {"backoff max below min",
       scenario_with(
           R"("flatten": {"policy": "never", "retry_backoff_min_ms": 500, "retry_backoff_max_ms": 100})"),
       "flatten.retry_backoff_max_ms", "at least retry_backoff_min_ms (500), found 100"},
      {"unknown flatten field", scenario_with(R"("flatten": {"policy": "never", "every": 3})"),
       "flatten.every", ""},
      {"negative retention", scenario_with(R"("epochs": {"retention": -1})"), "epochs.retention",
       "found -1"},
      {"zero catch-up retry", scenario_with(R"("epochs": {"catch_up_retry_ms": 0})"),
       "epochs.catch_up_retry_ms", "found 0"},
      {"expect_lost_by_policy not a boolean",
       scenario_with(R"("checker": {"expect_lost_by_policy": 1})"), "checker.expect_lost_by_policy",
       "found 1"},
      {"unknown probe with a count",
       scenario_with(R"("checker": {"require_probes": {"reordered": 10}})"),
       "checker.require_probes.reordered", "found \"reordered\""},
      {"probe count of zero",
       scenario_with(R"("checker": {"require_probes": {"duplicate-op": 0}})"),
       "checker.require_probes.duplicate-op", "found 0"},
      {"required probes as a string",
       scenario_with(R"("checker": {"require_probes": "duplicate-op"})"), "checker.require_probes",
       "expected a list of probe names or an object"},
      {"unknown forbidden probe",
       scenario_with(R"("checker": {"forbid_probes": ["member-expeled"]})"),
       "checker.forbid_probes[0]", "found \"member-expeled\""},
      {"probe required and forbidden",
       scenario_with(
           R"("checker": {"require_probes": ["demoted"], "forbid_probes": ["rejoined", "demoted"]})"),
       "checker.forbid_probes[1]", "\"demoted\" is also required"},
      {"unknown figure",
       scenario_with(R"("checker": {"expect": {"membership.expels": {"max": 0}}})"),
       "checker.expect.\"membership.expels\"", "\"membership.expulsions\""},
      {"figure without a bound", scenario_with(R"("checker": {"expect": {"crashes": {}}})"),
       "checker.expect.crashes", "expected \"min\", \"max\" or both"},
      {"figure bound reversed",
       scenario_with(R"("checker": {"expect": {"crashes": {"min": 3, "max": 2}}})"),
       "checker.expect.crashes", "expected min <= max, found 3 > 2"},
      {"figure bound a fraction",
       scenario_with(R"("checker": {"expect": {"crashes": {"max": 1.5}}})"),
       "checker.expect.crashes.max", "found 1.5"},
      {"unknown figure bound",
       scenario_with(R"("checker": {"expect": {"crashes": {"at_most": 1}}})"),
       "checker.expect.crashes.at_most", "min, max"},
      {"expect not an object", scenario_with(R"("checker": {"expect": ["crashes"]})"),
       "checker.expect", "expected an object of figure names to bounds"},
  });
}

TEST_CASE("checker bounds: probe counts, forbidden probes and figures load by name", "[scenario]") {
  const ScenarioTempDir dir;
  const Scenario s = load_scenario(dir.write(
      "c.json",
      scenario_with(R"("checker": {"require_probes": {"duplicate-op": 10, "repaired-op": 1},)"
                    R"( "forbid_probes": ["member-expelled"],)"
                    R"( "expect": {"membership.expulsions": {"max": 0},)"
                    R"( "flatten.commits": {"min": 3, "max": 9}}})")));
  REQUIRE(s.checker.required_probes.size() == 2);
  CHECK(s.checker.required_probes[0].probe == site::Probe::kDuplicateOp);
  CHECK(s.checker.required_probes[0].times == 10);
  CHECK(s.checker.required_probes[1].times == 1);
  CHECK(s.checker.forbidden_probes == std::vector<site::Probe>{site::Probe::kMemberExpelled});
  REQUIRE(s.checker.expect.size() == 2);  // in the order of their names
  CHECK(s.checker.expect[0].figure == Figure::kFlattenCommits);
  CHECK(s.checker.expect[0].min == 3u);
  CHECK(s.checker.expect[0].max == 9u);
  CHECK(s.checker.expect[1].figure == Figure::kExpulsions);
  CHECK_FALSE(s.checker.expect[1].min.has_value());
  CHECK(s.checker.expect[1].max == 0u);
  // The list form still means "at least once".
  const Scenario listed = load_scenario(
      dir.write("l.json", scenario_with(R"("checker": {"require_probes": ["repaired-op"]})")));
  REQUIRE(listed.checker.required_probes.size() == 1);
  CHECK(listed.checker.required_probes[0].times == 1);
}

TEST_CASE("a crash_at fault reads its sites, protocol point and restart delay", "[scenario]") {
  const ScenarioTempDir dir;
  const auto crash_at = [&](const std::string& payload) {
    const Scenario s = load_scenario(dir.write(
        "p.json", scenario_with(R"("faults": [{"at_s": 2, "crash_at": )" + payload + "}]")));
    REQUIRE(s.faults.size() == 1);
    return s.faults[0];
  };
  const FaultEvent f =
      crash_at(R"({"sites": "c1", "point": "voted-yes", "restart_after_ms": 250})");
  CHECK(f.verb == FaultVerb::kCrashAt);
  CHECK(f.sites == SiteSet{1});
  CHECK(f.point == CrashPoint::kVotedYes);
  CHECK(f.restart_after_us == 250 * site::kUsPerMs);
  const FaultEvent g = crash_at(R"({"sites": "core", "point": "decided"})");
  CHECK(g.point == CrashPoint::kDecided);
  CHECK_FALSE(g.restart_after_us.has_value());
  CHECK(crashes_before_sending(CrashPoint::kDecided));
  CHECK_FALSE(crashes_before_sending(CrashPoint::kVotedYes));
}

TEST_CASE("bad site selectors are bad input", "[scenario][bad]") {
  const auto sites = [](const std::string& selector) {
    return scenario_with(R"("workload": {"sites": )" + selector + "}");
  };
  check_all_rejected({
      {"unknown nebula site", sites(R"("n99")"), "workload.sites",
       "no site \"n99\": the nebula sites are n0..n29"},
      {"unknown core site in an array", sites(R"(["n1", "c3"])"), "workload.sites[1]",
       "no site \"c3\": the core sites are c0..c2"},
      {"nebula site with no nebula",
       R"({"description": "d", "topology": {"core": 2}, "workload": {"sites": "n0"}})",
       "workload.sites", "there are no nebula sites (topology.nebula is 0)"},
      {"range end missing", sites(R"("n20..n30")"), "workload.sites", "no site \"n30\""},
      {"range mixing prefixes", sites(R"("c0..n3")"), "workload.sites",
       "mixes core and nebula sites"},
      {"backwards range", sites(R"("n5..n2")"), "workload.sites", "runs backwards"},
      {"leading zero", sites(R"("n01")"), "workload.sites", "expected a site selector"},
      {"unknown word", sites(R"("everyone")"), "workload.sites", "found \"everyone\""},
      {"number as a selector", sites("[3]"), "workload.sites[0]", "found 3"},
      {"nested array", sites(R"([["n1"]])"), "workload.sites[0]", "found an array"},
      {"empty array", sites("[]"), "workload.sites", "found an empty array"},
      {"selects no sites",
       R"({"description": "d", "topology": {"core": 2}, "workload": {"sites": "nebula"}})",
       "workload.sites", "selects no sites"},
  });
}

TEST_CASE("bad faults are bad input", "[scenario][bad]") {
  const auto faults = [](const std::string& events) {
    return scenario_with(R"("phases": {"safety_s": 20}, "faults": [)" + events + "]");
  };
  check_all_rejected({
      {"faults not an array", scenario_with(R"("faults": {"at_s": 1})"), "faults",
       "expected an array"},
      {"fault not an object", faults(R"({"at_s": 1, "heal": {}}, "heal")"), "faults[1]",
       "expected a fault object"},
      {"no time", faults(R"({"heal": {}})"), "faults[0].at_s", "missing"},
      {"two verbs in one fault",
       faults(R"({"at_s": 1, "heal": {}}, {"at_s": 2, "crash": {"sites": "n1"},)"
              R"( "pause": {"sites": "n1", "for_s": 1}})"),
       "faults[1]", "expected exactly one verb, found both \"crash\" and \"pause\""},
      {"no verb", faults(R"({"at_s": 1})"), "faults[0]", "found none"},
      {"unknown crash point",
       faults(R"({"at_s": 1, "crash_at": {"sites": "c0", "point": "mid-vote"}})"),
       "faults[0].crash_at.point", "\"voted-yes\""},
      {"crash point without a point", faults(R"({"at_s": 1, "crash_at": {"sites": "c0"}})"),
       "faults[0].crash_at.point", "missing"},
      {"crash point with a negative delay",
       faults(
           R"({"at_s": 1, "crash_at": {"sites": "c0", "point": "decided", "restart_after_ms": -1}})"),
       "faults[0].crash_at.restart_after_ms", "found -1"},
      {"unknown verb", faults(R"({"at_s": 1, "explode": {}})"), "faults[0].explode",
       "unknown field; expected one of: at_s, partition, cut, heal"},
      {"fault after the safety phase", faults(R"({"at_s": 20.5, "heal": {}})"), "faults[0].at_s",
       "expected a time within the safety phase (phases.safety_s is 20 s), found 20.5"},
      {"partition naming a missing site",
       faults(R"({"at_s": 1, "partition": {"groups": ["core", "n25..n30"]}})"),
       "faults[0].partition.groups[1]", "no site \"n30\""},
      {"partition naming a missing site in a group array",
       faults(R"({"at_s": 1, "partition": {"groups": ["core", ["n1", "n99"]]}})"),
       "faults[0].partition.groups[1][1]", "no site \"n99\""},
      {"overlapping groups",
       faults(R"({"at_s": 1, "partition": {"groups": ["n0..n5", ["c1", "n3"]]}})"),
       "faults[0].partition.groups[1]", "site n3 is also in groups[0]"},
      {"overlap with an earlier group",
       faults(R"({"at_s": 1, "partition": {"groups": ["n0..n5", "c0", ["c1", "n4", "n3"]]}})"),
       "faults[0].partition.groups[2]", "site n3 is also in groups[0]"},
      {"no groups", faults(R"({"at_s": 1, "partition": {"groups": []}})"),
       "faults[0].partition.groups", "expected at least one group"},
      {"partition without groups", faults(R"({"at_s": 1, "partition": {}})"),
       "faults[0].partition.groups", "missing"},
      {"heal with a field", faults(R"({"at_s": 1, "heal": {"sites": "all"}})"),
       "faults[0].heal.sites", "unknown field; this object takes no fields"},
      {"heal not an object", faults(R"({"at_s": 1, "heal": true})"), "faults[0].heal",
       "expected an object, found true"},
      {"cut without to", faults(R"({"at_s": 1, "cut": {"from": "core"}})"), "faults[0].cut.to",
       "missing"},
      {"crash of a missing site", faults(R"({"at_s": 1, "crash": {"sites": "c7"}})"),
       "faults[0].crash.sites", "no site \"c7\""},
      {"pause without duration", faults(R"({"at_s": 1, "pause": {"sites": "n1"}})"),
       "faults[0].pause.for_s", "missing"},
      {"negative pause", faults(R"({"at_s": 1, "pause": {"sites": "n1", "for_s": -2}})"),
       "faults[0].pause.for_s", "found -2"},
      {"loss burst without loss",
       faults(R"({"at_s": 1, "loss_burst": {"sites": "n1", "for_s": 1}})"),
       "faults[0].loss_burst.loss", "missing"},
      {"loss burst with loss 2",
       faults(R"({"at_s": 1, "loss_burst": {"sites": "n1", "for_s": 1, "loss": 2}})"),
       "faults[0].loss_burst.loss", "expected a probability from 0 to 1, found 2"},
  });
}

TEST_CASE("bad membership sections are bad input", "[scenario][bad]") {
  const auto membership = [](const std::string& section) {
    return scenario_with(R"("membership": )" + section);
  };
  check_all_rejected({
      {"membership not an object", membership("true"), "membership",
       "expected an object, found true"},
      {"unknown membership field", membership(R"({"on_suspect": "expel"})"),
       "membership.on_suspect",
       "unknown field; expected one of: failure_detector, on_dispatch_failure, on_expelled, "
       "join, join_retry_ms"},
      {"unknown failure detector field",
       membership(R"({"failure_detector": {"heartbeat_period_ms": 100, "suspect_after_ms": 500,)"
                  R"( "phi": 8}})"),
       "membership.failure_detector.phi", "expected one of: heartbeat_period_ms, suspect_after_ms"},
      {"failure detector without a heartbeat period",
       membership(R"({"failure_detector": {"suspect_after_ms": 500}})"),
       "membership.failure_detector.heartbeat_period_ms", "missing"},
      {"failure detector without a suspicion time",
       membership(R"({"failure_detector": {"heartbeat_period_ms": 100}})"),
       "membership.failure_detector.suspect_after_ms", "missing"},
      {"zero heartbeat period",
       membership(R"({"failure_detector": {"heartbeat_period_ms": 0, "suspect_after_ms": 500}})"),
       "membership.failure_detector.heartbeat_period_ms",
       "expected a time in milliseconds greater than 0"},
      {"suspicion no later than the heartbeat",
       membership(R"({"failure_detector": {"heartbeat_period_ms": 200, "suspect_after_ms": 200}})"),
       "membership.failure_detector.suspect_after_ms",
       "expected more than heartbeat_period_ms (200 ms), found 200 ms"},
      {"suspicion before the heartbeat",
       membership(
           R"({"failure_detector": {"heartbeat_period_ms": 200, "suspect_after_ms": 150.5}})"),
       "membership.failure_detector.suspect_after_ms",
       "expected more than heartbeat_period_ms (200 ms), found 150.5 ms"},
      {"unknown on_dispatch_failure", membership(R"({"on_dispatch_failure": "retry"})"),
       "membership.on_dispatch_failure",
       "expected one of \"abort-and-retry\", \"expire\", found \"retry\""},
      {"unknown on_expelled", membership(R"({"on_expelled": "die"})"), "membership.on_expelled",
       "expected one of \"demote\", \"abort\", found \"die\""},
      {"join naming a core site", membership(R"({"join": ["n0", "c1"]})"), "membership.join",
       "expected nebula sites: c1 is a core site"},
      {"join of all sites", membership(R"({"join": "all"})"), "membership.join",
       "expected nebula sites: c0 is a core site"},
      {"join naming a missing site", membership(R"({"join": "n30"})"), "membership.join",
       "no site \"n30\""},
      {"join with no nebula sites",
       R"({"description": "d", "topology": {"core": 2}, "membership": {"join": "nebula"}})",
       "membership.join", "selects no sites"},
      {"zero join retry", membership(R"({"join_retry_ms": 0})"), "membership.join_retry_ms",
       "greater than 0"},
  });
}

TEST_CASE("bad rpc_failure faults are bad input", "[scenario][bad]") {
  const auto rpc = [](const std::string& payload) {
    return scenario_with(R"("phases": {"safety_s": 20}, "faults": [{"at_s": 1, "heal": {}},)"
                         R"( {"at_s": 2, "rpc_failure": )" +
                         payload + "}]");
  };
  check_all_rejected({
      {"rpc_failure from and to the same site",
       rpc(R"({"from": "c1", "to": ["c1"], "error": "auth", "for_s": 1})"),
       "faults[1].rpc_failure.to",
       "expected a site other than from (c1): an RPC goes to another site"},
      {"rpc_failure from two sites",
       rpc(R"({"from": "c0..c1", "to": "c2", "error": "auth", "for_s": 1})"),
       "faults[1].rpc_failure.from",
       "expected a selector naming exactly one site, found \"c0..c1\", which names 2 sites "
       "(c0, c1)"},
      {"rpc_failure to many sites",
       rpc(R"({"from": "c0", "to": "nebula", "error": "auth", "for_s": 1})"),
       "faults[1].rpc_failure.to", "which names 30 sites (n0, n1, n2, ...)"},
      {"rpc_failure to a missing site",
       rpc(R"({"from": "c0", "to": "c3", "error": "auth", "for_s": 1})"),
       "faults[1].rpc_failure.to", "no site \"c3\""},
      {"rpc_failure without from", rpc(R"({"to": "c0", "error": "auth", "for_s": 1})"),
       "faults[1].rpc_failure.from", "missing; expected a site selector naming one site"},
      {"unknown rpc error", rpc(R"({"from": "c0", "to": "c1", "error": "reset", "for_s": 1})"),
       "faults[1].rpc_failure.error",
       "expected one of \"auth\", \"refused\", \"timeout\", found \"reset\""},
      {"rpc_failure without an error", rpc(R"({"from": "c0", "to": "c1", "for_s": 1})"),
       "faults[1].rpc_failure.error", "missing; expected one of auth, refused, timeout"},
      {"rpc_failure without for_s", rpc(R"({"from": "c0", "to": "c1", "error": "refused"})"),
       "faults[1].rpc_failure.for_s", "missing"},
      {"rpc_failure for 0 s", rpc(R"({"from": "c0", "to": "c1", "error": "refused", "for_s": 0})"),
       "faults[1].rpc_failure.for_s", "expected a time in seconds greater than 0"},
      {"timeout_ms with error auth",
       rpc(R"({"from": "c0", "to": "c1", "error": "auth", "for_s": 1, "timeout_ms": 500})"),
       "faults[1].rpc_failure.timeout_ms",
       "expected no timeout_ms with \"error\": \"auth\" (only a timeout waits for one), "
       "found 500"},
      {"zero timeout",
       rpc(R"({"from": "c0", "to": "c1", "error": "timeout", "for_s": 1, "timeout_ms": 0})"),
       "faults[1].rpc_failure.timeout_ms", "expected a time in milliseconds greater than 0"},
      {"unknown rpc_failure field",
       rpc(R"({"from": "c0", "to": "c1", "error": "auth", "for_s": 1, "sites": "all"})"),
       "faults[1].rpc_failure.sites",
       "unknown field; expected one of: from, to, error, for_s, timeout_ms"},
  });
}

TEST_CASE("fault schedules past the event and site limits are bad input", "[scenario][bad]") {
  const std::string heal = R"({"at_s": 1, "heal": {}})";
  std::string too_many = heal;
  for (size_t i = 0; i < kFaultEventsMax; ++i) too_many += ", " + heal;
  // Every crash of "all" names kSitesMax sites; one more than fit passes kFaultSiteEntriesMax.
  const std::string crash_all = R"({"at_s": 1, "crash": {"sites": "all"}})";
  std::string crashes = crash_all;
  for (size_t i = 0; i < kFaultSiteEntriesMax / kSitesMax; ++i) crashes += ", " + crash_all;
  check_all_rejected({
      {"too many fault events", scenario_with(R"("faults": [)" + too_many + "]"), "faults",
       "expected at most 10000 fault events (kFaultEventsMax), found 10001"},
      {"too many sites in fault events",
       R"({"description": "d", "topology": {"core": 1, "nebula": )" +
           std::to_string(kSitesMax - 1) + R"(}, "faults": [)" + crashes + "]}",
       "faults[" + std::to_string(kFaultSiteEntriesMax / kSitesMax) + "]",
       "name more than 10000000 sites in all"},
  });
}

TEST_CASE("a long selector array costs one pass over the sites", "[scenario]") {
  // 20,000 copies of "all" over kSitesMax sites: expanded one by one they would be 6e8 entries.
  std::string selector = R"("all")";
  for (int i = 1; i < 20'000; ++i) selector += R"(, "all")";
  const ScenarioTempDir dir;
  const Scenario s = load_scenario(
      dir.write("s.json", R"({"description": "d", "topology": {"core": 1, "nebula": )" +
                              std::to_string(kSitesMax - 1) +
                              R"(},)"
                              R"( "workload": {"sites": [)" +
                              selector + "]}}"));
  CHECK(s.workload.sites.size() == kSitesMax);
  CHECK(s.workload.sites.back() == kSitesMax - 1);
}
