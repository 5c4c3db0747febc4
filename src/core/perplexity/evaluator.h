// Scores the windows of one sweep cell with a model: batches windows of equal
// length, runs the forward, and reduces per-token NLL to per-window sums and a
// per-position curve. The numbers depend only on the windows, never on the
// batch size or thread count (sums run in double, in window/position order).
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
  std::vector<WindowScore> windows;
  PositionCurve positions;
};

struct EvalOptions {
  int64_t batch_tokens = 16384;  // windows per forward = max(1, batch_tokens / T)
  // Called after each batch with the number of window tokens processed.
  std::function<void(double)> on_progress;
  // Polled between batches; returning true stops with lengen::Error (kInterrupted).
  std::function<bool()> should_stop;
};

// Throws ModelRunError when a forward fails (the caller records the cell).
CellScores score_windows(Model& model, const TokenCache& cache, const std::vector<Window>& windows,
                         const EvalOptions& options);

}  // namespace lengen
