#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "core/data/token_cache.h"
#include "core/model/model.h"
#include "core/perplexity/evaluator.h"
#include "core/perplexity/protocol.h"
#include "core/run/sweep.h"
#include "sweep_fixture.h"

using namespace lengen;

namespace {
SweepSpec base_spec(const testing::ScratchDir& dir, const std::string& name) {
  SweepSpec spec;
  spec.corpora = {testing::fixture_cache()};
  spec.lengths = {16, 64};
  spec.out_dir = dir.file(name);
  spec.quiet = true;
  return spec;
}

const SweepCell& find(const SweepOutcome& out, const std::string& protocol, int64_t length,
                      const std::string& model = "") {
  for (const auto& c : out.cells) {
    if (to_string(c.protocol) == protocol && c.length == length &&
        (model.empty() || c.model == model))
      return c;
  }
  FAIL("no cell " << protocol << " T=" << length);
  throw;
}
}  // namespace

TEST_CASE("a uniform model has perplexity V and bits per byte log2(V) x tokens / bytes",
          "[sweep]") {
  testing::ScratchDir dir("sweep-uniform");
  SweepSpec spec = base_spec(dir, "run");
  spec.models = {testing::fixture_model("uniform.pt")};
  const SweepOutcome out = run_sweep(spec);
  TokenCache cache(testing::fixture_cache());
  for (int64_t length : spec.lengths) {
    const SweepCell& cell = find(out, "chunks", length);
    CHECK(cell.status == CellStatus::kOk);
    CHECK(cell.summary.perplexity == Approx(4096.0).epsilon(1e-9));
    // Expected bytes: each scored target carries its document's bytes/token.
    ProtocolSpec nested;  // chunks inside segments of the longest length, remainders aligned
    nested.segment_length = 64;
    const WindowPlan plan = plan_windows(cache, nested, length, 0);
    double bytes = 0;
    int64_t targets = 0;
    for (const auto& w : plan.windows) {
      bytes += double(w.targets()) * double(cache.document_bytes(w.doc)) /
               double(cache.document_length(w.doc));
      targets += w.targets();
    }
    CHECK(cell.summary.targets == targets);
    CHECK(cell.summary.bits_per_byte == Approx(12.0 * double(targets) / bytes).epsilon(1e-9));
  }
}

TEST_CASE("sliding with stride T equals chunks on a real model", "[sweep]") {
  testing::ScratchDir dir("sweep-slide");
  SweepSpec spec = base_spec(dir, "run");
  spec.models = {testing::fixture_model("tiny_alibi.pt")};
  spec.lengths = {32};
  spec.protocols = {"chunks", "sliding"};
  spec.stride = 32;
  const SweepOutcome out = run_sweep(spec);
  const SweepCell& chunks = find(out, "chunks", 32);
  const SweepCell& sliding = find(out, "sliding", 32);
  CHECK(chunks.summary.targets == sliding.summary.targets);
  CHECK(chunks.summary.mean_nll == Approx(sliding.summary.mean_nll).epsilon(1e-12));
}

TEST_CASE("results do not depend on batch size or thread count", "[sweep]") {
  testing::ScratchDir dir("sweep-batch");
  auto run = [&](const std::string& name, int64_t batch_tokens, int threads) {
    SweepSpec spec = base_spec(dir, name);
    spec.models = {testing::fixture_model("tiny_alibi.pt")};
    spec.protocols = {"chunks", "sliding", "tail"};
    spec.tail_tokens = 8;
    spec.batch_tokens = batch_tokens;
    set_compute_threads(threads);
    return run_sweep(spec);
  };
  const SweepOutcome reference = run("one-by-one", 1, 1);
  const SweepOutcome batched = run("batched", 4096, 2);
  set_compute_threads(2);
  REQUIRE(reference.cells.size() == batched.cells.size());
  for (size_t i = 0; i < reference.cells.size(); ++i) {
    const auto& a = reference.cells[i].summary;
    const auto& b = batched.cells[i].summary;
    CHECK(a.targets == b.targets);
    CHECK(std::abs(a.mean_nll - b.mean_nll) <= 1e-6 * std::abs(a.mean_nll));
    CHECK(std::abs(a.perplexity - b.perplexity) <= 1e-6 * a.perplexity);
  }
}

TEST_CASE("a model failing at one length leaves the other cells done", "[sweep]") {
  testing::ScratchDir dir("sweep-fail");
  SweepSpec spec = base_spec(dir, "run");
  spec.models = {testing::fixture_model("fails_above_64.pt"), testing::fixture_model("uniform.pt")};
  spec.lengths = {32, 64, 128};
  const SweepOutcome out = run_sweep(spec);
  CHECK(out.failed == 1);
  CHECK(out.cells.size() == 6);
  const SweepCell& failed = find(out, "chunks", 128, "fails_above_64");
  CHECK(failed.status == CellStatus::kError);
  CHECK_THAT(failed.message, Catch::Contains("T=128"));
  CHECK(std::isnan(failed.summary.perplexity));
  CHECK(find(out, "chunks", 64, "fails_above_64").status == CellStatus::kOk);
  CHECK(find(out, "chunks", 128, "uniform").status == CellStatus::kOk);
}

TEST_CASE("tail reports the context gain against the shortest length", "[sweep]") {
  testing::ScratchDir dir("sweep-tail");
  SweepSpec spec = base_spec(dir, "run");
  spec.models = {testing::fixture_model("tiny_alibi.pt")};
  spec.protocols = {"tail"};
  spec.tail_tokens = 8;
  spec.lengths = {16, 32, 64};
  const SweepOutcome out = run_sweep(spec);
  const std::string csv = testing::read_file(dir.file("run/ppl.csv"));
  // Recompute the gain at T=64 from the two cells' window scores.
  const PairedDifference gain =
      paired_difference(find(out, "tail", 16).block_scores, find(out, "tail", 64).block_scores, 1);
  CHECK(gain.pairs == find(out, "tail", 64).summary.blocks);
  CHECK(find(out, "tail", 64).summary.blocks == 4 * find(out, "tail", 64).summary.windows);
  CHECK(gain.difference ==
        Approx(find(out, "tail", 16).summary.mean_nll - find(out, "tail", 64).summary.mean_nll));
  CHECK_THAT(csv, Catch::Contains(fmt::format("{:.8f}", gain.difference)));
}

TEST_CASE("re-running a finished sweep recomputes nothing and rewrites the same tables",
          "[sweep]") {
  testing::ScratchDir dir("sweep-resume");
  SweepSpec spec = base_spec(dir, "run");
  spec.models = {testing::fixture_model("tiny_alibi.pt")};
  const SweepOutcome first = run_sweep(spec);
  const std::string csv = testing::read_file(dir.file("run/ppl.csv"));
  const SweepOutcome second = run_sweep(spec);
  CHECK(first.computed == 2);
  CHECK(second.computed == 0);
  CHECK(second.resumed == 2);
  CHECK(testing::read_file(dir.file("run/ppl.csv")) == csv);
}

TEST_CASE("shards partition the cells", "[sweep]") {
  testing::ScratchDir dir("sweep-shard");
  int total = 0;
  for (int k = 1; k <= 3; ++k) {
    SweepSpec spec = base_spec(dir, "shard" + std::to_string(k));
    spec.models = {testing::fixture_model("uniform.pt"), testing::fixture_model("tiny_alibi.pt")};
    spec.lengths = {16, 32, 64};
    spec.shard = ShardSpec{k, 3};
    total += run_sweep(spec).computed;
  }
  CHECK(total == 6);
}

TEST_CASE("a model made with another tokenizer is refused before any cell runs",
          "[sweep][errors]") {
  testing::ScratchDir dir("sweep-tok");
  TokenCacheSettings settings;
  settings.vocab_size = 4096;
  settings.tokenizer_sha256 = std::string(64, 'f');
  {
    TokenCacheWriter writer(dir.file("other.tok"), settings);
    writer.add_document("d", std::vector<int32_t>(100, 7), 300);
    writer.finish();
  }
  SweepSpec spec = base_spec(dir, "run");
  spec.models = {testing::fixture_model("tiny_alibi.pt")};
  spec.corpora = {dir.file("other.tok")};
  CHECK_THROWS_WITH(run_sweep(spec), Catch::Contains("different tokenizer"));
  spec.models = {testing::fixture_model("small_vocab.pt")};
  spec.corpora = {testing::fixture_cache()};
  CHECK_THROWS_WITH(run_sweep(spec), Catch::Contains("smaller than the tokenizer"));
}

TEST_CASE("a context-free model has the same perplexity at every length of a budgeted sweep",
          "[sweep]") {
  // bigram.pt's logits read the current token only: any change of its
  // perplexity across lengths comes from which targets were sampled.
  testing::ScratchDir dir("sweep-bigram");
  SweepSpec spec = base_spec(dir, "run");
  spec.models = {testing::fixture_model("bigram.pt")};
  spec.protocols = {"chunks", "sliding"};
  spec.lengths = {16, 32, 64, 128, 256, 512};
  spec.max_tokens = 1024;  // two of the corpus's segments of 512
  const SweepOutcome out = run_sweep(spec);
  for (const std::string protocol : {"chunks", "sliding"}) {
    const SweepCell& reference = find(out, protocol, 512);
    CHECK(reference.segments == 2);
    for (int64_t length : spec.lengths) {
      const SweepCell& cell = find(out, protocol, length);
      REQUIRE(cell.status == CellStatus::kOk);
      CHECK(cell.segment_hash == reference.segment_hash);
      CHECK(cell.summary.targets == reference.summary.targets);
      // The bar is 0.5%; the same targets make it equal to rounding.
      CHECK(std::abs(cell.summary.perplexity / reference.summary.perplexity - 1) <= 0.005);
      // Same targets, so equal up to float32 rounding of the logits; GEMMs of other
      // shapes round differently on some BLAS kernels (6e-9 relative measured on an
      // AMD EPYC), so the bound is the brief's batch-independence bound, 1e-6.
      CHECK(cell.summary.mean_nll == Approx(reference.summary.mean_nll).epsilon(1e-6));
      // Every ok cell has an interval around its estimate.
      CHECK(cell.summary.nll_ci95.low < cell.summary.mean_nll);
      CHECK(cell.summary.nll_ci95.high > cell.summary.mean_nll);
    }
  }

  // The control can fail: windows drawn per length (segments of T, the same
  // budget, the sampling before nested segments) give this model visibly
  // different perplexities.
  TokenCache cache(testing::fixture_cache());
  Model model(testing::fixture_model("bigram.pt"));
  std::vector<double> ppl;
  for (int64_t length : spec.lengths) {
    ProtocolSpec per_length;
    per_length.segment_length = 0;
    const WindowPlan plan = plan_windows(cache, per_length, length, 1024);
    ppl.push_back(
        summarize(score_windows(model, cache, plan.windows, EvalOptions{}).blocks, 1).perplexity);
  }
  const auto [low, high] = std::minmax_element(ppl.begin(), ppl.end());
  INFO("per-length sampling: perplexity from " << *low << " to " << *high);
  CHECK(*high / *low - 1 > 0.03);
}

TEST_CASE("a stride above the shortest length is refused with exit 2 before any cell runs",
          "[sweep][errors]") {
  testing::ScratchDir dir("sweep-stride");
  const auto r = testing::run_lengen("sweep -q -m " + testing::fixture_model("uniform.pt") +
                                     " -c " + testing::fixture_cache() +
                                     " -p sliding -l 32 64 --stride 40 -o " + dir.file("run"));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output,
             Catch::Contains("--stride") && Catch::Contains("exceeds the shortest length"));
  CHECK(!std::filesystem::exists(dir.file("run/ppl.csv")));
}

TEST_CASE("remainder align scores every token of the corpus after each segment start", "[sweep]") {
  testing::ScratchDir dir("sweep-align");
  TokenCache cache(testing::fixture_cache());
  int64_t expected = 0;  // segments of 64: every token but the first of each full segment
  for (size_t d = 0; d < cache.document_count(); ++d) {
    const int64_t n = cache.document_length(d);
    if (n >= 64) expected += n - n / 64;  // 63 per full segment + the aligned remainder
  }
  for (const std::string remainder : {"align", "drop"}) {
    SweepSpec spec = base_spec(dir, remainder);
    spec.models = {testing::fixture_model("uniform.pt")};
    spec.protocols = {"chunks", "sliding"};
    spec.lengths = {16, 24, 64};  // 24: windows do not tile a segment
    spec.remainder = remainder;
    const SweepOutcome out = run_sweep(spec);
    for (const auto& cell : out.cells) {
      CHECK(cell.remainder == remainder);
      if (remainder == "align") {
        CHECK(cell.summary.targets == expected);
      } else {
        CHECK(cell.summary.targets < expected);
      }
    }
  }
}
