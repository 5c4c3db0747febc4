// The two task scorers on real fixture models: teacher-forced greedy exact
// match against real greedy decoding, candidate log-likelihoods against the
// sweep's per-token NLL path, and ties under a uniform model.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/data/tokenizer.h"
#include "core/model/model.h"
#include "core/tasks/task_scoring.h"
#include "test_helpers.h"

using namespace lengen;

namespace {

std::vector<int32_t> corpus_tokens(size_t count) {
  static const std::vector<int32_t> all = [] {
    Tokenizer tokenizer(testing::tokenizer_path());
    return tokenizer.encode(testing::read_file(
        testing::source_path("tests/data/corpus/austen_pride_prejudice_ch1.txt")));
  }();
  return std::vector<int32_t>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count));
}

// -log p of `continuation` after `prompt`, from the sweep's NLL path (one sequence, no padding).
double logprob_via_nll(Model& model, const std::vector<int32_t>& prompt,
                       const std::vector<int32_t>& continuation) {
  std::vector<int64_t> ids(prompt.begin(), prompt.end());
  ids.insert(ids.end(), continuation.begin(), continuation.end());
  std::vector<double> nll;
  model.next_token_nll(ids, 1, static_cast<int64_t>(ids.size()), nll);
  double sum = 0;
  for (size_t j = 0; j < continuation.size(); ++j) sum -= nll[prompt.size() - 1 + j];
  return sum;
}

}  // namespace

TEST_CASE("teacher-forced exact match agrees with real greedy decoding", "[tasks][model]") {
  Model model(testing::fixture_model("tiny_alibi.pt"));
  set_compute_threads(1);
  for (size_t prompt_length : {8u, 21u, 40u}) {
    const std::vector<int32_t> prompt = corpus_tokens(prompt_length);
    const std::vector<int32_t> decoded =
        greedy_decode(model, prompt, /*max_tokens=*/5, /*eos_id=*/-1);
    REQUIRE(decoded.size() == 5);
    // What greedy emitted is an exact match; changing any one token breaks it.
    TaskSample sample;
    sample.prompt = prompt;
    sample.answers = {decoded};
    CHECK(score_sample(model, sample, {}).exact_match);
    for (size_t j = 0; j < decoded.size(); ++j) {
      std::vector<int32_t> changed = decoded;
      changed[j] = (changed[j] + 1) % 4096;
      sample.answers = {changed};
      CHECK_FALSE(score_sample(model, sample, {}).exact_match);
    }
    // Several acceptable answers: one reproduced is enough.
    std::vector<int32_t> wrong = decoded;
    wrong[0] = (wrong[0] + 7) % 4096;
    sample.answers = {wrong, std::vector<int32_t>(decoded.begin(), decoded.begin() + 2)};
    CHECK(score_sample(model, sample, {}).exact_match);
    // Known greedy tokens skip their forwards but change nothing.
    CHECK(greedy_decode(model, prompt, 5, -1, {decoded[0], decoded[1]}) == decoded);
  }
}

TEST_CASE("candidate log-likelihoods from one padded batch equal per-sequence NLL sums",
          "[tasks][model]") {
  Model model(testing::fixture_model("tiny_alibi.pt"));
  set_compute_threads(1);
  TaskSample sample;
  sample.prompt = corpus_tokens(30);
  sample.candidates = {{100, 200, 300}, {7}, {55, 66}, {1000, 2000, 3000, 4000, 4095}};
  sample.candidate_texts = {"abc", "d", "ef", "ghijk"};
  sample.gold = 2;
  sample.answers = {sample.candidates[2]};
  ScoringOptions options;
  const SampleScore score = score_sample(model, sample, options);
  REQUIRE(score.candidate_logprobs.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    const double expected = logprob_via_nll(model, sample.prompt, sample.candidates[i]);
    CHECK(score.candidate_logprobs[i] == Approx(expected).epsilon(1e-5));
    CHECK(score.candidate_bytes[i] == static_cast<double>(sample.candidate_texts[i].size()));
  }
  CHECK(score.gold_logprob == score.candidate_logprobs[2]);
  // Without ranking only the gold is forwarded, with the same log-likelihood.
  options.rank = false;
  const SampleScore gold_only = score_sample(model, sample, options);
  CHECK(gold_only.candidate_logprobs.empty());
  CHECK(gold_only.gold_logprob == Approx(score.gold_logprob).epsilon(1e-5));
}

TEST_CASE("a uniform model ties every candidate of equal length", "[tasks][model]") {
  Model model(testing::fixture_model("uniform.pt"));
  TaskSample sample;
  sample.prompt = corpus_tokens(16);
  sample.candidates = {{11, 12, 13}, {21, 22, 23}, {31, 32, 33}, {41, 42, 43}};
  sample.gold = 1;
  sample.answers = {sample.candidates[1]};
  const SampleScore score = score_sample(model, sample, {});
  for (double logprob : score.candidate_logprobs) CHECK(logprob == Approx(-3 * std::log(4096.0)));
  CHECK(rank_gold(score.candidate_logprobs, score.gold).credit == 0.25);
  CHECK_FALSE(score.exact_match);  // argmax of equal logits is token 0
}

TEST_CASE("real decoding yields the first line for string match and token F1", "[tasks][model]") {
  Model model(testing::fixture_model("tiny_alibi.pt"));
  set_compute_threads(1);
  TaskSample sample;
  sample.prompt = corpus_tokens(12);
  const std::vector<int32_t> decoded = greedy_decode(model, sample.prompt, 6, -1);
  Tokenizer tokenizer(testing::tokenizer_path());
  const std::string text = tokenizer.decode(decoded);
  sample.answers = {decoded};
  sample.answer_texts = {text.substr(0, text.find('\n'))};
  ScoringOptions options;
  options.decode_tokens = 6;
  options.detokenize = [&](const std::vector<int32_t>& ids) { return tokenizer.decode(ids); };
  const SampleScore score = score_sample(model, sample, options);
  CHECK(score.decoded);
  CHECK(score.exact_match);
  CHECK(score.substring_match);
  CHECK(score.token_f1 == 1.0);
}

TEST_CASE("the cached path scores a sample like the full path and decodes the same tokens",
          "[tasks][model][cache]") {
  Tokenizer tokenizer(testing::tokenizer_path());
  for (const char* name : {"tiny_alibi.pt", "tiny_fire.pt", "tiny_rope.pt"}) {
    Model model(testing::fixture_model(name));
    INFO(name);
    set_compute_threads(1);
    model.set_eval_length(120);
    TaskSample sample;
    sample.prompt = corpus_tokens(100);  // blocks of 32 rows, train_length 64
    sample.candidates = {{100, 200, 300}, {7}, {55, 66}, {1000, 2000, 3000, 4000, 4095}};
    sample.candidate_texts = {"abc", "d", "ef", "ghijk"};
    sample.gold = 3;
    sample.answers = {greedy_decode(model, sample.prompt, 3, -1), sample.candidates[3]};
    sample.answer_texts = {"x"};
    ScoringOptions full;
    full.decode_tokens = 7;
    full.detokenize = [&](const std::vector<int32_t>& ids) { return tokenizer.decode(ids); };
    ScoringOptions cached = full;
    cached.path = ForwardPath::kCached;
    const SampleScore a = score_sample(model, sample, full);
    const SampleScore b = score_sample(model, sample, cached);
    REQUIRE(a.candidate_logprobs.size() == 4);
    REQUIRE(b.candidate_logprobs.size() == 4);
    for (size_t i = 0; i < 4; ++i) {
      CHECK(std::abs(a.candidate_logprobs[i] - b.candidate_logprobs[i]) <= 1e-4);
    }
    CHECK(a.exact_match);  // the first answer is what greedy emits
    CHECK(b.exact_match);
    CHECK(a.decoded_text == b.decoded_text);
    // Token by token, with and without known tokens.
    ModelCache state =
        model.prefill(std::vector<int64_t>(sample.prompt.begin(), sample.prompt.end()));
    const std::vector<int32_t> plain = greedy_decode(model, sample.prompt, 9, -1);
    CHECK(greedy_decode_cached(model, state, 9, -1) == plain);
    ModelCache again =
        model.prefill(std::vector<int64_t>(sample.prompt.begin(), sample.prompt.end()));
    CHECK(greedy_decode_cached(model, again, 9, -1, {plain[0], plain[1], plain[2]}) == plain);
    CHECK(again.length() == static_cast<int64_t>(sample.prompt.size() + 8));
  }
}

TEST_CASE("decoding stops at EOS, at the stop rule or at the token limit", "[tasks][model]") {
  Model model(testing::fixture_model("tiny_alibi.pt"));
  set_compute_threads(1);
  const std::vector<int32_t> prompt = corpus_tokens(20);
  const std::vector<int32_t> plain = greedy_decode(model, prompt, 8, -1);
  // EOS = the third emitted token: decoding ends right after it.
  CHECK(greedy_decode(model, prompt, 8, plain[2]).size() <= 3);
  const DecodeStop after_four = [](const std::vector<int32_t>& g) { return g.size() >= 4; };
  CHECK(greedy_decode(model, prompt, 8, -1, {}, after_four) ==
        std::vector<int32_t>(plain.begin(), plain.begin() + 4));
  ModelCache state = model.prefill(std::vector<int64_t>(prompt.begin(), prompt.end()));
  CHECK(greedy_decode_cached(model, state, 8, -1, {}, after_four) ==
        std::vector<int32_t>(plain.begin(), plain.begin() + 4));
}
