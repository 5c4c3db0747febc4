#include <catch2/catch.hpp>

#include "core/util/error.h"
#include "core/util/toml_check.h"

using namespace lengen;

namespace {
std::string error_of(const std::string& text) {
  try {
    read_toml_keys(text, "c.toml");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    return e.subject() + ": " + e.message();
  }
  return "";
}
}  // namespace

TEST_CASE("the shipped config syntax reads, with sections and line numbers", "[toml_check]") {
  const auto keys = read_toml_keys(
      "# comment\n[sweep]\nmodels = [\"a.pt\", \"b.pt\"]  # trailing\n\nmax-tokens = 8192\n"
      "seed = 1_000\nquiet = true\nx = 'lit'\nratio = -1.5e3\n[tasks]\nlengths = [512, 1024,]\n",
      "c.toml");
  REQUIRE(keys.size() == 7);
  CHECK(keys[0].section == "sweep");
  CHECK(keys[0].key == "models");
  CHECK(keys[0].line == 3);
  CHECK(keys[1].key == "max-tokens");
  CHECK(keys[1].line == 5);
  CHECK(keys[6].section == "tasks");
  CHECK(keys[6].line == 11);
}

TEST_CASE("syntax errors name the file and line", "[toml_check][errors]") {
  CHECK_THAT(error_of("[sweep]\nmodels = [\"a.pt\"\n"),
             Catch::Contains("c.toml:2") && Catch::Contains("unterminated array"));
  CHECK_THAT(error_of("[sweep\n"), Catch::Contains("c.toml:1") && Catch::Contains("']'"));
  CHECK_THAT(error_of("[sweep]\n\nout = results/x\n"),
             Catch::Contains("c.toml:3") && Catch::Contains("quote strings"));
  CHECK_THAT(error_of("[sweep]\nout \"x\"\n"), Catch::Contains("expected '='"));
  CHECK_THAT(error_of("[sweep]\nout = \"x\n"), Catch::Contains("unterminated string"));
  CHECK_THAT(error_of("[sweep]\nout = \"x\" y\n"), Catch::Contains("unexpected text"));
  CHECK_THAT(error_of("[[sweep]]\n"), Catch::Contains("arrays of tables"));
  CHECK_THAT(error_of("\"\" = 0\n"), Catch::Contains("empty key"));  // found by the fuzzer
  CHECK_THAT(error_of("[sweep]\nseed = 1\nseed = 2\n"),
             Catch::Contains("c.toml:3") && Catch::Contains("set twice"));
  CHECK_THAT(error_of("a = \xffzz\n"),
             Catch::Contains("?zz") && !Catch::Contains("\xff"));  // raw bytes not echoed
}

TEST_CASE("edit distance counts single-character edits", "[toml_check]") {
  CHECK(edit_distance("max_tokens", "max-tokens") == 1);
  CHECK(edit_distance("swep", "sweep") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}
