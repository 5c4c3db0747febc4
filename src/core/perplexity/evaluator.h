// Scores the windows of one sweep cell with a model: batches windows of equal
// length, runs the forward, and reduces per-token NLL to per-block sums (the
// bootstrap units, see nll_stats.h) and a per-position curve. The numbers depend only on the
// windows, never on the batch size or thread count (sums run in double, in window/position order).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/perplexity/nll_stats.h"
#include "core/perplexity/protocol.h"

namespace lengen {

class Model;
class TokenCache;

struct CellScores {
  // In target order; block id = (segment id << 32) + (target offset in segment) / block_tokens.
  std::vector<BlockScore> blocks;
  PositionCurve positions;  // summed over every window of the cell
};

struct EvalOptions {
  int64_t batch_tokens = 16384;  // windows per forward = max(1, batch_tokens / T)
  int64_t block_tokens = 256;    // targets per block (WindowPlan::block_tokens)
  // Called after each batch with the number of window tokens processed.
  std::function<void(double)> on_progress;
  // Polled between batches; returning true stops with lengen::Error (kInterrupted).
  std::function<bool()> should_stop;
};

// Throws ModelRunError when a forward fails (the caller records the cell).
CellScores score_windows(Model& model, const TokenCache& cache, const std::vector<Window>& windows,
                         const EvalOptions& options);

}  // namespace lengen
