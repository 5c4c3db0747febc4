#include "core/perplexity/protocol.h"

#include <algorithm>

#include "core/data/token_cache.h"
#include "core/util/error.h"

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

Protocol parse_protocol(const std::string& name) {
  if (name == "chunks") return Protocol::kChunks;
  if (name == "sliding") return Protocol::kSliding;
  if (name == "tail") return Protocol::kTail;
  throw_bad_input("--protocol", "unknown protocol '" + name + "'", "use chunks, sliding or tail");
}

int64_t effective_stride(const ProtocolSpec& spec, int64_t length) {
  if (spec.protocol == Protocol::kChunks) return length;
  if (spec.protocol == Protocol::kSliding) {
    return spec.stride > 0 ? std::min(spec.stride, length) : std::max<int64_t>(1, length / 2);
  }
  return 0;
}

namespace {

void add_strided(const TokenCache& cache, int64_t length, int64_t stride, WindowPlan& plan) {
  for (size_t doc = 0; doc < cache.document_count(); ++doc) {
    const int64_t doc_length = cache.document_length(doc);
    if (doc_length < length) {
      ++plan.documents_skipped;
      continue;
    }
    ++plan.documents_used;
    int64_t scored_until = 0;  // doc index of the first target not yet scored
    for (int64_t begin = 0; begin + length <= doc_length; begin += stride) {
      Window w;
      w.doc = static_cast<uint32_t>(doc);
      w.begin = begin;
      w.length = length;
      // target doc index = begin + t + 1 >= scored_until  <=>  t >= scored_until - begin - 1
      w.score_from = std::max<int64_t>(0, scored_until - begin - 1);
      w.id = static_cast<int64_t>(plan.windows.size());
      plan.windows.push_back(w);
      scored_until = begin + length;
    }
  }
}

void add_tails(const TokenCache& cache, const ProtocolSpec& spec, int64_t length,
               WindowPlan& plan) {
  const int64_t segment = std::max(spec.segment_length, length);
  int64_t segment_id = 0;
  for (size_t doc = 0; doc < cache.document_count(); ++doc) {
    const int64_t doc_length = cache.document_length(doc);
    if (doc_length < segment) {
      ++plan.documents_skipped;
      continue;
    }
    ++plan.documents_used;
    for (int64_t start = 0; start + segment <= doc_length; start += segment) {
      Window w;
      w.doc = static_cast<uint32_t>(doc);
      w.begin = start + segment - length;
      w.length = length;
      w.score_from = length - 1 - spec.tail_tokens;
      w.id = segment_id++;
      plan.windows.push_back(w);
    }
  }
}

}  // namespace

WindowPlan plan_windows(const TokenCache& cache, const ProtocolSpec& spec, int64_t length,
                        int64_t max_tokens) {
  if (length < 2) throw_bad_input("--lengths", "a length must be at least 2 tokens");
  WindowPlan plan;
  if (spec.protocol == Protocol::kTail) {
    if (spec.tail_tokens < 1 || spec.tail_tokens > length - 1) {
      throw_bad_input("--tail-tokens",
                      "tail K=" + std::to_string(spec.tail_tokens) +
                          " must be in [1, T-1] for T=" + std::to_string(length),
                      "choose K smaller than the shortest length");
    }
    add_tails(cache, spec, length, plan);
  } else {
    add_strided(cache, length, effective_stride(spec, length), plan);
  }
  plan.candidate_windows = plan.windows.size();
  const auto n = static_cast<int64_t>(plan.windows.size());
  // `tail` counts its budget in segments of L_max tokens, so the same segments
  // are kept at every length and the context gain stays paired.
  const int64_t unit =
      spec.protocol == Protocol::kTail ? std::max(spec.segment_length, length) : length;
  if (max_tokens > 0 && n * unit > max_tokens && n > 0) {
    const int64_t keep = std::max<int64_t>(1, max_tokens / unit);
    std::vector<Window> kept;
    kept.reserve(static_cast<size_t>(keep));
    // The centre of each of `keep` equal strata: deterministic and spread out.
    for (int64_t i = 0; i < keep; ++i)
      kept.push_back(plan.windows[static_cast<size_t>((2 * i + 1) * n / (2 * keep))]);
    plan.windows = std::move(kept);
    // Thinning keeps each window's score_from: a sliding window still scores
    // only targets with at least T-S tokens of context (or a document start).
    plan.documents_used = 0;
    for (size_t i = 0; i < plan.windows.size(); ++i) {
      if (i == 0 || plan.windows[i].doc != plan.windows[i - 1].doc) ++plan.documents_used;
    }
  }
  return plan;
}

}  // namespace lengen
