// Perplexity baselines for CI (`lengen baseline`, `lengen check`): a JSON file
// of expected perplexities per (model, corpus, protocol, length) with relative
// tolerance bands, and the comparison of a run against it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/perplexity/sweep_cell.h"

namespace lengen {

struct BaselineRow {
  std::string model;
  std::string corpus;
  Protocol protocol = Protocol::kChunks;
  int64_t stride = 0;
  int64_t tail_tokens = 0;
  int64_t length = 0;
  double perplexity = 0;
  std::optional<double> tolerance;  // overrides the file's default for this row
  std::string corpus_sha256;        // the cache: its corpus and tokenizer
  std::string settings_hash;        // protocol, stride, K, segment, budget
};

struct Baseline {
  double default_tolerance = 0.02;
  std::string source_run;
  std::vector<BaselineRow> rows;
};

// Rows for every ok cell; tolerances already set per row in `previous` are kept.
Baseline baseline_from_cells(const std::vector<SweepCell>& cells, double default_tolerance,
                             const std::string& source_run, const Baseline* previous);
std::string baseline_to_json(const Baseline& baseline);
// Throws lengen::Error (bad input) naming `source` when malformed.
Baseline baseline_from_json(const std::string& text, const std::string& source);

enum class CheckVerdict { kPass, kImproved, kRegressed, kFailed };

struct CheckRow {
  BaselineRow expected;
  double current = 0;  // perplexity of the run (NaN when the cell failed)
  double change = 0;   // current / expected - 1
  double band = 0;
  CheckVerdict verdict = CheckVerdict::kPass;
};

struct CheckReport {
  std::vector<CheckRow> rows;
  std::vector<std::string> incomparable;  // why the run cannot be checked
  int regressions = 0;                    // kRegressed + kFailed
};

// `tolerance_override` replaces every band when given.
CheckReport check_run(const Baseline& baseline, const std::vector<SweepCell>& cells,
                      std::optional<double> tolerance_override);
std::string render_check_markdown(const CheckReport& report);

}  // namespace lengen
