// The resumable cell loop shared by every cell-based command (`lengen sweep`,
// `lengen tasks`): walk a plan of cells, run only this shard's, skip cells whose
// record already exists, evaluate the rest one at a time, write each record
// atomically and let the caller rewrite its tables after every cell. Also the
// pieces of run.json and of a cell's failure handling that both commands share.
//
// Not here: what a cell computes or how its record and tables look (sweep.cpp,
// tasks.cpp do that through the callbacks).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/perplexity/sweep_cell.h"  // CellStatus
#include "core/run/cell_plan.h"
#include "core/run/run_directory.h"
#include "core/run/run_spec.h"
#include "core/util/progress.h"

namespace lengen {

class Model;

// One cell of a run's plan, known before anything is computed.
struct PlannedCell {
  std::string key;    // cell_key(...) of everything that determines the result
  std::string label;  // progress text, e.g. "alibi passkey T=4096 depth=50%"
  double work = 0;    // progress units (tokens) the cell will process
};

// What evaluating one cell produced.
struct CellOutcome {
  std::string record;  // the JSON written to cells/<key>.json
  CellStatus status = CellStatus::kOk;
  std::string summary;  // appended to the progress line ("ppl 23.1", "oom: ...")
  // Optional side file written (atomically) before the record, e.g. per-sample
  // logs; relative to the run directory. Empty: none.
  std::string side_file;
  std::string side_content;
};

struct CellRunCounts {
  int computed = 0;
  int resumed = 0;
  int failed = 0;  // status oom or error
};

// Runs the cells of `plan` that `shard` selects. `evaluate(i, progress)`
// computes cell plan[i]; `after_cell()` runs after each new record (tables).
// Locks the run directory first (a second process on it fails naming this
// one's PID), removes stale temporaries and moves damaged records aside so
// their cells run again. A cell is skipped when its record exists. Throws what `evaluate` throws
// (e.g. kInterrupted): records written so far stay valid.
CellRunCounts run_cells(RunDirectory& dir, const std::vector<PlannedCell>& plan,
                        const ShardSpec& shard, bool quiet,
                        const std::function<CellOutcome(size_t, Progress&)>& evaluate,
                        const std::function<void()>& after_cell);

// Runs `body`, turning a failed forward into kOom/kError and any other
// exception (lengen::Error, an exception raised by the model's TorchScript)
// into kError, with its message in `message`; an interruption (kInterrupted)
// propagates. Returns kOk when `body` returned normally.
CellStatus run_guarded(const std::function<void()>& body, std::string& message);

// The parts of run.json every cell-based command writes.
struct RunInfo {
  std::string kind;  // "sweep", "tasks"
  int threads = 1;
  std::string started_at;  // now_iso8601() when the run started
  ShardSpec shard;
  std::string effective_config;  // CLI11's config_to_str of the options as given
  std::string settings_json;     // a JSON object: the run's settings
  std::vector<const Model*> models;
  // Further top-level sections, each a JSON value, e.g. {"corpora", "[...]"}.
  std::vector<std::pair<std::string, std::string>> sections;
};
// The parts of run.json that come from the RunSpec (kind, threads, shard,
// started_at, effective config); the caller adds settings, models, sections.
RunInfo run_info_of(const RunSpec& spec, const std::string& kind, const std::string& started);

// Without `counts` the run is in progress (no finished_at, no cell counts).
std::string render_run_json(const RunInfo& info, size_t planned, size_t in_shard,
                            const CellRunCounts* counts);

std::string now_iso8601();

}  // namespace lengen
