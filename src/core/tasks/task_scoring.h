// Scores one task sample with a model: the two scorers of `lengen tasks`.
//
//  (a) ranking — the log-likelihood of every candidate continuation after the
//      prompt, all candidates in ONE batched call; the gold's rank among them.
//  (b) greedy — whether greedy decoding reproduces an acceptable answer, read
//      off the same teacher-forced scores (see score_sample), and optionally
//      real greedy decoding of up to K tokens for substring match and token F1.
//
// Two forward paths, same numbers (to float rounding; tested):
//  full    the model contract's forward only: N sequences prompt + candidate,
//          right-padded, in one forward; decoding runs one full forward per token.
//  cached  forward_cached: the prompt once (prefill, batch 1), then the N
//          candidates as continuations of its state in one batched call, and
//          decoding one token per call from the same state. A sample costs
//          about one prompt forward instead of N + K.
//
// Not here: how samples are made (evals/), aggregation (task_metrics.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tasks/task_metrics.h"
#include "core/tasks/task_sample.h"

namespace lengen {

class Model;

class ModelCache;

enum class ForwardPath { kFull, kCached };
std::string to_string(ForwardPath path);  // "full", "cached"

struct ScoringOptions {
  bool rank = true;                       // false: forward only the answers (the gold), no ranking
  ForwardPath path = ForwardPath::kFull;  // kCached needs Model::has_cached_forward()
  int64_t decode_tokens = 0;              // real greedy decoding of up to this many tokens; 0: none
  int32_t eos_id = -1;                    // decoding stops after emitting it
  // Token ids -> text, for decoded answers (the tokenizer's decode). Decoding
  // also stops once the text has a complete first line (only that is scored).
  std::function<std::string(const std::vector<int32_t>&)> detokenize;
};

// Throws ModelRunError when a forward fails (the engine records the cell).
SampleScore score_sample(Model& model, const TaskSample& sample, const ScoringOptions& options);

// True when decoding can stop: the text, leading newlines dropped, has a newline.
using DecodeStop = std::function<bool(const std::vector<int32_t>& generated)>;

// Real greedy decoding: up to `max_tokens` argmax tokens after `prompt`, one
// full forward each, stopping after `eos_id` or when `stop` says so.
// `known_prefix` are tokens already known to be greedy's first choices (e.g.
// from a teacher-forced exact match): they are appended without a forward.
std::vector<int32_t> greedy_decode(Model& model, const std::vector<int32_t>& prompt,
                                   int64_t max_tokens, int32_t eos_id,
                                   const std::vector<int32_t>& known_prefix = {},
                                   const DecodeStop& stop = {});

// The same decoding from a prefilled prompt: one forward_cached call per new
// token (the known prefix in one call); `cache` grows with the decoded tokens.
std::vector<int32_t> greedy_decode_cached(Model& model, ModelCache& cache, int64_t max_tokens,
                                          int32_t eos_id,
                                          const std::vector<int32_t>& known_prefix = {},
                                          const DecodeStop& stop = {});

}  // namespace lengen
