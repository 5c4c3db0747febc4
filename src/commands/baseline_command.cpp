// `lengen baseline --run DIR --out FILE`: writes (or updates) a perplexity
// baseline for `lengen check` from a finished sweep.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>

#include "commands/commands.h"
#include "core/report/baseline.h"
#include "core/report/comparison.h"
#include "core/util/atomic_file.h"

namespace lengen {

namespace {

struct BaselineOptions {
  std::string run;
  std::string out;
  double tolerance = 0.02;
};

void run_baseline(const BaselineOptions& options) {
  require_regular_output(options.out);  // e.g. a device would be read without end
  const RunTables tables = load_runs({options.run});
  std::unique_ptr<Baseline> previous;
  if (std::filesystem::exists(options.out)) {
    previous =
        std::make_unique<Baseline>(baseline_from_json(read_text_file(options.out), options.out));
  }
  const Baseline baseline =
      baseline_from_cells(tables.cells, options.tolerance, options.run, previous.get());
  write_file_atomically(options.out, baseline_to_json(baseline));
  fmt::print("{} {} with {} row(s) from {} (default band ±{:.1f}%{})\n",
             previous ? "updated" : "wrote", options.out, baseline.rows.size(), options.run,
             100 * baseline.default_tolerance, previous ? ", per-row bands kept" : "");
}

}  // namespace

void add_baseline_command(CLI::App& app) {
  auto options = std::make_shared<BaselineOptions>();
  CLI::App* command =
      app.add_subcommand("baseline", "Write or update a perplexity baseline from a run");
  command->add_option("--run", options->run, "run directory of `lengen sweep`")->required();
  command->add_option("--out", options->out, "baseline JSON file")->required();
  command->add_option("--tolerance", options->tolerance, "default relative band of a new file")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  command->callback([options] { run_baseline(*options); });
}

}  // namespace lengen
