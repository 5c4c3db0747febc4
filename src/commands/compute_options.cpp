#include "commands/compute_options.h"

#include <CLI/CLI.hpp>

namespace lengen {

void add_compute_options(CLI::App& command, ComputeOptions& options) {
  // The default stays cpu (not auto) so that a run's numbers do not depend on
  // whether the machine happens to have a GPU.
  command
      .add_option("--device", options.device,
                  "where the model runs: auto (cuda:0 when available), cpu, cuda, cuda:N")
      ->capture_default_str();
  command
      .add_option("--dtype", options.dtype,
                  "model arithmetic: float32, bfloat16 or float16 (NLL sums stay float64)")
      ->capture_default_str();
}

ComputeSpec apply_compute(const ComputeOptions& options) {
  return resolve_compute(options.device, parse_dtype(options.dtype));
}

}  // namespace lengen
