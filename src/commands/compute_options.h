// --device and --dtype, shared by every command that runs a model (sweep,
// tasks, info). Resolution and validation live in core/model/compute.h.
#pragma once

#include <string>

#include "core/model/compute.h"

namespace CLI {
class App;
}

namespace lengen {

struct ComputeOptions {
  std::string device = "cpu";
  std::string dtype = "float32";
};

// Adds --device auto|cpu|cuda|cuda:N and --dtype float32|bfloat16|float16.
void add_compute_options(CLI::App& command, ComputeOptions& options);
// Throws lengen::Error (bad input, exit 2) when the device is not usable here.
ComputeSpec apply_compute(const ComputeOptions& options);

}  // namespace lengen
