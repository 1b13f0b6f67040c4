// Site selectors of scenario files: "all", "core", "nebula", a site ("c3", "n17"), a range
// ("n0..n14"), or an array of those; docs/scenarios.md gives the grammar.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json_reader.hpp"

namespace treedoc::sim {

// The sites `selector` (found at `path`) names in `topology`: sorted, without duplicates, never
// empty. Throws InputError at `path` (or at the array element at fault) for a malformed selector,
// a site or range end that does not exist (the message gives the valid names), a range whose ends
// differ in prefix or run backwards, and a selection of no sites at all.
SiteSet resolve_site_selector(const ScenarioValueReader& reader, const Topology& topology,
                              const nlohmann::json& selector, const std::string& path);

}  // namespace treedoc::sim
