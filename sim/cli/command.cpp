// What every subcommand shares: the whole-number flag check and the one-line report of a bad flag.
#include <charconv>
#include <cstdint>
#include <iostream>

#include "sim/base/exit_code.hpp"
#include "sim/cli/command.hpp"

namespace treedoc::sim {

const CLI::Validator& whole_number_flag() {
  static const CLI::Validator kWholeNumber(
      [](std::string& text) -> std::string {
        uint64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size()) {
          return "expected a whole number from 0 to 18446744073709551615, found " + text;
        }
        return "";
      },
      "UINT64");
  return kWholeNumber;
}

int bad_flag(const std::string& command, const std::string& error) {
  std::cerr << "treedoc-sim: " << error << " (see treedoc-sim " << command << " --help)\n";
  return kExitBadInput;
}

}  // namespace treedoc::sim
