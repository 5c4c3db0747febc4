#include "core/run/cell_engine.h"

#include <fmt/core.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "core/model/model.h"
#include "core/util/error.h"
#include "core/util/process_stats.h"
#include "core/util/version.h"

namespace lengen {

CellRunCounts run_cells(RunDirectory& dir, const std::vector<PlannedCell>& plan,
                        const ShardSpec& shard, bool quiet,
                        const std::function<CellOutcome(size_t, Progress&)>& evaluate,
                        const std::function<void()>& after_cell) {
  std::map<std::string, size_t> first_with_key;
  for (size_t i = 0; i < plan.size(); ++i) {
    const auto [at, fresh] = first_with_key.emplace(plan[i].key, i);
    if (!fresh) {
      throw_bad_input("",
                      "the same cell is planned twice ('" + plan[at->second].label + "' and '" +
                          plan[i].label + "')",
                      "a model, corpus, length or protocol is listed twice: remove the repeat");
    }
  }
  std::vector<size_t> mine;
  double total_work = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    if (!shard.selects(i)) continue;
    mine.push_back(i);
    total_work += plan[i].work;
  }
  dir.lock();
  std::vector<std::string> keys;  // every planned cell: the tables read them all
  for (const PlannedCell& cell : plan) keys.push_back(cell.key);
  dir.reject_damaged_cells(keys);
  install_interrupt_handler();
  Progress progress(static_cast<int64_t>(mine.size()), total_work, quiet);
  CellRunCounts counts;
  // A signal during a cell's last forward still ends the run with kInterrupted
  // (its record is written first): checked before each cell and after the last.
  auto stop_if_interrupted = [] {
    if (interrupted()) {
      throw Error(ExitCode::kInterrupted, "", "interrupted", "re-run the same command to resume");
    }
  };
  for (size_t i : mine) {
    stop_if_interrupted();
    const PlannedCell& cell = plan[i];
    progress.start_cell(cell.label);
    if (dir.has_cell(cell.key)) {
      ++counts.resumed;
      progress.finish_cell("already done", /*skipped=*/true);
      continue;
    }
    CellOutcome outcome = evaluate(i, progress);
    // The side file first: a record on disk means the cell, logs included, is done.
    if (!outcome.side_file.empty()) dir.write(outcome.side_file, outcome.side_content);
    dir.write_cell(cell.key, outcome.record);
    ++counts.computed;
    if (outcome.status == CellStatus::kOom || outcome.status == CellStatus::kError) ++counts.failed;
    progress.finish_cell(outcome.summary);
    after_cell();
  }
  stop_if_interrupted();
  return counts;
}

namespace {
// One line of an exception's text. A TorchScript exception is a header, a
// traceback and the raised error last ("RuntimeError: ..."): keep that line.
std::string exception_summary(const std::string& what) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < what.size()) {
    const size_t end = std::min(what.find('\n', begin), what.size());
    if (what.find_first_not_of(" \t\r", begin) < end)
      lines.push_back(what.substr(begin, end - begin));
    begin = end + 1;
  }
  if (lines.empty()) return "unknown error";
  const bool traceback = what.find("Traceback of TorchScript") != std::string::npos;
  const std::string& line = traceback ? lines.back() : lines.front();
  const size_t first = line.find_first_not_of(" \t");
  return "model raised: " + line.substr(first, 300);
}
}  // namespace

CellStatus run_guarded(const std::function<void()>& body, std::string& message) {
  try {
    body();
  } catch (const ModelRunError& e) {
    message = e.message();
    return e.out_of_memory() ? CellStatus::kOom : CellStatus::kError;
  } catch (const Error& e) {
    if (e.code() == ExitCode::kInterrupted) throw;
    message = e.message();
    return CellStatus::kError;
  } catch (const std::bad_alloc&) {
    message = "out of memory";
    return CellStatus::kOom;
  } catch (const std::exception& e) {
    // Anything else a model's TorchScript raises (torch::jit::JITException is
    // not a c10::Error): the cell failed, the run goes on.
    message = exception_summary(e.what());
    return CellStatus::kError;
  }
  return CellStatus::kOk;
}

std::string render_run_json(const RunInfo& info, size_t planned, size_t in_shard,
                            const CellRunCounts* counts) {
  nlohmann::json j;
  j["kind"] = info.kind;
  j["lengen_version"] = kVersion;
  j["git_commit"] = git_commit();
  j["torch_version"] = torch_version();
  j["threads"] = info.threads;
  j["started_at"] = info.started_at;
  if (counts != nullptr) {
    j["finished_at"] = now_iso8601();
    j["cells"] = {{"planned", planned},
                  {"in_shard", in_shard},
                  {"computed", counts->computed},
                  {"resumed", counts->resumed},
                  {"failed", counts->failed}};
  }
  j["shard"] = fmt::format("{}/{}", info.shard.index, info.shard.count);
  j["settings"] = nlohmann::json::parse(info.settings_json);
  j["effective_config"] = info.effective_config;
  for (const Model* m : info.models) {
    j["models"].push_back({{"path", m->path()},
                           {"sha256", m->sha256()},
                           {"name", m->metadata().name},
                           {"position_encoding", m->metadata().position_encoding},
                           {"train_length", m->metadata().train_length},
                           {"vocab_size", m->metadata().vocab_size},
                           {"tokenizer_sha256", m->metadata().tokenizer_sha256},
                           {"set_eval_length", m->has_set_eval_length()}});
  }
  for (const auto& [name, value] : info.sections) j[name] = nlohmann::json::parse(value);
  return j.dump(2) + "\n";
}

RunInfo run_info_of(const RunSpec& spec, const std::string& kind, const std::string& started) {
  RunInfo info;
  info.kind = kind;
  info.threads = spec.threads;
  info.started_at = started;
  info.shard = spec.shard;
  info.effective_config = spec.effective_config;
  return info;
}

std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buffer;
}

}  // namespace lengen
