// The record of one `lengen tasks` cell (model x task x length x depth): its
// settings, outcome, summary and per-sample scores; its JSON form
// (cells/<key>.json, "kind": "tasks") and the tables built from many cells:
// tasks.csv (the results), tasks_perf.csv, tasks_grid.json (depth x length
// per model and task, for heatmaps) and the Markdown summary.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/model/model_identity.h"
#include "core/perplexity/sweep_cell.h"  // CellStatus
#include "core/tasks/task_metrics.h"

namespace lengen {

// What was measured: the model (ModelIdentity), then the rest of the cell.
struct TaskCell : ModelIdentity {
  std::string key;
  std::string task;
  std::string task_fingerprint;
  int64_t length = 0;
  double depth = 0;  // percent; NaN for tasks without depth
  int64_t samples_requested = 0;
  int64_t max_tokens = 0;     // per-cell budget of forward tokens (0 = none)
  int64_t decode_tokens = 0;  // real decoding at this length (0 = not decoded)
  uint64_t seed = 0;
  // Outcome.
  CellStatus status = CellStatus::kOk;
  std::string message;
  TaskSummary summary;
  std::vector<SampleScore> samples;
  double seconds = 0;
  double tokens_per_second = 0;
  double peak_rss_mib = 0;
  double peak_device_mib = 0;  // caching allocator's peak on a GPU; 0 on CPU
  // How the cell was scored: "cached" (forward_cached: one prefill per sample)
  // or "full" (forward only); "" in records older than the cached contract.
  std::string forward_path;
  // Cached path: |gold log-prob cached - full| on the first sample (the
  // agreement check); NaN when not checked.
  double cache_check_difference = std::numeric_limits<double>::quiet_NaN();

  bool has_depth() const;
};

// "50" for 50%, "" for tasks without depth (NaN): cell keys, CSV fields, labels.
std::string depth_label(double depth);

std::string task_cell_to_json(const TaskCell& cell);
// Throws lengen::Error (bad input) naming `source` when the record is malformed
// or is not a tasks record.
TaskCell task_cell_from_json(const std::string& text, const std::string& source);

// Cells sorted for tables: task, model, length, depth.
void sort_task_cells(std::vector<TaskCell>& cells);

// One row per cell, stable column names (README.md, "Outputs"), results only:
// a resumed or merged run reproduces it byte for byte.
std::string render_tasks_csv(const std::vector<TaskCell>& cells);
// Seconds, tokens/s and peak RSS per cell (kept out of tasks.csv).
std::string render_tasks_perf_csv(const std::vector<TaskCell>& cells);
// Per model x task with depth: the depth x length grid of accuracy and exact
// match (JSON, null where a cell is missing or failed).
std::string render_tasks_grid_json(const std::vector<TaskCell>& cells);
// Markdown: per task, models x lengths (accuracy / exact match, averaged over
// depths), then a depth x length grid per model for tasks with depth.
std::string render_tasks_markdown(const std::vector<TaskCell>& cells);

}  // namespace lengen
