// Parses JSON text into a tree, rejecting what nlohmann's own parser would accept silently or
// only after building a hostile tree: duplicate keys, deep nesting, NUL bytes, invalid UTF-8.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace treedoc::sim {

// Returns the parsed tree of `text`, the contents of `file` (named in messages only). Throws
// InputError(file, where, what) with one line for: empty or blank text, a NUL byte (binary data),
// invalid UTF-8, a syntax error or truncation (where is empty; the message gives line and
// column), a number beyond a double such as 1e400, a key given twice in one object, and objects or
// arrays nested more than `depth_max` deep (the top-level value is depth 1). The last three name
// the JSON path. Duplicates and depth are checked while parsing, before any deep tree exists.
nlohmann::json parse_strict_json(const std::string& file, const std::string& text,
                                 size_t depth_max);

}  // namespace treedoc::sim
