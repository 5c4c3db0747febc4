// `lengen tasks`: long-text task scores (passkey, needle-in-a-haystack, cloze,
// benchmark files) over models x tasks x lengths x depths, with the sweep's
// conventions (models, lengths, --shard, resume, run directory, TOML config).
// Tasks are built by evals/task_registry.h; the engine is core/tasks.h.
// Prints the Markdown summary on stdout.
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "commands/commands.h"
#include "commands/common.h"
#include "commands/compute_options.h"
#include "core/data/tokenizer.h"
#include "core/run/cell_plan.h"
#include "core/run/tasks.h"
#include "evals/task_registry.h"

namespace lengen {

namespace {

struct TasksOptions {
  TasksSpec spec;
  std::vector<std::string> tasks = {"passkey", "niah"};
  evals::TaskSettings settings{"", 4};  // the haystack is required by built-in tasks
  std::string tokenizer = kDefaultTokenizer;
  std::string shard = "1/1";
  std::string forward = "auto";
  int threads = 0;
  ComputeOptions compute;
};

void run_tasks_command(CLI::App& command, TasksOptions& options) {
  TasksSpec& spec = options.spec;
  spec.threads = apply_threads(options.threads);
  spec.shard = parse_shard(options.shard);
  spec.compute = apply_compute(options.compute);
  spec.forward = options.forward == "full" ? ForwardPolicy::kFull : ForwardPolicy::kAuto;
  spec.effective_config = command.config_to_str(/*default_also=*/true, /*write_description=*/false);
  const Tokenizer tokenizer(options.tokenizer);
  const evals::TaskSet tasks(options.tasks, options.settings, tokenizer);
  if (!spec.quiet) {
    fmt::print(
        stderr,
        "lengen tasks: {} model(s) x {} task(s) x {} length(s) x {} depth(s); {} samples per cell, "
        "{} candidates; budget {} tokens per cell; {} threads; {} {}; shard {}; out {}\n",
        spec.models.size(), options.tasks.size(), spec.lengths.size(), spec.depths.size(),
        spec.samples, options.settings.candidates,
        spec.max_tokens > 0 ? std::to_string(spec.max_tokens) : "unlimited", spec.threads,
        spec.compute.device, to_string(spec.compute.dtype), options.shard, spec.out_dir);
  }
  TasksOutcome outcome = run_tasks(spec, tasks.generators(), tokenizer);
  fmt::print("{}", render_tasks_markdown(outcome.cells));
  fmt::print(stderr,
             "\n{} cell(s) computed, {} resumed, {} failed (recorded as oom/error); results in "
             "{}/tasks.csv\n",
             outcome.computed, outcome.resumed, outcome.failed, spec.out_dir);
}

}  // namespace

namespace {

// What is measured: models, tasks, lengths, depths, samples and their text.
void add_selection_options(CLI::App& command, TasksOptions& options) {
  TasksSpec& spec = options.spec;
  command.add_option("-m,--models", spec.models, "TorchScript models")->required();
  command
      .add_option("-t,--tasks", options.tasks,
                  "passkey, niah, niah-multikey, cloze, longbench:FILE.jsonl, choice:FILE.jsonl")
      ->capture_default_str();
  command.add_option("-l,--lengths", spec.lengths, "sequence lengths T (prompt + answer)")
      ->delimiter(',')
      ->capture_default_str();
  command.add_option("-d,--depths", spec.depths, "needle depths in percent of the haystack")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  command
      .add_option("-n,--samples", spec.samples, "samples per cell (files: at most their records)")
      ->check(positive())
      ->capture_default_str();
  command
      .add_option("--candidates", options.settings.candidates,
                  "N of the ranking scorer for built-in tasks (gold + N-1 distractors)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command.add_option("--haystack", options.settings.haystack,
                     "token cache of held-out real text, required by the built-in tasks "
                     "(e.g. build/data/caches/austen.tok after `make demo`)");
  command
      .add_option("--tokenizer", options.tokenizer,
                  "sentencepiece model of the models and haystack")
      ->capture_default_str();
  command.add_option("--seed", spec.seed, "seed of every generated sample")->capture_default_str();
}

// How much is computed per cell: the forward budget and decoding.
void add_budget_options(CLI::App& command, TasksOptions& options) {
  TasksSpec& spec = options.spec;
  command
      .add_option("--max-tokens", spec.max_tokens,
                  "per-cell budget of forward tokens, sequences x length (0 = none); caps the "
                  "samples; a ranked sample over it forwards the gold answer only")
      ->check(non_negative())
      ->capture_default_str();
  command
      .add_option(
          "--decode-tokens", spec.decode_tokens,
          "real greedy decoding of up to K tokens for substring match and token F1 (0 = off)")
      ->check(non_negative())
      ->capture_default_str();
  command
      .add_option("--decode-max-length", spec.decode_max_length,
                  "full path only: decode in cells with T up to this (each token is one full "
                  "forward); models with forward_cached decode at every length")
      ->check(non_negative())
      ->capture_default_str();
  command
      .add_option("--forward", options.forward,
                  "auto: forward_cached where the model has it (one prefill per sample), else "
                  "forward; full: forward only")
      ->check(CLI::IsMember({"auto", "full"}))
      ->capture_default_str();
}

}  // namespace

void add_tasks_command(CLI::App& app) {
  auto options = std::make_shared<TasksOptions>();
  TasksSpec& spec = options->spec;
  CLI::App* command = app.add_subcommand(
      "tasks",
      "Long-text task accuracy of models x tasks x lengths x depths (resumable, shardable)");
  add_selection_options(*command, *options);
  add_budget_options(*command, *options);
  command->add_flag("--log-samples", spec.log_samples,
                    "write samples/<cell key>.jsonl with texts and scores");
  command->add_option("-o,--out", spec.out_dir, "run directory (re-use it to resume)")->required();
  command->add_option("--shard", options->shard, "run only shard K of N (K/N)")
      ->capture_default_str();
  command->add_flag("-q,--quiet", spec.quiet, "no progress output");
  add_threads_option(*command, options->threads);
  add_compute_options(*command, options->compute);
  command->callback([command, options] { run_tasks_command(*command, *options); });
}

}  // namespace lengen
