#include "evals/benchmark_files.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/data/tokenizer.h"
#include "core/util/error.h"
#include "core/util/sha256.h"

namespace lengen::evals {

namespace {

using nlohmann::json;

constexpr const char* kFilesVersion = "files-v1";
constexpr const char* kLongBenchHint =
    "each line must be a JSON object with \"input\" (string), \"context\" (string), \"answers\" "
    "(non-empty list of strings), \"all_classes\" (list of strings or null) and \"length\" "
    "(integer)";
constexpr const char* kChoiceHint =
    "each line must be a JSON object with \"context\" (string), \"question\" (string), \"options\" "
    "(list of at least 2 strings) and \"gold\" (integer index into options)";

[[noreturn]] void line_error(const std::string& path, int64_t line, const std::string& what,
                             const char* hint) {
  throw_bad_input(fmt::format("{}:{}", path, line), what, hint);
}

// Calls `parse(object, line)` for every non-blank line of a JSONL file.
template <typename Parse>
void for_each_object(const std::string& path, const char* hint, Parse parse) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw_bad_input(path, "cannot open benchmark file",
                    "check the path after longbench: / choice:");
  std::string text;
  int64_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    json object;
    try {
      object = json::parse(text);
    } catch (const json::exception& e) {
      line_error(path, line, std::string("not JSON: ") + e.what(), hint);
    }
    if (!object.is_object()) line_error(path, line, "not a JSON object", hint);
    parse(object, line);
  }
  if (line == 0) throw_bad_input(path, "benchmark file is empty", hint);
}

std::string string_field(const json& j, const char* key, const std::string& path, int64_t line,
                         const char* hint) {
  if (!j.contains(key)) line_error(path, line, fmt::format("missing field \"{}\"", key), hint);
  if (!j[key].is_string())
    line_error(path, line, fmt::format("field \"{}\" is not a string", key), hint);
  return j[key].get<std::string>();
}

std::vector<std::string> strings_field(const json& j, const char* key, const std::string& path,
                                       int64_t line, const char* hint, bool null_ok) {
  if (!j.contains(key)) line_error(path, line, fmt::format("missing field \"{}\"", key), hint);
  const json& value = j[key];
  if (null_ok && value.is_null()) return {};
  if (!value.is_array())
    line_error(path, line, fmt::format("field \"{}\" is not a list", key), hint);
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string())
      line_error(path, line, fmt::format("field \"{}\" holds a non-string", key), hint);
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::string task_name(const std::string& kind, const std::string& path) {
  return kind + ":" + std::filesystem::path(path).stem().string();
}

// The prompt: the context, then the question block, each encoded on its own.
// Returns the question block's token count.
int64_t encode_prompt(const Tokenizer& tokenizer, const std::string& context,
                      const std::string& question_block, TaskSample& sample) {
  sample.prompt = tokenizer.encode(context);
  const std::vector<int32_t> question = tokenizer.encode(question_block);
  sample.prompt.insert(sample.prompt.end(), question.begin(), question.end());
  return static_cast<int64_t>(question.size());
}

// Cuts the prompt so prompt + the longest continuation fits `length`.
void fit_to_length(TaskSample& sample, int64_t question_tokens, int64_t length) {
  size_t longest = 0;
  for (const auto& c : sample.candidates) longest = std::max(longest, c.size());
  for (const auto& a : sample.answers) longest = std::max(longest, a.size());
  const int64_t budget = length - static_cast<int64_t>(longest);
  sample.prompt = truncate_middle(sample.prompt, budget, question_tokens, &sample.truncated_tokens);
  sample.question_position = static_cast<int64_t>(sample.prompt.size()) - question_tokens;
}

}  // namespace

std::vector<int32_t> truncate_middle(const std::vector<int32_t>& prompt, int64_t budget,
                                     int64_t protected_tail, int64_t* removed) {
  const auto size = static_cast<int64_t>(prompt.size());
  *removed = 0;
  if (size <= budget) return prompt;
  if (protected_tail > budget) {
    throw TaskUnsupported(fmt::format(
        "the question alone ({} tokens) exceeds the {} tokens available", protected_tail, budget));
  }
  int64_t tail = budget - budget / 2;
  int64_t head = budget / 2;
  if (protected_tail > tail) {
    tail = protected_tail;
    head = budget - tail;
  }
  std::vector<int32_t> out(prompt.begin(), prompt.begin() + head);
  out.insert(out.end(), prompt.end() - tail, prompt.end());
  *removed = size - budget;
  return out;
}

std::vector<LongBenchRecord> load_longbench_jsonl(const std::string& path) {
  std::vector<LongBenchRecord> records;
  for_each_object(path, kLongBenchHint, [&](const json& j, int64_t line) {
    LongBenchRecord r;
    r.line = line;
    r.input = string_field(j, "input", path, line, kLongBenchHint);
    r.context = string_field(j, "context", path, line, kLongBenchHint);
    r.answers = strings_field(j, "answers", path, line, kLongBenchHint, /*null_ok=*/false);
    if (r.answers.empty()) line_error(path, line, "\"answers\" is empty", kLongBenchHint);
    for (const auto& a : r.answers) {
      if (a.empty()) line_error(path, line, "\"answers\" holds an empty answer", kLongBenchHint);
    }
    r.all_classes = strings_field(j, "all_classes", path, line, kLongBenchHint, /*null_ok=*/true);
    if (!r.all_classes.empty() && std::find(r.all_classes.begin(), r.all_classes.end(),
                                            r.answers.front()) == r.all_classes.end()) {
      line_error(path, line, "answers[0] is not one of \"all_classes\"", kLongBenchHint);
    }
    if (!j.contains("length") || !j["length"].is_number_integer()) {
      line_error(path, line, "field \"length\" is missing or not an integer", kLongBenchHint);
    }
    r.length = j["length"].get<int64_t>();
    records.push_back(std::move(r));
  });
  return records;
}

std::vector<ChoiceRecord> load_choice_jsonl(const std::string& path) {
  std::vector<ChoiceRecord> records;
  for_each_object(path, kChoiceHint, [&](const json& j, int64_t line) {
    ChoiceRecord r;
    r.line = line;
    r.context = string_field(j, "context", path, line, kChoiceHint);
    r.question = string_field(j, "question", path, line, kChoiceHint);
    r.options = strings_field(j, "options", path, line, kChoiceHint, /*null_ok=*/false);
    if (r.options.size() < 2)
      line_error(path, line, "\"options\" needs at least 2 entries", kChoiceHint);
    for (const auto& o : r.options) {
      if (o.empty()) line_error(path, line, "\"options\" holds an empty option", kChoiceHint);
    }
    if (!j.contains("gold") || !j["gold"].is_number_integer()) {
      line_error(path, line, "field \"gold\" is missing or not an integer", kChoiceHint);
    }
    r.gold = j["gold"].get<int64_t>();
    if (r.gold < 0 || r.gold >= static_cast<int64_t>(r.options.size())) {
      line_error(
          path, line,
          fmt::format("\"gold\" {} is not an index into {} options", r.gold, r.options.size()),
          kChoiceHint);
    }
    records.push_back(std::move(r));
  });
  return records;
}

LongBenchTask::LongBenchTask(const std::string& path, const Tokenizer& tokenizer)
    : path_(path),
      name_(task_name("longbench", path)),
      sha256_(sha256_file(path)),
      tokenizer_(tokenizer),
      records_(load_longbench_jsonl(path)) {}

std::string LongBenchTask::fingerprint() const {
  return fmt::format("{}|longbench={}", kFilesVersion, sha256_);
}

std::string LongBenchTask::describe() const {
  return fmt::format("LongBench JSONL {} ({} records)", path_, records_.size());
}

int64_t LongBenchTask::sample_count(int64_t, int64_t requested) const {
  return std::min<int64_t>(requested, static_cast<int64_t>(records_.size()));
}

TaskSample LongBenchTask::make_sample(int64_t length, double, uint64_t, int64_t index) const {
  const LongBenchRecord& r = records_.at(static_cast<size_t>(index));
  const std::string question = r.input.empty() ? "Answer:" : "Question: " + r.input + "\nAnswer:";
  TaskSample sample;
  const int64_t question_tokens = encode_prompt(tokenizer_, r.context, question, sample);
  for (const auto& a : r.answers) sample.answers.push_back(tokenizer_.encode(a));
  sample.answer_texts = r.answers;
  for (const auto& c : r.all_classes) {
    sample.candidates.push_back(tokenizer_.encode(c));
    sample.candidate_texts.push_back(c);
  }
  if (!r.all_classes.empty()) {
    sample.gold = static_cast<size_t>(
        std::find(r.all_classes.begin(), r.all_classes.end(), r.answers.front()) -
        r.all_classes.begin());
  }
  fit_to_length(sample, question_tokens, length);
  sample.source = fmt::format("{}:{}", path_, r.line);
  return sample;
}

ChoiceTask::ChoiceTask(const std::string& path, const Tokenizer& tokenizer)
    : path_(path),
      name_(task_name("choice", path)),
      sha256_(sha256_file(path)),
      tokenizer_(tokenizer),
      records_(load_choice_jsonl(path)) {}

std::string ChoiceTask::fingerprint() const {
  return fmt::format("{}|choice={}", kFilesVersion, sha256_);
}

std::string ChoiceTask::describe() const {
  return fmt::format("multiple-choice JSONL {} ({} records)", path_, records_.size());
}

int64_t ChoiceTask::sample_count(int64_t, int64_t requested) const {
  return std::min<int64_t>(requested, static_cast<int64_t>(records_.size()));
}

TaskSample ChoiceTask::make_sample(int64_t length, double, uint64_t, int64_t index) const {
  const ChoiceRecord& r = records_.at(static_cast<size_t>(index));
  TaskSample sample;
  const int64_t question_tokens =
      encode_prompt(tokenizer_, r.context, "Question: " + r.question + "\nAnswer:", sample);
  for (const auto& o : r.options) {
    sample.candidates.push_back(tokenizer_.encode(o));
    sample.candidate_texts.push_back(o);
  }
  sample.gold = static_cast<size_t>(r.gold);
  sample.answers = {sample.candidates[sample.gold]};
  sample.answer_texts = {r.options[sample.gold]};
  fit_to_length(sample, question_tokens, length);
  sample.source = fmt::format("{}:{}", path_, r.line);
  return sample;
}

}  // namespace lengen::evals
