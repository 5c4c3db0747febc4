// The built-in task generators on real text: determinism for a seed, needle and
// question at the requested token indices, the zoo's passkey template, real
// haystack windows, and cloze samples whose answer was last named far back.
#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "core/data/tokenizer.h"
#include "evals/cloze_task.h"
#include "evals/haystack.h"
#include "evals/needle_tasks.h"
#include "test_tasks_fixture.h"

using namespace lengen;
using namespace lengen::evals;

namespace {

struct World {
  Tokenizer tokenizer{testing::tokenizer_path()};
  Haystack haystack{testing::austen_haystack(), tokenizer};
};
World& world() {
  static World w;
  return w;
}

// Index of `needle` in `tokens` at or after `from`, or -1.
int64_t find_tokens(const std::vector<int32_t>& tokens, const std::vector<int32_t>& needle,
                    size_t from = 0) {
  const auto it = std::search(tokens.begin() + static_cast<std::ptrdiff_t>(from), tokens.end(),
                              needle.begin(), needle.end());
  return it == tokens.end() ? -1 : static_cast<int64_t>(it - tokens.begin());
}

bool same(const TaskSample& a, const TaskSample& b) {
  return a.prompt == b.prompt && a.candidates == b.candidates && a.gold == b.gold &&
         a.answers == b.answers && a.needle_position == b.needle_position &&
         a.question_position == b.question_position;
}

size_t longest(const TaskSample& s) {
  size_t n = 0;
  for (const auto& c : s.candidates) n = std::max(n, c.size());
  return n;
}

}  // namespace

TEST_CASE("every generator is deterministic for a seed and varies with it", "[evals]") {
  World& w = world();
  PasskeyTask passkey(w.haystack, w.tokenizer, 4);
  NiahTask niah(w.haystack, w.tokenizer, 4, 0);
  NiahTask multikey(w.haystack, w.tokenizer, 4, 3);
  ClozeTask cloze(w.haystack, w.tokenizer, 4);
  for (const TaskGenerator* task :
       std::vector<const TaskGenerator*>{&passkey, &niah, &multikey, &cloze}) {
    INFO(task->name());
    const TaskSample a = task->make_sample(512, 50, 7, 3);
    CHECK(same(a, task->make_sample(512, 50, 7, 3)));
    CHECK_FALSE(same(a, task->make_sample(512, 50, 8, 3)));  // another seed
    CHECK_FALSE(same(a, task->make_sample(512, 50, 7, 4)));  // another sample
    CHECK(a.prompt.size() + longest(a) <= 512);
    CHECK(a.candidates.size() == 4);
    CHECK(a.candidates[a.gold] == a.answers.front());
  }
}

TEST_CASE("passkey places the zoo's sentence at the exact token index of the depth", "[evals]") {
  World& w = world();
  PasskeyTask task(w.haystack, w.tokenizer, 4);
  const int64_t length = 1024;
  std::vector<int32_t> filler_at_zero;
  for (double depth : {0.0, 10.0, 33.0, 50.0, 90.0, 100.0}) {
    INFO("depth " << depth);
    const TaskSample s = task.make_sample(length, depth, 11, 0);
    const std::string key = s.answer_texts.front();
    const auto needle =
        w.tokenizer.encode(fmt::format(fmt::runtime(kPasskeySentence), fmt::arg("key", key)));
    const auto question = w.tokenizer.encode(kPasskeyQuestion);
    // The sequence is exactly T: prompt + a 6-token answer ("▁" + 5 digits).
    CHECK(s.prompt.size() + s.answers.front().size() == static_cast<size_t>(length));
    CHECK(s.answers.front().size() == 6);
    const auto filler = static_cast<int64_t>(length - needle.size() - question.size() - 6);
    CHECK(s.needle_position == std::llround(depth / 100.0 * static_cast<double>(filler)));
    CHECK(find_tokens(s.prompt, needle) == s.needle_position);
    CHECK(s.question_position == filler + static_cast<int64_t>(needle.size()));
    CHECK(find_tokens(s.prompt, question, static_cast<size_t>(s.question_position)) ==
          s.question_position);
    // Question + gold answer is the training template, token for token.
    std::vector<int32_t> tail(s.prompt.begin() + s.question_position, s.prompt.end());
    tail.insert(tail.end(), s.answers.front().begin(), s.answers.front().end());
    CHECK(tail == w.tokenizer.encode("What is the pass key? The pass key is " + key));
    // Only the depth moves: the haystack around the needle is the same text.
    std::vector<int32_t> filler_tokens(s.prompt.begin(), s.prompt.begin() + s.needle_position);
    filler_tokens.insert(filler_tokens.end(),
                         s.prompt.begin() + s.needle_position + static_cast<int64_t>(needle.size()),
                         s.prompt.begin() + s.question_position);
    if (filler_at_zero.empty()) filler_at_zero = filler_tokens;
    CHECK(filler_tokens == filler_at_zero);
  }
}

TEST_CASE("the haystack is a real window of the corpus named in the sample's source", "[evals]") {
  World& w = world();
  PasskeyTask task(w.haystack, w.tokenizer, 4);
  const TaskSample s = task.make_sample(512, 0, 5, 2);
  const auto at = s.source.rfind('@');
  REQUIRE(at != std::string::npos);
  const int64_t offset = std::stoll(s.source.substr(at + 1));
  const auto& cache = w.haystack.cache();
  const auto doc = cache.document_tokens(0);
  const std::vector<int32_t> needle = w.tokenizer.encode(
      fmt::format(fmt::runtime(kPasskeySentence), fmt::arg("key", s.answer_texts.front())));
  const int64_t filler = s.question_position - static_cast<int64_t>(needle.size());
  // Depth 0: the needle comes first, then the window.
  CHECK(std::equal(s.prompt.begin() + static_cast<std::ptrdiff_t>(needle.size()),
                   s.prompt.begin() + s.question_position, doc.begin() + offset));
  CHECK(filler > 400);
  std::vector<int32_t> window(doc.begin() + offset, doc.begin() + offset + filler);
  // Real prose, not a repeated junk sentence: its opening never recurs.
  CHECK(find_tokens(window, std::vector<int32_t>(window.begin(), window.begin() + 20), 1) == -1);
}

TEST_CASE(
    "niah needles sit at sentence boundaries near the depth and multikey adds real distractors",
    "[evals]") {
  World& w = world();
  NiahTask niah(w.haystack, w.tokenizer, 4, 0);
  NiahTask multikey(w.haystack, w.tokenizer, 4, 3);
  for (double depth : {0.0, 25.0, 50.0, 75.0, 100.0}) {
    INFO("depth " << depth);
    const TaskSample s = niah.make_sample(2048, depth, 3, 1);
    const std::string lead = "One of the special magic numbers for ";
    const std::string text = w.tokenizer.decode(
        std::vector<int32_t>(s.prompt.begin() + s.needle_position, s.prompt.end()));
    CHECK(text.rfind(lead, 0) == 0);  // the needle starts exactly at needle_position
    CHECK(text.find(s.answer_texts.front() + ".") != std::string::npos);
    // filler = T - needle - question - answer (8 tokens: "▁" + 7 digits); the
    // key is in the question: "... magic number for {key} mentioned ...".
    const std::string question = w.tokenizer.decode(
        std::vector<int32_t>(s.prompt.begin() + s.question_position, s.prompt.end()));
    const auto key_at = question.find("for ") + 4;
    const std::string key = question.substr(key_at, question.find(' ', key_at) - key_at);
    const auto needle =
        w.tokenizer.encode(fmt::format(fmt::runtime(kNiahNeedle), fmt::arg("key", key),
                                       fmt::arg("value", s.answer_texts.front())));
    CHECK(find_tokens(s.prompt, needle) == s.needle_position);
    const auto filler_length = static_cast<double>(
        2048 - 8 - needle.size() - (s.prompt.size() - static_cast<size_t>(s.question_position)));
    // Snapped to a sentence boundary within 2% of the filler of the exact depth.
    CHECK(std::abs(static_cast<double>(s.needle_position) - depth / 100.0 * filler_length) <=
          filler_length / 50 + 1);
    CHECK((w.haystack.vocabulary().is_sentence_boundary(s.prompt, s.needle_position) ||
           s.needle_position == std::llround(depth / 100.0 * filler_length)));
    CHECK(s.prompt.size() + 8 == 2048u);

    const TaskSample m = multikey.make_sample(2048, depth, 3, 1);
    const std::string all = w.tokenizer.decode(m.prompt);
    size_t needles = 0;
    for (size_t p = all.find(lead); p != std::string::npos; p = all.find(lead, p + 1)) ++needles;
    CHECK(needles == 4 + 1);  // four needles plus the question's lead-in
    for (const auto& value : m.candidate_texts) CHECK(all.find(value + ".") != std::string::npos);
    const std::string gold_needle = w.tokenizer.decode(
        std::vector<int32_t>(m.prompt.begin() + m.needle_position, m.prompt.end()));
    CHECK(gold_needle.find(m.answer_texts.front() + ".") < gold_needle.find("."));
  }
}

TEST_CASE("cloze asks for a name last mentioned in the first half of the passage", "[evals]") {
  World& w = world();
  ClozeTask task(w.haystack, w.tokenizer, 4);
  const auto names = task.names_of(0);
  for (const char* expected : {"Elizabeth", "Darcy", "Bingley", "Jane"}) {
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  }
  CHECK(std::find(names.begin(), names.end(), "Netherfield") ==
        names.end());  // a place, not a character
  for (int64_t length : {512, 2048}) {
    const int64_t n = task.sample_count(length, 6);
    REQUIRE(n == 6);
    for (int64_t i = 0; i < n; ++i) {
      const TaskSample s = task.make_sample(length, std::nan(""), 1, i);
      const auto& gold = s.answers.front();
      const auto prompt_length = static_cast<int64_t>(s.prompt.size());
      CHECK(prompt_length == length - 12);
      CHECK(std::find(names.begin(), names.end(), s.answer_texts.front()) != names.end());
      // The previous mention is where the sample says, in the first half ...
      CHECK(std::equal(gold.begin(), gold.end(), s.prompt.begin() + s.needle_position));
      CHECK(s.needle_position <= prompt_length / 2 + 1);
      // ... and the name does not occur after it.
      CHECK(find_tokens(s.prompt, gold, static_cast<size_t>(s.needle_position) + 1) == -1);
      // Distinct candidates, all names of the book.
      for (const auto& c : s.candidate_texts)
        CHECK(std::count(s.candidate_texts.begin(), s.candidate_texts.end(), c) == 1);
    }
  }
}

TEST_CASE("lengths too short for a template or the haystack are unsupported", "[evals]") {
  World& w = world();
  PasskeyTask passkey(w.haystack, w.tokenizer, 4);
  CHECK_THROWS_AS(passkey.make_sample(32, 50, 1, 0), TaskUnsupported);
  CHECK_THROWS_WITH(passkey.make_sample(65536, 50, 1, 0), Catch::Contains("no document"));
  ClozeTask cloze(w.haystack, w.tokenizer, 4);
  CHECK(cloze.sample_count(65536, 8) == 0);
  CHECK_THROWS_AS(cloze.make_sample(65536, 0, 1, 0), TaskUnsupported);
}
