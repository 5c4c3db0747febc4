#include "core/perplexity/evaluator.h"

#include "core/data/token_cache.h"
#include "core/model/model.h"
#include "core/util/error.h"

namespace lengen {

CellScores score_windows(Model& model, const TokenCache& cache, const std::vector<Window>& windows,
                         const EvalOptions& options) {
  CellScores scores;
  if (windows.empty()) return scores;
  const int64_t length = windows.front().length;
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
      const Window& w = windows[first + i];
      const double* row = nll.data() + i * static_cast<size_t>(length - 1);
      WindowScore score;
      score.id = w.id;
      score.doc = w.doc;
      for (int64_t t = w.score_from; t < length - 1; ++t) {
        score.nll_sum += row[t];
        scores.positions.add(t, row[t]);
      }
      score.targets = w.targets();
      const double bytes_per_token =
          static_cast<double>(cache.document_bytes(w.doc)) /
          static_cast<double>(std::max<int64_t>(1, cache.document_length(w.doc)));
      score.bytes = static_cast<double>(score.targets) * bytes_per_token;
      scores.windows.push_back(score);
    }
    if (options.on_progress)
      options.on_progress(static_cast<double>(count * static_cast<size_t>(length)));
  }
  return scores;
}

}  // namespace lengen
