#include "core/sweep.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/evaluator.h"
#include "core/model.h"
#include "core/process_stats.h"
#include "core/progress.h"
#include "core/protocol.h"
#include "core/run_directory.h"
#include "core/sha256.h"
#include "core/token_cache.h"
#include "core/version.h"

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

std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buffer;
}

void validate(const SweepSpec& spec) {
  if (spec.models.empty()) throw_bad_input("--models", "no model given", "pass --models A.pt B.pt ...");
  if (spec.corpora.empty()) {
    throw_bad_input("--corpora", "no token cache given", "make one with `lengen tokenize`");
  }
  if (spec.lengths.empty()) throw_bad_input("--lengths", "no length given");
  for (int64_t length : spec.lengths) {
    if (length < 2) throw_bad_input("--lengths", "length " + std::to_string(length) + " < 2");
  }
  if (spec.out_dir.empty()) throw_bad_input("--out", "no run directory given");
  if (spec.batch_tokens < 1) throw_bad_input("--batch-tokens", "must be positive");
}

std::vector<ProtocolSpec> protocol_specs(const SweepSpec& spec) {
  std::vector<ProtocolSpec> out;
  const int64_t longest = *std::max_element(spec.lengths.begin(), spec.lengths.end());
  for (const auto& name : spec.protocols) {
    ProtocolSpec p;
    p.protocol = parse_protocol(name);
    if (p.protocol == Protocol::kSliding) p.stride = spec.stride;
    if (p.protocol == Protocol::kTail) {
      p.tail_tokens = spec.tail_tokens;
      p.segment_length = longest;
    }
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
  cell.model = model.metadata().name;
  cell.model_path = model.path();
  cell.model_sha256 = model.sha256();
  cell.position_encoding = model.metadata().position_encoding;
  cell.train_length = model.metadata().train_length;
  cell.corpus = corpus.name;
  cell.corpus_path = corpus.cache->path();
  cell.corpus_sha256 = corpus.sha256;
  cell.protocol = to_string(job.protocol.protocol);
  cell.stride = job.protocol.protocol == Protocol::kSliding ? effective_stride(job.protocol, job.length) : 0;
  cell.stride_setting = job.protocol.stride;
  cell.tail_tokens = job.protocol.protocol == Protocol::kTail ? job.protocol.tail_tokens : 0;
  cell.segment_length = job.protocol.segment_length;
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
  const WindowPlan plan = plan_windows(*corpus.cache, job.protocol, job.length, spec.max_tokens);
  cell.documents = static_cast<int64_t>(plan.documents_used);
  cell.documents_skipped = static_cast<int64_t>(plan.documents_skipped);
  cell.candidate_windows = static_cast<int64_t>(plan.candidate_windows);
  if (plan.windows.empty()) {
    cell.status = CellStatus::kUnsupported;
    cell.message = fmt::format("no document of {} has {} tokens", corpus.name,
                               job.protocol.protocol == Protocol::kTail ? job.protocol.segment_length : job.length);
    return cell;
  }
  reset_peak_rss();
  const auto start = std::chrono::steady_clock::now();
  EvalOptions options;
  options.batch_tokens = spec.batch_tokens;
  options.on_progress = [&](double tokens) { progress.advance(tokens); };
  options.should_stop = [] { return interrupted(); };
  try {
    model.set_eval_length(job.length);
    CellScores scores = score_windows(model, *corpus.cache, plan.windows, options);
    cell.window_scores = std::move(scores.windows);
    cell.positions = std::move(scores.positions);
    cell.summary = summarize(cell.window_scores, cell.seed);
  } catch (const ModelRunError& e) {
    cell.status = e.out_of_memory() ? CellStatus::kOom : CellStatus::kError;
    cell.message = e.message();
  } catch (const Error& e) {
    if (e.code() == ExitCode::kInterrupted) throw;
    cell.status = CellStatus::kError;
    cell.message = e.message();
  }
  cell.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double tokens = static_cast<double>(plan.windows.size()) * static_cast<double>(job.length);
  cell.tokens_per_second = cell.seconds > 0 ? tokens / cell.seconds : 0;
  cell.peak_rss_mib = peak_rss_mib();
  return cell;
}

std::string run_json(const SweepSpec& spec, const std::vector<std::unique_ptr<Model>>& models,
                     const std::vector<LoadedCorpus>& corpora, size_t planned, size_t in_shard,
                     const std::string& started, const SweepOutcome* outcome) {
  nlohmann::json j;
  j["kind"] = "sweep";
  j["lengen_version"] = kVersion;
  j["git_commit"] = git_commit();
  j["torch_version"] = torch_version();
  j["threads"] = spec.threads;
  j["started_at"] = started;
  if (outcome != nullptr) {
    j["finished_at"] = now_iso8601();
    j["cells"] = {{"planned", planned}, {"in_shard", in_shard}, {"computed", outcome->computed},
                  {"resumed", outcome->resumed}, {"failed", outcome->failed}};
  }
  j["shard"] = fmt::format("{}/{}", spec.shard.index, spec.shard.count);
  j["settings"] = {{"protocols", spec.protocols}, {"lengths", spec.lengths},
                   {"stride", spec.stride},       {"tail_tokens", spec.tail_tokens},
                   {"max_tokens", spec.max_tokens}, {"batch_tokens", spec.batch_tokens},
                   {"seed", spec.seed}};
  j["effective_config"] = spec.effective_config;
  for (const auto& m : models) {
    j["models"].push_back({{"path", m->path()},
                           {"sha256", m->sha256()},
                           {"name", m->metadata().name},
                           {"position_encoding", m->metadata().position_encoding},
                           {"train_length", m->metadata().train_length},
                           {"vocab_size", m->metadata().vocab_size},
                           {"tokenizer_sha256", m->metadata().tokenizer_sha256},
                           {"set_eval_length", m->has_set_eval_length()}});
  }
  for (const auto& c : corpora) {
    j["corpora"].push_back({{"name", c.name},
                            {"path", c.cache->path()},
                            {"sha256", c.sha256},
                            {"documents", c.cache->document_count()},
                            {"tokens", c.cache->token_count()},
                            {"tokenizer_sha256", c.cache->tokenizer_sha256()}});
  }
  return j.dump(2) + "\n";
}

}  // namespace

void write_sweep_tables(const std::string& run_dir, std::vector<SweepCell>& cells) {
  sort_cells(cells);
  RunDirectory dir(run_dir);
  dir.write("ppl.csv", render_ppl_csv(cells));
  dir.write("positions.csv", render_positions_csv(cells));
  dir.write("perf.csv", render_perf_csv(cells));
}

SweepOutcome run_sweep(const SweepSpec& spec) {
  validate(spec);
  const std::string started = now_iso8601();
  std::vector<std::unique_ptr<Model>> models;
  for (const auto& path : spec.models) {
    models.push_back(std::make_unique<Model>(path));
    models.back()->check_forward(16);
  }
  std::vector<LoadedCorpus> corpora;
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

  std::vector<Job> plan;
  for (size_t m = 0; m < models.size(); ++m) {
    for (size_t c = 0; c < corpora.size(); ++c) {
      for (const ProtocolSpec& p : protocol_specs(spec)) {
        for (int64_t length : spec.lengths) {
          Job job{m, c, p, length, ""};
          job.key = cell_key({models[m]->sha256(), corpora[c].sha256, to_string(p.protocol),
                              std::to_string(effective_stride(p, length)),
                              std::to_string(p.tail_tokens), std::to_string(p.segment_length),
                              std::to_string(length), std::to_string(spec.max_tokens),
                              std::to_string(spec.seed)});
          plan.push_back(job);
        }
      }
    }
  }
  std::vector<const Job*> mine;
  double total_work = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    if (!spec.shard.selects(i)) continue;
    mine.push_back(&plan[i]);
    const double corpus_tokens = static_cast<double>(corpora[plan[i].corpus].cache->token_count());
    total_work += spec.max_tokens > 0 ? std::min(corpus_tokens, double(spec.max_tokens)) : corpus_tokens;
  }

  RunDirectory dir(spec.out_dir);
  dir.write("run.json", run_json(spec, models, corpora, plan.size(), mine.size(), started, nullptr));
  install_interrupt_handler();
  Progress progress(static_cast<int64_t>(mine.size()), total_work, spec.quiet);
  SweepOutcome outcome;
  auto finished_cells = [&] {
    std::vector<SweepCell> cells;
    for (const Job& job : plan) {
      if (dir.has_cell(job.key)) cells.push_back(cell_from_json(dir.read_cell(job.key), dir.file("cells/" + job.key + ".json")));
    }
    return cells;
  };
  for (const Job* job : mine) {
    const Model& model = *models[job->model];
    const std::string label = fmt::format("{} {} {} T={}", model.metadata().name,
                                          corpora[job->corpus].name, to_string(job->protocol.protocol),
                                          job->length);
    progress.start_cell(label);
    if (dir.has_cell(job->key)) {
      ++outcome.resumed;
      progress.finish_cell("already done", /*skipped=*/true);
      continue;
    }
    SweepCell cell = evaluate_job(*models[job->model], corpora[job->corpus], *job, spec, progress);
    dir.write_cell(cell.key, cell_to_json(cell));
    ++outcome.computed;
    if (cell.status == CellStatus::kOom || cell.status == CellStatus::kError) ++outcome.failed;
    progress.finish_cell(cell.status == CellStatus::kOk
                             ? fmt::format("ppl {:.3f}", cell.summary.perplexity)
                             : to_string(cell.status) + ": " + cell.message);
    std::vector<SweepCell> cells = finished_cells();
    write_sweep_tables(dir.path(), cells);
  }
  outcome.cells = finished_cells();
  write_sweep_tables(dir.path(), outcome.cells);
  dir.write("run.json", run_json(spec, models, corpora, plan.size(), mine.size(), started, &outcome));
  return outcome;
}

}  // namespace lengen
