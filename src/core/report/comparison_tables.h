// The tables of `lengen compare`: comparison.csv (wide, one row per model x
// corpus x protocol, one column per length, like YaRN's CSV), paired.csv, and
// comparison.md (best value per column in bold, paired deltas with CIs,
// effective lengths, context gains, task accuracy).
#pragma once

#include <string>
#include <vector>

#include "core/report/comparison.h"

namespace lengen {

struct ComparisonSettings {
  std::string baseline_model;  // "" = no paired table
  double tolerance = 0.10;     // effective-length band (relative perplexity)
  uint64_t seed = 20240229;    // paired bootstraps of the effective length
};

std::string render_comparison_csv(const std::vector<Curve>& curves,
                                  const ComparisonSettings& settings);
std::string render_paired_csv(const std::vector<PairedRow>& rows);
std::string render_comparison_markdown(const std::vector<Curve>& curves,
                                       const std::vector<PairedRow>& paired,
                                       const std::vector<TaskResult>& tasks,
                                       const ComparisonSettings& settings);

// Task scores pooled over depths: per (task, model, length). Ranking accuracy
// pools only cells that ranked (a cell over its budget scores the gold answer
// alone: exact match, no ranking); NaN when none did.
struct PooledAccuracy {
  std::string task, model, position_encoding;
  int64_t length = 0;
  int64_t n = 0;           // samples (exact match)
  int64_t n_ranked = 0;    // samples that were ranked
  double accuracy = 0;     // ranking scorer
  double exact_match = 0;  // greedy scorer
  double chance = 0;
};
std::vector<PooledAccuracy> pool_task_accuracy(const std::vector<TaskResult>& tasks);

}  // namespace lengen
