#include "core/run/cell_plan.h"

#include "core/run/run_spec.h"
#include "core/util/error.h"
#include "core/util/sha256.h"

namespace lengen {

namespace {
// Whole decimal integers only: std::stoi would read "2x" as 2 and "1.9" as 1.
int whole_number(const std::string& digits) {
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("not a whole number");
  }
  return std::stoi(digits);
}
}  // namespace

ShardSpec parse_shard(const std::string& text) {
  ShardSpec shard;
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    shard.index = whole_number(text.substr(0, slash));
    shard.count = whole_number(text.substr(slash + 1));
  } catch (const std::exception&) {
    throw_bad_input("--shard", "expected K/N, got '" + text + "'", "e.g. --shard 2/8");
  }
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw_bad_input("--shard", "need 1 <= K <= N, got '" + text + "'", "e.g. --shard 2/8");
  }
  return shard;
}

std::string cell_key(const std::vector<std::string>& parts) {
  Sha256 hasher;
  hasher.update(kResultVersion);
  for (const auto& part : parts) {
    hasher.update("\x1f");
    hasher.update(part);
  }
  return hasher.hex_digest().substr(0, 16);
}

uint64_t cell_seed(uint64_t run_seed, const std::string& key) {
  return run_seed ^ std::stoull(key.substr(0, 15), nullptr, 16);
}

std::vector<std::string> run_key_parts(const RunSpec& spec) {
  if (spec.compute.dtype == Dtype::kFloat32) return {};
  return {to_string(spec.compute.dtype)};
}

}  // namespace lengen
