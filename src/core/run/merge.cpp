#include "core/run/merge.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/run/cell_kind.h"
#include "core/run/run_directory.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace lengen {

namespace {

// The kind a record says it is: task records carry "kind", sweep records
// (written before there were tasks) need not.
std::string record_kind(const std::string& record) {
  try {
    return nlohmann::json::parse(record).value("kind", CellKind<SweepCell>::kName);
  } catch (const nlohmann::json::exception&) {
    return CellKind<SweepCell>::kName;  // its parser reports the malformed record
  }
}

// Parses `record` as the kind it says it is, into `outcome` (validation).
void collect(const std::string& record, const std::string& source, MergeOutcome& outcome) {
  if (record_kind(record) == CellKind<TaskCell>::kName) {
    outcome.task_cells.push_back(CellKind<TaskCell>::from_json(record, source));
  } else {
    outcome.sweep_cells.push_back(CellKind<SweepCell>::from_json(record, source));
  }
}

template <class Cell>
void write_tables_if_any(const RunDirectory& out, std::vector<Cell>& cells) {
  if (!cells.empty()) CellKind<Cell>::write_tables(out.path(), cells);
}

// Copies the side file of cell `key` (per-sample logs) when the shard has one.
void copy_side_file(const RunDirectory& shard, const RunDirectory& out, const std::string& key) {
  const std::string relative = "samples/" + key + ".jsonl";
  if (!std::filesystem::exists(shard.file(relative))) return;
  std::filesystem::create_directories(out.file("samples"));
  out.write(relative, read_text_file(shard.file(relative)));
}

}  // namespace

MergeOutcome merge_runs(const std::vector<std::string>& inputs, const std::string& out_path) {
  for (const auto& input : inputs) {
    if (!std::filesystem::is_directory(input + "/cells")) {
      throw_bad_input(input, "not a run directory (no cells/)",
                      "pass directories written by `lengen sweep` or `lengen tasks`");
    }
  }
  RunDirectory out(out_path);
  MergeOutcome outcome;
  // Each record is read and parsed once: those already in `out`, then each new
  // one, parsed (validated) before it is copied.
  for (const auto& key : out.cell_keys()) {
    collect(out.read_cell(key), out.file("cells/" + key + ".json"), outcome);
  }
  for (const auto& input : inputs) {
    RunDirectory shard(input);
    for (const auto& key : shard.cell_keys()) {
      if (out.has_cell(key)) continue;
      const std::string record = shard.read_cell(key);
      collect(record, shard.file("cells/" + key + ".json"), outcome);
      copy_side_file(shard, out, key);
      out.write_cell(key, record);
      ++outcome.copied;
    }
    if (std::filesystem::exists(shard.file("run.json")) &&
        !std::filesystem::exists(out.file("run.json"))) {
      out.write("run.json", read_text_file(shard.file("run.json")));
    }
  }
  write_tables_if_any(out, outcome.sweep_cells);
  write_tables_if_any(out, outcome.task_cells);
  return outcome;
}

}  // namespace lengen
