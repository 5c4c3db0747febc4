// The libFuzzer entry point of one target, chosen at compile time
// (LENGEN_FUZZ_TARGET, set per executable in fuzz/CMakeLists.txt).
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lengen::fuzz::LENGEN_FUZZ_TARGET(data, size);
}
