// lengen_bench_tasks: what a `lengen tasks` cell costs relative to a sweep over
// the same number of prompt tokens, on both forward paths, measured side by
// side and interleaved (sweep, cached cell, full cell, sweep, ...) because
// these machines are noisy. Reports ratios; absolute seconds are context only.
// The cell time is the engine's own per-cell clock (samples, prefill,
// candidates, decoding, the agreement check), as written to tasks_perf.csv.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/data/token_cache.h"
#include "core/data/tokenizer.h"
#include "core/model/model.h"
#include "core/perplexity/evaluator.h"
#include "core/perplexity/protocol.h"
#include "core/run/tasks.h"
#include "evals/task_registry.h"

namespace {

struct Settings {
  std::string model, haystack, tokenizer = "data/tokenizer/lengen-4096.model";
  int64_t length = 2048, samples = 8, candidates = 4, decode_tokens = 16;
  int repeats = 2, threads = 2;
  bool full = true;  // also time the full-forward path
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A sweep cell over `samples` windows of T tokens (chunks, batched as the sweep does).
double time_sweep(lengen::Model& model, const lengen::TokenCache& cache, const Settings& s) {
  const lengen::WindowPlan plan =
      lengen::plan_windows(cache, lengen::ProtocolSpec{}, s.length, s.samples * s.length);
  model.set_eval_length(s.length);
  const auto start = std::chrono::steady_clock::now();
  lengen::score_windows(model, cache, plan.windows, lengen::EvalOptions{});
  return seconds_since(start);
}

// One passkey cell at depth 50 in a fresh run directory; returns the cell's seconds.
lengen::TaskCell run_cell(const Settings& s, lengen::ForwardPolicy policy,
                          const lengen::evals::TaskSet& tasks, const lengen::Tokenizer& tokenizer,
                          const std::string& out_dir) {
  std::filesystem::remove_all(out_dir);
  lengen::TasksSpec spec;
  spec.models = {s.model};
  spec.lengths = {s.length};
  spec.depths = {50};
  spec.samples = s.samples;
  spec.decode_tokens = s.decode_tokens;
  spec.forward = policy;
  spec.out_dir = out_dir;
  spec.quiet = true;
  spec.threads = s.threads;
  const lengen::TasksOutcome out = lengen::run_tasks(spec, tasks.generators(), tokenizer);
  return out.cells.at(0);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lengen_bench_tasks: a task cell (cached and full path) vs a sweep cell"};
  Settings s;
  std::string scratch = "/tmp/lengen-bench-tasks";
  app.add_option("--model", s.model)->required();
  app.add_option("--haystack", s.haystack)->required();
  app.add_option("--tokenizer", s.tokenizer)->capture_default_str();
  app.add_option("--length", s.length)->capture_default_str();
  app.add_option("--samples", s.samples)->capture_default_str();
  app.add_option("--candidates", s.candidates)->capture_default_str();
  app.add_option("--decode-tokens", s.decode_tokens)->capture_default_str();
  app.add_option("--repeats", s.repeats)->capture_default_str();
  app.add_option("--threads", s.threads)->capture_default_str();
  app.add_option("--full", s.full, "also time the full-forward path (before the cache)")
      ->capture_default_str();
  app.add_option("--scratch", scratch)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  lengen::set_compute_threads(s.threads);
  const lengen::Tokenizer tokenizer(s.tokenizer);
  const lengen::evals::TaskSet tasks({"passkey"}, {s.haystack, s.candidates}, tokenizer);
  const lengen::TokenCache cache(s.haystack);
  lengen::Model model(s.model);
  time_sweep(model, cache, s);  // warm-up (allocator, OpenMP pool)

  double sweep_best = 1e30, cached_best = 1e30, full_best = 1e30;
  lengen::TaskCell cached, full;
  for (int r = 0; r < s.repeats; ++r) {
    sweep_best = std::min(sweep_best, time_sweep(model, cache, s));
    cached = run_cell(s, lengen::ForwardPolicy::kAuto, tasks, tokenizer, scratch + "/cached");
    cached_best = std::min(cached_best, cached.seconds);
    if (s.full) {
      full = run_cell(s, lengen::ForwardPolicy::kFull, tasks, tokenizer, scratch + "/full");
      full_best = std::min(full_best, full.seconds);
    }
  }
  std::filesystem::remove_all(scratch);
  fmt::print(
      "model={} passkey T={} samples={} candidates={} decode_tokens={} threads={} "
      "repeats={}\n",
      model.metadata().name, s.length, s.samples, s.candidates, s.decode_tokens, s.threads,
      s.repeats);
  fmt::print("  sweep cell ({} windows of {})  best {:.3f} s\n", s.samples, s.length, sweep_best);
  fmt::print(
      "  task cell, {} path   best {:.3f} s  (decoded {} of {} samples, peak RSS {:.0f} MiB, "
      "|cached - full| on sample 0: {:.2g})\n",
      cached.forward_path, cached_best, cached.summary.decoded, cached.summary.n,
      cached.peak_rss_mib, cached.cache_check_difference);
  if (s.full) {
    fmt::print(
        "  task cell, full path     best {:.3f} s  (decoded {} of {} samples, peak RSS "
        "{:.0f} MiB)\n",
        full_best, full.summary.decoded, full.summary.n, full.peak_rss_mib);
  }
  fmt::print("  TASKS_RATIO cached/sweep {:.2f}", cached_best / sweep_best);
  if (s.full) fmt::print("  full/sweep {:.2f}", full_best / sweep_best);
  fmt::print("\n");
  return 0;
}
