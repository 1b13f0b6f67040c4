// The event schema, generated from the registries of sim/world/event_kinds.hpp and the enums the
// fields hold.
#include "sim/world/event_schema.hpp"

#include <filesystem>

#include "models/site/effects.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/world/event_kinds.hpp"
#include "sim/world/fault_timeline.hpp"

namespace treedoc::sim {

namespace {

template <typename Enum, size_t N>
nlohmann::json names(const NamedEnum<Enum, N>& registry) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t k = 0; k < N; ++k) out.push_back(registry.name_at(k));
  return out;
}

// The values of every enum-typed field, by the field type's name.
nlohmann::json enum_values() {
  return {
      {kFieldTypes.name(FieldType::kOpKind), names(kLoggedOpKinds)},
      {kFieldTypes.name(FieldType::kDropReason), names(kDropReasons)},
      {kFieldTypes.name(FieldType::kTimerKind), names(site::kTimerKinds)},
      {kFieldTypes.name(FieldType::kFaultVerb), names(kFaultVerbs)},
      {kFieldTypes.name(FieldType::kRunPhase), names(kRunPhases)},
      {kFieldTypes.name(FieldType::kCommitPhase), names(site::kCommitPhases)},
      {kFieldTypes.name(FieldType::kMembershipStep), names(site::kMembershipSteps)},
      {kFieldTypes.name(FieldType::kRpcError), names(kRpcErrors)},
  };
}

}  // namespace

nlohmann::json event_schema() {
  nlohmann::json kinds = nlohmann::json::object();
  for (size_t k = 0; k < kEventKinds.size(); ++k) {
    nlohmann::json fields = nlohmann::json::array();
    const EventFields& f = kEventFieldsOf[k];
    for (size_t i = 0; i < f.count(); ++i) {
      fields.push_back({{"name", f.fields[i].name}, {"type", kFieldTypes.name(f.fields[i].type)}});
    }
    kinds[kEventKinds.name_at(k)] = {{"doc", kEventKinds.entries()[k].doc}, {"fields", fields}};
  }
  nlohmann::json types = nlohmann::json::object();
  for (size_t k = 0; k < kFieldTypes.size(); ++k) {
    types[kFieldTypes.name_at(k)] = kFieldTypes.entries()[k].doc;
  }
  return {{"schema", "treedoc-sim event log"},
          {"version", kEventSchemaVersion},
          {"line",
           "<n> t=<us>[.5]us <kind> <field>...: the n-th event, at simulated time us (.5: the "
           "observer, half a microsecond after the instant), then the kind's fields in order, as "
           "integers; unused trailing fields are 0"},
          {"kinds", kinds},
          {"field_types", types},
          {"enums", enum_values()}};
}

std::string schema_path_beside(const std::string& log_path) {
  return std::filesystem::path(log_path).replace_extension(".schema.json").string();
}

}  // namespace treedoc::sim
