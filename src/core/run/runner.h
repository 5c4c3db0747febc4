// The one runner behind every cell-based command: `lengen sweep` and `lengen
// tasks` each plan their cells and say how to evaluate one; run_plan does the
// rest the same way for both (lock, run.json, resume, shards, atomic records,
// tables after every cell, final counts). What a kind of cell is comes from
// CellKind<Cell> (cell_kind.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/run/cell_engine.h"
#include "core/run/cell_kind.h"
#include "core/run/run_spec.h"

namespace lengen {

template <class Cell>
struct RunOutcome {
  std::vector<Cell> cells;  // every finished cell of this run's plan, sorted
  int computed = 0;
  int resumed = 0;
  int failed = 0;  // status oom or error
};

// What evaluating one cell produced: its record and an optional side file
// (e.g. samples/<key>.jsonl), written before the record.
template <class Cell>
struct CellResult {
  Cell cell;
  std::string side_file;  // relative to the run directory; empty: none
  std::string side_content;
};

template <class Cell>
using EvaluateCell = std::function<CellResult<Cell>(size_t index, Progress& progress)>;

// Locks spec.out_dir (a second run on it stops, naming this one's PID), writes
// run.json without counts, evaluates the cells of `plan` that spec.shard
// selects and that have no record yet, rewrites the kind's tables after every
// new record, and at the end writes the tables from every finished cell of the
// plan and run.json with the counts. Throws what `evaluate` throws (e.g.
// kInterrupted): the records written so far stay valid.
template <class Cell>
RunOutcome<Cell> run_plan(const RunSpec& spec, const RunInfo& info,
                          const std::vector<PlannedCell>& plan, const EvaluateCell<Cell>& evaluate);

}  // namespace lengen
