// `lengen merge --out DIR RUN_DIR...`: joins the cell records of run
// directories (shards from `--shard K/N` of `lengen sweep` or `lengen tasks`)
// into one run directory and rebuilds its tables (core/run/merge.h).
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "commands/commands.h"
#include "core/run/merge.h"

namespace lengen {

namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out;
};

void run_merge(const MergeOptions& options) {
  const MergeOutcome outcome = merge_runs(options.inputs, options.out);
  if (!outcome.sweep_cells.empty()) fmt::print("{}", render_markdown_summary(outcome.sweep_cells));
  if (!outcome.task_cells.empty()) fmt::print("{}", render_tasks_markdown(outcome.task_cells));
  fmt::print(stderr, "merged {} new cell(s) from {} director(ies); {} cells in {}\n",
             outcome.copied, options.inputs.size(),
             outcome.sweep_cells.size() + outcome.task_cells.size(), options.out);
}

}  // namespace

void add_merge_command(CLI::App& app) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* command =
      app.add_subcommand("merge", "Join run directories (sweep and/or tasks shards) into one");
  command->add_option("inputs", options->inputs, "run directories to merge")->required();
  command->add_option("-o,--out", options->out, "merged run directory")->required();
  command->callback([options] { run_merge(*options); });
}

}  // namespace lengen
