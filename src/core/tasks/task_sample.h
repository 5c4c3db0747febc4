// The contract between task definitions (evals/: passkey, niah, cloze,
// benchmark files) and the task engine (core/tasks.h): a task makes samples —
// a prompt in token ids plus the continuations to score after it — and the
// engine scores them with a model, cell by cell. The engine never knows how a
// sample was built; a task never touches a model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/error.h"

namespace lengen {

struct TaskSample {
  std::vector<int32_t> prompt;  // everything before the answer, no BOS

  // Ranking scorer: continuations whose total log-likelihood after the prompt
  // is compared; candidates[gold] is the correct one. Fewer than two: not ranked.
  std::vector<std::vector<int32_t>> candidates;
  std::vector<std::string> candidate_texts;  // same order; for logs and byte lengths
  size_t gold = 0;

  // Greedy scorer: the acceptable answers as token ids (teacher-forced exact
  // match) and as text (substring match and token F1 after real decoding).
  std::vector<std::vector<int32_t>> answers;
  std::vector<std::string> answer_texts;

  int64_t needle_position = -1;    // token index of the (gold) needle in `prompt`; -1: none
  int64_t question_position = -1;  // token index where the question starts; -1: none
  int64_t truncated_tokens = 0;    // tokens removed from the middle of an over-long prompt
  std::string source;              // where the sample came from (document and offset, file:line)
};

// Thrown by TaskGenerator::make_sample when a cell cannot have samples (no
// document long enough, length too short for the template): the engine
// records the cell as `unsupported` with this message.
class TaskUnsupported : public Error {
 public:
  explicit TaskUnsupported(const std::string& message) : Error(ExitCode::kBadInput, "", message) {}
};

// A task definition. Implementations must be deterministic: the same
// (length, depth, seed, index) gives the same sample, whatever else ran before.
class TaskGenerator {
 public:
  virtual ~TaskGenerator() = default;

  // The name in tasks.csv, e.g. "passkey", "longbench:austen_qa".
  virtual std::string name() const = 0;
  // True when the task places its needle at a depth (the depth grid applies).
  virtual bool uses_depth() const = 0;
  // Everything besides (length, depth, seed, index) that determines the
  // samples: template version, haystack or data file sha256, candidate count.
  // Part of every cell key, so changing it never reuses old records.
  virtual std::string fingerprint() const = 0;
  // How many samples a cell at `length` can have (synthetic tasks: `requested`;
  // files: at most their record count).
  virtual int64_t sample_count(int64_t length, int64_t requested) const = 0;
  // Sample `index` of the cell (length, depth in percent; NaN without depth);
  // prompt + the longest continuation fits in `length` tokens. The haystack,
  // key and candidates depend on (length, seed, index) only, so the cells of a
  // depth grid differ only by where the needle sits. Throws TaskUnsupported
  // when no sample of this length can be made.
  virtual TaskSample make_sample(int64_t length, double depth, uint64_t seed,
                                 int64_t index) const = 0;
  // A short description for run.json (source files, settings).
  virtual std::string describe() const = 0;
};

}  // namespace lengen
