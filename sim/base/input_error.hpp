// The one exception type for rejected user input: it carries the file, the place in it and what was
// expected, so the CLI can print a single clear line and exit with kExitBadInput.
#pragma once

#include <stdexcept>
#include <string>

namespace treedoc::sim {

class InputError : public std::runtime_error {
 public:
  // file: the path as the user gave it; where: a JSON path or field ("txns[12].patches[0][0]"),
  // empty when the whole file is at fault; what: what is wrong, saying what was expected.
  InputError(std::string file, std::string where, std::string what)
      : std::runtime_error(format(file, where, what)),
        file_(std::move(file)),
        where_(std::move(where)),
        what_(std::move(what)) {}

  const std::string& file() const { return file_; }
  const std::string& where() const { return where_; }
  // What is wrong, without the file and place (what() has all three).
  const std::string& what_text() const { return what_; }

 private:
  static std::string format(const std::string& file, const std::string& where,
                            const std::string& what) {
    return where.empty() ? file + ": " + what : file + ": " + where + ": " + what;
  }
  std::string file_;
  std::string where_;
  std::string what_;
};

}  // namespace treedoc::sim
