// Replays every committed fuzz input through its target: the seeds
// (fuzz/corpus/<target>/) and each input that once crashed a target
// (fuzz/regressions/<target>/). A target traps or lets a non-lengen exception
// escape on a defect, so a regression fails this test (or crashes the run).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <map>

#include "core/perplexity/sweep_cell.h"
#include "fuzz/fuzz_common.h"
#include "test_helpers.h"

namespace {
const std::map<std::string, std::function<int(const uint8_t*, size_t)>> kTargets = {
    {"token_cache", lengen::fuzz::token_cache}, {"text_source", lengen::fuzz::text_source},
    {"toml_config", lengen::fuzz::toml_config}, {"cell_record", lengen::fuzz::cell_record},
    {"baseline", lengen::fuzz::baseline},       {"benchmark_files", lengen::fuzz::benchmark_files},
};

size_t replay(const std::string& folder, const std::function<int(const uint8_t*, size_t)>& run) {
  size_t count = 0;
  if (!std::filesystem::is_directory(folder)) return 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = lengen::testing::read_file(entry.path().string());
    INFO(entry.path().string());
    CHECK(run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) == 0);
    ++count;
  }
  return count;
}
}  // namespace

TEST_CASE("every committed fuzz input is handled cleanly by its target", "[fuzz]") {
  for (const auto& [name, run] : kTargets) {
    INFO(name);
    CHECK(replay(lengen::testing::source_path("fuzz/corpus/" + name), run) > 0);
    replay(lengen::testing::source_path("fuzz/regressions/" + name), run);
  }
  for (const char* suffix : {".jsonl", ".txt"}) {  // the targets' scratch files
    std::filesystem::remove("/tmp/lengen-fuzz-" + std::to_string(::getpid()) + suffix);
  }
}

TEST_CASE("a cell record with more position buckets than an int64 position has is refused",
          "[fuzz]") {
  // Found by fuzz_cell_record: 64 buckets made the positions table shift by 64 (UB).
  const std::string path =
      lengen::testing::source_path("fuzz/regressions/cell_record/64_position_buckets");
  CHECK_THROWS_WITH(lengen::cell_from_json(lengen::testing::read_file(path), path),
                    Catch::Contains("position buckets (at most 63)"));
}

TEST_CASE("integer fields holding a float beyond int64 are refused, not converted", "[fuzz]") {
  // Found by fuzz_cell_record: get<int64_t>() on 3e+33 is undefined behaviour.
  const std::string path =
      lengen::testing::source_path("fuzz/regressions/cell_record/float_out_of_int64_range");
  CHECK_THROWS_WITH(lengen::cell_from_json(lengen::testing::read_file(path), path),
                    Catch::Contains("malformed cell record"));
}
