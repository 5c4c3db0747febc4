#include "commands/common.h"

#include <CLI/CLI.hpp>
#include <thread>

#include "core/model/model.h"

namespace lengen {

void add_threads_option(CLI::App& command, int& threads) {
  threads = 0;
  command.add_option("--threads", threads, "compute threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

int apply_threads(int threads) {
  const int resolved =
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  set_compute_threads(resolved);
  return resolved;
}

}  // namespace lengen
