#include "core/run/runner.h"

#include "core/run/run_directory.h"

namespace lengen {

namespace {

// The records of the plan's cells that exist in `dir`, in plan order.
template <class Cell>
std::vector<Cell> finished_cells(const RunDirectory& dir, const std::vector<PlannedCell>& plan) {
  std::vector<Cell> cells;
  for (const PlannedCell& planned : plan) {
    if (!dir.has_cell(planned.key)) continue;
    cells.push_back(CellKind<Cell>::from_json(dir.read_cell(planned.key),
                                              dir.file("cells/" + planned.key + ".json")));
  }
  return cells;
}

}  // namespace

template <class Cell>
RunOutcome<Cell> run_plan(const RunSpec& spec, const RunInfo& info,
                          const std::vector<PlannedCell>& plan,
                          const EvaluateCell<Cell>& evaluate) {
  size_t in_shard = 0;
  for (size_t i = 0; i < plan.size(); ++i) in_shard += spec.shard.selects(i) ? 1 : 0;
  RunDirectory dir(spec.out_dir);
  dir.lock();  // before run.json: a second run on this --out stops here
  dir.write("run.json", render_run_json(info, plan.size(), in_shard, nullptr));

  auto run_one = [&](size_t i, Progress& progress) {
    CellResult<Cell> result = evaluate(i, progress);
    CellOutcome outcome;
    outcome.record = CellKind<Cell>::to_json(result.cell);
    outcome.status = result.cell.status;
    outcome.summary = CellKind<Cell>::progress_summary(result.cell);
    outcome.side_file = std::move(result.side_file);
    outcome.side_content = std::move(result.side_content);
    return outcome;
  };
  auto rewrite_tables = [&] {
    std::vector<Cell> cells = finished_cells<Cell>(dir, plan);
    CellKind<Cell>::write_tables(dir.path(), cells);
  };
  const CellRunCounts counts =
      run_cells(dir, plan, spec.shard, spec.quiet, run_one, rewrite_tables);

  RunOutcome<Cell> outcome;
  outcome.computed = counts.computed;
  outcome.resumed = counts.resumed;
  outcome.failed = counts.failed;
  outcome.cells = finished_cells<Cell>(dir, plan);
  CellKind<Cell>::write_tables(dir.path(), outcome.cells);
  dir.write("run.json", render_run_json(info, plan.size(), in_shard, &counts));
  return outcome;
}

template RunOutcome<SweepCell> run_plan(const RunSpec&, const RunInfo&,
                                        const std::vector<PlannedCell>&,
                                        const EvaluateCell<SweepCell>&);
template RunOutcome<TaskCell> run_plan(const RunSpec&, const RunInfo&,
                                       const std::vector<PlannedCell>&,
                                       const EvaluateCell<TaskCell>&);

}  // namespace lengen
