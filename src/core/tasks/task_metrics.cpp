#include "core/tasks/task_metrics.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "core/util/utf8.h"

namespace lengen {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kZ95 = 1.959963984540054;  // two-sided 95% normal quantile

std::vector<std::string> split_whitespace(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

double mean(double sum, int64_t n) { return n > 0 ? sum / static_cast<double>(n) : kNaN; }

}  // namespace

GoldRank rank_gold(const std::vector<double>& scores, size_t gold) {
  int64_t higher = 0;
  int64_t tied = 0;  // other candidates scoring exactly the gold's score
  for (size_t i = 0; i < scores.size(); ++i) {
    if (i == gold) continue;
    if (scores[i] > scores[gold]) ++higher;
    if (scores[i] == scores[gold]) ++tied;
  }
  GoldRank r;
  r.credit = higher == 0 ? 1.0 / static_cast<double>(1 + tied) : 0.0;
  r.rank = 1.0 + static_cast<double>(higher) + static_cast<double>(tied) / 2.0;
  return r;
}

Interval wilson_interval(double successes, int64_t n) {
  if (n <= 0) return {kNaN, kNaN};
  const double nn = static_cast<double>(n);
  const double p = std::clamp(successes / nn, 0.0, 1.0);
  const double z2 = kZ95 * kZ95;
  const double denominator = 1 + z2 / nn;
  const double center = (p + z2 / (2 * nn)) / denominator;
  const double half = kZ95 * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denominator;
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

std::string normalize_answer(std::string_view text) {
  // As SQuAD v1.1's evaluate script: lower, remove punctuation, remove
  // articles, fix whitespace (in that order of effect).
  std::string kept;
  for (char c : lower_ascii(text)) {
    if (!std::ispunct(static_cast<unsigned char>(c))) kept += c;
  }
  std::string out;
  for (const auto& word : split_whitespace(kept)) {
    if (word == "a" || word == "an" || word == "the") continue;
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

double token_f1(std::string_view prediction, std::string_view reference) {
  const auto predicted = split_whitespace(normalize_answer(prediction));
  const auto expected = split_whitespace(normalize_answer(reference));
  if (predicted.empty() || expected.empty()) return predicted == expected ? 1.0 : 0.0;
  std::map<std::string, int64_t> counts;
  for (const auto& w : expected) ++counts[w];
  int64_t common = 0;
  for (const auto& w : predicted) {
    auto it = counts.find(w);
    if (it != counts.end() && it->second > 0) {
      --it->second;
      ++common;
    }
  }
  if (common == 0) return 0.0;
  const double precision = static_cast<double>(common) / static_cast<double>(predicted.size());
  const double recall = static_cast<double>(common) / static_cast<double>(expected.size());
  return 2 * precision * recall / (precision + recall);
}

double best_token_f1(std::string_view prediction, const std::vector<std::string>& answers) {
  double best = 0;
  for (const auto& answer : answers) best = std::max(best, token_f1(prediction, answer));
  return best;
}

bool substring_match(std::string_view prediction, const std::vector<std::string>& answers) {
  const std::string haystack = lower_ascii(prediction);
  for (const auto& answer : answers) {
    if (!answer.empty() && haystack.find(lower_ascii(answer)) != std::string::npos) return true;
  }
  return false;
}

TaskSummary summarize_samples(const std::vector<SampleScore>& samples) {
  TaskSummary s;
  s.n = static_cast<int64_t>(samples.size());
  double credit = 0, credit_norm = 0, rank = 0, candidates = 0, chance = 0;
  double exact = 0, substring = 0, f1 = 0, gold_logprob = 0, prompt = 0;
  double needle = 0, question = 0;
  int64_t needles = 0, questions = 0;
  for (const auto& sample : samples) {
    gold_logprob += sample.gold_logprob;
    exact += sample.exact_match ? 1 : 0;
    prompt += static_cast<double>(sample.prompt_tokens);
    s.truncated += sample.truncated_tokens > 0 ? 1 : 0;
    if (sample.needle_position >= 0) {
      needle += static_cast<double>(sample.needle_position);
      ++needles;
    }
    if (sample.question_position >= 0) {
      question += static_cast<double>(sample.question_position);
      ++questions;
    }
    if (sample.decoded) {
      ++s.decoded;
      substring += sample.substring_match ? 1 : 0;
      f1 += sample.token_f1;
    }
    const auto& scores = sample.candidate_logprobs;
    if (scores.size() < 2) continue;  // one candidate ranks trivially: not a ranking
    ++s.ranked;
    const GoldRank r = rank_gold(scores, sample.gold);
    credit += r.credit;
    rank += r.rank;
    candidates += static_cast<double>(scores.size());
    chance += 1.0 / static_cast<double>(scores.size());
    std::vector<double> per_byte(scores.size());
    for (size_t i = 0; i < scores.size(); ++i) {
      per_byte[i] = scores[i] / std::max(1.0, sample.candidate_bytes.at(i));
    }
    credit_norm += rank_gold(per_byte, sample.gold).credit;
  }
  s.accuracy = mean(credit, s.ranked);
  s.accuracy_ci95 = s.ranked > 0 ? wilson_interval(credit, s.ranked) : Interval{kNaN, kNaN};
  s.accuracy_norm = mean(credit_norm, s.ranked);
  s.mean_gold_rank = mean(rank, s.ranked);
  s.mean_candidates = mean(candidates, s.ranked);
  s.chance = mean(chance, s.ranked);
  s.exact_match = mean(exact, s.n);
  s.exact_match_ci95 = wilson_interval(exact, s.n);
  s.substring_match = mean(substring, s.decoded);
  s.token_f1 = mean(f1, s.decoded);
  s.mean_gold_logprob = mean(gold_logprob, s.n);
  s.mean_prompt_tokens = mean(prompt, s.n);
  s.mean_needle_position = mean(needle, needles);
  s.mean_question_position = mean(question, questions);
  return s;
}

}  // namespace lengen
