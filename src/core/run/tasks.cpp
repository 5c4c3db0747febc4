#include "core/run/tasks.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/data/tokenizer.h"
#include "core/model/model.h"
#include "core/run/runner.h"
#include "core/tasks/task_scoring.h"
#include "core/util/error.h"
#include "core/util/process_stats.h"

namespace lengen {

namespace {

constexpr double kNoDepth = std::numeric_limits<double>::quiet_NaN();

struct Job {
  size_t model;
  size_t task;
  int64_t length;
  double depth;  // NaN without depth
  int64_t decode_tokens;
  ForwardPath path;
  std::string key;
};

void validate(const TasksSpec& spec, const std::vector<const TaskGenerator*>& tasks) {
  if (spec.models.empty())
    throw_bad_input("--models", "no model given", "pass --models A.pt B.pt ...");
  if (tasks.empty()) throw_bad_input("--tasks", "no task given", "e.g. --tasks passkey niah");
  if (spec.lengths.empty()) throw_bad_input("--lengths", "no length given");
  for (int64_t length : spec.lengths) {
    if (length < 16) throw_bad_input("--lengths", fmt::format("length {} < 16", length));
  }
  for (double depth : spec.depths) {
    if (!(depth >= 0 && depth <= 100)) {
      throw_bad_input("--depths", fmt::format("depth {} is outside [0, 100] (percent)", depth));
    }
  }
  if (spec.depths.empty()) throw_bad_input("--depths", "no depth given", "e.g. --depths 0 50 100");
  if (spec.samples < 1) throw_bad_input("--samples", "must be at least 1");
  if (spec.out_dir.empty()) throw_bad_input("--out", "no run directory given");
}

void check_pairing(const Model& model, const Tokenizer& tokenizer) {
  const std::string& expected = model.metadata().tokenizer_sha256;
  if (!expected.empty() && expected != tokenizer.sha256()) {
    throw_bad_input(model.path(),
                    "model was trained with a different tokenizer (sha256 " +
                        expected.substr(0, 12) + "…) than " + tokenizer.path() + " (" +
                        tokenizer.sha256().substr(0, 12) + "…)",
                    "pass --tokenizer with the model's tokenizer");
  }
  model.require_vocab_at_least(tokenizer.vocab_size(), tokenizer.path());
}

// One line of samples/<key>.jsonl: what the model saw and said, for reading.
std::string sample_log_line(const TaskCell& cell, const TaskSample& sample,
                            const SampleScore& score, const Tokenizer& tokenizer) {
  nlohmann::json j;
  j["model"] = cell.model;
  j["task"] = cell.task;
  j["length"] = cell.length;
  j["depth"] = cell.has_depth() ? nlohmann::json(cell.depth) : nlohmann::json(nullptr);
  j["index"] = score.index;
  j["source"] = sample.source;
  j["prompt_tokens"] = score.prompt_tokens;
  j["needle_position"] = score.needle_position;
  j["question_position"] = score.question_position;
  j["truncated_tokens"] = score.truncated_tokens;
  const size_t tail = std::min<size_t>(sample.prompt.size(), 48);
  j["prompt_end"] = tokenizer.decode(std::vector<int32_t>(
      sample.prompt.end() - static_cast<std::ptrdiff_t>(tail), sample.prompt.end()));
  if (score.needle_position >= 0) {
    const auto begin = sample.prompt.begin() + score.needle_position;
    j["at_needle"] =
        tokenizer.decode(std::vector<int32_t>(begin, std::min(sample.prompt.end(), begin + 24)));
  }
  j["answers"] = sample.answer_texts;
  nlohmann::json candidates = nlohmann::json::array();
  for (size_t i = 0; i < score.candidate_logprobs.size(); ++i) {
    candidates.push_back(
        {{"text", i < sample.candidate_texts.size() ? sample.candidate_texts[i] : ""},
         {"logprob", score.candidate_logprobs[i]},
         {"gold", i == score.gold}});
  }
  j["candidates"] = candidates;
  j["gold_logprob"] = score.gold_logprob;
  j["exact_match"] = score.exact_match;
  if (score.decoded) {
    j["decoded_text"] = score.decoded_text;
    j["substring_match"] = score.substring_match;
    j["token_f1"] = score.token_f1;
  }
  return j.dump() + "\n";
}

// Prompt + the longest continuation: the length every row of the sample's forward has.
int64_t sequence_length(const TaskSample& sample) {
  size_t longest = 0;
  for (const auto& c : sample.candidates) longest = std::max(longest, c.size());
  for (const auto& a : sample.answers) longest = std::max(longest, a.size());
  return static_cast<int64_t>(sample.prompt.size() + longest);
}

// Tokens one sample forwards: every candidate when ranked, else the gold only;
// on the cached path the prompt once plus the continuations after it.
int64_t forward_tokens(const TaskSample& sample, bool ranked, ForwardPath path) {
  const int64_t rows =
      std::max<int64_t>(1, ranked ? static_cast<int64_t>(sample.candidates.size()) : 1);
  if (path == ForwardPath::kFull) return rows * sequence_length(sample);
  const auto prompt = static_cast<int64_t>(sample.prompt.size());
  return prompt + rows * (sequence_length(sample) - prompt);
}

// The cached path must give the plain forward's numbers. Sample 0 of every
// cached cell is also scored on the full path (the gold continuation only:
// one forward of prompt + gold); a disagreement fails the cell and names the
// model instead of recording silently wrong scores. Returns |difference|.
double check_cached_agreement(Model& model, const TaskSample& sample, const SampleScore& cached) {
  ScoringOptions plain_options;
  plain_options.rank = false;
  plain_options.path = ForwardPath::kFull;
  const SampleScore plain = score_sample(model, sample, plain_options);
  const double difference = std::abs(plain.gold_logprob - cached.gold_logprob);
  const auto& gold =
      sample.candidates.empty() ? sample.answers.front() : sample.candidates[sample.gold];
  // float32: rounding differences of ~1e-5 per token; 16-bit floats: ~1e-2
  const double tolerance =
      (model.low_precision() ? 0.05 : 1e-3) * static_cast<double>(std::max<size_t>(1, gold.size()));
  if (!(difference <= tolerance)) {
    throw ModelRunError(
        model.path(),
        fmt::format("model {} ({}): forward_cached disagrees with forward on the first sample: "
                    "gold log-prob {:.6f} cached vs {:.6f} full (|difference| {:.3g} > {:.3g}); "
                    "fix its forward_cached or remove it to use the full path",
                    model.metadata().name, model.path(), cached.gold_logprob, plain.gold_logprob,
                    difference, tolerance),
        false);
  }
  return difference;
}

struct EvaluatedCell {
  TaskCell cell;
  std::string sample_log;
  double forwarded = 0;  // forward tokens spent (tokens/s in the perf record)
};

// Everything one cell is evaluated with, grouped so the cell's functions take
// one argument for their inputs.
struct CellInputs {
  Model& model;
  const TaskGenerator& task;
  const Job& job;
  const TasksSpec& spec;
  const Tokenizer& tokenizer;
  Progress& progress;
};

// Scores the samples of one cell into `out`; the budget decides how many and
// whether they are ranked. Returns false (with the message set) when the task
// cannot fill the cell: the cell is unsupported, not failed.
bool score_samples(const CellInputs& in, EvaluatedCell& out) {
  auto& [model, task, job, spec, tokenizer, progress] = in;
  TaskCell& cell = out.cell;
  TaskSample sample;
  auto make = [&](int64_t index) {
    try {
      sample = task.make_sample(job.length, job.depth, spec.seed, index);
      return true;
    } catch (const TaskUnsupported& e) {
      cell.message = e.message();
      return false;
    }
  };
  if (!make(0)) return false;
  ScoringOptions options;
  options.path = job.path;
  options.decode_tokens = job.decode_tokens;
  options.eos_id = tokenizer.eos_id();
  options.detokenize = [&](const std::vector<int32_t>& ids) { return tokenizer.decode(ids); };
  // The budget counts forward tokens (sequences x their length).
  const auto candidates = static_cast<int64_t>(sample.candidates.size());
  options.rank = candidates >= 2;
  if (options.rank && spec.max_tokens > 0 &&
      forward_tokens(sample, true, job.path) > spec.max_tokens) {
    options.rank = false;
    cell.message =
        fmt::format("not ranked: {} candidates x {} tokens exceed --max-tokens {}; gold only",
                    candidates, sequence_length(sample), spec.max_tokens);
  }
  const int64_t n = task.sample_count(job.length, spec.samples);
  int64_t used = 0;
  model.set_eval_length(job.length);
  for (int64_t i = 0; i < n; ++i) {
    if (interrupted()) {
      throw Error(ExitCode::kInterrupted, "", "interrupted", "re-run the same command to resume");
    }
    if (i > 0 && !make(i)) return false;
    const int64_t cost = forward_tokens(sample, options.rank, job.path);
    if (spec.max_tokens > 0 && i > 0 && used + cost > spec.max_tokens) break;  // at least one
    used += cost;
    SampleScore score = score_sample(model, sample, options);
    if (i == 0 && job.path == ForwardPath::kCached) {
      cell.cache_check_difference = check_cached_agreement(model, sample, score);
    }
    score.index = i;
    if (spec.log_samples) out.sample_log += sample_log_line(cell, sample, score, tokenizer);
    cell.samples.push_back(std::move(score));
    // a decoded token costs a full forward on the full path, one position cached
    const int64_t per_token = job.path == ForwardPath::kFull ? sequence_length(sample) : 1;
    out.forwarded += static_cast<double>(cost + job.decode_tokens * per_token);
    progress.advance(static_cast<double>(job.length));  // progress counts samples x T
  }
  cell.summary = summarize_samples(cell.samples);
  return true;
}

EvaluatedCell evaluate_job(const CellInputs& in) {
  auto& [model, task, job, spec, tokenizer, progress] = in;
  EvaluatedCell out;
  TaskCell& cell = out.cell;
  cell.key = job.key;
  static_cast<ModelIdentity&>(cell) = identify(model);
  cell.task = task.name();
  cell.task_fingerprint = task.fingerprint();
  cell.length = job.length;
  cell.depth = job.depth;
  cell.samples_requested = spec.samples;
  cell.max_tokens = spec.max_tokens;
  cell.decode_tokens = job.decode_tokens;
  cell.seed = spec.seed;
  cell.forward_path = to_string(job.path);
  cell.summary = summarize_samples({});

  const auto& max_length = model.metadata().max_length;
  if (max_length && job.length > *max_length) {
    cell.status = CellStatus::kUnsupported;
    cell.message = fmt::format("T={} exceeds the model's max_length {}", job.length, *max_length);
    return out;
  }
  reset_peak_rss();
  reset_peak_device_memory(model.compute());
  const auto start = std::chrono::steady_clock::now();
  bool supported = true;
  cell.status = run_guarded([&] { supported = score_samples(in, out); }, cell.message);
  if (!supported) {
    cell.status = CellStatus::kUnsupported;
    cell.samples.clear();
    cell.summary = summarize_samples({});
  }
  cell.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cell.tokens_per_second = cell.seconds > 0 ? out.forwarded / cell.seconds : 0;
  cell.peak_rss_mib = peak_rss_mib();
  cell.peak_device_mib = peak_device_memory_mib(model.compute());
  return out;
}

RunInfo run_info(const TasksSpec& spec, const std::vector<std::unique_ptr<Model>>& models,
                 const std::vector<const TaskGenerator*>& tasks, const Tokenizer& tokenizer,
                 const std::string& started) {
  RunInfo info = run_info_of(spec, "tasks", started);
  info.settings_json = nlohmann::json{
      {"lengths", spec.lengths},
      {"depths", spec.depths},
      {"samples", spec.samples},
      {"max_tokens", spec.max_tokens},
      {"decode_tokens", spec.decode_tokens},
      {"decode_max_length", spec.decode_max_length},
      {"forward", spec.forward == ForwardPolicy::kFull ? "full" : "auto"},
      {"seed", spec.seed},
      {"device", spec.compute.device},
      {"dtype", to_string(spec.compute.dtype)},
      {"log_samples",
       spec.log_samples}}.dump();
  for (const auto& m : models) info.models.push_back(m.get());
  nlohmann::json described = nlohmann::json::array();
  for (const auto* t : tasks) {
    described.push_back({{"name", t->name()},
                         {"uses_depth", t->uses_depth()},
                         {"fingerprint", t->fingerprint()},
                         {"description", t->describe()}});
  }
  info.sections.emplace_back("tasks", described.dump());
  info.sections.emplace_back(
      "tokenizer",
      nlohmann::json{{"path", tokenizer.path()}, {"sha256", tokenizer.sha256()}}.dump());
  return info;
}

// The cells of the run in plan order, with their keys, labels and sizes.
std::vector<Job> plan_jobs(const TasksSpec& spec, const std::vector<std::unique_ptr<Model>>& models,
                           const std::vector<const TaskGenerator*>& tasks,
                           std::vector<PlannedCell>& planned) {
  std::vector<Job> plan;
  for (size_t m = 0; m < models.size(); ++m) {
    for (size_t t = 0; t < tasks.size(); ++t) {
      const std::vector<double> depths =
          tasks[t]->uses_depth() ? spec.depths : std::vector<double>{kNoDepth};
      for (int64_t length : spec.lengths) {
        for (double depth : depths) {
          const ForwardPath path =
              spec.forward == ForwardPolicy::kAuto && models[m]->has_cached_forward()
                  ? ForwardPath::kCached
                  : ForwardPath::kFull;
          // decoding costs one full forward per token on the full path, one cached step otherwise
          const int64_t decode = path == ForwardPath::kCached || length <= spec.decode_max_length
                                     ? spec.decode_tokens
                                     : 0;
          Job job{m, t, length, depth, decode, path, ""};
          std::vector<std::string> parts{models[m]->sha256(),
                                         "tasks",
                                         tasks[t]->name(),
                                         tasks[t]->fingerprint(),
                                         std::to_string(length),
                                         depth_label(depth),
                                         std::to_string(spec.samples),
                                         std::to_string(spec.max_tokens),
                                         std::to_string(decode),
                                         std::to_string(spec.seed)};
          for (auto& part : run_key_parts(spec)) parts.push_back(std::move(part));
          job.key = cell_key(parts);
          const std::string label =
              fmt::format("{} {} T={}{}", models[m]->label(), tasks[t]->name(), length,
                          std::isfinite(depth) ? fmt::format(" depth={:g}%", depth) : "");
          const double samples = static_cast<double>(
              spec.max_tokens > 0
                  ? std::min(spec.samples, std::max<int64_t>(1, spec.max_tokens / length))
                  : spec.samples);
          planned.push_back({job.key, label, samples * static_cast<double>(length)});
          plan.push_back(job);
        }
      }
    }
  }
  return plan;
}

}  // namespace

TasksOutcome run_tasks(const TasksSpec& spec, const std::vector<const TaskGenerator*>& tasks,
                       const Tokenizer& tokenizer) {
  validate(spec, tasks);
  const std::string started = now_iso8601();
  std::vector<std::unique_ptr<Model>> models;
  for (const auto& path : spec.models) {
    models.push_back(std::make_unique<Model>(path, spec.compute));
    models.back()->check_forward(16);
    check_pairing(*models.back(), tokenizer);
  }
  std::vector<PlannedCell> planned;
  const std::vector<Job> plan = plan_jobs(spec, models, tasks, planned);
  auto evaluate = [&](size_t i, Progress& progress) {
    const Job& job = plan[i];
    EvaluatedCell evaluated =
        evaluate_job({*models[job.model], *tasks[job.task], job, spec, tokenizer, progress});
    CellResult<TaskCell> result{std::move(evaluated.cell), "", ""};
    if (spec.log_samples) {
      result.side_file = "samples/" + job.key + ".jsonl";
      result.side_content = std::move(evaluated.sample_log);
    }
    return result;
  };
  return run_plan<TaskCell>(spec, run_info(spec, models, tasks, tokenizer, started), planned,
                            evaluate);
}

}  // namespace lengen
