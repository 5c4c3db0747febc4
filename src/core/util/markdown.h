// Markdown table headers: one place that writes the header row and its
// alignment row, so every table lengen prints has the same shape.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace lengen {

// "| model | encoding | 512 | 1024 |\n|---|---|---:|---:|\n": `left` columns
// left-aligned (names), then `right` columns right-aligned (numbers).
std::string markdown_header(const std::vector<std::string>& left,
                            const std::vector<std::string>& right);

// The column titles of lengths: {"512", "1024", ...}.
std::vector<std::string> length_titles(const std::set<int64_t>& lengths);
std::vector<std::string> length_titles(const std::vector<int64_t>& lengths);

}  // namespace lengen
