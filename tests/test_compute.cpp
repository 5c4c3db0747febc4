// --device and --dtype (core/model/compute.h, Model's cast): option parsing,
// the errors for devices this build or machine lacks, and the bfloat16 path
// against the float32 path on every shipped model.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/data/tokenizer.h"
#include "core/model/compute.h"
#include "core/model/model.h"
#include "core/util/error.h"
#include "sweep_fixture.h"
#include "test_helpers.h"

using namespace lengen;

TEST_CASE("dtype names and aliases parse; unknown ones are bad input", "[compute]") {
  CHECK(parse_dtype("float32") == Dtype::kFloat32);
  CHECK(parse_dtype("FP32") == Dtype::kFloat32);
  CHECK(parse_dtype("bf16") == Dtype::kBFloat16);
  CHECK(parse_dtype("bfloat16") == Dtype::kBFloat16);
  CHECK(parse_dtype("half") == Dtype::kFloat16);
  CHECK(to_string(Dtype::kBFloat16) == "bfloat16");
  try {
    parse_dtype("int8");
    FAIL("int8 accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK(e.subject() == "--dtype");
  }
}

TEST_CASE("devices resolve; CUDA without a GPU is bad input naming the cause", "[compute]") {
  CHECK(resolve_compute("cpu", Dtype::kFloat32).device == "cpu");
  CHECK(resolve_compute("CPU", Dtype::kBFloat16).dtype == Dtype::kBFloat16);
  CHECK_THROWS_AS(resolve_compute("tpu", Dtype::kFloat32), Error);
  CHECK_THROWS_AS(resolve_compute("cuda:", Dtype::kFloat32), Error);
  if (cuda_available()) {
    CHECK(resolve_compute("auto", Dtype::kFloat32).device == "cuda:0");
    CHECK(resolve_compute("cuda", Dtype::kFloat32).device == "cuda:0");
    CHECK_THROWS_AS(resolve_compute("cuda:99", Dtype::kFloat32), Error);
    return;
  }
  CHECK(resolve_compute("auto", Dtype::kFloat32).device == "cpu");
  for (const char* device : {"cuda", "cuda:0", "cuda:1"}) {
    try {
      resolve_compute(device, Dtype::kFloat32);
      FAIL(std::string(device) + " accepted without a GPU");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::kBadInput);
      const bool names_cause = e.message().find("CPU-only") != std::string::npos ||
                               e.message().find("no CUDA GPU") != std::string::npos;
      CHECK(names_cause);
    }
  }
}

TEST_CASE("lengen sweep --device cuda on this machine exits 2 with the cause", "[compute][cli]") {
  if (cuda_available()) return;  // the error case needs a machine without CUDA
  testing::ScratchDir dir("device");
  const auto result =
      testing::run_lengen("sweep -m zoo/models/alibi.pt -c " + testing::fixture_cache() +
                          " -l 64 --device cuda -o " + dir.file("run"));
  CHECK(result.exit_code == 2);
  CHECK(result.output.find("--device") != std::string::npos);
  CHECK(result.output.find("terminate called") == std::string::npos);
}

namespace {

// 2 x 512 ids of real text (the fixture corpus through the shipped tokenizer).
std::vector<int64_t> text_windows() {
  Tokenizer tokenizer(testing::tokenizer_path());
  const std::string text =
      testing::read_file(testing::source_path("tests/data/corpus/austen_pride_prejudice_ch1.txt"));
  std::vector<int64_t> ids;
  for (int32_t id : tokenizer.encode(text)) ids.push_back(id);
  REQUIRE(ids.size() >= 1024);
  ids.resize(1024);
  return ids;
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace

// bfloat16 keeps 8 significand bits (relative rounding 2^-9 per operation), so
// single logits move by ~0.1; over 1022 targets those errors are unbiased and
// average out, and the mean NLL of the shipped models moves by < 0.05%
// (measured; `make bench` prints it per model). 1% is the bound the issue sets
// for users: a model whose bf16 mean NLL moves more is not usable in bf16.
TEST_CASE("bfloat16 mean NLL is within 1% of float32 on every shipped model", "[compute][model]") {
  const std::vector<int64_t> ids = text_windows();
  int models = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::source_path("zoo/models"))) {
    if (entry.path().extension() != ".pt") continue;
    const std::string path = entry.path().string();
    INFO(path);
    Model fp32(path);
    Model bf16(path, ComputeSpec{"cpu", Dtype::kBFloat16});
    CHECK(bf16.label() == fp32.metadata().name + "@bfloat16");
    fp32.set_eval_length(512);
    bf16.set_eval_length(512);
    std::vector<double> a, b;
    fp32.next_token_nll(ids, /*batch=*/2, /*length=*/512, a);
    bf16.next_token_nll(ids, /*batch=*/2, /*length=*/512, b);
    REQUIRE(a.size() == b.size());
    double max_diff = 0;
    for (size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, std::fabs(a[i] - b[i]));
    CHECK(max_diff > 0);  // the cast happened: bf16 arithmetic is not float32's
    const double relative = std::fabs(mean(b) - mean(a)) / mean(a);
    CHECK(relative < 0.01);
    ++models;
  }
  CHECK(models >= 8);
}

TEST_CASE("a bfloat16 sweep files its cells apart from float32 and records the dtype",
          "[compute][cli][model]") {
  testing::ScratchDir dir("dtype");
  const std::string base = "sweep -q -m zoo/models/alibi.pt -c " + testing::fixture_cache() +
                           " -l 128 --max-tokens 512 --threads 1 -o " + dir.file("run");
  REQUIRE(testing::run_lengen(base).exit_code == 0);
  const auto bf16 = testing::run_lengen(base + " --dtype bf16");
  REQUIRE(bf16.exit_code == 0);
  CHECK(bf16.output.find("1 cell(s) computed, 0 resumed") != std::string::npos);
  // The tables hold this run's plan: the bfloat16 cell under its own name.
  CHECK(testing::read_file(dir.file("run/ppl.csv")).find("\nalibi@bfloat16,") != std::string::npos);
  CHECK(testing::read_file(dir.file("run/perf.csv")).find(",cpu,bfloat16,") != std::string::npos);
  // float32 again resumes its own cell rather than the bfloat16 one.
  const auto again = testing::run_lengen(base);
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("0 cell(s) computed, 1 resumed") != std::string::npos);
  CHECK(testing::read_file(dir.file("run/ppl.csv")).find("\nalibi,") != std::string::npos);
  CHECK(testing::read_file(dir.file("run/perf.csv")).find(",cpu,float32,") != std::string::npos);
  int cells = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("run/cells"))) {
    const auto j = nlohmann::json::parse(testing::read_file(entry.path().string()));
    CHECK((j.at("dtype") == "float32" || j.at("dtype") == "bfloat16"));
    ++cells;
  }
  CHECK(cells == 2);
}

TEST_CASE("float16 on a CPU without half kernels is refused at load, naming the fix",
          "[compute][model]") {
  if (cuda_available()) return;
  try {
    Model model(testing::source_path("zoo/models/alibi.pt"), ComputeSpec{"cpu", Dtype::kFloat16});
    // A LibTorch with CPU half kernels may run it: then it must score finitely.
    std::vector<double> nll;
    std::vector<int64_t> ids(64, 5);
    model.next_token_nll(ids, 1, 64, nll);
    for (double v : nll) CHECK(std::isfinite(v));
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK(e.message().find("float16") != std::string::npos);
    CHECK(e.hint().find("bfloat16") != std::string::npos);
  }
}

// Runs only where this build has CUDA and a GPU (bench/device_check.sh); on a
// CPU-only machine there is nothing to compare and the case says so.
TEST_CASE("on a GPU, float32 NLLs equal the CPU's and bfloat16 stays within 1%",
          "[compute][model][cuda]") {
  if (!cuda_available()) {
    WARN("no CUDA device: the GPU path is checked by bench/device_check.sh on a GPU machine");
    return;
  }
  const std::vector<int64_t> ids = text_windows();
  for (const char* name : {"alibi.pt", "fire.pt", "rope-yarn.pt", "t5.pt"}) {
    const std::string path = testing::source_path(std::string("zoo/models/") + name);
    INFO(path);
    Model cpu(path);
    Model gpu(path, resolve_compute("cuda", Dtype::kFloat32));
    Model gpu_bf16(path, resolve_compute("cuda", Dtype::kBFloat16));
    std::vector<double> a, b, c;
    for (Model* m : {&cpu, &gpu, &gpu_bf16}) m->set_eval_length(512);
    cpu.next_token_nll(ids, 2, 512, a);
    gpu.next_token_nll(ids, 2, 512, b);
    gpu_bf16.next_token_nll(ids, 2, 512, c);
    double max_diff = 0;
    for (size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, std::fabs(a[i] - b[i]));
    // float32 on two devices: different kernels and summation orders (TF32 is
    // off by default for matmuls in LibTorch), so per-token values agree to ~1e-4.
    CHECK(max_diff < 1e-3);
    CHECK(std::fabs(mean(a) - mean(b)) / mean(a) < 1e-5);
    CHECK(std::fabs(mean(c) - mean(a)) / mean(a) < 0.01);
    CHECK(peak_device_memory_mib(gpu.compute()) > 0);
  }
}
