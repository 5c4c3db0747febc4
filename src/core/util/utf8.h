// UTF-8 validation with replacement. Corpora with stray bytes are common
// (Latin-1 files, truncated downloads); lengen replaces each invalid sequence
// with U+FFFD and counts it instead of refusing the corpus.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lengen {

struct Utf8Repair {
  std::string text;         // valid UTF-8
  size_t replacements = 0;  // invalid sequences replaced by U+FFFD
};

// Overlong forms, surrogates and code points above U+10FFFF count as invalid.
Utf8Repair repair_utf8(std::string_view bytes);

// ASCII letters lowered, every other byte (UTF-8 included) unchanged.
std::string lower_ascii(std::string_view text);

}  // namespace lengen
