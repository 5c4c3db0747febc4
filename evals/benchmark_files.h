// Real benchmark files as tasks:
//
//   LongBench JSONL — one object per line with `input` (the question, may be
//     empty), `context`, `answers` (acceptable answers), `all_classes` (list or
//     null: the label set of classification datasets) and `length`. Scored by
//     greedy exact match, substring match and token F1 (SQuAD normalization),
//     and ranked over `all_classes` when present.
//   multiple choice JSONL — `context`, `question`, `options` (>= 2 strings) and
//     `gold` (index into options). Scored by ranking: accuracy and
//     length-normalized accuracy (log-prob per UTF-8 byte).
//
// Prompt: the context, then "Question: {question}\nAnswer:" (LongBench with an
// empty input: "Answer:"), each encoded on its own; answers follow as
// " {answer}". A prompt longer than the cell length is cut in the middle as
// LongBench does (first half + last half of the budget), never cutting into
// the question. Cells have no depth; sample i is record i.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tasks/task_sample.h"

namespace lengen {
class Tokenizer;
}

namespace lengen::evals {

struct LongBenchRecord {
  int64_t line = 0;  // 1-based line in its file
  std::string input;
  std::string context;
  std::vector<std::string> answers;
  std::vector<std::string> all_classes;  // empty when null
  int64_t length = 0;
};

struct ChoiceRecord {
  int64_t line = 0;
  std::string context;
  std::string question;
  std::vector<std::string> options;
  int64_t gold = 0;
};

// Throw lengen::Error (bad input) "FILE:LINE: ..." for a malformed line, with
// a hint describing the expected fields. Blank lines are skipped.
std::vector<LongBenchRecord> load_longbench_jsonl(const std::string& path);
std::vector<ChoiceRecord> load_choice_jsonl(const std::string& path);

// LongBench's middle truncation in token space: a prompt longer than `budget`
// keeps its first budget/2 and last budget - budget/2 tokens; when the last
// `protected_tail` tokens (the question) exceed that half, they are kept whole
// and the head gives way. Returns the prompt and sets `removed`. Throws
// TaskUnsupported when the protected tail alone exceeds the budget.
std::vector<int32_t> truncate_middle(const std::vector<int32_t>& prompt, int64_t budget,
                                     int64_t protected_tail, int64_t* removed);

class LongBenchTask : public TaskGenerator {
 public:
  LongBenchTask(const std::string& path, const Tokenizer& tokenizer);
  std::string name() const override { return name_; }
  bool uses_depth() const override { return false; }
  std::string fingerprint() const override;
  int64_t sample_count(int64_t, int64_t requested) const override;
  TaskSample make_sample(int64_t length, double depth, uint64_t seed, int64_t index) const override;
  std::string describe() const override;

 private:
  std::string path_;
  std::string name_;
  std::string sha256_;
  const Tokenizer& tokenizer_;
  std::vector<LongBenchRecord> records_;
};

class ChoiceTask : public TaskGenerator {
 public:
  ChoiceTask(const std::string& path, const Tokenizer& tokenizer);
  std::string name() const override { return name_; }
  bool uses_depth() const override { return false; }
  std::string fingerprint() const override;
  int64_t sample_count(int64_t, int64_t requested) const override;
  TaskSample make_sample(int64_t length, double depth, uint64_t seed, int64_t index) const override;
  std::string describe() const override;

 private:
  std::string path_;
  std::string name_;
  std::string sha256_;
  const Tokenizer& tokenizer_;
  std::vector<ChoiceRecord> records_;
};

}  // namespace lengen::evals
