// The JUnit XML writer: the attributes Jenkins, GitLab and GitHub test reporters read, escaped.
#include "sim/cli/junit_report.hpp"

#include <cstdio>
#include <fstream>

namespace treedoc::sim {

namespace {

// XML 1.0 text: the five special characters escaped; control bytes other than tab and newline,
// which XML 1.0 cannot hold at all, become '?'.
std::string xml_escaped(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' ? '?' : c;
    }
  }
  return out;
}

std::string decimal_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

}  // namespace

bool write_junit(const std::string& path, const std::string& suite,
                 const std::vector<JunitCase>& cases, size_t skipped, double time_s) {
  size_t failures = 0;
  for (const JunitCase& c : cases) failures += c.failed ? 1 : 0;
  std::ofstream out(path);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites>\n"
      << "  <testsuite name=\"" << xml_escaped(suite) << "\" tests=\"" << cases.size()
      << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\""
      << decimal_seconds(time_s) << "\">\n";
  for (const JunitCase& c : cases) {
    out << "    <testcase classname=\"" << xml_escaped(suite) << "\" name=\"" << xml_escaped(c.name)
        << "\" time=\"" << decimal_seconds(c.time_s) << "\"";
    if (!c.failed) {
      out << "/>\n";
      continue;
    }
    out << ">\n      <failure type=\"" << xml_escaped(c.failure_type) << "\" message=\""
        << xml_escaped(c.failure_message) << "\">" << xml_escaped(c.failure_text)
        << "</failure>\n    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace treedoc::sim
