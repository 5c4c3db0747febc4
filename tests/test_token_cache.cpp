#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>

#include "core/data/text_source.h"
#include "core/data/token_cache.h"
#include "core/data/tokenizer.h"
#include "core/util/error.h"
#include "test_helpers.h"

using namespace lengen;

namespace {
TokenCacheSettings settings_for(uint32_t vocab) {
  TokenCacheSettings s;
  s.vocab_size = vocab;
  s.tokenizer_sha256 = std::string(64, 'a');
  s.bos_id = 1;
  s.eos_id = 2;
  return s;
}

// Writes a small two-document cache and returns its path.
std::string write_small(const testing::ScratchDir& dir, const std::string& name = "c.tok") {
  TokenCacheWriter writer(dir.file(name), settings_for(100));
  writer.add_document("one", {5, 6, 7}, 11);
  writer.add_document("two", {8, 9}, 7);
  writer.finish();
  return dir.file(name);
}

void corrupt(const std::string& path, size_t offset, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void require_bad_input(const std::string& path, const std::string& fragment) {
  try {
    TokenCache cache(path);
    FAIL("no error for " << fragment);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK(e.subject() == path);
    CHECK_THAT(e.message(), Catch::Contains(fragment));
    CHECK_THAT(e.hint(), Catch::Contains("lengen tokenize"));
  }
}
}  // namespace

TEST_CASE("round trip: encode the fixture corpus then write then mmap back identical ids and bytes",
          "[token_cache]") {
  testing::ScratchDir dir("cache");
  Tokenizer tokenizer(testing::tokenizer_path());
  TextSource source({testing::source_path("tests/data/corpus")});
  std::vector<TextDocument> docs;
  while (source.next_batch(docs, 1 << 20)) {
  }
  TokenCacheSettings settings = settings_for(static_cast<uint32_t>(tokenizer.vocab_size()));
  settings.tokenizer_sha256 = tokenizer.sha256();
  std::vector<std::vector<int32_t>> expected;
  {
    TokenCacheWriter writer(dir.file("fixture.tok"), settings);
    for (const auto& doc : docs) {
      expected.push_back(tokenizer.encode(doc.text));
      writer.add_document(doc.name, expected.back(), doc.text.size());
    }
    writer.finish();
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("fixture.tok.tmp")));
  TokenCache cache(dir.file("fixture.tok"));
  REQUIRE(cache.document_count() == docs.size());
  CHECK(cache.header().token_width == 2);
  CHECK(cache.header().vocab_size == 4096);
  CHECK(cache.tokenizer_sha256() == tokenizer.sha256());
  uint64_t total = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    CHECK(cache.document_tokens(i) == expected[i]);
    CHECK(cache.document_bytes(i) == docs[i].text.size());
    CHECK(cache.document_name(i) == docs[i].name);
    total += expected[i].size();
  }
  CHECK(cache.token_count() == total);
  std::vector<int64_t> slice(3);
  cache.copy_tokens(1, 2, 3, slice.data());
  CHECK(slice == std::vector<int64_t>(expected[1].begin() + 2, expected[1].begin() + 5));
  CHECK_THROWS(cache.copy_tokens(1, cache.document_length(1) - 1, 2, slice.data()));
  CHECK_NOTHROW(cache.require_tokenizer(tokenizer.sha256(), "tokenizer"));
}

TEST_CASE("BOS/EOS are added per document and recorded and big vocabularies use uint32",
          "[token_cache]") {
  testing::ScratchDir dir("cache-wide");
  TokenCacheSettings settings = settings_for(70000);
  settings.add_bos = settings.add_eos = true;
  {
    TokenCacheWriter writer(dir.file("wide.tok"), settings);
    writer.add_document("d", {69999, 3}, 4);
    writer.finish();
  }
  TokenCache cache(dir.file("wide.tok"));
  CHECK(cache.header().token_width == 4);
  CHECK(cache.header().flags == (kBosPrepended | kEosAppended));
  CHECK(cache.document_tokens(0) == std::vector<int32_t>{1, 69999, 3, 2});
}

TEST_CASE("an unfinished writer leaves no cache behind", "[token_cache]") {
  testing::ScratchDir dir("cache-abort");
  {
    TokenCacheWriter writer(dir.file("x.tok"), settings_for(100));
    writer.add_document("d", {1, 2}, 2);
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("x.tok")));
  CHECK_FALSE(std::filesystem::exists(dir.file("x.tok.tmp")));
}

TEST_CASE("corrupt caches are rejected with a clear error", "[token_cache][errors]") {
  testing::ScratchDir dir("cache-bad");
  SECTION("missing") { require_bad_input(dir.file("absent.tok"), "not found"); }
  SECTION("bad magic") {
    const auto path = write_small(dir);
    corrupt(path, 0, "XXXX");
    require_bad_input(path, "bad magic");
  }
  SECTION("wrong version") {
    const auto path = write_small(dir);
    corrupt(path, 8, std::string("\x09\x00\x00\x00", 4));
    require_bad_input(path, "format version 9");
  }
  SECTION("truncated body") {
    const auto path = write_small(dir);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 5);
    require_bad_input(path, "truncated");
  }
  SECTION("shorter than a header") {
    testing::write_file(dir.file("tiny.tok"), "LENGTOK");
    require_bad_input(dir.file("tiny.tok"), "shorter than its header");
  }
  SECTION("tokenizer mismatch") {
    TokenCache cache(write_small(dir));
    try {
      cache.require_tokenizer(std::string(64, 'b'), "model tokenizer");
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::kBadInput);
      CHECK_THAT(e.message(), Catch::Contains("different tokenizer"));
    }
  }
}

namespace {
// Overwrites `bytes` at `offset` and recomputes the checksum, as a forger (or
// the fuzzer) would: the structural checks behind the checksum must hold alone.
void corrupt_and_reseal(const std::string& path, size_t offset, const std::string& bytes) {
  corrupt(path, offset, bytes);
  std::string file = testing::read_file(path);
  const uint64_t sum =
      token_cache_checksum(reinterpret_cast<const uint8_t*>(file.data()), file.size());
  corrupt(path, offsetof(TokenCacheHeader, checksum),
          std::string(reinterpret_cast<const char*>(&sum), sizeof(sum)));
}

std::string u64_bytes(uint64_t value) {
  return std::string(reinterpret_cast<const char*>(&value), sizeof(value));
}
}  // namespace

TEST_CASE("section offsets near 2^64 are rejected, not read (checked arithmetic)",
          "[token_cache][errors]") {
  testing::ScratchDir dir("cache-overflow");
  // tokens_offset, offsets_offset, bytes_offset (header bytes 64, 72, 80).
  for (const size_t field : {size_t{64}, size_t{72}, size_t{80}}) {
    for (const uint64_t value : {~uint64_t{0}, ~uint64_t{0} - 7, uint64_t{1} << 63}) {
      const auto path = write_small(dir);
      corrupt_and_reseal(path, field, u64_bytes(value));
      require_bad_input(path, "corrupt header");
    }
  }
  SECTION("a token count whose byte size overflows") {
    const auto path = write_small(dir);
    corrupt_and_reseal(path, offsetof(TokenCacheHeader, token_count), u64_bytes(uint64_t{1} << 63));
    require_bad_input(path, "corrupt");
  }
}

TEST_CASE("the checksum catches flipped ids, shifted offsets and edited byte counts",
          "[token_cache][errors]") {
  testing::ScratchDir dir("cache-sum");
  const auto clean = write_small(dir);
  const TokenCache reference(clean);
  const size_t tokens = reference.header().tokens_offset;
  const size_t offsets = reference.header().offsets_offset;
  const size_t bytes = reference.header().bytes_offset;
  SECTION("in-range id") {
    corrupt(clean, tokens, std::string("\x06\x00", 2));  // 5 -> 6, still < vocab 100
    require_bad_input(clean, "checksum mismatch");
  }
  SECTION("document offset") {
    corrupt(clean, offsets + 8, u64_bytes(2));  // doc boundary 3 -> 2
    require_bad_input(clean, "checksum mismatch");
  }
  SECTION("byte count") {
    corrupt(clean, bytes, u64_bytes(12));
    require_bad_input(clean, "checksum mismatch");
  }
  SECTION("header field") {
    corrupt(clean, offsetof(TokenCacheHeader, vocab_size), std::string("\x63\x00\x00\x00", 4));
    require_bad_input(clean, "checksum mismatch");
  }
}

TEST_CASE("ids outside the header's vocabulary are refused at load, naming the cache",
          "[token_cache][errors]") {
  testing::ScratchDir dir("cache-oov");
  const auto path = write_small(dir);
  const size_t tokens = TokenCache(path).header().tokens_offset;
  corrupt_and_reseal(path, tokens + 2, std::string("\x64\x00", 2));  // id 100 = vocab size
  require_bad_input(path, "token id 100 at token 1 is outside the cache's vocabulary of 100");
}

TEST_CASE("byte counts must sum to the header's total", "[token_cache][errors]") {
  testing::ScratchDir dir("cache-bytes");
  const auto path = write_small(dir);
  corrupt_and_reseal(path, TokenCache(path).header().bytes_offset, u64_bytes(1000));
  require_bad_input(path, "byte counts");
}

TEST_CASE("a version 1 cache asks to re-run tokenize", "[token_cache][errors]") {
  testing::ScratchDir dir("cache-v1");
  const auto path = write_small(dir);
  corrupt(path, 8, std::string("\x01\x00\x00\x00", 4));
  try {
    TokenCache cache(path);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.message(), Catch::Contains("format version 1; this lengen reads version 2"));
    CHECK_THAT(e.hint(), Catch::Contains("re-run `lengen tokenize`"));
  }
}

TEST_CASE("a directory or a device is not a cache, and a writer refuses to replace one",
          "[token_cache][errors]") {
  testing::ScratchDir dir("cache-kind");
  std::filesystem::create_directories(dir.file("d.tok"));
  try {
    TokenCache cache(dir.file("d.tok"));
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK_THAT(e.message(), Catch::Contains("is a directory"));
  }
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
  CHECK_THROWS_AS(TokenCache(dir.file("fifo")), Error);
  CHECK_THROWS_WITH(TokenCacheWriter(dir.file("fifo"), settings_for(100)),
                    Catch::Contains("not a regular file"));
  CHECK(std::filesystem::is_fifo(dir.file("fifo")));  // untouched
}

TEST_CASE("the tokenizer mismatch message shows both full hashes", "[token_cache][errors]") {
  testing::ScratchDir dir("cache-hash");
  TokenCache cache(write_small(dir));
  const std::string other = std::string(12, 'a') + std::string(52, 'b');  // same 12-char prefix
  try {
    cache.require_tokenizer(other, "model expects");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.message(), Catch::Contains(std::string(64, 'a')) && Catch::Contains(other));
  }
}

TEST_CASE("from_memory applies the same checks as opening the file", "[token_cache]") {
  testing::ScratchDir dir("cache-mem");
  const std::string bytes = testing::read_file(write_small(dir));
  std::vector<uint64_t> aligned(bytes.size() / 8 + 1);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  const auto* data = reinterpret_cast<const uint8_t*>(aligned.data());
  const TokenCache cache = TokenCache::from_memory(data, bytes.size(), "memory");
  CHECK(cache.document_tokens(1) == std::vector<int32_t>{8, 9});
  CHECK_THROWS_WITH(TokenCache::from_memory(data, bytes.size() - 1, "memory"),
                    Catch::Contains("truncated"));
}
