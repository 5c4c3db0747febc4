#include "core/util/utf8.h"

#include <cctype>
#include <cstdint>

namespace lengen {

namespace {
// Length of the valid UTF-8 sequence starting at s[0], or 0 when invalid.
size_t valid_sequence_length(const unsigned char* s, size_t available) {
  const unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t length;
  uint32_t code;
  if ((c & 0xE0) == 0xC0) {
    length = 2;
    code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3;
    code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4;
    code = c & 0x07;
  } else {
    return 0;
  }
  if (available < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    code = (code << 6) | (s[i] & 0x3F);
  }
  static const uint32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[length]) return 0;           // overlong
  if (code >= 0xD800 && code <= 0xDFFF) return 0;  // surrogate
  if (code > 0x10FFFF) return 0;
  return length;
}
}  // namespace

Utf8Repair repair_utf8(std::string_view bytes) {
  Utf8Repair out;
  out.text.reserve(bytes.size());
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  while (i < bytes.size()) {
    size_t n = valid_sequence_length(s + i, bytes.size() - i);
    if (n == 0) {
      out.text += "\xEF\xBF\xBD";
      ++out.replacements;
      ++i;  // resynchronize at the next byte
    } else {
      out.text.append(bytes.data() + i, n);
      i += n;
    }
  }
  return out;
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace lengen
