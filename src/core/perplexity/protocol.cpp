#include "core/perplexity/protocol.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/data/token_cache.h"
#include "core/util/error.h"
#include "core/util/sha256.h"

namespace lengen {

std::string to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::kChunks:
      return "chunks";
    case Protocol::kSliding:
      return "sliding";
    case Protocol::kTail:
      return "tail";
  }
  return "?";
}

std::string to_string(Remainder remainder) {
  return remainder == Remainder::kDrop ? "drop" : "align";
}

std::string describe_protocol(Protocol protocol, int64_t stride_setting, int64_t tail_tokens,
                              const std::string& remainder) {
  std::string s = to_string(protocol);
  if (protocol == Protocol::kSliding) {
    s += stride_setting > 0 ? " (stride " + std::to_string(stride_setting) + ")" : " (stride T/2)";
  }
  if (protocol == Protocol::kTail) s += " (last " + std::to_string(tail_tokens) + " tokens)";
  if (protocol != Protocol::kTail && remainder == "drop") s += " (drop)";
  return s;
}

std::optional<Protocol> protocol_named(const std::string& name) {
  for (Protocol p : {Protocol::kChunks, Protocol::kSliding, Protocol::kTail}) {
    if (to_string(p) == name) return p;
  }
  return std::nullopt;
}

Protocol parse_protocol(const std::string& name) {
  if (auto p = protocol_named(name)) return *p;
  throw_bad_input("--protocol", "unknown protocol '" + name + "'", "use chunks, sliding or tail");
}

Remainder parse_remainder(const std::string& name) {
  if (name == "drop") return Remainder::kDrop;
  if (name == "align") return Remainder::kAlign;
  throw_bad_input("--remainder", "unknown remainder policy '" + name + "'", "use drop or align");
}

int64_t effective_stride(const ProtocolSpec& spec, int64_t length) {
  // chunks: consecutive windows share one token, the previous window's last
  // target, which is context only (lm-eval's rolling windows do the same), so a
  // segment's targets are every token after its first at every T.
  if (spec.protocol == Protocol::kChunks) return length - 1;
  if (spec.protocol == Protocol::kSliding) {
    return spec.stride > 0 ? spec.stride : std::max<int64_t>(1, length / 2);
  }
  return 0;
}

int64_t block_tokens_for(const ProtocolSpec& spec, int64_t segment_length) {
  const int64_t span = spec.protocol == Protocol::kTail ? spec.tail_tokens
                                                        : std::max<int64_t>(1, segment_length - 1);
  return std::clamp<int64_t>(span / 4, 1, 256);
}

namespace {

// Disjoint segments of L tokens from each document's start; with `align` a
// final one right-aligned to the document end scores the remaining targets.
std::vector<Segment> candidate_segments(const TokenCache& cache, int64_t segment,
                                        Remainder remainder, WindowPlan& plan) {
  std::vector<Segment> out;
  for (size_t doc = 0; doc < cache.document_count(); ++doc) {
    const int64_t doc_length = cache.document_length(doc);
    if (doc_length < segment) {
      ++plan.documents_skipped;
      continue;
    }
    int64_t start = 0;
    for (; start + segment <= doc_length; start += segment) {
      out.push_back(
          {static_cast<uint32_t>(doc), start, start + 1, static_cast<int64_t>(out.size())});
    }
    if (remainder == Remainder::kAlign && start < doc_length) {
      // Targets start..doc_length-1 are new; the first L - (doc_length - start)
      // tokens of this segment are context only.
      out.push_back({static_cast<uint32_t>(doc), doc_length - segment, start,
                     static_cast<int64_t>(out.size())});
    }
  }
  return out;
}

// The centre of each of `keep` equal strata: deterministic and spread out.
std::vector<Segment> thin(const std::vector<Segment>& all, int64_t segment, int64_t max_tokens) {
  const auto n = static_cast<int64_t>(all.size());
  if (max_tokens <= 0 || n * segment <= max_tokens || n == 0) return all;
  const int64_t keep = std::max<int64_t>(1, max_tokens / segment);
  std::vector<Segment> kept;
  kept.reserve(static_cast<size_t>(keep));
  for (int64_t i = 0; i < keep; ++i)
    kept.push_back(all[static_cast<size_t>((2 * i + 1) * n / (2 * keep))]);
  return kept;
}

Window make_window(const Segment& s, int64_t begin, int64_t length, int64_t score_from) {
  Window w;
  w.doc = s.doc;
  w.begin = begin;
  w.length = length;
  w.score_from = score_from;
  w.segment = s.id;
  w.segment_begin = s.begin;
  return w;
}

// chunks / sliding inside one segment [s.begin, s.begin + L).
void add_strided(const Segment& s, int64_t segment, int64_t length, int64_t stride,
                 Remainder remainder, std::vector<Window>& out) {
  const int64_t end = s.begin + segment;
  int64_t scored_until = s.first_target;  // doc index of the first target not yet scored
  auto add = [&](int64_t begin) {
    // target doc index = begin + t + 1 >= scored_until  <=>  t >= scored_until - begin - 1
    const int64_t score_from = std::max<int64_t>(0, scored_until - begin - 1);
    if (score_from < length - 1) out.push_back(make_window(s, begin, length, score_from));
    scored_until = std::max(scored_until, begin + length);
  };
  int64_t begin = s.begin;
  for (; begin + length <= end; begin += stride) add(begin);
  if (remainder == Remainder::kAlign && scored_until < end) add(end - length);
}

void add_tail(const Segment& s, int64_t segment, int64_t length, int64_t tail_tokens,
              std::vector<Window>& out) {
  out.push_back(make_window(s, s.begin + segment - length, length, length - 1 - tail_tokens));
}

void check_spec(const ProtocolSpec& spec, int64_t length) {
  if (length < 2) throw_bad_input("--lengths", "a length must be at least 2 tokens");
  if (spec.segment_length > 0 && length > spec.segment_length) {
    throw_bad_input(
        "--segment-tokens",
        fmt::format("T={} is longer than the segments ({} tokens)", length, spec.segment_length),
        "use --segment-tokens at least as large as the longest length");
  }
  if (spec.protocol == Protocol::kSliding && spec.stride > length) {
    throw_bad_input("--stride",
                    fmt::format("stride S={} exceeds T={}: the tokens between windows would "
                                "never be scored",
                                spec.stride, length),
                    "use a stride of at most the shortest length (0 = T/2)");
  }
  if (spec.protocol == Protocol::kTail && (spec.tail_tokens < 1 || spec.tail_tokens > length - 1)) {
    throw_bad_input("--tail-tokens",
                    fmt::format("tail K={} must be in [1, T-1] for T={}", spec.tail_tokens, length),
                    "choose K smaller than the shortest length");
  }
}

std::string hash_segments(int64_t segment, const std::vector<Segment>& segments) {
  Sha256 hasher;
  hasher.update(fmt::format("L={}", segment));
  for (const auto& s : segments)
    hasher.update(fmt::format(";{}:{}:{}", s.doc, s.begin, s.first_target));
  return hasher.hex_digest().substr(0, 16);
}

}  // namespace

WindowPlan plan_windows(const TokenCache& cache, const ProtocolSpec& spec, int64_t length,
                        int64_t max_tokens) {
  check_spec(spec, length);
  WindowPlan plan;
  const int64_t segment = std::max(spec.segment_length, length);
  plan.segment_length = segment;
  plan.block_tokens = block_tokens_for(spec, segment);
  // tail scores the final K targets of whole segments: an aligned segment
  // would re-score targets of its predecessor.
  const Remainder remainder = spec.protocol == Protocol::kTail ? Remainder::kDrop : spec.remainder;
  const std::vector<Segment> all = candidate_segments(cache, segment, remainder, plan);
  const std::vector<Segment> kept = thin(all, segment, max_tokens);
  plan.candidate_segments = all.size();
  plan.segments = kept.size();
  plan.segment_hash = hash_segments(segment, kept);
  auto windows_of = [&](const Segment& s, std::vector<Window>& out) {
    if (spec.protocol == Protocol::kTail) {
      add_tail(s, segment, length, spec.tail_tokens, out);
    } else {
      add_strided(s, segment, length, effective_stride(spec, length), remainder, out);
    }
  };
  std::vector<Window> scratch;
  for (const auto& s : all) windows_of(s, scratch);
  plan.candidate_windows = scratch.size();
  for (size_t i = 0; i < kept.size(); ++i) {
    windows_of(kept[i], plan.windows);
    if (i == 0 || kept[i].doc != kept[i - 1].doc) ++plan.documents_used;
  }
  for (size_t i = 0; i < plan.windows.size(); ++i) plan.windows[i].id = static_cast<int64_t>(i);
  return plan;
}

}  // namespace lengen
