// lengen's entry point: registers the subcommands and converts every error
// into a message and a documented exit code (README.md, "Exit codes").
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "commands/commands.h"
#include "commands/common.h"
#include "core/util/error.h"
#include "core/util/process_stats.h"
#include "core/util/version.h"

int main(int argc, char** argv) {
  CLI::App app{"lengen: measure how language models generalize to longer inputs"};
  app.set_version_flag("--version", std::string(lengen::kVersion));
  app.require_subcommand(1);
  // Config files are read by the root app (CLI11 only processes them there);
  // each subcommand's options sit under its own [section], e.g. [sweep].
  app.set_config("--config", "", "TOML file with options, one [section] per subcommand");
  app.fallthrough();
  lengen::add_tokenize_command(app);
  lengen::add_info_command(app);
  lengen::add_sweep_command(app);
  lengen::add_merge_command(app);
  lengen::add_compare_command(app);
  lengen::add_baseline_command(app);
  lengen::add_check_command(app);
  lengen::add_tasks_command(app);
  // Ctrl-C and SIGTERM from here on: exit 130 at the next checkpoint, or
  // after at most kInterruptGraceSeconds (process_stats.h).
  lengen::install_interrupt_handler();
  try {
    lengen::check_config_file(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(lengen::ExitCode::kBadInput);
  } catch (const lengen::Error& e) {
    fmt::print(stderr, "{}", e.format());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "lengen: error: {}\n", e.what());
    return static_cast<int>(lengen::ExitCode::kRuntime);
  }
  return 0;
}
