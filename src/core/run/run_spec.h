// What every cell-based run (`lengen sweep`, `lengen tasks`) is given besides
// its own settings: models, lengths, seed, where results go, which shard,
// threads, device/dtype, progress and the options as given. SweepSpec and
// TasksSpec derive from it; RunInfo (cell_engine.h) records it in run.json.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/compute.h"
#include "core/run/cell_plan.h"

namespace lengen {

struct RunSpec {
  std::vector<std::string> models;  // TorchScript files
  std::vector<int64_t> lengths = {512, 1024, 2048, 4096, 8192, 16384, 32768};
  uint64_t seed = 20240229;
  std::string out_dir;
  ShardSpec shard;
  bool quiet = false;
  int threads = 1;               // resolved thread count (recorded in run.json)
  ComputeSpec compute;           // --device (resolved) and --dtype
  std::string effective_config;  // the options as given, for run.json
};

// The parts of a cell key that every run kind adds to its own: the dtype,
// only when it is not float32, so keys written before --dtype stay as they
// were (resume, merge, baselines). The device is not part of the result.
std::vector<std::string> run_key_parts(const RunSpec& spec);

}  // namespace lengen
