// `lengen sweep`: zero-shot perplexity over models x corpora x protocols x
// lengths. Options come from flags or a TOML file (--config); the engine is
// core/sweep.h. Prints the Markdown summary on stdout.
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "commands/commands.h"
#include "commands/common.h"
#include "commands/compute_options.h"
#include "core/run/cell_plan.h"
#include "core/run/sweep.h"

namespace lengen {

namespace {

struct SweepOptions {
  SweepSpec spec;
  std::string shard = "1/1";
  int threads = 0;
  ComputeOptions compute;
};

void run_sweep_command(CLI::App& command, SweepOptions& options) {
  options.spec.threads = apply_threads(options.threads);
  options.spec.shard = parse_shard(options.shard);
  options.spec.compute = apply_compute(options.compute);
  options.spec.effective_config =
      command.config_to_str(/*default_also=*/true, /*write_description=*/false);
  const SweepSpec& spec = options.spec;
  if (!spec.quiet) {
    fmt::print(stderr,
               "lengen sweep: {} model(s) x {} corpus/corpora x {} protocol(s) x {} length(s); "
               "budget {} tokens per cell; {} threads; {} {}; shard {}; out {}\n",
               spec.models.size(), spec.corpora.size(), spec.protocols.size(), spec.lengths.size(),
               spec.max_tokens > 0 ? std::to_string(spec.max_tokens) : "unlimited", spec.threads,
               spec.compute.device, to_string(spec.compute.dtype), options.shard, spec.out_dir);
  }
  SweepOutcome outcome = run_sweep(spec);
  fmt::print("{}", render_markdown_summary(outcome.cells));
  fmt::print(stderr,
             "\n{} cell(s) computed, {} resumed, {} failed (recorded as oom/error); results in "
             "{}/ppl.csv\n",
             outcome.computed, outcome.resumed, outcome.failed, spec.out_dir);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto options = std::make_shared<SweepOptions>();
  SweepSpec& spec = options->spec;
  CLI::App* command = app.add_subcommand(
      "sweep", "Perplexity of models x corpora x protocols x lengths (resumable, shardable)");
  command->add_option("-m,--models", spec.models, "TorchScript models")->required();
  command->add_option("-c,--corpora", spec.corpora, "token caches made by `lengen tokenize`")
      ->required();
  command->add_option("-l,--lengths", spec.lengths, "sequence lengths T")
      ->delimiter(',')
      ->capture_default_str();
  command->add_option("-p,--protocols", spec.protocols, "chunks, sliding and/or tail")
      ->check(CLI::IsMember({"chunks", "sliding", "tail"}))
      ->capture_default_str();
  command
      ->add_option("--stride", spec.stride,
                   "sliding: window stride S (0 = T/2; more than the shortest length is an error)")
      ->check(non_negative())
      ->capture_default_str();
  command
      ->add_option("--segment-tokens", spec.segment_tokens,
                   "L of the segments every protocol samples, the same at every length (0 = per "
                   "corpus, the largest length one of its documents holds)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      ->add_option("--remainder", spec.remainder,
                   "chunks/sliding: `align` adds a final window right-aligned to each segment's "
                   "and document's end so every token is scored; `drop` leaves the remainder")
      ->check(CLI::IsMember({"drop", "align"}))
      ->capture_default_str();
  command->add_option("--tail-tokens", spec.tail_tokens, "tail: final K tokens scored per segment")
      ->check(positive())
      ->capture_default_str();
  command
      ->add_option("--max-tokens", spec.max_tokens,
                   "per-cell budget in segment tokens: floor(N/L) segments spread over the corpus, "
                   "the same at every length (0 = all)")
      ->check(non_negative())
      ->capture_default_str();
  command->add_option("--batch-tokens", spec.batch_tokens, "tokens per forward for short windows")
      ->check(positive())
      ->capture_default_str();
  command->add_option("--seed", spec.seed, "seed of the bootstrap intervals")
      ->capture_default_str();
  command->add_option("-o,--out", spec.out_dir, "run directory (re-use it to resume)")->required();
  command->add_option("--shard", options->shard, "run only shard K of N (K/N)")
      ->capture_default_str();
  command->add_flag("-q,--quiet", spec.quiet, "no progress output");
  add_threads_option(*command, options->threads);
  add_compute_options(*command, options->compute);
  command->callback([command, options] { run_sweep_command(*command, *options); });
}

}  // namespace lengen
