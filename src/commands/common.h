// Small helpers shared by the subcommand files: the options every compute
// command takes, and the defaults of the shipped assets.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace lengen {

inline const char* kDefaultTokenizer = "data/tokenizer/lengen-4096.model";

// Numeric checks whose messages state the bound plainly (CLI11's own print
// "0.000000 to 1797693...").
CLI::Validator non_negative();  // >= 0
CLI::Validator positive();      // >= 1 for integers, > 0 otherwise

// Adds --threads N (default: all cores) to `command`.
void add_threads_option(CLI::App& command, int& threads);
// Validates the TOML file named by --config in `argv` (if any) before CLI11
// reads it: syntax, sections that name a subcommand, keys that name one of its
// options. Throws lengen::Error (bad input) naming FILE:LINE, with a "did you
// mean" hint for a near miss.
void check_config_file(const CLI::App& app, int argc, const char* const* argv);

// Applies the thread count to LibTorch and returns it (resolving 0 to all cores).
int apply_threads(int threads);

}  // namespace lengen
