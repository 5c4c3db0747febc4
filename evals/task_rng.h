// Deterministic randomness for task generators: SplitMix64 with exact
// (rejection-sampled) integer ranges, so a seed gives the same samples on every
// platform and standard library (std::uniform_int_distribution does not
// promise that). Seeds derive from the run seed and a label naming the task,
// length and sample index, never from the model or the order cells run in.
#pragma once

#include <cstdint>
#include <string>

#include "core/util/sha256.h"

namespace lengen::evals {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [low, high], both included.
  int64_t uniform(int64_t low, int64_t high) {
    const uint64_t span = static_cast<uint64_t>(high - low) + 1;
    if (span == 0) return static_cast<int64_t>(next());  // the full 64-bit range
    const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t x = next();
    while (x >= limit) x = next();
    return low + static_cast<int64_t>(x % span);
  }

 private:
  uint64_t state_;
};

// A seed for `label` (e.g. "passkey|4096|3") under the run seed.
inline uint64_t derive_seed(uint64_t run_seed, const std::string& label) {
  const std::string digest = sha256_hex(std::to_string(run_seed) + "|" + label);
  return std::stoull(digest.substr(0, 16), nullptr, 16);
}

}  // namespace lengen::evals
