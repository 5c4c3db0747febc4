#include "core/tasks/task_cell.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <tuple>

#include "core/util/csv.h"
#include "core/util/error.h"
#include "core/util/json_number.h"
#include "core/util/markdown.h"

namespace lengen {

using nlohmann::json;

namespace {

// JSON has no NaN: store null, read back NaN (core/util/json_number.h).
json number(double x) { return json_number(x); }
double number_of(const json& j) { return number_from_json(j); }

std::string csv_text(const std::string& s) { return csv_escape(s); }

std::string depth_text(const TaskCell& c) { return depth_label(c.depth); }

json sample_to_json(const SampleScore& s) {
  json j = {{"index", s.index},
            {"prompt_tokens", s.prompt_tokens},
            {"needle_position", s.needle_position},
            {"question_position", s.question_position},
            {"truncated_tokens", s.truncated_tokens},
            {"gold", s.gold},
            {"gold_logprob", number(s.gold_logprob)},
            {"exact_match", s.exact_match}};
  json logprobs = json::array();
  for (double x : s.candidate_logprobs) logprobs.push_back(number(x));
  j["candidate_logprobs"] = logprobs;
  j["candidate_bytes"] = s.candidate_bytes;
  if (s.decoded) {
    j["decoded_text"] = s.decoded_text;
    j["substring_match"] = s.substring_match;
    j["token_f1"] = s.token_f1;
  }
  return j;
}

SampleScore sample_from_json(const json& j) {
  SampleScore s;
  s.index = j.at("index").get<int64_t>();
  s.prompt_tokens = j.at("prompt_tokens").get<int64_t>();
  s.needle_position = j.at("needle_position").get<int64_t>();
  s.question_position = j.at("question_position").get<int64_t>();
  s.truncated_tokens = j.at("truncated_tokens").get<int64_t>();
  s.gold = j.at("gold").get<size_t>();
  s.gold_logprob = number_of(j.at("gold_logprob"));
  s.exact_match = j.at("exact_match").get<bool>();
  for (const auto& x : j.at("candidate_logprobs")) s.candidate_logprobs.push_back(number_of(x));
  s.candidate_bytes = j.at("candidate_bytes").get<std::vector<double>>();
  if (j.contains("decoded_text")) {
    s.decoded = true;
    s.decoded_text = j.at("decoded_text").get<std::string>();
    s.substring_match = j.at("substring_match").get<bool>();
    s.token_f1 = j.at("token_f1").get<double>();
  }
  return s;
}

// Samples pooled over several cells (the depths of one model x task x length).
struct Pool {
  double credit = 0;
  int64_t ranked = 0;
  double exact = 0;
  int64_t n = 0;
  void add(const TaskCell& c) {
    if (c.status != CellStatus::kOk) return;
    if (c.summary.ranked > 0) {
      credit += c.summary.accuracy * static_cast<double>(c.summary.ranked);
      ranked += c.summary.ranked;
    }
    exact += c.summary.exact_match * static_cast<double>(c.summary.n);
    n += c.summary.n;
  }
  std::string text() const {
    if (n == 0) return "";
    const std::string em = fmt::format("{:.0f}", 100 * exact / static_cast<double>(n));
    return ranked > 0 ? fmt::format("{:.0f} / {}", 100 * credit / static_cast<double>(ranked), em)
                      : "– / " + em;
  }
};

std::string cell_text(const TaskCell& c) {
  if (c.status != CellStatus::kOk) return to_string(c.status);
  Pool p;
  p.add(c);
  return p.text();
}

}  // namespace

std::string depth_label(double depth) {
  return std::isfinite(depth) ? fmt::format("{:g}", depth) : "";
}

bool TaskCell::has_depth() const { return std::isfinite(depth); }

std::string task_cell_to_json(const TaskCell& c) {
  const TaskSummary& s = c.summary;
  json samples = json::array();
  for (const auto& sample : c.samples) samples.push_back(sample_to_json(sample));
  json j = {
      {"kind", "tasks"},
      {"key", c.key},
      {"task", c.task},
      {"task_fingerprint", c.task_fingerprint},
      {"length", c.length},
      {"depth", number(c.depth)},
      {"samples_requested", c.samples_requested},
      {"max_tokens", c.max_tokens},
      {"decode_tokens", c.decode_tokens},
      {"seed", c.seed},
      {"status", to_string(c.status)},
      {"message", c.message},
      {"n", s.n},
      {"accuracy", number(s.accuracy)},
      {"exact_match", number(s.exact_match)},
      {"seconds", c.seconds},
      {"tokens_per_second", c.tokens_per_second},
      {"peak_rss_mib", c.peak_rss_mib},
      {"peak_device_mib", c.peak_device_mib},
      {"forward_path", c.forward_path},
      {"cache_check_difference", number(c.cache_check_difference)},
      {"samples", samples},
  };
  write_identity(j, c);
  return j.dump(1) + "\n";
}

TaskCell task_cell_from_json(const std::string& text, const std::string& source) {
  TaskCell c;
  try {
    const json j = json::parse(text);
    if (j.value("kind", "") != "tasks") {
      throw_bad_input(source, "not a `lengen tasks` cell record (kind is not \"tasks\")",
                      "keep sweep and tasks runs in separate directories");
    }
    c.key = j.at("key").get<std::string>();
    static_cast<ModelIdentity&>(c) = read_identity(j);
    c.task = j.at("task").get<std::string>();
    c.task_fingerprint = j.at("task_fingerprint").get<std::string>();
    c.length = j.at("length").get<int64_t>();
    c.depth = number_of(j.at("depth"));
    c.samples_requested = j.at("samples_requested").get<int64_t>();
    c.max_tokens = j.at("max_tokens").get<int64_t>();
    c.decode_tokens = j.at("decode_tokens").get<int64_t>();
    c.seed = j.at("seed").get<uint64_t>();
    c.status = parse_cell_status(j.at("status").get<std::string>());
    c.message = j.at("message").get<std::string>();
    c.seconds = j.at("seconds").get<double>();
    c.tokens_per_second = j.at("tokens_per_second").get<double>();
    c.peak_rss_mib = j.at("peak_rss_mib").get<double>();
    c.peak_device_mib = j.value("peak_device_mib", 0.0);
    c.forward_path = j.value("forward_path", "");
    c.cache_check_difference = number_of(j.value("cache_check_difference", json(nullptr)));
    for (const auto& sample : j.at("samples")) c.samples.push_back(sample_from_json(sample));
  } catch (const json::exception& e) {
    throw_bad_input(source, std::string("malformed cell record: ") + e.what(),
                    "delete the file to recompute that cell");
  } catch (const std::out_of_range& e) {
    throw_bad_input(source, std::string("malformed cell record: ") + e.what(),
                    "delete the file to recompute that cell");
  }
  // The summary is a function of the samples: recomputed, never stored twice.
  c.summary = summarize_samples(c.samples);
  return c;
}

void sort_task_cells(std::vector<TaskCell>& cells) {
  std::stable_sort(cells.begin(), cells.end(), [](const TaskCell& a, const TaskCell& b) {
    // No-depth cells (NaN) sort first within their length.
    const double da = a.has_depth() ? a.depth : -1, db = b.has_depth() ? b.depth : -1;
    return std::tie(a.task, a.model, a.length, da) < std::tie(b.task, b.model, b.length, db);
  });
}

std::string render_tasks_csv(const std::vector<TaskCell>& cells) {
  std::string out =
      "model,position_encoding,train_length,task,length,depth,status,n,accuracy,"
      "accuracy_ci95_low,accuracy_ci95_high,exact_match,exact_match_ci95_low,"
      "exact_match_ci95_high,substring_match,token_f1,accuracy_norm,mean_gold_logprob,"
      "mean_gold_rank,candidates,chance,mean_prompt_tokens,mean_needle_position,"
      "mean_question_position,truncated,decoded,model_sha256,cell_key,message\n";
  for (const auto& c : cells) {
    const TaskSummary& s = c.summary;
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
        csv_text(c.model), csv_text(c.position_encoding), c.train_length, csv_text(c.task),
        c.length, depth_text(c), to_string(c.status), s.n, csv_number(s.accuracy, 6),
        csv_number(s.accuracy_ci95.low, 6), csv_number(s.accuracy_ci95.high, 6),
        csv_number(s.exact_match, 6), csv_number(s.exact_match_ci95.low, 6),
        csv_number(s.exact_match_ci95.high, 6), csv_number(s.substring_match, 6),
        csv_number(s.token_f1, 6), csv_number(s.accuracy_norm, 6),
        csv_number(s.mean_gold_logprob, 6), csv_number(s.mean_gold_rank, 4),
        csv_number(s.mean_candidates, 2), csv_number(s.chance, 6),
        csv_number(s.mean_prompt_tokens, 1), csv_number(s.mean_needle_position, 1),
        csv_number(s.mean_question_position, 1), s.truncated, s.decoded, c.model_sha256, c.key,
        csv_text(c.message));
  }
  return out;
}

std::string render_tasks_perf_csv(const std::vector<TaskCell>& cells) {
  std::string out =
      "model,task,length,depth,status,n,seconds,tokens_per_second,peak_rss_mib,device,dtype,"
      "peak_device_mib,forward_path,cache_check_difference,cell_key\n";
  for (const auto& c : cells) {
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_text(c.model), csv_text(c.task),
        c.length, depth_text(c), to_string(c.status), c.summary.n, csv_number(c.seconds, 3),
        csv_number(c.tokens_per_second, 1), csv_number(c.peak_rss_mib, 1), c.device, c.dtype,
        csv_number(c.peak_device_mib, 1), c.forward_path,
        std::isfinite(c.cache_check_difference) ? fmt::format("{:.3g}", c.cache_check_difference)
                                                : "",
        c.key);
  }
  return out;
}

std::string render_tasks_grid_json(const std::vector<TaskCell>& cells) {
  // (model sha, task) -> its cells, in first-seen order.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<const TaskCell*>> groups;
  for (const auto& c : cells) {
    if (!c.has_depth()) continue;
    const auto id = std::make_pair(c.model_sha256, c.task);
    if (!groups.count(id)) order.push_back(id);
    groups[id].push_back(&c);
  }
  json grids = json::array();
  for (const auto& id : order) {
    const auto& members = groups[id];
    std::set<int64_t> lengths;
    std::set<double> depths;
    for (const auto* c : members) {
      lengths.insert(c->length);
      depths.insert(c->depth);
    }
    const std::vector<int64_t> length_axis(lengths.begin(), lengths.end());
    const std::vector<double> depth_axis(depths.begin(), depths.end());
    auto matrix = [&] {
      return json(std::vector<json>(depth_axis.size(),
                                    json(std::vector<json>(length_axis.size(), nullptr))));
    };
    json accuracy = matrix(), exact = matrix(), n = matrix(), status = matrix();
    for (const auto* c : members) {
      const auto row = static_cast<size_t>(
          std::find(depth_axis.begin(), depth_axis.end(), c->depth) - depth_axis.begin());
      const auto col = static_cast<size_t>(
          std::find(length_axis.begin(), length_axis.end(), c->length) - length_axis.begin());
      status[row][col] = to_string(c->status);
      if (c->status != CellStatus::kOk) continue;
      accuracy[row][col] = number(c->summary.accuracy);
      exact[row][col] = number(c->summary.exact_match);
      n[row][col] = c->summary.n;
    }
    const TaskCell& first = *members.front();
    grids.push_back({{"model", first.model},
                     {"position_encoding", first.position_encoding},
                     {"train_length", first.train_length},
                     {"model_sha256", first.model_sha256},
                     {"task", first.task},
                     {"lengths", length_axis},
                     {"depths", depth_axis},
                     {"accuracy", accuracy},
                     {"exact_match", exact},
                     {"n", n},
                     {"status", status}});
  }
  json j = {{"description",
             "per model and task: rows = depths (percent), columns = lengths; accuracy = ranking "
             "scorer, exact_match = greedy scorer; null = missing or failed cell"},
            {"grids", grids}};
  return j.dump(1) + "\n";
}

namespace {

// Per task: models x lengths, depths pooled.
std::string pooled_tables(const std::vector<TaskCell>& cells) {
  std::vector<std::string> tasks, models;
  std::set<int64_t> lengths;
  std::map<std::string, std::string> encodings;
  std::map<std::tuple<std::string, std::string, int64_t>, Pool> pooled;
  std::map<std::tuple<std::string, std::string, int64_t>, std::string> failed;
  for (const auto& c : cells) {
    if (std::find(tasks.begin(), tasks.end(), c.task) == tasks.end()) tasks.push_back(c.task);
    if (!encodings.count(c.model)) models.push_back(c.model);
    encodings[c.model] = c.position_encoding;
    lengths.insert(c.length);
    pooled[{c.task, c.model, c.length}].add(c);
    if (c.status != CellStatus::kOk) failed[{c.task, c.model, c.length}] = to_string(c.status);
  }
  std::string out;
  for (const auto& task : tasks) {
    out += fmt::format("\n{} — accuracy / exact match (%), depths pooled\n\n", task);
    out += markdown_header({"model", "encoding"}, length_titles(lengths));
    for (const auto& model : models) {
      out += fmt::format("| {} | {} |", model, encodings[model]);
      for (int64_t length : lengths) {
        const auto id = std::make_tuple(task, model, length);
        std::string text = pooled.count(id) ? pooled[id].text() : "";
        if (text.empty() && failed.count(id)) text = failed[id];
        out += fmt::format(" {} |", text);
      }
      out += "\n";
    }
  }
  return out;
}

// One task x model: depths x lengths (only where more than one depth was run).
std::string depth_grid(const std::vector<const TaskCell*>& grid) {
  std::set<int64_t> cols;
  std::set<double> rows;
  std::map<std::pair<double, int64_t>, std::string> values;
  for (const auto* c : grid) {
    cols.insert(c->length);
    rows.insert(c->depth);
    values[{c->depth, c->length}] = cell_text(*c);
  }
  if (rows.size() < 2) return "";  // one depth: the pooled table says it all
  std::vector<std::string> columns = length_titles(cols);
  columns.insert(columns.begin(), "depth");
  std::string out = fmt::format("\n{} · {} — accuracy / exact match (%) by depth\n\n",
                                grid.front()->task, grid.front()->model);
  out += markdown_header({}, columns);
  for (double depth : rows) {
    out += fmt::format("| {:g}% |", depth);
    for (int64_t length : cols) {
      auto it = values.find({depth, length});
      out += fmt::format(" {} |", it == values.end() ? "" : it->second);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string render_tasks_markdown(const std::vector<TaskCell>& cells) {
  std::string out = pooled_tables(cells);
  std::map<std::pair<std::string, std::string>, std::vector<const TaskCell*>> grids;
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& c : cells) {
    if (!c.has_depth()) continue;
    const auto id = std::make_pair(c.task, c.model);
    if (!grids.count(id)) order.push_back(id);
    grids[id].push_back(&c);
  }
  for (const auto& id : order) out += depth_grid(grids[id]);
  return out;
}

}  // namespace lengen
