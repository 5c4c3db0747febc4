// The cell-kind interface: everything the runner (run_plan) and `lengen merge`
// need to know of one kind of cell, so that neither depends on what a cell
// computes. Implemented by the perplexity cells of `lengen sweep` (SweepCell)
// and the task cells of `lengen tasks` (TaskCell); a new kind of run adds one
// specialisation here and one to merge.cpp's list of kinds.
#pragma once

#include <string>
#include <vector>

#include "core/perplexity/sweep_cell.h"
#include "core/tasks/task_cell.h"

namespace lengen {

// CellKind<Cell> provides:
//   kName                the run kind in run.json ("sweep", "tasks"); task records
//                        also carry it as "kind" (records without one are sweep's)
//   from_json(text, source)   parse and validate a record (bad input names `source`)
//   to_json(cell)             the record written to cells/<key>.json
//   progress_summary(cell)    the text after a finished cell on the progress line
//   write_tables(dir, cells)  sort `cells` and rewrite the kind's tables in `dir`
template <class Cell>
struct CellKind;

template <>
struct CellKind<SweepCell> {
  static constexpr const char* kName = "sweep";
  static SweepCell from_json(const std::string& text, const std::string& source) {
    return cell_from_json(text, source);
  }
  static std::string to_json(const SweepCell& cell) { return cell_to_json(cell); }
  static std::string progress_summary(const SweepCell& cell);
  // ppl.csv, positions.csv, perf.csv
  static void write_tables(const std::string& run_dir, std::vector<SweepCell>& cells);
};

template <>
struct CellKind<TaskCell> {
  static constexpr const char* kName = "tasks";
  static TaskCell from_json(const std::string& text, const std::string& source) {
    return task_cell_from_json(text, source);
  }
  static std::string to_json(const TaskCell& cell) { return task_cell_to_json(cell); }
  static std::string progress_summary(const TaskCell& cell);
  // tasks.csv, tasks_perf.csv, tasks_grid.json
  static void write_tables(const std::string& run_dir, std::vector<TaskCell>& cells);
};

}  // namespace lengen
