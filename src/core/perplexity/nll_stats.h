// Scoring math over plain data: per-block NLL sums -> mean NLL, perplexity,
// bits per byte, standard error and block-bootstrap intervals; per-position
// curves. Everything accumulates in double. No LibTorch here.
//
// The sampling unit is a block: a run of contiguous targets of one segment
// (block_tokens_for() in protocol.h: 256 targets, fewer for short segments).
// Per-token NLLs are autocorrelated (a hard passage is hard for many tokens),
// so tokens are not independent units; blocks of 256 are long against that
// correlation and numerous even in a single 32k window, so every cell with two
// or more blocks gets an interval. Resampling whole blocks (a non-overlapping
// block bootstrap) keeps the within-block correlation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lengen {

// The scored targets of one block.
struct BlockScore {
  int64_t id = 0;  // segment and offset in it: pairs blocks across lengths and models
  uint32_t doc = 0;
  double nll_sum = 0;  // sum of -ln p(target), nats
  int64_t targets = 0;
  double bytes = 0;  // UTF-8 bytes of the targets, at the document's bytes/token
};

struct Interval {
  double low = 0;
  double high = 0;
};

struct CellSummary {
  int64_t windows = 0;  // set by the caller (blocks carry no window count)
  int64_t blocks = 0;
  int64_t targets = 0;
  double mean_nll = 0;        // nats per target token
  double perplexity = 0;      // exp(mean_nll)
  double bits_per_byte = 0;   // sum nll / ln 2 / sum bytes
  double standard_error = 0;  // of mean_nll, blocks as units; NaN with < 2 blocks
  Interval nll_ci95;          // percentile block bootstrap; NaN with < 2 blocks
};

// Resamples blocks with replacement `resamples` times (seeded) for the CI.
CellSummary summarize(const std::vector<BlockScore>& blocks, uint64_t seed, int resamples = 1000);

// Mean NLL of `a` minus mean NLL of `b` over blocks present in both (matched
// by id), with a paired percentile bootstrap CI (the same blocks resampled for
// both). Each side is a ratio of its own sums, so paired blocks may differ by a
// target (a chunks window's first token) across lengths.
struct PairedDifference {
  int64_t pairs = 0;
  double difference = 0;
  Interval ci95;  // NaN with < 2 pairs
};
PairedDifference paired_difference(const std::vector<BlockScore>& a,
                                   const std::vector<BlockScore>& b, uint64_t seed,
                                   int resamples = 1000);

// Mean NLL by position of the prediction inside its window, in log2 buckets:
// bucket 0 = [0,1), bucket k = [2^(k-1), 2^k).
class PositionCurve {
 public:
  static int bucket_of(int64_t position);
  static int64_t bucket_low(int bucket) { return bucket == 0 ? 0 : int64_t{1} << (bucket - 1); }
  static int64_t bucket_high(int bucket) { return int64_t{1} << bucket; }

  void add(int64_t position, double nll);
  void merge(const PositionCurve& other);
  int buckets() const { return static_cast<int>(count_.size()); }
  int64_t count(int bucket) const { return count_[static_cast<size_t>(bucket)]; }
  double nll_sum(int bucket) const { return sum_[static_cast<size_t>(bucket)]; }
  void set(int bucket, int64_t count, double nll_sum);

 private:
  std::vector<double> sum_;
  std::vector<int64_t> count_;
};

}  // namespace lengen
