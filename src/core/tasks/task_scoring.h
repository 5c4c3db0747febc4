// Scores one task sample with a model: the two scorers of `lengen tasks`.
//
//  (a) ranking — the log-likelihood of every candidate continuation after the
//      prompt, all candidates in ONE batched forward of N sequences
//      (prompt + candidate, right-padded); the gold's rank among them.
//  (b) greedy — whether greedy decoding reproduces an acceptable answer, read
//      off the same teacher-forced forward (see score_sample), and optionally
//      real greedy decoding of up to K tokens for substring match and token F1.
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

struct ScoringOptions {
  bool rank = true;           // false: forward only the answers (the gold), no ranking
  int64_t decode_tokens = 0;  // real greedy decoding of up to this many tokens; 0: none
  int32_t eos_id = -1;        // decoding stops after emitting it
  // Token ids -> text, for decoded answers (the tokenizer's decode).
  std::function<std::string(const std::vector<int32_t>&)> detokenize;
};

// Throws ModelRunError when a forward fails (the engine records the cell).
SampleScore score_sample(Model& model, const TaskSample& sample, const ScoringOptions& options);

// Real greedy decoding: up to `max_tokens` argmax tokens after `prompt`, one
// full forward each, stopping after `eos_id`. `known_prefix` are tokens
// already known to be greedy's first choices (e.g. from a teacher-forced
// exact match): they are appended without a forward.
std::vector<int32_t> greedy_decode(Model& model, const std::vector<int32_t>& prompt,
                                   int64_t max_tokens, int32_t eos_id,
                                   const std::vector<int32_t>& known_prefix = {});

}  // namespace lengen
