// Needle-in-a-haystack tasks over real text, with the needle at a chosen depth:
//
//   passkey        — the zoo's training template (zoo/README.md, "Passkey
//                    template"): a random 5-digit key stated once, asked for at
//                    the end; inserted at the exact token index round(d x filler),
//                    as in training (possibly mid-sentence).
//   niah           — RULER's needle "One of the special magic numbers for {key}
//                    is: {value}." (key: adjective-noun, value: 7 digits),
//                    inserted at the sentence boundary nearest the depth.
//   niah-multikey  — the same with 3 distractor needles (other keys and values)
//                    at random depths; their values are the ranking candidates,
//                    so the model must retrieve the right one, not just a number.
//
// Every piece is encoded on its own and concatenated in token space (the zoo's
// convention), so needle and question positions are exact token indices.
// The haystack, keys and candidates depend on (seed, length, index), not on the
// depth: the cells of a depth grid differ only by where the needle sits.
#pragma once

#include <cstdint>
#include <string>

#include "core/tasks/task_sample.h"
#include "evals/haystack.h"

namespace lengen::evals {

class PasskeyTask : public TaskGenerator {
 public:
  // `candidates`: N for the ranking scorer (gold + N-1 random keys), >= 1.
  PasskeyTask(const Haystack& haystack, const Tokenizer& tokenizer, int64_t candidates);

  std::string name() const override { return "passkey"; }
  bool uses_depth() const override { return true; }
  std::string fingerprint() const override;
  int64_t sample_count(int64_t, int64_t requested) const override { return requested; }
  TaskSample make_sample(int64_t length, double depth, uint64_t seed, int64_t index) const override;
  std::string describe() const override;

 private:
  const Haystack& haystack_;
  const Tokenizer& tokenizer_;
  int64_t candidates_;
};

class NiahTask : public TaskGenerator {
 public:
  // `distractor_needles`: 0 for `niah`, 3 for `niah-multikey`.
  NiahTask(const Haystack& haystack, const Tokenizer& tokenizer, int64_t candidates,
           int64_t distractor_needles);

  std::string name() const override { return distractors_ > 0 ? "niah-multikey" : "niah"; }
  bool uses_depth() const override { return true; }
  std::string fingerprint() const override;
  int64_t sample_count(int64_t, int64_t requested) const override { return requested; }
  TaskSample make_sample(int64_t length, double depth, uint64_t seed, int64_t index) const override;
  std::string describe() const override;

 private:
  const Haystack& haystack_;
  const Tokenizer& tokenizer_;
  int64_t candidates_;
  int64_t distractors_;
};

// The templates, exposed for tests.
inline constexpr const char* kPasskeySentence =
    "The pass key is {key}. Remember it. {key} is the pass key.";
inline constexpr const char* kPasskeyQuestion = "What is the pass key? The pass key is";
inline constexpr const char* kNiahNeedle =
    "One of the special magic numbers for {key} is: {value}.";
// RULER's query, then the needle's own lead-in so a base LM completes the value.
inline constexpr const char* kNiahQuestion =
    "What is the special magic number for {key} mentioned in the provided text? "
    "One of the special magic numbers for {key} is:";

}  // namespace lengen::evals
