// Fuzzes the LongBench and multiple-choice JSONL loaders (evals/benchmark_files).
#include "evals/benchmark_files.h"
#include "fuzz/fuzz_common.h"

int lengen::fuzz::benchmark_files(const uint8_t* data, size_t size) {
  const std::string path = lengen::fuzz::scratch_file(".jsonl", data, size);
  lengen::fuzz::expect_clean([&] { (void)lengen::evals::load_longbench_jsonl(path); });
  lengen::fuzz::expect_clean([&] { (void)lengen::evals::load_choice_jsonl(path); });
  return 0;
}
