// `lengen compare RUN_DIR... -o OUT`: the comparison of encodings —
// comparison.csv (wide), paired.csv (ΔNLL vs a baseline model on identical
// windows), comparison.md and gnuplot figures.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <filesystem>

#include "commands/commands.h"
#include "core/report/comparison.h"
#include "core/report/comparison_tables.h"
#include "core/report/plots.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace lengen {

namespace {

struct CompareOptions {
  std::vector<std::string> runs;
  std::string out = "comparison";
  std::string baseline_model;  // "" = alibi when present, else the first model
  double tolerance = 0.10;
  bool no_plots = false;
  uint64_t seed = 20240229;
};

void run_compare(const CompareOptions& options) {
  const RunTables tables = load_runs(options.runs);
  const std::vector<Curve> curves = build_curves(tables.cells);
  if (curves.empty() && tables.tasks.empty()) {
    throw_bad_input(options.runs.front(), "no finished cells to compare",
                    "run `lengen sweep` first");
  }
  ComparisonSettings settings;
  settings.tolerance = options.tolerance;
  settings.baseline_model = options.baseline_model;
  settings.seed = options.seed;
  if (settings.baseline_model.empty() && !curves.empty()) {
    settings.baseline_model = curves.front().model;
    for (const auto& c : curves) {
      if (c.model == "alibi") settings.baseline_model = "alibi";
    }
  }
  bool baseline_found = false;
  for (const auto& c : curves) baseline_found |= c.model == settings.baseline_model;
  if (!curves.empty() && !baseline_found) {
    throw_bad_input("--baseline-model",
                    "no model named '" + settings.baseline_model + "' in the runs",
                    "use a name from the `model` column of ppl.csv");
  }
  const std::vector<PairedRow> paired =
      paired_against(curves, settings.baseline_model, options.seed);

  std::filesystem::create_directories(options.out);
  write_file_atomically(options.out + "/comparison.csv", render_comparison_csv(curves, settings));
  write_file_atomically(options.out + "/paired.csv", render_paired_csv(paired));
  const std::string markdown = render_comparison_markdown(curves, paired, tables.tasks, settings);
  write_file_atomically(options.out + "/comparison.md", markdown);
  const PlotReport plots =
      write_plots(curves, paired, tables.tasks, options.out, !options.no_plots);
  fmt::print("{}", markdown);
  fmt::print(stderr,
             "\nwrote {0}/comparison.csv, {0}/paired.csv, {0}/comparison.md and {1} image(s){2}\n",
             options.out, plots.images.size(), plots.note.empty() ? "" : "; " + plots.note);
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* command = app.add_subcommand(
      "compare", "Compare encodings across run directories: tables, paired statistics, plots");
  command->add_option("runs", options->runs, "run directories of `lengen sweep` / `lengen tasks`")
      ->required();
  command->add_option("-o,--out", options->out, "output directory")->capture_default_str();
  command->add_option(
      "--baseline-model", options->baseline_model,
      "model the others are paired against (default: alibi if present, else the first)");
  command->add_option("--tolerance", options->tolerance, "effective-length band, relative")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  command->add_flag("--no-plots", options->no_plots, "write .gp/.dat files but no images");
  command->add_option("--seed", options->seed, "seed of the paired bootstrap")
      ->capture_default_str();
  command->callback([options] { run_compare(*options); });
}

}  // namespace lengen
