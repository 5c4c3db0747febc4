// Where and in what precision a model runs: the --device and --dtype options,
// their validation against this build and machine, and the device memory
// counters a cell's perf record reports.
//
// Not here: how a model is cast or called (model.cpp). The NLL reduction is in
// float64 whatever the dtype (model.cpp), so --dtype changes only the model's
// own arithmetic.
#pragma once

#include <cstdint>
#include <string>

namespace lengen {

enum class Dtype { kFloat32, kBFloat16, kFloat16 };

// "float32", "bfloat16", "float16".
std::string to_string(Dtype dtype);
// Accepts the names above and the aliases fp32/f32, bf16, fp16/f16/half.
// Throws lengen::Error (bad input) naming the option otherwise.
Dtype parse_dtype(const std::string& text);

// What the user asked for ("auto", "cpu", "cuda", "cuda:N") and what it
// resolved to on this build and machine ("cpu", "cuda:0", ...).
struct ComputeSpec {
  std::string device = "cpu";  // resolved, canonical
  Dtype dtype = Dtype::kFloat32;
  bool is_cuda() const { return device.rfind("cuda", 0) == 0; }
};

// Resolves --device: "auto" picks cuda:0 when this build has CUDA and the
// machine has a GPU, else cpu. "cuda" means cuda:0. Throws lengen::Error
// (bad input, exit 2) when CUDA is asked for and this LibTorch was built
// without it, when the machine has no GPU, or when the index is out of range.
ComputeSpec resolve_compute(const std::string& device, Dtype dtype);

// True when this LibTorch was built with CUDA and a GPU is visible.
bool cuda_available();
// "cpu-only LibTorch 1.13.1" / "CUDA LibTorch 2.11.0, 1 GPU" for `lengen info`.
std::string compute_backends();

// Peak bytes the caching allocator held on `spec`'s device since the last
// reset, in MiB; 0 on CPU (the process's peak RSS covers it there).
double peak_device_memory_mib(const ComputeSpec& spec);
void reset_peak_device_memory(const ComputeSpec& spec);
// Returns cached device blocks to the driver (after an out-of-memory cell).
void release_device_cache(const ComputeSpec& spec);

}  // namespace lengen
