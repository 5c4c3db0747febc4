// Evaluation protocols: which windows of a tokenized corpus are fed to the
// model at sequence length T, and which next-token predictions in each window
// are scored. Documented precisely in README.md, "Protocols".
//
//   chunks  — each document is cut into disjoint windows of T tokens (the
//             remainder is dropped); every prediction inside a window is
//             scored: T-1 targets per window.
//   sliding — windows of T tokens start every S tokens (while they fit); the
//             first window scores all T-1 predictions, later ones only targets
//             not scored before (S per window). S = T gives exactly `chunks`.
//   tail    — each document is cut into disjoint segments of L_max tokens (the
//             sweep's largest length); at every length T the window is the last
//             T tokens of a segment and only its final K targets are scored, so
//             the same targets are scored with T-K tokens of context at every T.
// Windows never cross document boundaries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lengen {

class TokenCache;

enum class Protocol { kChunks, kSliding, kTail };

std::string to_string(Protocol protocol);
// Throws lengen::Error (bad input) for an unknown name.
Protocol parse_protocol(const std::string& name);

struct ProtocolSpec {
  Protocol protocol = Protocol::kChunks;
  int64_t stride = 0;          // sliding: S (0 = T/2)
  int64_t tail_tokens = 256;   // tail: K
  int64_t segment_length = 0;  // tail: L_max, the longest length of the sweep
};

// One window: tokens [begin, begin + length) of document `doc`. Predictions at
// window positions t in [score_from, length - 1) are scored; prediction t reads
// tokens 0..t and is scored on token t + 1.
struct Window {
  uint32_t doc = 0;
  int64_t begin = 0;
  int64_t length = 0;
  int64_t score_from = 0;
  int64_t id = 0;  // stable across lengths for `tail` (the segment index)

  int64_t targets() const { return length - 1 - score_from; }
};

struct WindowPlan {
  std::vector<Window> windows;
  uint64_t documents_used = 0;     // documents contributing at least one window
  uint64_t documents_skipped = 0;  // documents too short for this length
  uint64_t candidate_windows = 0;  // before the token budget was applied
};

// Effective stride of a spec at length T.
int64_t effective_stride(const ProtocolSpec& spec, int64_t length);

// All windows of `cache` at `length`, then thinned deterministically to at most
// `max_tokens` window tokens (0 = no limit; at least one window is always kept)
// by taking evenly spaced windows across the corpus, so a budget samples every
// part of it rather than its first documents. For `tail` the budget counts
// whole segments (L_max tokens each), so the same segments are kept at every
// length.
WindowPlan plan_windows(const TokenCache& cache, const ProtocolSpec& spec, int64_t length,
                        int64_t max_tokens);

}  // namespace lengen
