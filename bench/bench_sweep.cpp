// lengen_bench: side-by-side timings of one sweep cell, interleaved (A B A B
// ...) because these machines are noisy, reported as ratios:
//   default          lengen's cell evaluation against a bare TorchScript forward
//                    loop over the same windows (lengen's overhead); also dumps
//                    the windows so bench/ppl_reference.py can time a plain
//                    PyTorch script on exactly the same input;
//   --versus-dtype D the same cell in float32 and in dtype D (the speed ratio
//                    and the relative difference of the mean NLL).
#include <fmt/core.h>
#include <torch/script.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>

#include "core/data/token_cache.h"
#include "core/model/compute.h"
#include "core/model/model.h"
#include "core/perplexity/evaluator.h"
#include "core/perplexity/protocol.h"

namespace {

struct BenchOptions {
  std::string model_path, cache_path, dump, device = "cpu", versus_dtype;
  int64_t length = 1024, max_tokens = 16384, batch_tokens = 16384;
  int repeats = 3, threads = 2;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The windows of the cell as one [N, T] row-major id buffer.
std::vector<int64_t> window_tokens(const lengen::TokenCache& cache, const lengen::WindowPlan& plan,
                                   int64_t length) {
  std::vector<int64_t> all(plan.windows.size() * static_cast<size_t>(length));
  for (size_t i = 0; i < plan.windows.size(); ++i) {
    const auto& w = plan.windows[i];
    cache.copy_tokens(w.doc, w.begin, length, all.data() + i * static_cast<size_t>(length));
  }
  return all;
}

void dump_windows(const std::string& path, const std::vector<int64_t>& tokens, size_t n,
                  int64_t length) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(tokens.data()),
             static_cast<std::streamsize>(tokens.size() * sizeof(int64_t)));
  std::ofstream(path + ".shape") << n << " " << length << "\n";
}

struct Timing {
  double best = 1e30, sum = 0, mean_nll = 0;
  void add(double seconds) {
    best = std::min(best, seconds);
    sum += seconds;
  }
};

// One lengen cell evaluation: seconds and mean NLL over the targets.
std::pair<double, double> time_cell(lengen::Model& model, const lengen::TokenCache& cache,
                                    const lengen::WindowPlan& plan, int64_t batch_tokens) {
  const auto start = std::chrono::steady_clock::now();
  lengen::EvalOptions options;
  options.batch_tokens = batch_tokens;
  const auto scores = lengen::score_windows(model, cache, plan.windows, options);
  const double seconds = seconds_since(start);
  double nll = 0;
  int64_t targets = 0;
  for (const auto& w : scores.blocks) {
    nll += w.nll_sum;
    targets += w.targets;
  }
  return {seconds, nll / static_cast<double>(targets)};
}

// lengen vs a bare forward loop over the same windows.
void bench_overhead(const BenchOptions& o, const lengen::TokenCache& cache,
                    const lengen::WindowPlan& plan, const std::vector<int64_t>& tokens) {
  const auto n = static_cast<int64_t>(plan.windows.size());
  const int64_t per_batch = std::max<int64_t>(1, o.batch_tokens / o.length);
  lengen::Model model(o.model_path, lengen::resolve_compute(o.device, lengen::Dtype::kFloat32));
  model.set_eval_length(o.length);
  const at::Device device(model.compute().device);
  torch::jit::Module bare = torch::jit::load(o.model_path, device);
  bare.to(torch::kFloat32);
  bare.eval();
  auto run_bare = [&] {
    c10::InferenceMode guard;
    if (bare.find_method("set_eval_length")) bare.get_method("set_eval_length")({o.length});
    const auto start = std::chrono::steady_clock::now();
    for (int64_t first = 0; first < n; first += per_batch) {
      const int64_t count = std::min(per_batch, n - first);
      at::Tensor input = torch::from_blob(const_cast<int64_t*>(tokens.data()) + first * o.length,
                                          {count, o.length}, torch::kInt64)
                             .to(device);
      // Reading one value back waits for the device, as lengen's NLL copy does.
      (void)bare.forward({input}).toTensor()[0][0][0].item<float>();
    }
    return seconds_since(start);
  };
  run_bare();  // warm-up (allocator, OpenMP pool)
  Timing cell, loop;
  for (int r = 0; r < o.repeats; ++r) {
    const auto [s, nll] = time_cell(model, cache, plan, o.batch_tokens);
    cell.add(s);
    cell.mean_nll = nll;
    loop.add(run_bare());
  }
  const double t = static_cast<double>(n * o.length);
  fmt::print("model={} T={} windows={} tokens={} device={} threads={} repeats={}\n",
             model.metadata().name, o.length, n, n * o.length, model.compute().device, o.threads,
             o.repeats);
  fmt::print("  lengen cell   best {:.3f} s  mean {:.3f} s  ({:.0f} tok/s)  mean NLL {:.6f}\n",
             cell.best, cell.sum / o.repeats, t / cell.best, cell.mean_nll);
  fmt::print("  bare forward  best {:.3f} s  mean {:.3f} s  ({:.0f} tok/s)\n", loop.best,
             loop.sum / o.repeats, t / loop.best);
  fmt::print("  overhead (lengen / bare - 1): best {:+.1f}%  mean {:+.1f}%\n",
             100 * (cell.best / loop.best - 1), 100 * (cell.sum / loop.sum - 1));
}

// The same cell in float32 and in `o.versus_dtype`, on `o.device`.
void bench_dtype(const BenchOptions& o, const lengen::TokenCache& cache,
                 const lengen::WindowPlan& plan) {
  using lengen::Dtype;
  lengen::Model base(o.model_path, lengen::resolve_compute(o.device, Dtype::kFloat32));
  lengen::Model other(o.model_path,
                      lengen::resolve_compute(o.device, lengen::parse_dtype(o.versus_dtype)));
  base.set_eval_length(o.length);
  other.set_eval_length(o.length);
  time_cell(other, cache, plan, o.batch_tokens);  // warm-up (oneDNN kernels, allocator)
  Timing a, b;
  for (int r = 0; r < o.repeats; ++r) {
    const auto [sa, nll_a] = time_cell(base, cache, plan, o.batch_tokens);
    const auto [sb, nll_b] = time_cell(other, cache, plan, o.batch_tokens);
    a.add(sa);
    b.add(sb);
    a.mean_nll = nll_a;
    b.mean_nll = nll_b;
  }
  const double t = static_cast<double>(plan.windows.size()) * static_cast<double>(o.length);
  fmt::print("model={} T={} windows={} device={} threads={} repeats={}\n", base.metadata().name,
             o.length, plan.windows.size(), base.compute().device, o.threads, o.repeats);
  fmt::print("  float32   best {:.3f} s ({:.0f} tok/s)  mean NLL {:.6f}\n", a.best, t / a.best,
             a.mean_nll);
  fmt::print("  {:<9} best {:.3f} s ({:.0f} tok/s)  mean NLL {:.6f}\n", o.versus_dtype, b.best,
             t / b.best, b.mean_nll);
  fmt::print("  speed ratio {}/float32: {:.2f}x   mean NLL relative difference: {:+.4f}%\n",
             o.versus_dtype, a.best / b.best, 100 * (b.mean_nll - a.mean_nll) / a.mean_nll);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lengen_bench: side-by-side timings of one sweep cell"};
  BenchOptions o;
  app.add_option("--model", o.model_path)->required();
  app.add_option("--cache", o.cache_path)->required();
  app.add_option("--length", o.length)->capture_default_str();
  app.add_option("--max-tokens", o.max_tokens)->capture_default_str();
  app.add_option("--batch-tokens", o.batch_tokens)->capture_default_str();
  app.add_option("--repeats", o.repeats)->capture_default_str();
  app.add_option("--threads", o.threads)->capture_default_str();
  app.add_option("--device", o.device, "auto, cpu, cuda or cuda:N (both sides run there)");
  app.add_option("--versus-dtype", o.versus_dtype, "time float32 against this dtype instead");
  app.add_option("--dump-windows", o.dump, "write the windows as int64 [N, T] raw + .shape");
  CLI11_PARSE(app, argc, argv);
  try {
    lengen::set_compute_threads(o.threads);
    lengen::TokenCache cache(o.cache_path);
    const lengen::WindowPlan plan =
        lengen::plan_windows(cache, lengen::ProtocolSpec{}, o.length, o.max_tokens);
    const std::vector<int64_t> tokens = window_tokens(cache, plan, o.length);
    if (!o.dump.empty()) dump_windows(o.dump, tokens, plan.windows.size(), o.length);
    if (o.versus_dtype.empty()) {
      bench_overhead(o, cache, plan, tokens);
    } else {
      bench_dtype(o, cache, plan);
    }
  } catch (const lengen::Error& e) {
    fmt::print(stderr, "{}", e.format());
    return static_cast<int>(e.code());
  }
  return 0;
}
