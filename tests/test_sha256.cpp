#include <catch2/catch.hpp>

#include "core/util/sha256.h"
#include "test_helpers.h"

using namespace lengen;

TEST_CASE("sha256 matches FIPS 180-4 test vectors", "[sha256]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // One million 'a': exercises many blocks and incremental updates.
  Sha256 hasher;
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) hasher.update(chunk);
  CHECK(hasher.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256_file hashes files and names a missing one", "[sha256]") {
  testing::ScratchDir dir("sha");
  testing::write_file(dir.file("x"), "abc");
  CHECK(sha256_file(dir.file("x")) == sha256_hex("abc"));
  CHECK_THROWS_WITH(sha256_file(dir.file("missing")), Catch::Contains("missing"));
}
