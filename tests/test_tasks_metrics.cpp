// Task scoring math on hand-made numbers: ranking with ties, Wilson
// intervals, SQuAD normalization and token F1, string match, cell summaries.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/tasks/task_metrics.h"

using namespace lengen;

TEST_CASE("the gold's rank shares ties so equal scores give chance credit", "[tasks]") {
  CHECK(rank_gold({-1.0, -2.0, -3.0}, 0).credit == 1.0);
  CHECK(rank_gold({-1.0, -2.0, -3.0}, 0).rank == 1.0);
  CHECK(rank_gold({-1.0, -2.0, -3.0}, 2).credit == 0.0);
  CHECK(rank_gold({-1.0, -2.0, -3.0}, 2).rank == 3.0);
  // Four equal scores: the expected accuracy of a random tie-break, 1/4.
  const GoldRank tied = rank_gold({-5.0, -5.0, -5.0, -5.0}, 1);
  CHECK(tied.credit == 0.25);
  CHECK(tied.rank == 2.5);
  // A tie with a better candidate above still earns nothing.
  CHECK(rank_gold({-1.0, -2.0, -2.0}, 1).credit == 0.0);
  CHECK(rank_gold({-1.0, -2.0, -2.0}, 1).rank == 2.5);
}

TEST_CASE("Wilson intervals match known values", "[tasks]") {
  // Reference values from the closed form (e.g. statsmodels proportion_confint(method="wilson")).
  const Interval half = wilson_interval(5, 10);
  CHECK(half.low == Approx(0.236593).margin(1e-6));
  CHECK(half.high == Approx(0.763407).margin(1e-6));
  const Interval none = wilson_interval(0, 8);
  CHECK(none.low == 0.0);
  CHECK(none.high == Approx(0.324408).margin(1e-6));
  const Interval all = wilson_interval(8, 8);
  CHECK(all.low == Approx(0.675592).margin(1e-6));
  CHECK(all.high == 1.0);
  CHECK(std::isnan(wilson_interval(0, 0).low));
}

TEST_CASE("answers are normalized as in SQuAD", "[tasks]") {
  CHECK(normalize_answer("The  Baronetage!") == "baronetage");
  CHECK(normalize_answer("Mr. Bingley, of Netherfield") == "mr bingley of netherfield");
  CHECK(normalize_answer("an apple and a pear") == "apple and pear");
  CHECK(normalize_answer("  ") == "");
}

TEST_CASE("token F1 and string match follow SQuAD and RULER", "[tasks]") {
  CHECK(token_f1("Mr. Bingley", "Bingley") == Approx(2.0 / 3.0));
  CHECK(token_f1("the Baronetage", "Baronetage") == 1.0);
  CHECK(token_f1("Darcy", "Bingley") == 0.0);
  CHECK(token_f1("", "") == 1.0);
  CHECK(token_f1("a", "Bingley") == 0.0);  // "a" normalizes to nothing
  CHECK(best_token_f1("Mr. Bingley", {"Darcy", "Mr. Bingley"}) == 1.0);
  CHECK(substring_match("the pass key is 53817.", {"53817"}));
  CHECK(substring_match("SOMERSETSHIRE, sir", {"Somersetshire"}));
  CHECK_FALSE(substring_match("5381", {"53817"}));
  CHECK_FALSE(substring_match("anything", {}));
}

TEST_CASE("a cell summary pools samples and leaves unrun scorers NaN", "[tasks]") {
  std::vector<SampleScore> samples(4);
  for (auto& s : samples) {
    s.candidate_logprobs = {-1.0, -2.0, -3.0, -4.0};
    s.candidate_bytes = {5, 5, 5, 1};
    s.gold_logprob = -1.0;
    s.prompt_tokens = 100;
  }
  samples[0].exact_match = true;
  samples[3].gold = 3;  // ranks last; per byte (-4/1 vs -1/5) it is still last
  samples[3].gold_logprob = -4.0;
  samples[1].needle_position = 10;
  samples[2].needle_position = 30;
  const TaskSummary s = summarize_samples(samples);
  CHECK(s.n == 4);
  CHECK(s.ranked == 4);
  CHECK(s.accuracy == 0.75);
  CHECK(s.accuracy_norm == 0.75);
  CHECK(s.mean_gold_rank == Approx((1 + 1 + 1 + 4) / 4.0));
  CHECK(s.chance == 0.25);
  CHECK(s.mean_candidates == 4.0);
  CHECK(s.exact_match == 0.25);
  CHECK(s.mean_gold_logprob == Approx(-7.0 / 4));
  CHECK(s.mean_needle_position == 20.0);
  CHECK(std::isnan(s.mean_question_position));
  CHECK(s.decoded == 0);
  CHECK(std::isnan(s.substring_match));
  CHECK(std::isnan(s.token_f1));

  // Samples without candidates are not ranked: accuracy is NaN, exact match still counts.
  std::vector<SampleScore> unranked(2);
  unranked[1].exact_match = true;
  const TaskSummary u = summarize_samples(unranked);
  CHECK(u.ranked == 0);
  CHECK(std::isnan(u.accuracy));
  CHECK(std::isnan(u.accuracy_ci95.low));
  CHECK(u.exact_match == 0.5);
}
