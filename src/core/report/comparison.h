// `lengen compare`'s data layer: reads the results of one or more run
// directories and derives what a comparison of encodings needs — perplexity
// curves per model, effective length, paired differences against a baseline
// model on identical windows, task accuracy. Rendering is in comparison_tables
// (CSV/Markdown) and plots (gnuplot).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/perplexity/nll_stats.h"
#include "core/perplexity/sweep_cell.h"

namespace lengen {

// One row of a run's tasks.csv (written by `lengen tasks`).
struct TaskResult {
  std::string model;
  std::string position_encoding;
  std::string task;
  int64_t length = 0;
  double depth = 0;  // percent; NaN when the task has no depth
  std::string status;
  int64_t n = 0;
  double accuracy = 0;
  Interval accuracy_ci95;
  double exact_match = 0;
  double chance = 0;
};

struct RunTables {
  std::vector<SweepCell> cells;   // the cells listed in each run's ppl.csv
  std::vector<TaskResult> tasks;  // every row of each run's tasks.csv
};

// Throws lengen::Error (bad input) for a directory without ppl.csv or tasks.csv.
RunTables load_runs(const std::vector<std::string>& run_dirs);

// A perplexity curve: one model on one corpus under one protocol setting.
struct Curve {
  std::string model;
  std::string position_encoding;
  int64_t train_length = 0;
  std::string corpus;
  Protocol protocol = Protocol::kChunks;
  int64_t stride_setting = 0;
  int64_t tail_tokens = 0;
  std::string remainder;  // "drop" curves are set apart from "align" ones
  std::map<int64_t, const SweepCell*> by_length;

  // "austen · chunks", "austen · tail (last 256)", "austen · chunks (drop)"
  std::string setting() const;
};

// Curves in first-seen order of (corpus, protocol setting), then model. The
// cells must outlive the curves.
std::vector<Curve> build_curves(const std::vector<SweepCell>& cells);

// Whether a curve shows the effect of length: "" when every ok cell scores the
// same segment set (equal, nonempty segment_hash), else why not.
std::string comparability_note(const Curve& curve);

// Effective length, CI-aware (README "Effective length"): with d(T) the paired
// ΔNLL of the cell at T minus the cell at train_length (same model, same
// blocks) and band = ln(1 + tolerance) (a perplexity ratio of 1 + tolerance),
// `length` is the largest evaluated L >= train_length such that every
// evaluated length from train_length to L has the upper end of d's 95% CI
// below the band. `length_point` uses d itself and `length_optimistic` the
// lower end: [length, length_optimistic] is the length's uncertainty. Unknown
// (0) when the training length was not evaluated or failed, or when the curve
// is not comparable across lengths.
struct EffectiveLength {
  int64_t length = 0;
  int64_t length_point = 0;
  int64_t length_optimistic = 0;
  double ratio = 0;  // length / train_length
  std::string note;  // why it is unknown
};
EffectiveLength effective_length(const Curve& curve, double tolerance, uint64_t seed = 1);

// Mean NLL of `model` minus `baseline` on identical blocks (same corpus,
// protocol setting, length and segment set), paired block-bootstrap CI.
struct PairedRow {
  const Curve* curve = nullptr;
  const Curve* baseline = nullptr;
  int64_t length = 0;
  PairedDifference difference;
};
std::vector<PairedRow> paired_against(const std::vector<Curve>& curves,
                                      const std::string& baseline_model, uint64_t seed);

// All evaluated lengths, ascending.
std::vector<int64_t> all_lengths(const std::vector<Curve>& curves);

}  // namespace lengen
