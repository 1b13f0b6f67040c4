// The typed trace's record kinds and fields, as one JSON table.
#include "sim/trace/trace_schema.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// Fields every record has.
json common_fields() {
  return {{"t_us", "simulated time in microseconds"}, {"kind", "the record's kind (this table)"}};
}

json kind(const char* what, json fields) {
  json all = common_fields();
  all.update(fields);
  return {{"what", what}, {"fields", all}};
}

json message_fields() {
  return {{"from", "sender site name"},
          {"to", "receiver site name"},
          {"seq", "the sender's message counter: pairs a send with its deliveries"},
          {"msg", "message kind (ops, digest, commit, stale, hello, cut, state, heartbeat, join)"},
          {"bytes", "encoded size of the message"},
          {"commit",
           "commit messages: prepare, vote, late-update, decision, decision-request, "
           "dont-know"},
          {"attempt", "commit messages: the attempt, coordinator/number (c0/3)"},
          {"epoch", "the message's epoch (its fencing token, with view)"},
          {"view", "the message's view"},
          {"vote", "votes and dont-know: yes, or why no"},
          {"cause", "a no vote or a late update: the op that made the attempt fail (n3#12)"},
          {"blocking", "a no vote for being prepared for another attempt: that attempt"},
          {"ops", "ops messages: how many ops it carries"}};
}

// The kinds a site's protocol steps and the environment produce.
json protocol_kinds() {
  return {
      {"epoch", kind("a site entered an epoch", {{"site", "site name"},
                                                 {"epoch", "the epoch entered"},
                                                 {"by", "commit, catch-up or state-transfer"},
                                                 {"translated", "black ops carried over"},
                                                 {"lost_by_policy", "ops a transfer lost"}})},
      {"catch-up", kind("a site reached the newest epoch it knew of (written at its end)",
                        {{"site", "site name"},
                         {"start_us", "its first HELLO"},
                         {"end_us", "reaching the epoch"},
                         {"from_epoch", "the epoch it was in"},
                         {"to_epoch", "the epoch it reached"},
                         {"epochs_crossed", "to_epoch - from_epoch"},
                         {"ops_translated", "ops translated by the epochs it entered"},
                         {"messages", "HELLOs it sent, CUTs and STATEs sent to it"},
                         {"bytes", "their encoded size"}})},
      {"membership", kind("a step of the core's membership",
                          {{"site", "the site that acted"},
                           {"step", "suspected, expelled, admitted, fenced, demoted, halted, ..."},
                           {"about", "the site it is about"},
                           {"epoch", "the acting site's epoch"},
                           {"view", "the view"},
                           {"cause", "suspected: by what"},
                           {"suspect_was_up", "suspected: the suspect was in fact up"},
                           {"held_alone", "fenced: ops only it held"}})},
      {"rpc-failed",
       kind("a flatten message's sender learns it failed", {{"caller", "site name"},
                                                            {"callee", "site name"},
                                                            {"seq", "the failed send"},
                                                            {"error", "how it failed"}})},
      {"timer", kind("a site's timer fired", {{"site", "site name"}, {"timer", "which"}})},
      {"fault", kind("a scheduled fault took effect",
                     {{"index", "the fault's position in time order"},
                      {"verb", "partition, heal, crash, ..."},
                      {"where", "its place in the scenario file, e.g. faults[2]"}})},
      {"crash", kind("a site lost its volatile state", {{"site", "site name"}})},
      {"restart", kind("a crashed site started again", {{"site", "site name"}})},
      {"halt", kind("a site stopped for good by its own policy", {{"site", "site name"}})},
      {"phase", kind("the observer marked a phase of the run", {{"phase", "which"}})},
      {"violation", kind("the run's verdict failed (the last line)",
                         {{"invariant", "the invariant's name"},
                          {"liveness", "a liveness failure rather than a safety violation"},
                          {"sites", "site names involved"},
                          {"ops", "op ids involved"},
                          {"detail", "what was seen"},
                          {"run_end_us", "when the run stopped"}})},
  };
}

json build() {
  json send = message_fields();
  send["due_us"] = "when each copy is due (two for a duplicate)";
  json drop = message_fields();
  drop["reason"] = "why it was lost: partition, loss, site down, cut, rpc failure";
  drop["at"] = "where: send (never left) or arrival";
  json kinds = {
      {"run", kind("the first line: what ran", {{"scenario", "the scenario file as given"},
                                                {"seed", "the run's seed"},
                                                {"sites", "site names, core first"},
                                                {"schema_version", "this schema's version"},
                                                {"core", "core sites at the start"}})},
      {"send", kind("a message left its sender", send)},
      {"drop", kind("a message was lost", drop)},
      {"deliver", kind("a message reached its receiver's state machine", message_fields())},
      {"local-op", kind("a site made an op", {{"site", "site name"},
                                              {"op", "insert or delete"},
                                              {"id", "the op's id: origin and counter, n3#12"},
                                              {"position", "the edit's index, or trace step"}})},
      {"commit", kind("a step of a flatten attempt at a site",
                      {{"site", "site name"},
                       {"step", "prepare sent, voted yes, voted no, committed, aborted"},
                       {"attempt", "coordinator/number"},
                       {"epoch", "the epoch the attempt would close"},
                       {"view", "the view it was proposed in"},
                       {"view_only", "a view change alone, no flatten"},
                       {"decided_here", "committed or aborted: this site is the coordinator"},
                       {"vote", "voted no: why"},
                       {"reason", "aborted at its coordinator: why"},
                       {"voter", "aborted at its coordinator, or voted no: the member to blame"},
                       {"cause", "voted no, aborted: the op that made it fail (n3#12)"},
                       {"blocking",
                        "voted no, aborted: the attempt the no voter was prepared "
                        "for instead (its own cause is the root one)"},
                       {"cut_ops", "prepare sent, committed: ops in the proposed cut"}})},
  };
  kinds.update(protocol_kinds());
  return {{"version", kTraceSchemaVersion}, {"kinds", kinds}};
}

}  // namespace

const nlohmann::json& trace_schema() {
  static const nlohmann::json schema = build();
  return schema;
}

}  // namespace treedoc::sim
