// Strict JSON parsing: text checks, then nlohmann's SAX parser feeding a tree builder that tracks
// the JSON path so duplicate keys and deep nesting are reported where they are.
#include "sim/scenario/strict_json_parser.hpp"

#include <optional>
#include <utility>
#include <vector>

#include "sim/base/input_error.hpp"
#include "sim/base/json_path.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// nlohmann's messages repeat the bad token; this keeps a line a line.
constexpr size_t kParseReasonCharsMax = 200;
// nlohmann's exception id for a number that does not fit a double (out_of_range.406).
constexpr int kNumberOverflowId = 406;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string hex_byte(unsigned char byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("0x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

// Control characters become \xNN and long text is cut: messages quote raw input.
std::string printable(const std::string& raw) {
  std::string out;
  for (const char c : raw) {
    if (out.size() >= kParseReasonCharsMax) return out + "...";
    const auto byte = static_cast<unsigned char>(c);
    out += byte < 0x20 || byte == 0x7f ? "\\x" + hex_byte(byte).substr(2) : std::string(1, c);
  }
  return out;
}

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 when it is not one
// (overlong forms, surrogates and code points past U+10FFFF are not well-formed; RFC 3629).
size_t utf8_sequence_length(const std::string& text, size_t i) {
  const auto at = [&](size_t k) -> unsigned {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
  };
  const auto continuation = [](unsigned b) { return (b & 0xc0) == 0x80; };
  const unsigned lead = at(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(at(1)) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const unsigned lo = lead == 0xe0 ? 0xa0 : 0x80;  // no overlong forms
    const unsigned hi = lead == 0xed ? 0x9f : 0xbf;  // no surrogates
    return at(1) >= lo && at(1) <= hi && continuation(at(2)) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const unsigned lo = lead == 0xf0 ? 0x90 : 0x80;  // no overlong forms
    const unsigned hi = lead == 0xf4 ? 0x8f : 0xbf;  // nothing past U+10FFFF
    return at(1) >= lo && at(1) <= hi && continuation(at(2)) && continuation(at(3)) ? 4 : 0;
  }
  return 0;
}

// Rejects text no JSON file holds, before the parser reports it as an odd token.
void check_text(const std::string& file, const std::string& text) {
  bool blank = true;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\0') {
      throw InputError(
          file, "",
          "binary data (a NUL byte at byte " + std::to_string(i) + "); expected JSON text");
    }
    const size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      throw InputError(file, "",
                       "not UTF-8 text (byte " + hex_byte(static_cast<unsigned char>(text[i])) +
                           " at byte " + std::to_string(i) + "); expected JSON text");
    }
    blank = blank && is_blank(text[i]);
    i += length;
  }
  if (blank) throw InputError(file, "", text.empty() ? "empty file" : "blank file");
}

// nlohmann SAX handler that builds the tree as json_sax_dom_parser does, and also knows the JSON
// path of every value it adds, refuses a key its object already holds, and refuses to open an
// object or array past the depth limit. It stops the parse (returns false) at the first error.
class StrictJsonTreeBuilder {
 public:
  StrictJsonTreeBuilder(const std::string& file, size_t depth_max)
      : file_(file), depth_max_(depth_max) {}

  bool null() { return add(json(nullptr)) != nullptr; }
  bool boolean(bool value) { return add(json(value)) != nullptr; }
  bool number_integer(json::number_integer_t value) { return add(json(value)) != nullptr; }
  bool number_unsigned(json::number_unsigned_t value) { return add(json(value)) != nullptr; }
  bool number_float(json::number_float_t value, const std::string& /*text*/) {
    return add(json(value)) != nullptr;
  }
  bool string(std::string& value) { return add(json(std::move(value))) != nullptr; }
  // The JSON text parser never reports binary values (only CBOR and friends do).
  bool binary(json::binary_t& /*value*/) {
    return stop(next_value_path(), "unexpected binary value");
  }

  bool start_object(size_t /*elements*/) { return open(json::object()); }
  bool start_array(size_t /*elements*/) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& key) {
    Frame& top = stack_.back();
    if (top.container->contains(key)) {
      // nlohmann would keep the last one silently; a scenario must mean one thing.
      return stop(json_child_path(container_path(stack_.size() - 1), key),
                  "duplicate key; each key may appear once in an object");
    }
    top.pending_key = std::move(key);
    return true;
  }

  bool parse_error(size_t /*position*/, const std::string& last_token,
                   const json::exception& error) {
    if (error.id == kNumberOverflowId) {
      return stop(next_value_path(),
                  "number " + printable(last_token) + " is too large (beyond a double's range)");
    }
    // what() is "[json.exception.parse_error.101] parse error at line L, column C: reason".
    std::string reason = error.what();
    const size_t bracket = reason.find("] ");
    if (bracket != std::string::npos) reason.erase(0, bracket + 2);
    return stop("", "not JSON: " + printable(reason));
  }

  json take_root() { return std::move(root_); }
  const std::optional<InputError>& error() const { return error_; }

 private:
  struct Frame {
    json* container;          // an object or an array, owned by its parent or root_
    std::string pending_key;  // objects: the key whose value comes next
  };

  bool stop(const std::string& where, const std::string& what) {
    error_.emplace(file_, where, what);
    return false;
  }

  // Path of the container stack_[depth] (stack_[0] is the top-level value).
  std::string container_path(size_t depth) const {
    std::string path;
    for (size_t i = 0; i < depth; ++i) {
      const Frame& parent = stack_[i];
      // The child container is the last element added to an array, or the pending key's value.
      path = parent.container->is_array() ? json_element_path(path, parent.container->size() - 1)
                                          : json_child_path(path, parent.pending_key);
    }
    return path;
  }

  // Path of the value the parser is about to report.
  std::string next_value_path() const {
    if (stack_.empty()) return "";
    const Frame& top = stack_.back();
    const std::string parent = container_path(stack_.size() - 1);
    return top.container->is_array() ? json_element_path(parent, top.container->size())
                                     : json_child_path(parent, top.pending_key);
  }

  // Places `value` in the current container (or as the root) and returns where it now lives.
  // Containers on the stack stay put: only the innermost one ever grows.
  json* add(json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& container = *stack_.back().container;
    if (container.is_array()) {
      container.push_back(std::move(value));
      return &container.back();
    }
    json& slot = container[stack_.back().pending_key];
    slot = std::move(value);
    return &slot;
  }

  bool open(json&& empty_container) {
    if (stack_.size() >= depth_max_) {
      return stop(next_value_path(),
                  "objects and arrays nested more than " + std::to_string(depth_max_) + " deep");
    }
    stack_.push_back(Frame{add(std::move(empty_container)), {}});
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  const std::string& file_;
  const size_t depth_max_;
  json root_;
  std::vector<Frame> stack_;
  std::optional<InputError> error_;
};

}  // namespace

json parse_strict_json(const std::string& file, const std::string& text, size_t depth_max) {
  check_text(file, text);
  StrictJsonTreeBuilder builder(file, depth_max);
  const bool parsed = json::sax_parse(text, &builder);
  if (builder.error()) throw *builder.error();
  // Every failure path above records an error; this guards against a silent stop all the same.
  if (!parsed) throw InputError(file, "", "not JSON");
  return builder.take_root();
}

}  // namespace treedoc::sim
