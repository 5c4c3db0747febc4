#include <catch2/catch.hpp>

#include "core/data/text_source.h"
#include "core/util/error.h"
#include "test_helpers.h"

using namespace lengen;

namespace {
std::vector<TextDocument> read_all(TextSource& source) {
  std::vector<TextDocument> docs;
  while (source.next_batch(docs, 1)) {
  }
  return docs;
}
}  // namespace

TEST_CASE("directories expand recursively in sorted order and JSONL yields a document per line",
          "[text_source]") {
  testing::ScratchDir dir("text");
  std::filesystem::create_directories(dir.path() / "sub");
  testing::write_file(dir.file("b.txt"), "second");
  testing::write_file(dir.file("a.txt"), "first");
  testing::write_file(dir.file("sub/c.jsonl"), "{\"text\": \"third\"}\n\n{\"text\": \"fourth\"}\n");
  testing::write_file(dir.file("ignored.bin"), "x");
  TextSource source({dir.path().string()});
  const auto docs = read_all(source);
  REQUIRE(docs.size() == 4);
  CHECK(docs[0].text == "first");
  CHECK(docs[1].text == "second");
  CHECK(docs[2].text == "third");
  CHECK(docs[3].text == "fourth");
  CHECK(docs[0].name == "a.txt");
  CHECK(docs[3].name == "sub/c.jsonl:3");  // relative: caches do not depend on the checkout path
}

TEST_CASE("the fixture corpus reads as three documents", "[text_source]") {
  TextSource source({testing::source_path("tests/data/corpus")});
  const auto docs = read_all(source);
  CHECK(docs.size() == 3);
  for (const auto& doc : docs) CHECK(doc.text.size() > 1000);
}

TEST_CASE("bad inputs are rejected with the file named", "[text_source][errors]") {
  testing::ScratchDir dir("text-bad");
  SECTION("missing path") {
    try {
      TextSource source({dir.file("nope")});
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::kBadInput);
      CHECK(e.subject() == dir.file("nope"));
    }
  }
  SECTION("directory without corpus files") {
    CHECK_THROWS_WITH(TextSource({dir.path().string()}), Catch::Contains("no .txt or .jsonl"));
  }
  SECTION("malformed JSONL line names the line number") {
    testing::write_file(dir.file("x.jsonl"), "{\"text\": \"ok\"}\n{\"txt\": 1}\n");
    TextSource source({dir.file("x.jsonl")});
    CHECK_THROWS_WITH(read_all(source), Catch::Contains("x.jsonl:2"));
  }
  SECTION("invalid JSON") {
    testing::write_file(dir.file("y.jsonl"), "{\"text\": \"ok\"\n");
    TextSource source({dir.file("y.jsonl")});
    CHECK_THROWS_WITH(read_all(source),
                      Catch::Contains("y.jsonl:1") && Catch::Contains("malformed"));
  }
  SECTION("invalid UTF-8 is repaired and counted, not fatal") {
    testing::write_file(dir.file("latin1.txt"), "caf\xE9");
    TextSource source({dir.file("latin1.txt")});
    const auto docs = read_all(source);
    REQUIRE(docs.size() == 1);
    CHECK(docs[0].replacements == 1);
  }
}
