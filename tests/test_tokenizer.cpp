#include <catch2/catch.hpp>
#include <thread>

#include "core/data/tokenizer.h"
#include "core/util/error.h"
#include "core/util/sha256.h"
#include "test_helpers.h"

using namespace lengen;

TEST_CASE("the shipped tokenizer loads and round-trips text and matches its committed sha256",
          "[tokenizer]") {
  Tokenizer tokenizer(testing::tokenizer_path());
  CHECK(tokenizer.vocab_size() == 4096);
  CHECK(tokenizer.bos_id() == 1);
  CHECK(tokenizer.eos_id() == 2);
  const std::string committed =
      testing::read_file(testing::source_path("data/tokenizer/lengen-4096.sha256")).substr(0, 64);
  CHECK(tokenizer.sha256() == committed);

  const std::string text = "It is a truth universally acknowledged, that a single man";
  const auto ids = tokenizer.encode(text);
  CHECK(ids.size() > 5);
  CHECK(ids.size() < text.size());
  for (int32_t id : ids) CHECK((id >= 0 && id < 4096));
  CHECK(tokenizer.decode(ids) == text);
  // byte fallback: characters outside the vocabulary still round-trip
  CHECK(tokenizer.decode(tokenizer.encode("\xE2\x98\x83 snow")) == "\xE2\x98\x83 snow");
}

TEST_CASE("encoding is thread-safe and deterministic", "[tokenizer]") {
  Tokenizer tokenizer(testing::tokenizer_path());
  const std::string text =
      testing::read_file(testing::source_path("tests/data/corpus/kjv_ruth_1.txt"));
  const auto expected = tokenizer.encode(text);
  std::vector<std::vector<int32_t>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) threads.emplace_back([&] { result = tokenizer.encode(text); });
  for (auto& t : threads) t.join();
  for (const auto& result : results) CHECK(result == expected);
}

TEST_CASE("a missing or bogus tokenizer file is a bad-input error naming it",
          "[tokenizer][errors]") {
  testing::ScratchDir dir("tok");
  try {
    Tokenizer missing(dir.file("none.model"));
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK(e.subject() == dir.file("none.model"));
  }
  testing::write_file(dir.file("bogus.model"), "this is not a protobuf");
  CHECK_THROWS_WITH(Tokenizer(dir.file("bogus.model")),
                    Catch::Contains("not a sentencepiece model"));
}
