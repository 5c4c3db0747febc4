// The sweep engine: every model x corpus x protocol x length cell, evaluated
// once, recorded atomically, resumable and shardable. The CLI layer
// (commands/sweep_command.cpp) only fills a SweepSpec; the runner
// (runner.h) does the cell loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/perplexity/sweep_cell.h"
#include "core/run/run_spec.h"
#include "core/run/runner.h"

namespace lengen {

// The sweep's own settings; models, lengths, seed, out, shard, threads,
// device/dtype come from RunSpec.
struct SweepSpec : RunSpec {
  std::vector<std::string> corpora;  // token caches (name = file stem)
  std::vector<std::string> protocols = {"chunks"};
  int64_t stride = 0;               // sliding: 0 = T/2; above the shortest length is an error
  int64_t tail_tokens = 256;        // tail: K
  int64_t segment_tokens = 0;       // L of the nested segments; 0 = per corpus, the largest length
                                    // that one of its documents holds
  std::string remainder = "align";  // chunks/sliding: "drop" or "align" (protocol.h)
  int64_t max_tokens = 0;           // per-cell budget in segment tokens (0 = every segment)
  int64_t batch_tokens = 16384;     // tokens per forward when batching short windows
};

using SweepOutcome = RunOutcome<SweepCell>;

// Throws lengen::Error for bad models/caches (before any cell runs) and
// kInterrupted when stopped by a signal (finished cells stay on disk).
SweepOutcome run_sweep(const SweepSpec& spec);

}  // namespace lengen
