// The task names `lengen tasks --tasks` understands, and the objects behind
// them. Built-in tasks share one haystack (a token cache of held-out text);
// benchmark files are named by prefix:
//
//   passkey  niah  niah-multikey  cloze  longbench:FILE.jsonl  choice:FILE.jsonl
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tasks/task_sample.h"
#include "evals/haystack.h"

namespace lengen {
class Tokenizer;
}

namespace lengen::evals {

struct TaskSettings {
  std::string haystack;    // token cache for the built-in tasks
  int64_t candidates = 4;  // N of the ranking scorer (built-in tasks)
};

class TaskSet {
 public:
  // Throws lengen::Error (bad input) for an unknown name, a missing or
  // malformed file, or a haystack made with another tokenizer. The haystack is
  // opened only when a built-in task needs it.
  TaskSet(const std::vector<std::string>& names, const TaskSettings& settings,
          const Tokenizer& tokenizer);
  ~TaskSet();

  std::vector<const TaskGenerator*> generators() const;

 private:
  std::unique_ptr<Haystack> haystack_;
  std::vector<std::unique_ptr<TaskGenerator>> tasks_;
};

}  // namespace lengen::evals
