// A scenario fault built in one line, for the tests of the fault timeline and the network model.
#pragma once

#include <utility>

#include "sim/world/fault_timeline.hpp"

namespace treedoc::test {

inline sim::FaultEvent fault(site::TimeUs at, sim::FaultVerb verb, sim::SiteSet sites = {}) {
  sim::FaultEvent f;
  f.at_us = at;
  f.verb = verb;
  f.sites = std::move(sites);
  return f;
}

}  // namespace treedoc::test
