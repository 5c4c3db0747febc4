// Evaluation protocols: which windows of a tokenized corpus are fed to the
// model at sequence length T, and which next-token predictions in each window
// are scored. Documented precisely in README.md, "Protocols".
//
// Nested sampling: every protocol first cuts each document into segments of L
// tokens (L = the sweep's largest length for the corpus, or --segment-tokens),
// and a budget keeps whole segments. The segments do not depend on T, so a
// curve scores the same text at every length:
//   chunks  — each segment is cut into windows of T tokens that start every T-1
//             tokens (a window's first token is the previous window's last
//             target, as context only); every prediction inside a window is
//             scored (T-1 targets per window), so every token of a segment
//             after its first is a target exactly once, at every T.
//   sliding — windows of T tokens start every S tokens inside the segment; the
//             first window scores all T-1 predictions, later ones only targets
//             not scored before. S = T-1 gives exactly `chunks`.
//   tail    — the window is the last T tokens of each segment and only its final
//             K targets are scored (T-K tokens of context at every T).
// Remainders (`Remainder`): `drop` leaves the last < L tokens of a document (and
// the last < T tokens of a segment) unscored; `align` adds a final segment
// (window) right-aligned to the document (segment) end that scores only the
// targets not scored before. Windows never cross document boundaries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lengen {

class TokenCache;

enum class Protocol { kChunks, kSliding, kTail };
enum class Remainder { kDrop, kAlign };

std::string to_string(Protocol protocol);
std::string to_string(Remainder remainder);
// Throw lengen::Error (bad input, naming --protocol) for an unknown name.
Protocol parse_protocol(const std::string& name);
// The protocol named `name`, or nullopt (callers name their own source).
std::optional<Protocol> protocol_named(const std::string& name);
// The one label of a protocol setting in every table and figure title:
// "chunks", "chunks (drop)", "sliding (stride 256)", "sliding (stride T/2)",
// "tail (last 256 tokens)". `stride_setting` is --stride as given (0 = T/2).
std::string describe_protocol(Protocol protocol, int64_t stride_setting, int64_t tail_tokens,
                              const std::string& remainder);
Remainder parse_remainder(const std::string& name);

struct ProtocolSpec {
  Protocol protocol = Protocol::kChunks;
  int64_t stride = 0;          // sliding: S (0 = T/2); S > T is an error
  int64_t tail_tokens = 256;   // tail: K
  int64_t segment_length = 0;  // L; 0 = T (no nesting: segments are the windows' length)
  Remainder remainder = Remainder::kAlign;  // chunks and sliding; tail always drops
};

// A segment: tokens [begin, begin + L) of document `doc`. Targets before
// `first_target` (a document index) were scored by the previous segment (only
// a right-aligned final segment has first_target > begin + 1).
struct Segment {
  uint32_t doc = 0;
  int64_t begin = 0;
  int64_t first_target = 0;
  int64_t id = 0;  // index among the corpus's candidate segments: stable across lengths
};

// One window: tokens [begin, begin + length) of document `doc`. Predictions at
// window positions t in [score_from, length - 1) are scored; prediction t reads
// tokens 0..t and is scored on token t + 1.
struct Window {
  uint32_t doc = 0;
  int64_t begin = 0;
  int64_t length = 0;
  int64_t score_from = 0;
  int64_t id = 0;             // index of the window in its plan
  int64_t segment = 0;        // Segment::id
  int64_t segment_begin = 0;  // Segment::begin (block ids are segment offsets)

  int64_t targets() const { return length - 1 - score_from; }
};

struct WindowPlan {
  std::vector<Window> windows;
  int64_t segment_length = 0;       // L actually used (max of the spec's L and T)
  int64_t block_tokens = 0;         // targets per bootstrap block (block_tokens_for)
  uint64_t segments = 0;            // kept segments
  uint64_t candidate_segments = 0;  // before the budget was applied
  uint64_t candidate_windows = 0;   // windows of all candidate segments
  uint64_t documents_used = 0;      // documents contributing at least one kept segment
  uint64_t documents_skipped = 0;   // documents shorter than L
  std::string segment_hash;         // 16 hex digits over L and the kept segments
};

// Effective stride of a spec at length T (chunks: T-1).
int64_t effective_stride(const ProtocolSpec& spec, int64_t length);

// Targets per bootstrap block: 256, or fewer so that a segment's scored span
// (L-1 targets, or K for tail) holds at least 4 blocks. Depends on L and K
// only, so blocks pair across lengths and models.
int64_t block_tokens_for(const ProtocolSpec& spec, int64_t segment_length);

// The segments of `cache` for a spec at `length`, then the windows inside them.
// The budget `max_tokens` (0 = no limit) keeps floor(max_tokens / L) segments
// (at least one), the centres of equal strata across the corpus, so a budget
// samples every part of it and keeps the same segments at every length.
// Throws lengen::Error (bad input) for a stride above T, K outside [1, T-1] or
// T above a nonzero segment length.
WindowPlan plan_windows(const TokenCache& cache, const ProtocolSpec& spec, int64_t length,
                        int64_t max_tokens);

}  // namespace lengen
