// A strict reader of the TOML subset lengen's configs use (CLI11's reader is
// lenient: it skips lines it cannot read, so a typo became "--models is
// required"). It checks syntax line by line and lists every key with its
// section and line, so the caller can reject unknown sections and keys.
//
// Accepted: comments, blank lines, `[section]` / `[a.b]` headers, and
// `key = value` with a bare or quoted key and a value that is a string
// ("..." or '...'), a number, a boolean, or an array of those on one line
// (CLI11 reads arrays only on one line). Not for: general TOML (no inline
// tables, multi-line strings or arrays of tables; each is an error saying so).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lengen {

struct TomlKey {
  std::string section;  // "" before the first header; "a.b" for [a.b]
  std::string key;
  int line = 0;  // 1-based
};

// Throws lengen::Error (bad input) with subject "<label>:<line>" at the first
// syntax error, and for a key set twice in one section.
std::vector<TomlKey> read_toml_keys(std::string_view text, const std::string& label);

// Edit distance (insert, delete, substitute) for "did you mean" hints.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace lengen
