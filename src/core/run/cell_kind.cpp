#include "core/run/cell_kind.h"

#include <fmt/core.h>

#include "core/run/run_directory.h"

namespace lengen {

std::string CellKind<SweepCell>::progress_summary(const SweepCell& cell) {
  if (cell.status != CellStatus::kOk) return to_string(cell.status) + ": " + cell.message;
  return fmt::format("ppl {:.3f}", cell.summary.perplexity);
}

void CellKind<SweepCell>::write_tables(const std::string& run_dir, std::vector<SweepCell>& cells) {
  sort_cells(cells);
  RunDirectory dir(run_dir);
  dir.write("ppl.csv", render_ppl_csv(cells));
  dir.write("positions.csv", render_positions_csv(cells));
  dir.write("perf.csv", render_perf_csv(cells));
}

std::string CellKind<TaskCell>::progress_summary(const TaskCell& cell) {
  if (cell.status != CellStatus::kOk) return to_string(cell.status) + ": " + cell.message;
  if (cell.summary.ranked > 0) {
    return fmt::format("n={} accuracy {:.2f} exact {:.2f}", cell.summary.n, cell.summary.accuracy,
                       cell.summary.exact_match);
  }
  return fmt::format("n={} exact {:.2f}", cell.summary.n, cell.summary.exact_match);
}

void CellKind<TaskCell>::write_tables(const std::string& run_dir, std::vector<TaskCell>& cells) {
  sort_task_cells(cells);
  RunDirectory dir(run_dir);
  dir.write("tasks.csv", render_tasks_csv(cells));
  dir.write("tasks_perf.csv", render_tasks_perf_csv(cells));
  dir.write("tasks_grid.json", render_tasks_grid_json(cells));
}

}  // namespace lengen
