#include "core/perplexity/evaluator.h"

#include "core/data/token_cache.h"
#include "core/model/model.h"
#include "core/util/error.h"

namespace lengen {

namespace {

// Adds the scored NLLs of one window (row: [T-1] per-prediction NLLs) to the
// blocks and the position curve. Targets arrive in segment order, so a block
// split between two windows continues the last entry.
void add_window(const TokenCache& cache, const Window& w, const double* row, int64_t block_tokens,
                CellScores& scores) {
  const double bytes_per_token =
      static_cast<double>(cache.document_bytes(w.doc)) /
      static_cast<double>(std::max<int64_t>(1, cache.document_length(w.doc)));
  for (int64_t t = w.score_from; t < w.length - 1; ++t) {
    const int64_t offset = w.begin + t + 1 - w.segment_begin;  // target's offset in its segment
    const int64_t id = (w.segment << 32) + offset / block_tokens;
    if (scores.blocks.empty() || scores.blocks.back().id != id) {
      BlockScore block;
      block.id = id;
      block.doc = w.doc;
      scores.blocks.push_back(block);
    }
    BlockScore& block = scores.blocks.back();
    block.nll_sum += row[t];
    block.targets += 1;
    block.bytes += bytes_per_token;
    scores.positions.add(t, row[t]);
  }
}

}  // namespace

CellScores score_windows(Model& model, const TokenCache& cache, const std::vector<Window>& windows,
                         const EvalOptions& options) {
  CellScores scores;
  if (windows.empty()) return scores;
  const int64_t length = windows.front().length;
  const int64_t block_tokens = std::max<int64_t>(1, options.block_tokens);
  const auto per_batch = static_cast<size_t>(std::max<int64_t>(1, options.batch_tokens / length));
  std::vector<int64_t> tokens;
  std::vector<double> nll;  // [B, T-1]
  for (size_t first = 0; first < windows.size(); first += per_batch) {
    if (options.should_stop && options.should_stop()) {
      throw Error(ExitCode::kInterrupted, "", "interrupted", "re-run the same command to resume");
    }
    const size_t count = std::min(per_batch, windows.size() - first);
    tokens.resize(count * static_cast<size_t>(length));
    for (size_t i = 0; i < count; ++i) {
      const Window& w = windows[first + i];
      if (w.length != length) throw_runtime("", "windows of one cell must share a length");
      cache.copy_tokens(w.doc, w.begin, length, tokens.data() + i * static_cast<size_t>(length));
    }
    model.next_token_nll(tokens, static_cast<int64_t>(count), length, nll);
    for (size_t i = 0; i < count; ++i) {
      add_window(cache, windows[first + i], nll.data() + i * static_cast<size_t>(length - 1),
                 block_tokens, scores);
    }
    if (options.on_progress)
      options.on_progress(static_cast<double>(count * static_cast<size_t>(length)));
  }
  return scores;
}

}  // namespace lengen
