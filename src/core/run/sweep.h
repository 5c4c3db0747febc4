// The sweep engine: every model x corpus x protocol x length cell, evaluated
// once, recorded atomically, resumable and shardable. The CLI layer
// (commands/sweep_command.cpp) only fills a SweepSpec.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/compute.h"
#include "core/perplexity/sweep_cell.h"
#include "core/run/cell_plan.h"

namespace lengen {

struct SweepSpec {
  std::vector<std::string> models;   // TorchScript files
  std::vector<std::string> corpora;  // token caches (name = file stem)
  std::vector<std::string> protocols = {"chunks"};
  std::vector<int64_t> lengths = {512, 1024, 2048, 4096, 8192, 16384, 32768};
  int64_t stride = 0;               // sliding: 0 = T/2; above the shortest length is an error
  int64_t tail_tokens = 256;        // tail: K
  int64_t segment_tokens = 0;       // L of the nested segments; 0 = per corpus, the largest length
                                    // that one of its documents holds
  std::string remainder = "align";  // chunks/sliding: "drop" or "align" (protocol.h)
  int64_t max_tokens = 0;           // per-cell budget in segment tokens (0 = every segment)
  int64_t batch_tokens = 16384;     // tokens per forward when batching short windows
  uint64_t seed = 20240229;
  std::string out_dir;
  ShardSpec shard;
  bool quiet = false;
  int threads = 1;               // resolved thread count (recorded in run.json)
  ComputeSpec compute;           // --device (resolved) and --dtype
  std::string effective_config;  // the options as given, for run.json
};

struct SweepOutcome {
  std::vector<SweepCell> cells;  // every finished cell of this run's plan, sorted
  int computed = 0;
  int resumed = 0;
  int failed = 0;  // status oom or error
};

// Throws lengen::Error for bad models/caches (before any cell runs) and
// kInterrupted when stopped by a signal (finished cells stay on disk).
SweepOutcome run_sweep(const SweepSpec& spec);

// Rewrites ppl.csv and positions.csv of `run_dir` from `cells`.
void write_sweep_tables(const std::string& run_dir, std::vector<SweepCell>& cells);

}  // namespace lengen
