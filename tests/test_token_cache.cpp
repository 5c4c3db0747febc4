#include <catch2/catch.hpp>

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
