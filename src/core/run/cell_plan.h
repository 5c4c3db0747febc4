// Shared machinery of cell-based runs (sweep, tasks): content-derived cell
// keys (resume), deterministic sharding (--shard K/N) and the seed of a cell.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lengen {

// --shard K/N: this process runs cells whose plan index i has i % N == K - 1.
struct ShardSpec {
  int index = 1;  // K, 1-based
  int count = 1;  // N
  bool selects(size_t plan_index) const {
    return static_cast<int>(plan_index % static_cast<size_t>(count)) == index - 1;
  }
};
// Throws lengen::Error (bad input) unless `text` is "K/N" with 1 <= K <= N.
ShardSpec parse_shard(const std::string& text);

// A 16-hex-digit key from everything that determines a cell's result. Change
// kResultVersion when the scoring itself changes, so old records are not reused.
std::string cell_key(const std::vector<std::string>& parts);
// v2: nested segments and block scores (README "Protocols").
constexpr const char* kResultVersion = "lengen-cell-v2";

// A per-cell seed derived from the run seed and the cell key.
uint64_t cell_seed(uint64_t run_seed, const std::string& key);

}  // namespace lengen
