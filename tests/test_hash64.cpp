// XXH64 against the reference implementation: the golden values were printed
// by Debian's libxxhash 0.8.1 (XXH64 through ctypes) on bytes (i * 7 + 3) mod 256.
#include <catch2/catch.hpp>
#include <string>

#include "core/util/hash64.h"

using namespace lengen;

namespace {
std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 7 + 3);
  return s;
}
}  // namespace

TEST_CASE("xxh64 matches libxxhash on every tail length and across stripes", "[hash64]") {
  struct Golden {
    size_t size;
    uint64_t seed0, seed12345;
  };
  const Golden golden[] = {
      {0, 0xef46db3751d8e999, 0x95584af7701f808d},    {1, 0x1f25c8d0bc1f4bb6, 0x9102786a712ff044},
      {3, 0x31d2363f52e564c9, 0xc6270ec97f034479},    {4, 0x9bb64b7d66ee9fda, 0x6a3181371bbc2026},
      {7, 0x9a7b149959ce60d8, 0x6e596c9ec41c4637},    {8, 0xdab99d95c6f90092, 0xbbcc4601a016b1e4},
      {9, 0x170bb6bf975b4c02, 0x9e4cf11f2d8af8f4},    {31, 0xa2aa5f33cc4a6119, 0x8086bf60119a7308},
      {32, 0x23c3c17ef790fd97, 0x244c3905cf320c2d},   {33, 0x50a7cfc7ba588784, 0x1edc993457cf1fd8},
      {63, 0x5e3e54b431c7493c, 0x0e4a6a50d61e6220},   {64, 0x0eb64b3ef6eeb01f, 0xef589281222c0318},
      {65, 0xa383b724b2bd12f1, 0xe6a0cc169b8aa61a},   {100, 0xa61f8d4c170fe531, 0xacb8a02891fea7d2},
      {1000, 0x5f235fa033f1a3fb, 0x365c39a0c5a4c88e},
  };
  for (const auto& g : golden) {
    CHECK(xxh64(pattern(g.size)) == g.seed0);
    CHECK(xxh64(pattern(g.size), 12345) == g.seed12345);
  }
}

TEST_CASE("xxh64_hex is 16 lowercase digits", "[hash64]") {
  CHECK(xxh64_hex("") == "ef46db3751d8e999");
}
