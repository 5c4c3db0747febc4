#include "core/run/sweep.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/data/token_cache.h"
#include "core/model/model.h"
#include "core/perplexity/evaluator.h"
#include "core/perplexity/protocol.h"
#include "core/run/cell_engine.h"
#include "core/run/runner.h"
#include "core/util/error.h"
#include "core/util/process_stats.h"
#include "core/util/progress.h"
#include "core/util/sha256.h"

namespace lengen {

namespace {

struct LoadedCorpus {
  std::string name;
  std::unique_ptr<TokenCache> cache;
  std::string sha256;
};

struct Job {
  size_t model;
  size_t corpus;
  ProtocolSpec protocol;
  int64_t length;
  std::string key;
};

void validate(const SweepSpec& spec) {
  if (spec.models.empty())
    throw_bad_input("--models", "no model given", "pass --models A.pt B.pt ...");
  if (spec.corpora.empty()) {
    throw_bad_input("--corpora", "no token cache given", "make one with `lengen tokenize`");
  }
  if (spec.lengths.empty()) throw_bad_input("--lengths", "no length given");
  for (int64_t length : spec.lengths) {
    if (length < 2) throw_bad_input("--lengths", "length " + std::to_string(length) + " < 2");
  }
  if (spec.out_dir.empty()) throw_bad_input("--out", "no run directory given");
  if (spec.batch_tokens < 1) throw_bad_input("--batch-tokens", "must be positive");
  parse_remainder(spec.remainder);
  const int64_t shortest = *std::min_element(spec.lengths.begin(), spec.lengths.end());
  const int64_t longest = *std::max_element(spec.lengths.begin(), spec.lengths.end());
  const bool sliding =
      std::find(spec.protocols.begin(), spec.protocols.end(), "sliding") != spec.protocols.end();
  if (sliding && spec.stride > shortest) {
    throw_bad_input("--stride",
                    fmt::format("stride S={} exceeds the shortest length T={}: the tokens between "
                                "windows would never be scored",
                                spec.stride, shortest),
                    "use a stride of at most the shortest length (0 = T/2)");
  }
  if (spec.segment_tokens > 0 && spec.segment_tokens < longest) {
    throw_bad_input(
        "--segment-tokens",
        fmt::format("segments of {} tokens cannot hold T={}", spec.segment_tokens, longest),
        "use --segment-tokens of at least the longest length (0 = the longest)");
  }
}

// L of a corpus: --segment-tokens, else the largest sweep length that one of
// its documents holds (lengths above it are `unsupported` for that corpus).
int64_t segment_length_for(const SweepSpec& spec, const TokenCache& cache) {
  if (spec.segment_tokens > 0) return spec.segment_tokens;
  int64_t longest_document = 0;
  for (size_t d = 0; d < cache.document_count(); ++d)
    longest_document = std::max(longest_document, cache.document_length(d));
  int64_t segment = *std::min_element(spec.lengths.begin(), spec.lengths.end());
  for (int64_t length : spec.lengths) {
    if (length <= longest_document) segment = std::max(segment, length);
  }
  return segment;
}

std::vector<ProtocolSpec> protocol_specs(const SweepSpec& spec, const TokenCache& cache) {
  std::vector<ProtocolSpec> out;
  for (const auto& name : spec.protocols) {
    ProtocolSpec p;
    p.protocol = parse_protocol(name);
    p.segment_length = segment_length_for(spec, cache);
    if (p.protocol == Protocol::kSliding) p.stride = spec.stride;
    if (p.protocol == Protocol::kTail) p.tail_tokens = spec.tail_tokens;
    if (p.protocol != Protocol::kTail) p.remainder = parse_remainder(spec.remainder);
    out.push_back(p);
  }
  return out;
}

void check_pairing(const Model& model, const LoadedCorpus& corpus) {
  const std::string& model_tokenizer = model.metadata().tokenizer_sha256;
  if (!model_tokenizer.empty()) {
    corpus.cache->require_tokenizer(model_tokenizer, "model " + model.path() + " expects");
  }
  model.require_vocab_at_least(corpus.cache->header().vocab_size, corpus.cache->path());
}

SweepCell evaluate_job(Model& model, const LoadedCorpus& corpus, const Job& job,
                       const SweepSpec& spec, Progress& progress) {
  SweepCell cell;
  cell.key = job.key;
  static_cast<ModelIdentity&>(cell) = identify(model);
  cell.corpus = corpus.name;
  cell.corpus_path = corpus.cache->path();
  cell.corpus_sha256 = corpus.sha256;
  cell.protocol = job.protocol.protocol;
  cell.stride =
      job.protocol.protocol == Protocol::kSliding ? effective_stride(job.protocol, job.length) : 0;
  cell.stride_setting = job.protocol.stride;
  cell.tail_tokens = job.protocol.protocol == Protocol::kTail ? job.protocol.tail_tokens : 0;
  cell.segment_length = job.protocol.segment_length;
  cell.remainder =
      job.protocol.protocol == Protocol::kTail ? "drop" : to_string(job.protocol.remainder);
  cell.length = job.length;
  cell.max_tokens = spec.max_tokens;
  cell.seed = cell_seed(spec.seed, job.key);
  cell.summary = summarize({}, cell.seed);  // NaN statistics until windows are scored

  const auto& max_length = model.metadata().max_length;
  if (max_length && job.length > *max_length) {
    cell.status = CellStatus::kUnsupported;
    cell.message = fmt::format("T={} exceeds the model's max_length {}", job.length, *max_length);
    return cell;
  }
  if (job.length > job.protocol.segment_length) {
    cell.status = CellStatus::kUnsupported;
    cell.message = fmt::format("no document of {} has {} tokens", corpus.name, job.length);
    return cell;
  }
  const WindowPlan plan = plan_windows(*corpus.cache, job.protocol, job.length, spec.max_tokens);
  cell.documents = static_cast<int64_t>(plan.documents_used);
  cell.documents_skipped = static_cast<int64_t>(plan.documents_skipped);
  cell.candidate_windows = static_cast<int64_t>(plan.candidate_windows);
  cell.segments = static_cast<int64_t>(plan.segments);
  cell.candidate_segments = static_cast<int64_t>(plan.candidate_segments);
  cell.block_tokens = plan.block_tokens;
  cell.segment_hash = plan.segment_hash;
  if (plan.windows.empty()) {
    cell.status = CellStatus::kUnsupported;
    cell.message =
        fmt::format("no document of {} has {} tokens", corpus.name, job.protocol.segment_length);
    return cell;
  }
  reset_peak_rss();
  reset_peak_device_memory(model.compute());
  const auto start = std::chrono::steady_clock::now();
  EvalOptions options;
  options.batch_tokens = spec.batch_tokens;
  options.block_tokens = plan.block_tokens;
  options.on_progress = [&](double tokens) { progress.advance(tokens); };
  options.should_stop = [] { return interrupted(); };
  cell.status = run_guarded(
      [&] {
        model.set_eval_length(job.length);
        CellScores scores = score_windows(model, *corpus.cache, plan.windows, options);
        cell.block_scores = std::move(scores.blocks);
        cell.positions = std::move(scores.positions);
        cell.summary = summarize(cell.block_scores, cell.seed);
        cell.summary.windows = static_cast<int64_t>(plan.windows.size());
      },
      cell.message);
  reject_non_finite_scores(cell);
  cell.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double tokens = static_cast<double>(plan.windows.size()) * static_cast<double>(job.length);
  cell.tokens_per_second = cell.seconds > 0 ? tokens / cell.seconds : 0;
  cell.peak_rss_mib = peak_rss_mib();
  cell.peak_device_mib = peak_device_memory_mib(model.compute());
  return cell;
}

RunInfo run_info(const SweepSpec& spec, const std::vector<std::unique_ptr<Model>>& models,
                 const std::vector<LoadedCorpus>& corpora, const std::string& started) {
  RunInfo info = run_info_of(spec, "sweep", started);
  info.settings_json = nlohmann::json{{"protocols", spec.protocols},
                                      {"lengths", spec.lengths},
                                      {"stride", spec.stride},
                                      {"tail_tokens", spec.tail_tokens},
                                      {"segment_tokens", spec.segment_tokens},
                                      {"remainder", spec.remainder},
                                      {"max_tokens", spec.max_tokens},
                                      {"batch_tokens", spec.batch_tokens},
                                      {"seed", spec.seed},
                                      {"device", spec.compute.device},
                                      {"dtype", to_string(spec.compute.dtype)}}
                           .dump();
  for (const auto& m : models) info.models.push_back(m.get());
  nlohmann::json described = nlohmann::json::array();
  for (const auto& c : corpora) {
    described.push_back({{"name", c.name},
                         {"path", c.cache->path()},
                         {"sha256", c.sha256},
                         {"documents", c.cache->document_count()},
                         {"tokens", c.cache->token_count()},
                         {"tokenizer_sha256", c.cache->tokenizer_sha256()}});
  }
  info.sections.emplace_back("corpora", described.dump());
  return info;
}

// The cells in plan order: model x corpus x protocol x length, each keyed by
// everything that determines its result.
std::vector<Job> plan_jobs(const SweepSpec& spec, const std::vector<std::unique_ptr<Model>>& models,
                           const std::vector<LoadedCorpus>& corpora) {
  std::vector<Job> plan;
  for (size_t m = 0; m < models.size(); ++m) {
    for (size_t c = 0; c < corpora.size(); ++c) {
      for (const ProtocolSpec& p : protocol_specs(spec, *corpora[c].cache)) {
        for (int64_t length : spec.lengths) {
          Job job{m, c, p, length, ""};
          std::vector<std::string> parts{models[m]->sha256(),
                                         corpora[c].sha256,
                                         to_string(p.protocol),
                                         std::to_string(effective_stride(p, length)),
                                         std::to_string(p.tail_tokens),
                                         std::to_string(p.segment_length),
                                         to_string(p.remainder),
                                         std::to_string(length),
                                         std::to_string(spec.max_tokens),
                                         std::to_string(spec.seed)};
          for (auto& part : run_key_parts(spec)) parts.push_back(std::move(part));
          job.key = cell_key(parts);
          plan.push_back(job);
        }
      }
    }
  }
  return plan;
}

// Every model (cast and moved, forward checked) and cache, checked in pairs
// before any cell runs.
void load_inputs(const SweepSpec& spec, std::vector<std::unique_ptr<Model>>& models,
                 std::vector<LoadedCorpus>& corpora) {
  for (const auto& path : spec.models) {
    models.push_back(std::make_unique<Model>(path, spec.compute));
    models.back()->check_forward(16);
  }
  for (const auto& path : spec.corpora) {
    LoadedCorpus corpus;
    corpus.name = std::filesystem::path(path).stem().string();
    corpus.cache = std::make_unique<TokenCache>(path);
    corpus.sha256 = sha256_file(path);
    corpora.push_back(std::move(corpus));
  }
  for (const auto& model : models) {
    for (const auto& corpus : corpora) check_pairing(*model, corpus);
  }
}

// The engine's view of the plan: key, progress label and work of each cell.
std::vector<PlannedCell> planned_cells(const SweepSpec& spec, const std::vector<Job>& plan,
                                       const std::vector<std::unique_ptr<Model>>& models,
                                       const std::vector<LoadedCorpus>& corpora) {
  std::vector<PlannedCell> planned;
  for (const Job& job : plan) {
    const double corpus_tokens = static_cast<double>(corpora[job.corpus].cache->token_count());
    const std::string label =
        fmt::format("{} {} {} T={}", models[job.model]->label(), corpora[job.corpus].name,
                    to_string(job.protocol.protocol), job.length);
    planned.push_back(
        {job.key, label,
         spec.max_tokens > 0 ? std::min(corpus_tokens, double(spec.max_tokens)) : corpus_tokens});
  }
  return planned;
}

}  // namespace

SweepOutcome run_sweep(const SweepSpec& spec) {
  validate(spec);
  const std::string started = now_iso8601();
  std::vector<std::unique_ptr<Model>> models;
  std::vector<LoadedCorpus> corpora;
  load_inputs(spec, models, corpora);
  const std::vector<Job> plan = plan_jobs(spec, models, corpora);
  auto evaluate = [&](size_t i, Progress& progress) {
    const Job& job = plan[i];
    return CellResult<SweepCell>{
        evaluate_job(*models[job.model], corpora[job.corpus], job, spec, progress), "", ""};
  };
  return run_plan<SweepCell>(spec, run_info(spec, models, corpora, started),
                             planned_cells(spec, plan, models, corpora), evaluate);
}

}  // namespace lengen
