// JUnit XML for CI dashboards: one testcase per sweep seed, a failure naming the invariant and how
// to reproduce it.
#pragma once

#include <string>
#include <vector>

namespace treedoc::sim {

struct JunitCase {
  std::string name;  // "seed 17"
  double time_s = 0;
  bool failed = false;
  std::string failure_type;     // the outcome: "safety", "liveness", ...
  std::string failure_message;  // the invariant, or the verdict when none is named
  std::string failure_text;     // the verdict and the reproduce commands
};

// Writes one <testsuite> named `suite` holding `cases` to `path`; `skipped` counts cases that never
// ran (a time budget). Returns false when the file cannot be written.
bool write_junit(const std::string& path, const std::string& suite,
                 const std::vector<JunitCase>& cases, size_t skipped, double time_s);

}  // namespace treedoc::sim
