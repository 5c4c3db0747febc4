// The task engine behind `lengen tasks`: every model x task x length x depth
// cell, scored once, recorded atomically, resumable and shardable — by the
// same runner as the sweep (core/run/runner.h). Tasks come in as TaskGenerator
// objects (evals/ makes them), so the core never depends on a task definition.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/run/run_spec.h"
#include "core/run/runner.h"
#include "core/tasks/task_cell.h"
#include "core/tasks/task_sample.h"

namespace lengen {

class Tokenizer;

// Which forward path scores the cells (README.md, "Model contract").
enum class ForwardPolicy {
  kAuto,  // cached for models with forward_cached, full for the others
  kFull,  // every model on the plain forward (for comparisons and benchmarks)
};

// The task run's own settings; models, lengths, seed, out, shard, threads,
// device/dtype come from RunSpec.
struct TasksSpec : RunSpec {
  std::vector<double> depths = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100};  // percent
  int64_t samples = 8;  // per cell (files: at most their records)
  // Per-cell budget of forward tokens, sequences x their length (0 = none):
  // samples run while the total stays within it (at least one). When a single
  // ranked sample (N sequences of prompt + answer) exceeds it, the cell
  // forwards only the gold answer (greedy exact match and gold log-prob, no
  // ranking) and says so in `message`.
  int64_t max_tokens = 0;
  int64_t decode_tokens = 16;  // real greedy decoding: new tokens at most (0 = never)
  // Full path only: decode in cells with T <= this (each token is a full
  // forward). Cached models decode at every length (a token is one cached step).
  int64_t decode_max_length = 2048;
  ForwardPolicy forward = ForwardPolicy::kAuto;
  bool log_samples = false;  // samples/<cell key>.jsonl with texts and scores
};

using TasksOutcome = RunOutcome<TaskCell>;

// Throws lengen::Error for bad models or a tokenizer mismatch (before any cell
// runs) and kInterrupted when stopped by a signal (finished cells stay on disk).
TasksOutcome run_tasks(const TasksSpec& spec, const std::vector<const TaskGenerator*>& tasks,
                       const Tokenizer& tokenizer);

}  // namespace lengen
