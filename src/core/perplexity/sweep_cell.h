// The record of one sweep cell (model x corpus x protocol x length): its
// settings, outcome, statistics, per-position curve and per-block scores; its
// JSON form (cells/<key>.json) and the tables built from many cells
// (ppl.csv, positions.csv, the Markdown summary).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/model_identity.h"
#include "core/perplexity/nll_stats.h"
#include "core/perplexity/protocol.h"

namespace lengen {

enum class CellStatus { kOk, kOom, kError, kUnsupported };
std::string to_string(CellStatus status);
CellStatus parse_cell_status(const std::string& name);

// What was measured: the model (ModelIdentity), then the rest of the cell.
struct SweepCell : ModelIdentity {
  std::string key;
  std::string corpus;
  std::string corpus_path;
  std::string corpus_sha256;
  Protocol protocol = Protocol::kChunks;
  int64_t stride = 0;          // sliding: the stride used at this length
  int64_t stride_setting = 0;  // sliding: --stride as given (0 = T/2), groups tables
  int64_t tail_tokens = 0;
  int64_t segment_length = 0;  // L: every protocol samples segments of L tokens
  std::string remainder;       // "drop" / "align" ("" in records before nested sampling)
  int64_t length = 0;
  int64_t max_tokens = 0;
  uint64_t seed = 0;
  // Outcome.
  CellStatus status = CellStatus::kOk;
  std::string message;
  int64_t documents = 0;
  int64_t documents_skipped = 0;
  int64_t candidate_windows = 0;
  int64_t segments = 0;            // kept segments of L tokens
  int64_t candidate_segments = 0;  // before the budget
  int64_t block_tokens = 0;        // targets per bootstrap block
  // Hash of L and the kept segments: cells with equal hashes score the same text
  // (curves and effective lengths are drawn only across such cells). "" in old records.
  std::string segment_hash;
  CellSummary summary;
  double seconds = 0;
  double tokens_per_second = 0;
  double peak_rss_mib = 0;
  double peak_device_mib = 0;  // caching allocator's peak on a GPU; 0 on CPU
  PositionCurve positions;
  std::vector<BlockScore> block_scores;  // bootstrap units, for paired statistics
};

// A model whose logits hold NaN or ±inf at a scored position yields a
// non-finite NLL. Such a cell becomes kError saying so, its scores dropped
// (an ok record with NaN statistics would be unreadable on resume). Returns
// true when `cell` was changed.
bool reject_non_finite_scores(SweepCell& cell);

// Record format 2 (nested sampling): "block_scores" replace "window_scores";
// format-1 records are still read (their windows become blocks, no segment hash).
std::string cell_to_json(const SweepCell& cell);
// Throws lengen::Error (bad input) naming `source` when the record is malformed.
SweepCell cell_from_json(const std::string& text, const std::string& source);

// Cells sorted for tables: corpus, protocol, model, length.
void sort_cells(std::vector<SweepCell>& cells);

// Tidy long format, one row per cell, stable column names (README.md, "Outputs"),
// holding results only.
// For `tail` cells the context gain against the group's shortest length is
// computed here (paired bootstrap over the shared segments).
std::string render_ppl_csv(const std::vector<SweepCell>& cells);
std::string render_positions_csv(const std::vector<SweepCell>& cells);
// Seconds, tokens/s and peak RSS per cell. Kept out of ppl.csv so that the
// results file is a pure function of the settings (a resumed run reproduces it
// byte for byte).
std::string render_perf_csv(const std::vector<SweepCell>& cells);
// One table per corpus x protocol: models as rows, lengths as columns.
std::string render_markdown_summary(const std::vector<SweepCell>& cells);

}  // namespace lengen
