// Small helpers shared by the subcommand files: the options every compute
// command takes, and the defaults of the shipped assets.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace lengen {

inline const char* kDefaultTokenizer = "data/tokenizer/lengen-4096.model";

// Adds --threads N (default: all cores) to `command`.
void add_threads_option(CLI::App& command, int& threads);
// Applies the thread count to LibTorch and returns it (resolving 0 to all cores).
int apply_threads(int threads);

}  // namespace lengen
