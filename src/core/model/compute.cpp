#include "core/model/compute.h"

#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cctype>

#include "core/util/error.h"
#include "core/util/utf8.h"

#ifdef LENGEN_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace lengen {

namespace {

// Whether this LibTorch has CUDA kernels registered (libtorch_cuda linked and
// loaded): a run-time question, so it needs no CUDA headers at build time.
bool build_has_cuda() { return at::hasCUDA(); }

// "cuda" -> 0, "cuda:3" -> 3; -1 when `text` is not a CUDA device name.
int cuda_index(const std::string& text) {
  if (text == "cuda") return 0;
  if (text.rfind("cuda:", 0) != 0 || text.size() == 5) return -1;
  int index = 0;
  for (size_t i = 5; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) || i > 8) return -1;
    index = index * 10 + (text[i] - '0');
  }
  return index;
}

[[maybe_unused]] int device_index(const ComputeSpec& spec) {
  return spec.is_cuda() ? std::max(0, cuda_index(spec.device)) : -1;
}

}  // namespace

std::string to_string(Dtype dtype) {
  switch (dtype) {
    case Dtype::kFloat32:
      return "float32";
    case Dtype::kBFloat16:
      return "bfloat16";
    case Dtype::kFloat16:
      return "float16";
  }
  return "float32";
}

Dtype parse_dtype(const std::string& text) {
  const std::string name = lower_ascii(text);
  if (name == "float32" || name == "fp32" || name == "f32") return Dtype::kFloat32;
  if (name == "bfloat16" || name == "bf16") return Dtype::kBFloat16;
  if (name == "float16" || name == "fp16" || name == "f16" || name == "half") {
    return Dtype::kFloat16;
  }
  throw_bad_input("--dtype", "unknown dtype '" + text + "'", "use float32, bfloat16 or float16");
}

bool cuda_available() { return build_has_cuda() && torch::cuda::is_available(); }

std::string compute_backends() {
  if (!build_has_cuda()) return std::string("cpu-only LibTorch ") + TORCH_VERSION;
  const auto gpus = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
  return std::string("CUDA LibTorch ") + TORCH_VERSION + ", " + std::to_string(gpus) + " GPU" +
         (gpus == 1 ? "" : "s");
}

ComputeSpec resolve_compute(const std::string& device, Dtype dtype) {
  ComputeSpec spec;
  spec.dtype = dtype;
  const std::string name = lower_ascii(device);
  if (name == "auto") {
    spec.device = cuda_available() ? "cuda:0" : "cpu";
    return spec;
  }
  if (name == "cpu") return spec;
  const int index = cuda_index(name);
  if (index < 0) {
    throw_bad_input("--device", "unknown device '" + device + "'", "use auto, cpu, cuda or cuda:N");
  }
  if (!build_has_cuda()) {
    throw_bad_input("--device",
                    "this lengen was built against a CPU-only LibTorch " +
                        std::string(TORCH_VERSION) + "; it cannot use '" + device + "'",
                    "use --device cpu, or rebuild against a CUDA LibTorch (README.md, 'Building')");
  }
  const auto gpus = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
  if (gpus == 0) {
    throw_bad_input("--device", "no CUDA GPU is visible on this machine",
                    "use --device cpu (or auto), or check the driver and CUDA_VISIBLE_DEVICES");
  }
  if (static_cast<size_t>(index) >= static_cast<size_t>(gpus)) {
    throw_bad_input("--device",
                    "'" + device + "' asked for, but this machine has " + std::to_string(gpus) +
                        " GPU" + (gpus == 1 ? "" : "s"),
                    "use cuda:0 .. cuda:" + std::to_string(gpus - 1));
  }
  spec.device = "cuda:" + std::to_string(index);
  return spec;
}

double peak_device_memory_mib(const ComputeSpec& spec) {
#ifdef LENGEN_WITH_CUDA
  if (spec.is_cuda()) {
    // reserved_bytes[0] is the aggregate over pool kinds: what the allocator held.
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device_index(spec));
    return static_cast<double>(stats.reserved_bytes[0].peak) / (1024.0 * 1024.0);
  }
#endif
  (void)spec;
  return 0.0;
}

void reset_peak_device_memory(const ComputeSpec& spec) {
#ifdef LENGEN_WITH_CUDA
  if (spec.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device_index(spec));
#endif
  (void)spec;
}

void release_device_cache(const ComputeSpec& spec) {
#ifdef LENGEN_WITH_CUDA
  if (spec.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  (void)spec;
}

}  // namespace lengen
