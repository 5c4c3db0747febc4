// lengen_bench: lengen's cell evaluation against a bare TorchScript forward
// loop over the same windows, timed side by side and interleaved (A B A B ...)
// because these machines are noisy; reports the overhead as a ratio. Also dumps
// the windows so bench/ppl_reference.py can time a plain PyTorch script on
// exactly the same input.
#include <fmt/core.h>
#include <torch/script.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>

#include "core/data/token_cache.h"
#include "core/model/model.h"
#include "core/perplexity/evaluator.h"
#include "core/perplexity/protocol.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lengen_bench: lengen vs a bare forward loop on the same windows"};
  std::string model_path, cache_path, dump;
  int64_t length = 1024, max_tokens = 16384, batch_tokens = 16384;
  int repeats = 3, threads = 2;
  app.add_option("--model", model_path)->required();
  app.add_option("--cache", cache_path)->required();
  app.add_option("--length", length)->capture_default_str();
  app.add_option("--max-tokens", max_tokens)->capture_default_str();
  app.add_option("--batch-tokens", batch_tokens)->capture_default_str();
  app.add_option("--repeats", repeats)->capture_default_str();
  app.add_option("--threads", threads)->capture_default_str();
  app.add_option("--dump-windows", dump, "write the windows as int64 [N, T] raw + .shape");
  CLI11_PARSE(app, argc, argv);

  lengen::set_compute_threads(threads);
  lengen::TokenCache cache(cache_path);
  const lengen::WindowPlan plan =
      lengen::plan_windows(cache, lengen::ProtocolSpec{}, length, max_tokens);
  const auto n = static_cast<int64_t>(plan.windows.size());
  const int64_t per_batch = std::max<int64_t>(1, batch_tokens / length);
  std::vector<int64_t> all_tokens(static_cast<size_t>(n * length));
  for (int64_t i = 0; i < n; ++i) {
    const auto& w = plan.windows[static_cast<size_t>(i)];
    cache.copy_tokens(w.doc, w.begin, length, all_tokens.data() + i * length);
  }
  if (!dump.empty()) {
    std::ofstream(dump, std::ios::binary)
        .write(reinterpret_cast<const char*>(all_tokens.data()),
               static_cast<std::streamsize>(all_tokens.size() * sizeof(int64_t)));
    std::ofstream(dump + ".shape") << n << " " << length << "\n";
  }

  lengen::Model model(model_path);
  model.set_eval_length(length);
  torch::jit::Module bare = torch::jit::load(model_path);
  bare.to(torch::kFloat32);
  bare.eval();

  auto run_lengen = [&] {
    const auto start = std::chrono::steady_clock::now();
    lengen::EvalOptions options;
    options.batch_tokens = batch_tokens;
    const auto scores = lengen::score_windows(model, cache, plan.windows, options);
    const double s = seconds_since(start);
    double nll = 0;
    int64_t targets = 0;
    for (const auto& w : scores.blocks) {
      nll += w.nll_sum;
      targets += w.targets;
    }
    return std::make_pair(s, nll / static_cast<double>(targets));
  };
  auto run_bare = [&] {
    c10::InferenceMode guard;
    if (bare.find_method("set_eval_length")) bare.get_method("set_eval_length")({length});
    const auto start = std::chrono::steady_clock::now();
    for (int64_t first = 0; first < n; first += per_batch) {
      const int64_t count = std::min(per_batch, n - first);
      at::Tensor input =
          torch::from_blob(all_tokens.data() + first * length, {count, length}, torch::kInt64);
      at::Tensor logits = bare.forward({input}).toTensor();
      (void)logits;
    }
    return seconds_since(start);
  };

  run_bare();  // warm-up (allocator, OpenMP pool)
  double lengen_best = 1e30, bare_best = 1e30, lengen_sum = 0, bare_sum = 0, mean_nll = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto [s, nll] = run_lengen();
    const double b = run_bare();
    lengen_best = std::min(lengen_best, s);
    bare_best = std::min(bare_best, b);
    lengen_sum += s;
    bare_sum += b;
    mean_nll = nll;
  }
  const double tokens = static_cast<double>(n * length);
  fmt::print("model={} T={} windows={} tokens={} threads={} repeats={}\n", model.metadata().name,
             length, n, n * length, threads, repeats);
  fmt::print("  lengen cell   best {:.3f} s  mean {:.3f} s  ({:.0f} tok/s)  mean NLL {:.6f}\n",
             lengen_best, lengen_sum / repeats, tokens / lengen_best, mean_nll);
  fmt::print("  bare forward  best {:.3f} s  mean {:.3f} s  ({:.0f} tok/s)\n", bare_best,
             bare_sum / repeats, tokens / bare_best);
  fmt::print("  overhead (lengen / bare - 1): best {:+.1f}%  mean {:+.1f}%\n",
             100 * (lengen_best / bare_best - 1), 100 * (lengen_sum / bare_sum - 1));
  return 0;
}
