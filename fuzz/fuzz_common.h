// Shared by the fuzz targets: which exceptions count as a clean rejection.
// lengen::Error is the documented way to refuse input; anything else escaping
// (std::out_of_range, nlohmann exceptions, ...) aborts, so the fuzzer reports it.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/util/error.h"

namespace lengen::fuzz {

// The targets: each returns 0 and traps (or lets a non-lengen exception
// escape) on a defect. libfuzzer_main.cpp wraps one as LLVMFuzzerTestOneInput;
// tests/test_fuzz_regressions.cpp replays the committed inputs through all.
int token_cache(const uint8_t* data, size_t size);
int text_source(const uint8_t* data, size_t size);
int toml_config(const uint8_t* data, size_t size);
int cell_record(const uint8_t* data, size_t size);
int baseline(const uint8_t* data, size_t size);
int benchmark_files(const uint8_t* data, size_t size);

template <typename Body>
void expect_clean(Body&& body) {
  try {
    body();
  } catch (const Error&) {
    // rejected with a message: fine
  }
}

// A per-process scratch file for loaders that take a path.
inline std::string scratch_file(const char* suffix, const uint8_t* data, size_t size) {
  const std::string path = "/tmp/lengen-fuzz-" + std::to_string(::getpid()) + suffix;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) __builtin_trap();
  if (size > 0) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

}  // namespace lengen::fuzz
