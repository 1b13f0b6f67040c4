// How a run's membership steps read to a user: the counts and timeline for summary.json
// and the human summary, and one paragraph that tells an expulsion in the order it happened.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/report/run_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// Whether the run has anything to say about membership (a failed RPC, a suspicion, a view change).
bool has_membership_steps(const RunResult& r);
nlohmann::json membership_json(const Scenario& s, const RunResult& r);
// What happened, for a student: each step's first occurrence per site, with its simulated time,
// why it happened under the scenario's policies, and what it cost (ops lost, or nothing).
std::string membership_story(const Scenario& s, const RunResult& r);

}  // namespace treedoc::sim
