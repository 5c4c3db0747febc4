#include "evals/task_registry.h"

#include <algorithm>

#include "core/util/error.h"
#include "evals/benchmark_files.h"
#include "evals/cloze_task.h"
#include "evals/needle_tasks.h"

namespace lengen::evals {

namespace {

constexpr const char* kKnownTasks =
    "known tasks: passkey, niah, niah-multikey, cloze, longbench:FILE.jsonl, choice:FILE.jsonl";

bool has_prefix(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TaskSet::TaskSet(const std::vector<std::string>& names, const TaskSettings& settings,
                 const Tokenizer& tokenizer) {
  auto haystack = [&]() -> const Haystack& {
    if (!haystack_) {
      if (settings.haystack.empty()) {
        throw_bad_input(
            "--haystack", "built-in tasks need a token cache of real text",
            "e.g. --haystack build/data/caches/austen.tok (make build/data/caches/austen.tok)");
      }
      haystack_ = std::make_unique<Haystack>(settings.haystack, tokenizer);
    }
    return *haystack_;
  };
  std::vector<std::string> seen;
  for (const auto& name : names) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      throw_bad_input("--tasks", "task '" + name + "' is given twice");
    }
    seen.push_back(name);
    if (name == "passkey") {
      tasks_.push_back(std::make_unique<PasskeyTask>(haystack(), tokenizer, settings.candidates));
    } else if (name == "niah") {
      tasks_.push_back(std::make_unique<NiahTask>(haystack(), tokenizer, settings.candidates, 0));
    } else if (name == "niah-multikey") {
      tasks_.push_back(std::make_unique<NiahTask>(haystack(), tokenizer, settings.candidates, 3));
    } else if (name == "cloze") {
      tasks_.push_back(std::make_unique<ClozeTask>(haystack(), tokenizer, settings.candidates));
    } else if (has_prefix(name, "longbench:")) {
      tasks_.push_back(std::make_unique<LongBenchTask>(name.substr(10), tokenizer));
    } else if (has_prefix(name, "choice:")) {
      tasks_.push_back(std::make_unique<ChoiceTask>(name.substr(7), tokenizer));
    } else {
      throw_bad_input("--tasks", "unknown task '" + name + "'", kKnownTasks);
    }
  }
}

TaskSet::~TaskSet() = default;

std::vector<const TaskGenerator*> TaskSet::generators() const {
  std::vector<const TaskGenerator*> out;
  for (const auto& t : tasks_) out.push_back(t.get());
  return out;
}

}  // namespace lengen::evals
