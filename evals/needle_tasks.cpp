#include "evals/needle_tasks.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/data/tokenizer.h"

namespace lengen::evals {

namespace {

// Version of the templates and placement rules; part of the fingerprint.
constexpr const char* kPasskeyVersion = "passkey-v1";
constexpr const char* kNiahVersion = "niah-v1";

// RULER draws its keys from word lists; ours are two short ones (1,024 keys).
constexpr const char* kAdjectives[] = {
    "amber", "bitter", "brave",  "bright", "calm",   "clever", "crimson", "dusty",
    "eager", "faint",  "fierce", "gentle", "golden", "hollow", "humble",  "icy",
    "jolly", "lively", "lonely", "misty",  "noble",  "pale",   "proud",   "quiet",
    "rapid", "rusty",  "silent", "silver", "steady", "tender", "velvet",  "wild"};
constexpr const char* kNouns[] = {
    "anchor", "badger", "beacon",  "canyon", "cedar",   "comet",  "falcon", "feather",
    "forest", "garden", "harbor",  "island", "lantern", "meadow", "mirror", "orchard",
    "otter",  "pebble", "piano",   "quarry", "raven",   "river",  "saddle", "shadow",
    "spruce", "summit", "thistle", "tower",  "valley",  "walnut", "willow", "window"};

std::vector<int32_t> encode(const Tokenizer& tokenizer, const std::string& text) {
  return tokenizer.encode(text);
}

int64_t depth_index(double depth, int64_t filler) {
  return std::clamp<int64_t>(std::llround(depth / 100.0 * static_cast<double>(filler)), 0, filler);
}

// `count` distinct values in [low, high], the first being `first`.
std::vector<int64_t> distinct_values(Rng& rng, int64_t count, int64_t low, int64_t high) {
  std::vector<int64_t> values;
  while (static_cast<int64_t>(values.size()) < count) {
    const int64_t v = rng.uniform(low, high);
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }
  return values;
}

// Fills the ranking fields: candidate values in a random order, gold among them.
void set_numeric_candidates(TaskSample& sample, const Tokenizer& tokenizer,
                            std::vector<int64_t> values, Rng& rng) {
  const auto gold_slot =
      static_cast<size_t>(rng.uniform(0, static_cast<int64_t>(values.size()) - 1));
  std::swap(values[0], values[gold_slot]);
  sample.gold = gold_slot;
  for (int64_t v : values) {
    sample.candidate_texts.push_back(std::to_string(v));
    sample.candidates.push_back(encode(tokenizer, std::to_string(v)));
  }
  sample.answers = {sample.candidates[sample.gold]};
  sample.answer_texts = {sample.candidate_texts[sample.gold]};
}

size_t longest(const std::vector<std::vector<int32_t>>& sequences) {
  size_t n = 0;
  for (const auto& s : sequences) n = std::max(n, s.size());
  return n;
}

void require_candidates(int64_t candidates) {
  if (candidates < 1) throw_bad_input("--candidates", "must be at least 1");
}

}  // namespace

PasskeyTask::PasskeyTask(const Haystack& haystack, const Tokenizer& tokenizer, int64_t candidates)
    : haystack_(haystack), tokenizer_(tokenizer), candidates_(candidates) {
  require_candidates(candidates);
}

std::string PasskeyTask::fingerprint() const {
  return fmt::format("{}|haystack={}|candidates={}", kPasskeyVersion, haystack_.sha256(),
                     candidates_);
}

std::string PasskeyTask::describe() const {
  return fmt::format(
      "zoo passkey template; haystack {}; {} candidates (gold + random 5-digit keys)",
      haystack_.path(), candidates_);
}

TaskSample PasskeyTask::make_sample(int64_t length, double depth, uint64_t seed,
                                    int64_t index) const {
  Rng rng(derive_seed(seed, fmt::format("passkey|{}|{}", length, index)));
  const std::vector<int64_t> keys = distinct_values(rng, candidates_, 10000, 99999);
  TaskSample sample;
  const std::string key = std::to_string(keys[0]);
  const auto needle =
      encode(tokenizer_, fmt::format(fmt::runtime(kPasskeySentence), fmt::arg("key", key)));
  const auto question = encode(tokenizer_, kPasskeyQuestion);
  set_numeric_candidates(sample, tokenizer_, keys, rng);
  const int64_t filler_length =
      length - static_cast<int64_t>(needle.size() + question.size() + longest(sample.candidates));
  if (filler_length < 0) {
    throw TaskUnsupported(fmt::format("passkey needs at least {} tokens", length - filler_length));
  }
  const std::vector<int32_t> filler = haystack_.window(filler_length, rng, &sample.source);
  const int64_t at = depth_index(depth, filler_length);
  sample.prompt.assign(filler.begin(), filler.begin() + at);
  sample.prompt.insert(sample.prompt.end(), needle.begin(), needle.end());
  sample.prompt.insert(sample.prompt.end(), filler.begin() + at, filler.end());
  sample.prompt.insert(sample.prompt.end(), question.begin(), question.end());
  sample.needle_position = at;
  sample.question_position = filler_length + static_cast<int64_t>(needle.size());
  return sample;
}

NiahTask::NiahTask(const Haystack& haystack, const Tokenizer& tokenizer, int64_t candidates,
                   int64_t distractor_needles)
    : haystack_(haystack),
      tokenizer_(tokenizer),
      candidates_(candidates),
      distractors_(distractor_needles) {
  require_candidates(candidates);
}

std::string NiahTask::fingerprint() const {
  return fmt::format("{}|haystack={}|candidates={}|distractors={}", kNiahVersion,
                     haystack_.sha256(), candidates_, distractors_);
}

std::string NiahTask::describe() const {
  return fmt::format(
      "RULER needle, sentence-boundary insertion; haystack {}; {} distractor needle(s); {} "
      "candidates",
      haystack_.path(), distractors_, candidates_);
}

// Appends `filler` to sample.prompt with needle i inserted at depths[i] percent
// (needle 0 is the gold: its position is recorded), each insertion point snapped
// to a sentence boundary within 2% of the filler.
namespace {
void insert_needles(const Haystack& haystack, const std::vector<int32_t>& filler, double depth,
                    const std::vector<double>& distractor_depths,
                    const std::vector<std::vector<int32_t>>& needle_tokens, TaskSample& sample) {
  const int64_t filler_length = static_cast<int64_t>(filler.size());
  const int64_t radius = std::min<int64_t>(32, filler_length / 50);
  struct Insertion {
    int64_t at;
    size_t needle;
  };
  std::vector<Insertion> insertions = {
      {haystack.nearest_sentence_boundary(filler, depth_index(depth, filler_length), radius), 0}};
  for (size_t i = 0; i < distractor_depths.size(); ++i) {
    insertions.push_back({haystack.nearest_sentence_boundary(
                              filler, depth_index(distractor_depths[i], filler_length), radius),
                          i + 1});
  }
  std::stable_sort(insertions.begin(), insertions.end(),
                   [](const Insertion& a, const Insertion& b) { return a.at < b.at; });
  int64_t copied = 0;
  for (const Insertion& ins : insertions) {
    sample.prompt.insert(sample.prompt.end(), filler.begin() + copied, filler.begin() + ins.at);
    copied = ins.at;
    if (ins.needle == 0) sample.needle_position = static_cast<int64_t>(sample.prompt.size());
    const auto& tokens = needle_tokens[ins.needle];
    sample.prompt.insert(sample.prompt.end(), tokens.begin(), tokens.end());
  }
  sample.prompt.insert(sample.prompt.end(), filler.begin() + copied, filler.end());
}
}  // namespace

TaskSample NiahTask::make_sample(int64_t length, double depth, uint64_t seed, int64_t index) const {
  Rng rng(derive_seed(seed, fmt::format("{}|{}|{}", name(), length, index)));
  const int64_t needles = 1 + distractors_;
  constexpr int64_t kWords = sizeof(kAdjectives) / sizeof(kAdjectives[0]);
  std::vector<std::string> keys;
  for (int64_t k : distinct_values(rng, needles, 0, kWords * kWords - 1)) {
    keys.push_back(std::string(kAdjectives[k / kWords]) + "-" + kNouns[k % kWords]);
  }
  // values[0] is the gold, values[1..needles) the distractor needles' (present in
  // the context: the hard candidates), the rest random: the first N are the candidates.
  const std::vector<int64_t> values =
      distinct_values(rng, std::max(needles, candidates_), 1000000, 9999999);
  const std::vector<int64_t> candidate_values(values.begin(), values.begin() + candidates_);
  std::vector<double> distractor_depths;
  for (int64_t i = 0; i < distractors_; ++i)
    distractor_depths.push_back(static_cast<double>(rng.uniform(0, 1000)) / 10.0);

  TaskSample sample;
  set_numeric_candidates(sample, tokenizer_, candidate_values, rng);
  std::vector<std::vector<int32_t>> needle_tokens;
  int64_t needle_total = 0;
  for (int64_t i = 0; i < needles; ++i) {
    needle_tokens.push_back(
        encode(tokenizer_,
               fmt::format(fmt::runtime(kNiahNeedle), fmt::arg("key", keys[static_cast<size_t>(i)]),
                           fmt::arg("value", values[static_cast<size_t>(i)]))));
    needle_total += static_cast<int64_t>(needle_tokens.back().size());
  }
  const auto question =
      encode(tokenizer_, fmt::format(fmt::runtime(kNiahQuestion), fmt::arg("key", keys[0])));
  const int64_t filler_length =
      length - needle_total - static_cast<int64_t>(question.size() + longest(sample.candidates));
  if (filler_length < 0) {
    throw TaskUnsupported(
        fmt::format("{} needs at least {} tokens", name(), length - filler_length));
  }
  const std::vector<int32_t> filler = haystack_.window(filler_length, rng, &sample.source);

  insert_needles(haystack_, filler, depth, distractor_depths, needle_tokens, sample);
  sample.question_position = static_cast<int64_t>(sample.prompt.size());
  sample.prompt.insert(sample.prompt.end(), question.begin(), question.end());
  return sample;
}

}  // namespace lengen::evals
