#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "core/perplexity/nll_stats.h"

using namespace lengen;

TEST_CASE("uniform predictions over V give perplexity V and log2(V) bits per token", "[stats]") {
  const double nll = std::log(4096.0);
  std::vector<BlockScore> windows;
  for (int i = 0; i < 5; ++i) windows.push_back({i, 0, nll * 31, 31, 31 * 3.5});
  const CellSummary s = summarize(windows, 1);
  CHECK(s.targets == 155);
  CHECK(s.perplexity == Approx(4096.0).epsilon(1e-12));
  CHECK(s.bits_per_byte == Approx(12.0 / 3.5).epsilon(1e-12));
  CHECK(s.standard_error == Approx(0.0).margin(1e-12));
  CHECK(s.nll_ci95.low == Approx(nll));
}

TEST_CASE("mean NLL is a ratio of sums over targets and not a mean of window means", "[stats]") {
  const CellSummary s = summarize({{0, 0, 10.0, 10, 0}, {1, 0, 1.0, 1, 0}}, 1);
  CHECK(s.mean_nll == Approx(11.0 / 11.0));
  CHECK(std::isnan(s.bits_per_byte));  // no byte counts
  CHECK(std::isnan(summarize({{0, 0, 1.0, 1, 1}}, 1).standard_error));
}

TEST_CASE("the bootstrap interval covers the true mean and shrinks with more windows", "[stats]") {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.3);
  auto sample = [&](int n) {
    std::vector<BlockScore> w;
    for (int i = 0; i < n; ++i) w.push_back({i, 0, (2.0 + noise(rng)) * 100, 100, 0});
    return w;
  };
  const CellSummary small = summarize(sample(50), 3);
  const CellSummary large = summarize(sample(800), 3);
  CHECK(small.nll_ci95.low < 2.0);
  CHECK(small.nll_ci95.high > 2.0);
  CHECK(large.nll_ci95.low < 2.0);
  CHECK(large.nll_ci95.high > 2.0);
  CHECK(large.nll_ci95.high - large.nll_ci95.low < small.nll_ci95.high - small.nll_ci95.low);
  // 95% interval ~ +-1.96 SE
  CHECK((small.nll_ci95.high - small.nll_ci95.low) / (2 * 1.96 * small.standard_error) ==
        Approx(1.0).epsilon(0.2));
}

TEST_CASE("paired difference finds a known shift and pairs windows by id", "[stats]") {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 0.5);
  std::vector<BlockScore> a, b;
  for (int i = 0; i < 200; ++i) {
    const double base = 3.0 + noise(rng);  // large between-window noise, shared by both
    a.push_back({i, 0, (base + 0.1) * 50, 50, 0});
    b.push_back({i, 0, base * 50, 50, 0});
  }
  b.push_back({999, 0, 0.0, 50, 0});  // unpaired: ignored
  const PairedDifference d = paired_difference(a, b, 5);
  CHECK(d.pairs == 200);
  CHECK(d.difference == Approx(0.1).epsilon(1e-9));
  CHECK(d.ci95.low <= 0.1 + 1e-9);
  CHECK(d.ci95.high >= 0.1 - 1e-9);
  CHECK(d.ci95.high - d.ci95.low < 1e-6);  // pairing removes the shared noise
}

TEST_CASE("position buckets are powers of two starting with position 0 alone", "[stats]") {
  CHECK(PositionCurve::bucket_of(0) == 0);
  CHECK(PositionCurve::bucket_of(1) == 1);
  CHECK(PositionCurve::bucket_of(2) == 2);
  CHECK(PositionCurve::bucket_of(3) == 2);
  CHECK(PositionCurve::bucket_of(4) == 3);
  CHECK(PositionCurve::bucket_of(32767) == 15);
  CHECK(PositionCurve::bucket_of(32768) == 16);
  CHECK(PositionCurve::bucket_low(15) == 16384);
  CHECK(PositionCurve::bucket_high(15) == 32768);
  PositionCurve curve;
  curve.add(0, 1.0);
  curve.add(5, 2.0);
  curve.add(6, 4.0);
  CHECK(curve.buckets() == 4);
  CHECK(curve.count(3) == 2);
  CHECK(curve.nll_sum(3) == 6.0);
  CHECK(curve.count(1) == 0);
}

namespace {
// One window of `blocks` x `block_tokens` per-token NLLs with mean `mean` and
// AR(1) noise (lag-1 correlation rho, marginal sd sigma), summed into blocks.
std::vector<BlockScore> ar1_blocks(std::mt19937_64& rng, double mean, double rho, int blocks,
                                   int block_tokens, double sigma = 1.0) {
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<BlockScore> out;
  double e = sigma * z(rng);
  for (int b = 0; b < blocks; ++b) {
    BlockScore block{b, 0, 0.0, block_tokens, 0};
    for (int t = 0; t < block_tokens; ++t) {
      e = rho * e + std::sqrt(1 - rho * rho) * sigma * z(rng);
      block.nll_sum += mean + e;
    }
    out.push_back(block);
  }
  return out;
}

// Share of `seeds` streams whose 95% interval covers the true mean.
double coverage(double rho, int blocks, int block_tokens, int seeds) {
  int covered = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    std::mt19937_64 rng(1000 + seed);
    const CellSummary s = summarize(ar1_blocks(rng, 3.0, rho, blocks, block_tokens), seed, 500);
    covered += s.nll_ci95.low <= 3.0 && 3.0 <= s.nll_ci95.high;
  }
  return double(covered) / seeds;
}
}  // namespace

TEST_CASE("the block bootstrap covers the mean of an autocorrelated NLL stream 95% of the time",
          "[stats]") {
  // One 32k-token window (128 blocks of 256), per-token NLLs AR(1) with lag-1
  // correlation 0.8: the variance of the mean is 9x the i.i.d. value. Over 400
  // seeds the binomial sd of the coverage is 1.1 points; we accept 95% +- 3.5.
  const double blocks = coverage(0.8, 128, 256, 400);
  CHECK(blocks >= 0.915);
  CHECK(blocks <= 0.985);
  // The same stream with single tokens as units (the error blocks avoid)
  // covers about half the time: the test can tell the two apart.
  const double tokens = coverage(0.8, 8192, 1, 100);
  CHECK(tokens < 0.8);
}

TEST_CASE("paired block-bootstrap intervals cover a known difference 95% of the time", "[stats]") {
  // b = shared stream + noise, a = b's shared stream + 0.05 + other noise: the
  // shared part (hard passages are hard for both models) cancels in the pairing.
  int covered = 0;
  const int seeds = 300;
  for (int seed = 0; seed < seeds; ++seed) {
    std::mt19937_64 rng(77 + seed);
    const auto shared = ar1_blocks(rng, 3.0, 0.9, 64, 256, 1.5);
    const auto noise_a = ar1_blocks(rng, 0.05, 0.5, 64, 256, 0.3);
    const auto noise_b = ar1_blocks(rng, 0.0, 0.5, 64, 256, 0.3);
    std::vector<BlockScore> a = shared, b = shared;
    for (size_t i = 0; i < a.size(); ++i) {
      a[i].nll_sum += noise_a[i].nll_sum;
      b[i].nll_sum += noise_b[i].nll_sum;
    }
    const PairedDifference d = paired_difference(a, b, seed, 500);
    covered += d.ci95.low <= 0.05 && 0.05 <= d.ci95.high;
  }
  CHECK(double(covered) / seeds >= 0.91);
  CHECK(double(covered) / seeds <= 0.99);
}
