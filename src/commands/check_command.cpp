// `lengen check --baseline FILE --run DIR`: the CI regression check. Prints a
// Markdown diff table; exits 0 when every value is inside its band,
// 3 (kRegression) when one is above it or its cell failed, 4 (kIncomparable)
// when the run measured something else (corpus, tokenizer, protocol) or lacks
// a cell of the baseline.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <optional>

#include "commands/commands.h"
#include "commands/common.h"
#include "core/report/baseline.h"
#include "core/report/comparison.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace lengen {

namespace {

struct CheckOptions {
  std::string baseline;
  std::string run;
  double tolerance = -1;  // < 0: use the file's bands
};

void run_check(const CheckOptions& options) {
  const Baseline baseline = baseline_from_json(read_text_file(options.baseline), options.baseline);
  const RunTables tables = load_runs({options.run});
  const std::optional<double> override_band =
      options.tolerance >= 0 ? std::optional<double>(options.tolerance) : std::nullopt;
  const CheckReport report = check_run(baseline, tables.cells, override_band);
  fmt::print("{}", render_check_markdown(report));
  if (!report.incomparable.empty()) {
    throw Error(
        ExitCode::kIncomparable, options.run,
        fmt::format("{} baseline row(s) not comparable with this run", report.incomparable.size()),
        "re-run with the baseline's corpus, tokenizer and protocol settings, or write a new "
        "baseline with `lengen baseline`");
  }
  if (report.regressions > 0) {
    throw Error(ExitCode::kRegression, options.run,
                fmt::format("{} of {} value(s) regressed beyond their band", report.regressions,
                            report.rows.size()),
                "inspect the table above; if the change is intended, update the baseline with "
                "`lengen baseline`");
  }
  fmt::print("\nall {} value(s) within their bands\n", report.rows.size());
}

}  // namespace

void add_check_command(CLI::App& app) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* command =
      app.add_subcommand("check", "CI check of a run's perplexities against a baseline");
  command->add_option("--baseline", options->baseline, "baseline JSON from `lengen baseline`")
      ->required();
  command->add_option("--run", options->run, "run directory of `lengen sweep`")->required();
  command
      ->add_option("--tolerance", options->tolerance,
                   "relative band for every row (default: the file's)")
      ->check(non_negative());
  command->callback([options] { run_check(*options); });
}

}  // namespace lengen
