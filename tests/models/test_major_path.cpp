// A path cursor's majors as runs against a plain vector of them: every element's major after
// random pushes (single, consecutive, runs), truncations and prefix copies, read in climbing,
// descending and random order (the read hint); how far each element's run of consecutive majors
// goes; leading matches against an expected path; and the run count of a chain-like path.
#include <catch2/catch.hpp>

#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/major_path.hpp"

using namespace treedoc;

namespace {

constexpr uint64_t kPathSeedsCount = 200;
constexpr int kPathStepsPerSeed = 60;

void require_same_path(const MajorPath& path, const std::vector<NodeIndex>& model,
                       RandomStream& rng) {
  REQUIRE(path.size() == model.size());
  for (size_t e = model.size(); e-- > 0;) REQUIRE(path.at(e) == model[e]);  // a climb
  for (size_t e = 0; e < model.size(); ++e) REQUIRE(path.at(e) == model[e]);
  for (int probe = 0; probe < 20 && !model.empty(); ++probe) {
    const size_t e = rng.below(model.size());
    REQUIRE(path.at(e) == model[e]);
    size_t consecutive = 1;
    while (e + consecutive < model.size() && model[e + consecutive] == model[e] + consecutive) {
      ++consecutive;
    }
    REQUIRE(path.consecutive_from(e) == consecutive);
  }
  // Leading matches against the model with one element changed (or none).
  std::vector<NodeIndex> expected = model;
  const size_t changed = rng.below(model.size() + 1);
  if (changed < model.size()) expected[changed] += 1;
  const size_t count = rng.below(model.size() + 1);
  REQUIRE(path.leading_matches(count, [&](size_t e) { return expected[e]; }) ==
          std::min(changed, count));
}

void push_random_majors(RandomStream& rng, MajorPath* path, std::vector<NodeIndex>* model) {
  const bool chain_like = rng.chance(0.5);
  NodeIndex first = 0;
  if (chain_like && !model->empty()) {
    first = model->back() + 1;  // continues the last run
  } else {
    first = static_cast<NodeIndex>(rng.below(50));
    if (rng.chance(0.3)) first = base_node(static_cast<uint32_t>(rng.below(50)));
  }
  const auto count = static_cast<uint32_t>(1 + rng.below(rng.chance(0.5) ? 1 : 30));
  if (count == 1) {
    path->push(first);
  } else {
    path->push_run(first, count);
  }
  for (uint32_t k = 0; k < count; ++k) model->push_back(first + k);
}

}  // namespace

TEST_CASE("a major path as runs reads as the vector of its majors", "[major_path][property]") {
  for (uint64_t seed = 1; seed <= kPathSeedsCount; ++seed) {
    INFO("seed " << seed);
    RandomStream rng(seed);
    MajorPath path, copy;
    std::vector<NodeIndex> model, copy_model;
    for (int step = 0; step < kPathStepsPerSeed; ++step) {
      const uint64_t what = rng.below(10);
      if (what < 6) {
        push_random_majors(rng, &path, &model);
      } else if (what < 8) {
        const size_t keep = rng.below(model.size() + 2);
        path.truncate(keep);
        if (keep < model.size()) model.resize(keep);
      } else {
        const size_t keep = rng.below(model.size() + 1);
        copy.assign_prefix(path, keep);
        copy_model.assign(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(keep));
        require_same_path(copy, copy_model, rng);
      }
      require_same_path(path, model, rng);
    }
  }
}

TEST_CASE("a chain's members on a path are one run", "[major_path]") {
  MajorPath path;
  path.push(7);
  path.push(3);
  path.push_run(base_node(100), 70000);  // a pasted chain's members, consecutive majors
  path.push(base_node(70100));           // the chain's next member continues the run
  REQUIRE(path.size() == 70003);
  REQUIRE(path.run_count() == 3);
  REQUIRE(path.at(70002) == base_node(70100));
  REQUIRE(path.at(1) == 3);
  REQUIRE(path.memory_bytes() < 1024);
  path.truncate(2);
  REQUIRE(path.run_count() == 2);
  path.push(4);  // 3 + 1: consecutive again
  REQUIRE(path.run_count() == 2);
  REQUIRE(path.at(2) == 4);
}
