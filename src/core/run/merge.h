// `lengen merge`: the union of the cell records of several run directories
// (shards of one `lengen sweep` or `lengen tasks` plan, or runs to be shown
// together) in one directory, whose tables are then rebuilt from the records
// alone, so a merged run's results files equal those of the unsharded run.
#pragma once

#include <string>
#include <vector>

#include "core/perplexity/sweep_cell.h"
#include "core/tasks/task_cell.h"

namespace lengen {

struct MergeOutcome {
  std::vector<SweepCell> sweep_cells;  // every perplexity record now in the output
  std::vector<TaskCell> task_cells;    // every task record now in the output
  int copied = 0;                      // records new to the output
};

// Copies every record (validated first: a malformed one is bad input naming its
// file) and its side file (samples/<key>.jsonl) that `out` lacks, keeps the
// first run.json met, and rewrites the sweep tables (ppl.csv, ...) and/or the
// task tables (tasks.csv, ...) of `out`. Throws lengen::Error (bad input) for an
// input that is not a run directory.
MergeOutcome merge_runs(const std::vector<std::string>& inputs, const std::string& out);

}  // namespace lengen
