#include "core/perplexity/nll_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <unordered_map>

namespace lengen {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double percentile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  const double rank = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(rank));
  const auto hi = static_cast<size_t>(std::ceil(rank));
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

// Percentile bootstrap of a ratio-of-sums statistic over n units.
template <typename Statistic>
Interval bootstrap(size_t n, uint64_t seed, int resamples, Statistic statistic) {
  if (n < 2) return {kNaN, kNaN};
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  std::vector<size_t> sample(n);
  std::vector<double> values;
  values.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    for (size_t& s : sample) s = pick(rng);
    values.push_back(statistic(sample));
  }
  return {percentile(values, 0.025), percentile(values, 0.975)};
}

}  // namespace

CellSummary summarize(const std::vector<BlockScore>& blocks, uint64_t seed, int resamples) {
  CellSummary out;
  double nll = 0, bytes = 0;
  for (const auto& w : blocks) {
    nll += w.nll_sum;
    bytes += w.bytes;
    out.targets += w.targets;
  }
  out.blocks = static_cast<int64_t>(blocks.size());
  if (out.targets == 0) {
    out.mean_nll = out.perplexity = out.bits_per_byte = out.standard_error = kNaN;
    out.nll_ci95 = {kNaN, kNaN};
    return out;
  }
  out.mean_nll = nll / static_cast<double>(out.targets);
  out.perplexity = std::exp(out.mean_nll);
  out.bits_per_byte = bytes > 0 ? nll / std::log(2.0) / bytes : kNaN;
  // Standard error of a ratio estimator with blocks as the sampling units
  // (neighbouring tokens are correlated, so they are not independent units).
  const auto n = static_cast<double>(blocks.size());
  if (blocks.size() >= 2) {
    const double mean_targets = static_cast<double>(out.targets) / n;
    double residual = 0;
    for (const auto& w : blocks) {
      const double r = w.nll_sum - out.mean_nll * static_cast<double>(w.targets);
      residual += r * r;
    }
    out.standard_error = std::sqrt(residual / (n * (n - 1))) / mean_targets;
  } else {
    out.standard_error = kNaN;
  }
  out.nll_ci95 = bootstrap(blocks.size(), seed, resamples, [&](const std::vector<size_t>& s) {
    double a = 0, t = 0;
    for (size_t i : s) {
      a += blocks[i].nll_sum;
      t += static_cast<double>(blocks[i].targets);
    }
    return a / t;
  });
  return out;
}

PairedDifference paired_difference(const std::vector<BlockScore>& a,
                                   const std::vector<BlockScore>& b, uint64_t seed, int resamples) {
  std::unordered_map<int64_t, const BlockScore*> by_id;
  for (const auto& w : b) by_id[w.id] = &w;
  std::vector<std::pair<const BlockScore*, const BlockScore*>> pairs;
  for (const auto& w : a) {
    auto it = by_id.find(w.id);
    if (it != by_id.end() && w.targets > 0 && it->second->targets > 0)
      pairs.emplace_back(&w, it->second);
  }
  PairedDifference out;
  out.pairs = static_cast<int64_t>(pairs.size());
  auto statistic = [&](const std::vector<size_t>& s) {
    double sa = 0, sb = 0, ta = 0, tb = 0;
    for (size_t i : s) {
      sa += pairs[i].first->nll_sum;
      sb += pairs[i].second->nll_sum;
      ta += static_cast<double>(pairs[i].first->targets);
      tb += static_cast<double>(pairs[i].second->targets);
    }
    return sa / ta - sb / tb;
  };
  if (pairs.empty()) {
    out.difference = kNaN;
    out.ci95 = {kNaN, kNaN};
    return out;
  }
  std::vector<size_t> all(pairs.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  out.difference = statistic(all);
  out.ci95 = bootstrap(pairs.size(), seed, resamples, statistic);
  return out;
}

int PositionCurve::bucket_of(int64_t position) {
  int bucket = 0;
  while (position >= bucket_high(bucket)) ++bucket;
  return bucket;
}

void PositionCurve::add(int64_t position, double nll) {
  const auto bucket = static_cast<size_t>(bucket_of(position));
  if (bucket >= count_.size()) {
    count_.resize(bucket + 1, 0);
    sum_.resize(bucket + 1, 0.0);
  }
  sum_[bucket] += nll;
  ++count_[bucket];
}

void PositionCurve::set(int bucket, int64_t count, double nll_sum) {
  const auto b = static_cast<size_t>(bucket);
  if (b >= count_.size()) {
    count_.resize(b + 1, 0);
    sum_.resize(b + 1, 0.0);
  }
  count_[b] = count;
  sum_[b] = nll_sum;
}

void PositionCurve::merge(const PositionCurve& other) {
  for (int b = 0; b < other.buckets(); ++b) {
    set(b, (b < buckets() ? count(b) : 0) + other.count(b),
        (b < buckets() ? nll_sum(b) : 0.0) + other.nll_sum(b));
  }
}

}  // namespace lengen
