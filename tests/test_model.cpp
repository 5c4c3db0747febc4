#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/model/model.h"
#include "core/util/error.h"
#include "test_helpers.h"

using namespace lengen;

namespace {
void require_bad_model(const std::string& path, const std::string& fragment, bool at_forward) {
  try {
    Model model(path);
    if (at_forward) model.check_forward(16);
    FAIL("no error for " << path);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK(e.subject() == path);
    CHECK_THAT(e.message(), Catch::Contains(fragment));
    CHECK_FALSE(e.hint().empty());
  }
}

std::vector<int64_t> ramp(int64_t n, int64_t vocab) {
  std::vector<int64_t> ids(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) ids[static_cast<size_t>(i)] = (i * 37 + 11) % vocab;
  return ids;
}
}  // namespace

TEST_CASE("a real fixture model loads with its metadata and upcasts float16 storage", "[model]") {
  Model model(testing::fixture_model("tiny_alibi.pt"));
  const ModelMetadata& meta = model.metadata();
  CHECK(meta.name == "tiny_alibi");
  CHECK(meta.position_encoding == "alibi");
  CHECK(meta.train_length == 64);
  CHECK(meta.vocab_size == 4096);
  CHECK(meta.tokenizer_sha256.size() == 64);
  CHECK(model.parameter_count() > 0);
  CHECK(model.stored_dtypes().count("Half") == 1);
  CHECK(model.check_forward(16) == 4096);
  CHECK(model.sha256().size() == 64);
}

TEST_CASE("per-token NLL matches an independent Python computation (golden_nll.json)", "[model]") {
  const auto golden =
      nlohmann::json::parse(testing::read_file(testing::fixture_model("golden_nll.json")));
  Model model(testing::fixture_model(golden["model"].get<std::string>()));
  const auto& windows = golden["windows"];
  const auto& expected = golden["nll"];
  REQUIRE(windows.size() >= 2);
  const auto length = static_cast<int64_t>(windows[0].size());
  // All windows in one batch: batching must not change the numbers.
  std::vector<int64_t> tokens;
  for (const auto& w : windows) {
    for (const auto& id : w) tokens.push_back(id.get<int64_t>());
  }
  std::vector<double> nll;
  model.next_token_nll(tokens, static_cast<int64_t>(windows.size()), length, nll);
  double worst = 0;
  for (size_t w = 0; w < windows.size(); ++w) {
    for (int64_t t = 0; t < length - 1; ++t) {
      const double got = nll[w * static_cast<size_t>(length - 1) + static_cast<size_t>(t)];
      worst = std::max(worst, std::abs(got - expected[w][static_cast<size_t>(t)].get<double>()));
    }
  }
  CHECK(worst < 1e-4);
}

TEST_CASE("tuple and dict outputs are accepted with the logits taken from them", "[model]") {
  for (const char* name : {"uniform.pt", "tuple_out.pt", "dict_out.pt"}) {
    Model model(testing::fixture_model(name));
    std::vector<double> nll;
    model.next_token_nll(ramp(2 * 12, 4096), 2, 12, nll);
    REQUIRE(nll.size() == 2 * 11);
    for (double x : nll) CHECK(x == Approx(std::log(4096.0)).epsilon(1e-6));
  }
}

TEST_CASE("a model without lengen.json gets defaults and says so", "[model]") {
  Model model(testing::fixture_model("no_meta.pt"));
  CHECK_FALSE(model.has_metadata());
  CHECK(model.metadata().name == "no_meta");
  CHECK(model.metadata().vocab_size == 0);
  CHECK(model.check_forward(8) == 4096);
  CHECK(model.metadata().vocab_size == 4096);  // learned from the forward
}

TEST_CASE("set_eval_length is optional and callable", "[model]") {
  Model rope(testing::fixture_model("tiny_rope.pt"));
  CHECK(rope.has_set_eval_length());
  CHECK_NOTHROW(rope.set_eval_length(128));
  Model uniform(testing::fixture_model("uniform.pt"));
  CHECK_NOTHROW(uniform.set_eval_length(128));
}

TEST_CASE("contract breaches are bad-input errors naming the model file", "[model][errors]") {
  testing::ScratchDir dir("model-bad");
  SECTION("missing file") { require_bad_model(dir.file("none.pt"), "not found", false); }
  SECTION("not an archive") {
    testing::write_file(dir.file("junk.pt"), "definitely not a zip archive");
    require_bad_model(dir.file("junk.pt"), "not a readable TorchScript archive", false);
  }
  SECTION("truncated archive") {
    const std::string bytes = testing::read_file(testing::fixture_model("tiny_alibi.pt"));
    testing::write_file(dir.file("cut.pt"), bytes.substr(0, bytes.size() / 2));
    require_bad_model(dir.file("cut.pt"), "truncated", false);
  }
  SECTION("wrong forward signature") {
    require_bad_model(testing::fixture_model("wrong_sig.pt"), "signature", false);
  }
  SECTION("wrong vocabulary in the output") {
    require_bad_model(testing::fixture_model("bad_shape.pt"), "V=4000", true);
  }
  SECTION("output without a vocabulary axis") {
    require_bad_model(testing::fixture_model("bad_shape_2d.pt"), "expected logits [B, T, V]", true);
  }
  SECTION("vocabulary smaller than the tokenizer's") {
    Model model(testing::fixture_model("small_vocab.pt"));
    try {
      model.require_vocab_at_least(4096, "lengen-4096.model");
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::kBadInput);
      CHECK_THAT(e.message(), Catch::Contains("smaller than the tokenizer"));
    }
  }
}

TEST_CASE("a failing forward is a ModelRunError and not a crash", "[model][errors]") {
  Model model(testing::fixture_model("fails_above_64.pt"));
  std::vector<double> nll;
  CHECK_NOTHROW(model.next_token_nll(ramp(64, 4096), 1, 64, nll));
  try {
    model.next_token_nll(ramp(65, 4096), 1, 65, nll);
    FAIL("no error");
  } catch (const ModelRunError& e) {
    CHECK_FALSE(e.out_of_memory());
    CHECK_THAT(e.message(), Catch::Contains("T=65"));
  }
}

namespace {
// -log p of tokens[t + 1] after tokens[0..t] from the plain forward, t = 0 .. T-2.
std::vector<double> full_nll(Model& model, const std::vector<int64_t>& tokens) {
  std::vector<double> nll;
  model.next_token_nll(tokens, 1, static_cast<int64_t>(tokens.size()), nll);
  return nll;
}
}  // namespace

TEST_CASE("cached forward equals the plain forward for every zoo encoding", "[model][cache]") {
  set_compute_threads(1);
  // 1100 tokens with blocks of 512: the prefill crosses one block boundary, the
  // single steps cross the next (1024), the batched continuation covers the rest.
  const std::vector<int64_t> tokens = ramp(1100, 4096);
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::source_path("zoo/models"))) {
    if (entry.path().extension() != ".pt") continue;
    Model model(entry.path().string());
    INFO(model.metadata().name);
    REQUIRE(model.has_cached_forward());
    model.set_eval_length(1100);  // the RoPE scalings' length, as the task engine sets it
    const std::vector<double> expected = full_nll(model, tokens);
    double worst = 0;
    ModelCache cache = model.prefill(std::vector<int64_t>(tokens.begin(), tokens.begin() + 1020));
    for (size_t t = 1020; t < 1030; ++t) {
      CHECK(cache.length() == static_cast<int64_t>(t));
      worst = std::max(worst, std::abs(-cache.next_log_probs()[tokens[t]] - expected[t - 1]));
      model.extend(cache, {tokens[t]});
    }
    const std::vector<int64_t> rest(tokens.begin() + 1030, tokens.end());
    std::vector<double> log_probs;
    std::vector<uint8_t> greedy;
    model.continuation_scores_cached(cache, rest, 1, static_cast<int64_t>(rest.size()), log_probs,
                                     greedy);
    for (size_t j = 0; j < rest.size(); ++j) {
      worst = std::max(worst, std::abs(-log_probs[j] - expected[1029 + j]));
    }
    CHECK(worst <= 1e-4);
  }
}

TEST_CASE("continuations from one prefill equal the plain continuation scores", "[model][cache]") {
  Model model(testing::fixture_model("tiny_fire.pt"));
  set_compute_threads(1);
  // Prompt of 150 > train_length 64 and > blocks of 32; three rows, right-padded.
  const std::vector<int64_t> prompt = ramp(150, 4096);
  const std::vector<std::vector<int64_t>> rows = {{5, 6, 7, 8}, {900, 901, 0, 0}, {42, 0, 0, 0}};
  std::vector<int64_t> flat;
  std::vector<int64_t> joined;
  for (const auto& row : rows) {
    flat.insert(flat.end(), row.begin(), row.end());
    joined.insert(joined.end(), prompt.begin(), prompt.end());
    joined.insert(joined.end(), row.begin(), row.end());
  }
  std::vector<double> full_lp, cached_lp;
  std::vector<uint8_t> full_greedy, cached_greedy;
  model.continuation_scores(joined, 3, 154, /*from=*/149, full_lp, full_greedy);
  const ModelCache prefix = model.prefill(prompt);
  model.continuation_scores_cached(prefix, flat, 3, 4, cached_lp, cached_greedy);
  REQUIRE(cached_lp.size() == full_lp.size());
  for (size_t i = 0; i < full_lp.size(); ++i) CHECK(std::abs(cached_lp[i] - full_lp[i]) <= 1e-4);
  CHECK(cached_greedy == full_greedy);
  // The prefix is unchanged by scoring rows after it, and greedy's next token is its argmax.
  CHECK(prefix.length() == 150);
  CHECK(prefix.next_greedy() == model.greedy_next_token(prompt));
}

TEST_CASE("a model without forward_cached keeps the plain path; a malformed one is refused",
          "[model][cache]") {
  Model plain(testing::fixture_model("task_copy.pt"));
  CHECK_FALSE(plain.has_cached_forward());
  try {
    plain.prefill({1, 2, 3});
    FAIL("prefill without forward_cached");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
  }
  require_bad_model(testing::fixture_model("wrong_cached_sig.pt"), "forward_cached has signature",
                    false);
}
