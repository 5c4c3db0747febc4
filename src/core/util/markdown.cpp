#include "core/util/markdown.h"

namespace lengen {

std::string markdown_header(const std::vector<std::string>& left,
                            const std::vector<std::string>& right) {
  std::string titles = "|";
  std::string rule = "|";
  for (const auto& t : left) {
    titles += " " + t + " |";
    rule += "---|";
  }
  for (const auto& t : right) {
    titles += " " + t + " |";
    rule += "---:|";
  }
  return titles + "\n" + rule + "\n";
}

namespace {
template <typename Lengths>
std::vector<std::string> titles_of(const Lengths& lengths) {
  std::vector<std::string> out;
  for (int64_t length : lengths) out.push_back(std::to_string(length));
  return out;
}
}  // namespace

std::vector<std::string> length_titles(const std::set<int64_t>& lengths) {
  return titles_of(lengths);
}
std::vector<std::string> length_titles(const std::vector<int64_t>& lengths) {
  return titles_of(lengths);
}

}  // namespace lengen
