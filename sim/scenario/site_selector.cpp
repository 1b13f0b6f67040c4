// Parsing and resolution of site selectors into sorted site sets.
#include "sim/scenario/site_selector.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/base/json_path.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// More digits than this cannot name a site (kSitesMax has 5) and would overflow the parse.
constexpr size_t kSiteNumberDigitsMax = 18;

constexpr std::string_view kRangeSeparator = "..";

const char* kSelectorGrammar =
    "expected a site selector: \"all\", \"core\", \"nebula\", a site such as \"c0\" or \"n17\", "
    "a range such as \"n0..n14\", or an array of those";

// Sites [begin, end) of one selector string; ranges are merged before they are expanded, so
// a long array of "all" costs one pass over the sites, not one per element.
struct SiteRange {
  SiteIndex begin = 0;
  SiteIndex end = 0;
};

// A site name as written: its kind and its number within that kind.
struct SiteName {
  bool core = true;
  uint64_t number = 0;
};

// "c<k>" or "n<k>" with k written without leading zeros; nullopt for anything else.
std::optional<SiteName> parse_site_name(std::string_view text) {
  if (text.size() < 2 || (text[0] != 'c' && text[0] != 'n')) return std::nullopt;
  const std::string_view digits = text.substr(1);
  if (digits.size() > kSiteNumberDigitsMax || (digits.size() > 1 && digits[0] == '0')) {
    return std::nullopt;
  }
  uint64_t number = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + static_cast<uint64_t>(c - '0');
  }
  return SiteName{text[0] == 'c', number};
}

class SiteSelectorResolver {
 public:
  SiteSelectorResolver(const ScenarioValueReader& reader, const Topology& topology)
      : reader_(reader), topology_(topology) {}

  // The sites one selector string names.
  SiteRange range_of(const json& selector, const std::string& path) const {
    if (!selector.is_string()) {
      reader_.fail(path, std::string(kSelectorGrammar) + ", found " +
                             ScenarioValueReader::describe(selector));
    }
    const std::string& text = selector.get_ref<const std::string&>();
    if (text == "all") return {0, topology_.site_count()};
    if (text == "core") return {0, topology_.core};
    if (text == "nebula") return {topology_.core, topology_.site_count()};

    const size_t separator = text.find(kRangeSeparator);
    if (separator == std::string::npos) {
      const SiteIndex site = existing_site(selector, text, path);
      return {site, site + 1};
    }
    const std::string_view whole = text;
    const std::string_view lo_text = whole.substr(0, separator);
    const std::string_view hi_text = whole.substr(separator + kRangeSeparator.size());
    const SiteIndex lo = existing_site(selector, lo_text, path);
    const SiteIndex hi = existing_site(selector, hi_text, path);
    if (lo_text[0] != hi_text[0]) {
      reader_.fail(path, "range " + ScenarioValueReader::describe(selector) +
                             " mixes core and nebula sites; expected both ends with the same "
                             "prefix, such as \"n0..n14\"");
    }
    if (lo > hi) {
      reader_.fail(path, "range " + ScenarioValueReader::describe(selector) +
                             " runs backwards; expected the lower site first");
    }
    return {lo, hi + 1};
  }

 private:
  // The index of the site `name` (part of `selector`), which must exist.
  SiteIndex existing_site(const json& selector, std::string_view name,
                          const std::string& path) const {
    const std::optional<SiteName> parsed = parse_site_name(name);
    if (!parsed) {
      reader_.fail(path, std::string(kSelectorGrammar) + ", found " +
                             ScenarioValueReader::describe(selector));
    }
    const uint32_t count = parsed->core ? topology_.core : topology_.nebula;
    if (parsed->number >= count) {
      const char* kind = parsed->core ? "core" : "nebula";
      const std::string prefix = parsed->core ? "c" : "n";
      const std::string valid =
          count == 0 ? std::string("there are no ") + kind + " sites (topology." + kind + " is 0)"
                     : std::string("the ") + kind + " sites are " + prefix + "0.." + prefix +
                           std::to_string(count - 1);
      reader_.fail(path, "no site \"" + std::string(name) + "\": " + valid);
    }
    const auto number = static_cast<SiteIndex>(parsed->number);
    return parsed->core ? number : topology_.core + number;
  }

  const ScenarioValueReader& reader_;
  const Topology& topology_;
};

}  // namespace

SiteSet resolve_site_selector(const ScenarioValueReader& reader, const Topology& topology,
                              const json& selector, const std::string& path) {
  const SiteSelectorResolver resolver(reader, topology);
  std::vector<SiteRange> ranges;
  if (selector.is_array()) {
    if (selector.empty()) {
      reader.fail(path, "expected at least one site selector, found an empty array");
    }
    ranges.reserve(selector.size());
    for (size_t i = 0; i < selector.size(); ++i) {
      ranges.push_back(resolver.range_of(selector[i], json_element_path(path, i)));
    }
  } else {
    ranges.push_back(resolver.range_of(selector, path));
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const SiteRange& a, const SiteRange& b) { return a.begin < b.begin; });
  SiteSet sites;
  SiteIndex next = 0;  // every site below it is in `sites` already
  for (const SiteRange& range : ranges) {
    for (SiteIndex i = std::max(range.begin, next); i < range.end; ++i) sites.push_back(i);
    next = std::max(next, range.end);
  }
  if (sites.empty()) {
    reader.fail(path, ScenarioValueReader::describe(selector) +
                          " selects no sites (topology.nebula is 0); expected at least one site");
  }
  return sites;
}

}  // namespace treedoc::sim
