// `cloze`: long-range named-entity cloze from novels. A sample is a passage of
// a book that ends right before a character's name, where that name's previous
// mention lies far back: in the first half of the passage (at least P/2 and at
// most P tokens back, P = the prompt length). The model must recall who is
// meant from long ago. Candidates are other names of the same book, preferring
// ones that also occur in the passage (so "the name that appears in the text"
// is not enough).
//
// Names are found in the haystack itself, no list needed: capitalized words
// seen at least 10 times in a document, never in lower case, mostly not
// sentence-initial, and at least twice after a title (Mr, Mrs, Miss, Lady,
// Sir, Colonel, Captain) or next to "said" — characters, not places.
// The task has no depth grid; each sample records where the previous mention
// is (needle_position).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tasks/task_sample.h"
#include "evals/haystack.h"

namespace lengen::evals {

class ClozeTask : public TaskGenerator {
 public:
  // Scans the haystack for names (once, here).
  ClozeTask(const Haystack& haystack, const Tokenizer& tokenizer, int64_t candidates);

  std::string name() const override { return "cloze"; }
  bool uses_depth() const override { return false; }
  std::string fingerprint() const override;
  int64_t sample_count(int64_t length, int64_t requested) const override;
  TaskSample make_sample(int64_t length, double depth, uint64_t seed, int64_t index) const override;
  std::string describe() const override;

  // The names found in document `doc`, for tests and logs.
  std::vector<std::string> names_of(size_t doc) const;

 private:
  struct Name {
    std::string text;
    std::vector<int32_t> tokens;     // encode(text): the continuation scored
    std::vector<int64_t> positions;  // token offsets of its mentions, ascending
  };
  struct Occurrence {
    size_t doc;
    size_t name;
    int64_t at;        // token offset of the mention to predict
    int64_t previous;  // token offset of the mention before it
  };
  // Valid occurrences at `length` in a seed-independent order (cached; not thread-safe).
  const std::vector<Occurrence>& occurrences(int64_t length) const;
  int64_t prompt_length(int64_t length) const;

  const Haystack& haystack_;
  const Tokenizer& tokenizer_;
  int64_t candidates_;
  std::vector<std::vector<Name>> names_;  // per document
  mutable std::map<int64_t, std::vector<Occurrence>> occurrences_;
};

}  // namespace lengen::evals
