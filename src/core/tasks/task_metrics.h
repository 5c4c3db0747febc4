// Scoring math of `lengen tasks` over plain data: ranking with ties, Wilson
// intervals, SQuAD answer normalization, token F1, and the per-cell summary of
// per-sample scores. No LibTorch, no tokenizer: pure functions, unit-tested on
// hand-made numbers (tests/test_tasks_metrics.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/perplexity/nll_stats.h"  // Interval

namespace lengen {

// Where the gold candidate ranks among candidate log-likelihoods. Ties are
// shared: `credit` is 1/(1 + tied) when no candidate scores strictly higher
// (the expected accuracy of breaking ties at random) and 0 otherwise; `rank`
// is the mid-rank (1 = best). A model that scores every candidate alike
// (a uniform model) thus gets exactly chance, 1/N, not 1 or 0.
struct GoldRank {
  double credit = 0;
  double rank = 0;
};
GoldRank rank_gold(const std::vector<double>& scores, size_t gold);

// 95% Wilson score interval for `successes` out of `n` (successes may be
// fractional, see GoldRank::credit). NaN bounds when n == 0.
Interval wilson_interval(double successes, int64_t n);

// SQuAD's normalize_answer: lower case, drop ASCII punctuation and the
// articles a/an/the, collapse whitespace.
std::string normalize_answer(std::string_view text);
// SQuAD's token F1 of a prediction against one reference, after normalization
// (1 when both normalize to nothing).
double token_f1(std::string_view prediction, std::string_view reference);
// Best token F1 over the acceptable answers (0 when there are none).
double best_token_f1(std::string_view prediction, const std::vector<std::string>& answers);
// RULER's string match: some answer occurs in the prediction, case-insensitively.
bool substring_match(std::string_view prediction, const std::vector<std::string>& answers);

// The scores of one sample (one row of the samples log).
struct SampleScore {
  int64_t index = 0;  // sample index within the cell
  int64_t prompt_tokens = 0;
  int64_t needle_position = -1;    // token index of the (gold) needle in the prompt; -1: none
  int64_t question_position = -1;  // token index where the question starts; -1: none
  int64_t truncated_tokens = 0;    // removed from the middle of the prompt
  // Ranking scorer (empty candidates: not ranked).
  std::vector<double> candidate_logprobs;  // sum of log p over each candidate's tokens
  std::vector<double>
      candidate_bytes;  // UTF-8 bytes of each candidate (length-normalized accuracy)
  size_t gold = 0;
  double gold_logprob = 0;  // of the gold answer; ranked or not
  // Greedy scorer.
  bool exact_match =
      false;             // greedy decoding reproduces an acceptable answer (teacher-forced check)
  bool decoded = false;  // real decoding ran: the next two fields are set
  std::string decoded_text;
  bool substring_match = false;
  double token_f1 = 0;
};

// One cell's aggregate over its samples. NaN where a scorer did not run.
struct TaskSummary {
  int64_t n = 0;
  int64_t ranked = 0;        // samples with candidates
  double accuracy = 0;       // mean tie-shared credit
  Interval accuracy_ci95;    // Wilson
  double accuracy_norm = 0;  // ranking by log-prob per UTF-8 byte
  double mean_gold_rank = 0;
  double mean_candidates = 0;
  double chance = 0;  // mean of 1/N over ranked samples
  double exact_match = 0;
  Interval exact_match_ci95;
  int64_t decoded = 0;
  double substring_match = 0;
  double token_f1 = 0;
  double mean_gold_logprob = 0;
  double mean_prompt_tokens = 0;
  double mean_needle_position = 0;  // over samples that have a needle
  double mean_question_position = 0;
  int64_t truncated = 0;  // samples whose prompt was cut
};
TaskSummary summarize_samples(const std::vector<SampleScore>& samples);

}  // namespace lengen
