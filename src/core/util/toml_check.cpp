#include "core/util/toml_check.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "core/util/error.h"

namespace lengen {

namespace {

const char* kTomlHint =
    "lengen reads TOML `key = value` lines under `[subcommand]` headers; values are strings, "
    "numbers, booleans or one-line arrays";

// A cursor over one line; each parse_* consumes what it accepts or throws.
class LineParser {
 public:
  LineParser(std::string_view line, std::string where) : s_(line), where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw_bad_input(where_, "TOML syntax error: " + why, kTomlHint);
  }
  void skip_space() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\t')) ++at_;
  }
  bool done() const { return at_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[at_]; }
  void consume() { ++at_; }
  // Accepts the end of the line, or a comment.
  void expect_end() {
    skip_space();
    if (!done() && s_[at_] != '#') fail("unexpected text '" + printable(s_.substr(at_)) + "'");
  }

  std::string parse_key() {
    skip_space();
    if (peek() == '"' || peek() == '\'') {
      std::string key = parse_string();
      if (key.empty()) fail("empty key");  // valid TOML, but never an option name
      return key;
    }
    const size_t begin = at_;
    while (!done() && (std::isalnum(static_cast<unsigned char>(s_[at_])) || s_[at_] == '_' ||
                       s_[at_] == '-')) {
      ++at_;
    }
    if (at_ == begin) fail("expected a key");
    return std::string(s_.substr(begin, at_ - begin));
  }

  std::string parse_section() {
    ++at_;  // '['
    if (peek() == '[') fail("arrays of tables ([[...]]) are not supported");
    std::string name = parse_key();
    skip_space();
    while (peek() == '.') {
      ++at_;
      name += "." + parse_key();
      skip_space();
    }
    if (peek() != ']') fail("expected ']' to close the section header");
    ++at_;
    expect_end();
    return name;
  }

  void parse_value(int depth) {
    skip_space();
    const char c = peek();
    if (c == '"' || c == '\'') {
      parse_string();
    } else if (c == '[') {
      parse_array(depth);
    } else if (c == '{') {
      fail("inline tables are not supported");
    } else {
      parse_scalar();
    }
  }

 private:
  std::string parse_string() {
    const char quote = s_[at_++];
    if (s_.substr(at_, 2) == std::string(2, quote)) fail("multi-line strings are not supported");
    std::string out;
    while (!done() && s_[at_] != quote) {
      if (quote == '"' && s_[at_] == '\\') {
        ++at_;
        if (done()) break;
        if (std::string_view("btnfr\"\\uU").find(s_[at_]) == std::string_view::npos) {
          fail(std::string("unknown escape '\\") + printable(s_.substr(at_, 1)) + "'");
        }
      }
      out.push_back(s_[at_++]);
    }
    if (done()) fail("unterminated string");
    ++at_;
    return out;
  }

  void parse_array(int depth) {
    if (depth > 8) fail("arrays nested too deeply");
    ++at_;  // '['
    skip_space();
    if (peek() == ']') {
      ++at_;
      return;
    }
    while (true) {
      parse_value(depth + 1);
      skip_space();
      if (peek() == ',') {
        ++at_;
        skip_space();
        if (peek() == ']') break;  // trailing comma
        continue;
      }
      if (peek() == ']') break;
      if (done() || peek() == '#') fail("unterminated array (CLI11 reads arrays on one line)");
      fail("expected ',' or ']' in an array");
    }
    ++at_;
  }

  // Numbers (with _ separators, exponents, inf/nan, 0x/0o/0b) and booleans.
  void parse_scalar() {
    const size_t begin = at_;
    while (!done() && s_[at_] != ',' && s_[at_] != ']' && s_[at_] != '#' && s_[at_] != ' ' &&
           s_[at_] != '\t') {
      ++at_;
    }
    const std::string_view word = s_.substr(begin, at_ - begin);
    if (word.empty()) fail("expected a value");
    if (word == "true" || word == "false" || is_number(word)) return;
    fail("'" + printable(word) + "' is not a string, number or boolean (quote strings)");
  }

  static bool is_number(std::string_view w) {
    if (!w.empty() && (w[0] == '+' || w[0] == '-')) w.remove_prefix(1);
    if (w == "inf" || w == "nan") return true;
    if (w.empty() || !std::isdigit(static_cast<unsigned char>(w[0]))) return false;
    const bool radix = w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'o' || w[1] == 'b');
    const std::string_view allowed = radix ? "0123456789abcdefABCDEF_" : "0123456789_.eE+-";
    return w.substr(radix ? 2 : 0).find_first_not_of(allowed) == std::string_view::npos;
  }

  // Raw bytes of a broken line are not echoed as they are (they may be invalid UTF-8).
  static std::string printable(std::string_view text) {
    std::string out;
    for (const char c : text.substr(0, 40)) {
      const auto u = static_cast<unsigned char>(c);
      out += (u >= 0x20 && u < 0x7f) ? std::string(1, c) : "?";
    }
    return text.size() > 40 ? out + "..." : out;
  }

  std::string_view s_;
  std::string where_;
  size_t at_ = 0;
};

}  // namespace

std::vector<TomlKey> read_toml_keys(std::string_view text, const std::string& label) {
  std::vector<TomlKey> keys;
  std::set<std::pair<std::string, std::string>> seen;
  std::string section;
  int number = 0;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find('\n', begin), text.size());
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    begin = end + 1;
    const std::string where = label + ":" + std::to_string(number);
    LineParser parser(line, where);
    parser.skip_space();
    if (parser.done() || parser.peek() == '#') continue;
    if (parser.peek() == '[') {
      section = parser.parse_section();
      continue;
    }
    std::string key = parser.parse_key();
    parser.skip_space();
    if (parser.peek() != '=') parser.fail("expected '=' after the key '" + key + "'");
    parser.consume();  // '='
    parser.parse_value(0);
    parser.expect_end();
    if (!seen.emplace(section, key).second) {
      throw_bad_input(where, "key '" + key + "' is set twice in [" + section + "]",
                      "keep one of the two lines");
    }
    keys.push_back(TomlKey{section, std::move(key), number});
  }
  return keys;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

}  // namespace lengen
