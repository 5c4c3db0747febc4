// `lengen merge --out DIR SHARD_DIR...`: joins the cell records of shard
// directories (from `lengen sweep --shard K/N`) into one run directory and
// rebuilds its tables.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <filesystem>

#include "commands/commands.h"
#include "core/run/run_directory.h"
#include "core/run/sweep.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace lengen {

namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out;
};

void run_merge(const MergeOptions& options) {
  RunDirectory out(options.out);
  std::vector<SweepCell> cells;
  int copied = 0;
  for (const auto& input : options.inputs) {
    if (!std::filesystem::is_directory(input + "/cells")) {
      throw_bad_input(input, "not a run directory (no cells/)",
                      "pass directories written by `lengen sweep`");
    }
    RunDirectory shard(input);
    for (const auto& key : shard.cell_keys()) {
      const std::string record = shard.read_cell(key);
      cell_from_json(record, shard.file("cells/" + key + ".json"));  // validate before copying
      if (!out.has_cell(key)) {
        out.write_cell(key, record);
        ++copied;
      }
    }
    if (std::filesystem::exists(shard.file("run.json")) &&
        !std::filesystem::exists(out.file("run.json"))) {
      out.write("run.json", read_text_file(shard.file("run.json")));
    }
  }
  for (const auto& key : out.cell_keys()) {
    cells.push_back(cell_from_json(out.read_cell(key), out.file("cells/" + key + ".json")));
  }
  write_sweep_tables(out.path(), cells);
  fmt::print("{}", render_markdown_summary(cells));
  fmt::print(stderr, "merged {} new cell(s) from {} director(ies); {} cells in {}\n", copied,
             options.inputs.size(), cells.size(), options.out);
}

}  // namespace

void add_merge_command(CLI::App& app) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* command = app.add_subcommand("merge", "Join shard run directories into one");
  command->add_option("inputs", options->inputs, "run directories to merge")->required();
  command->add_option("-o,--out", options->out, "merged run directory")->required();
  command->callback([options] { run_merge(*options); });
}

}  // namespace lengen
