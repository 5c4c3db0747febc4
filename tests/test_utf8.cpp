#include <catch2/catch.hpp>

#include "core/util/utf8.h"

using namespace lengen;

TEST_CASE("valid UTF-8 passes through unchanged", "[utf8]") {
  const std::string text = "plain ascii, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80";
  const Utf8Repair r = repair_utf8(text);
  CHECK(r.text == text);
  CHECK(r.replacements == 0);
}

TEST_CASE("invalid sequences are replaced with U+FFFD and counted", "[utf8]") {
  // Latin-1 e-acute, a lone continuation byte, an overlong '/', a surrogate,
  // and a truncated 3-byte sequence at the end.
  const std::string bad = std::string("caf\xE9|\x80|\xC0\xAF|\xED\xA0\x80|\xE2\x82",
                                      16);  // 16 bytes (18 read past the literal: found by ASan)
  const Utf8Repair r = repair_utf8(bad);
  CHECK(r.replacements == 1 + 1 + 2 + 3 + 2);
  CHECK(repair_utf8(r.text).replacements == 0);  // the output is valid
  CHECK(r.text.rfind("caf\xEF\xBF\xBD|", 0) == 0);
}
