#include <catch2/catch.hpp>
#include <set>

#include "core/data/token_cache.h"
#include "core/perplexity/protocol.h"
#include "core/perplexity/sweep_cell.h"
#include "test_helpers.h"

using namespace lengen;

namespace {
// A cache with documents of the given lengths (ids are positions mod 50).
std::string make_cache(const testing::ScratchDir& dir, const std::vector<int>& lengths) {
  TokenCacheSettings s;
  s.vocab_size = 64;
  s.tokenizer_sha256 = std::string(64, 'c');
  TokenCacheWriter writer(dir.file("p.tok"), s);
  for (size_t d = 0; d < lengths.size(); ++d) {
    std::vector<int32_t> ids;
    for (int i = 0; i < lengths[d]; ++i) ids.push_back(i % 50);
    writer.add_document("d" + std::to_string(d), ids, static_cast<uint64_t>(lengths[d]) * 4);
  }
  writer.finish();
  return dir.file("p.tok");
}

using Targets = std::multiset<std::pair<uint32_t, int64_t>>;

// Document indices of the targets each window scores.
Targets scored_targets(const WindowPlan& plan) {
  Targets out;
  for (const auto& w : plan.windows) {
    for (int64_t t = w.score_from; t < w.length - 1; ++t) out.insert({w.doc, w.begin + t + 1});
  }
  return out;
}

// Every token of docs [first, last] of the given lengths except each document's first.
Targets every_target(const std::vector<std::pair<uint32_t, int64_t>>& docs) {
  Targets out;
  for (const auto& [doc, length] : docs) {
    for (int64_t i = 1; i < length; ++i) out.insert({doc, i});
  }
  return out;
}

ProtocolSpec spec_of(Protocol protocol, int64_t segment, Remainder remainder) {
  ProtocolSpec spec;
  spec.protocol = protocol;
  spec.segment_length = segment;
  spec.remainder = remainder;
  return spec;
}
}  // namespace

TEST_CASE("chunks: windows of T inside segments of L, remainders dropped, short documents counted",
          "[protocol]") {
  testing::ScratchDir dir("proto");
  TokenCache cache(make_cache(dir, {20, 45, 3}));
  const ProtocolSpec spec = spec_of(Protocol::kChunks, 15, Remainder::kDrop);
  const WindowPlan plan = plan_windows(cache, spec, 8, 0);
  // doc 0: one segment [0,15); doc 1: [0,15), [15,30), [30,45); doc 2 shorter than L.
  CHECK(plan.segments == 4);
  REQUIRE(plan.windows.size() == 8);  // windows at 0 and 7 of each segment
  CHECK(plan.documents_used == 2);
  CHECK(plan.documents_skipped == 1);
  for (const auto& w : plan.windows) {
    CHECK(w.length == 8);
    CHECK(w.score_from == 0);
    CHECK(w.targets() == 7);
    CHECK((w.begin - w.segment_begin) % 7 == 0);
  }
  // Every token of a segment after its first, exactly once.
  Targets expected = every_target({{0, 15}, {1, 45}});
  expected.erase(expected.find({1u, 15}));
  expected.erase(expected.find({1u, 30}));
  CHECK(scored_targets(plan) == expected);
  // L = 0 means segments of T: windows of T that share no token.
  const WindowPlan plain =
      plan_windows(cache, spec_of(Protocol::kChunks, 0, Remainder::kDrop), 8, 0);
  CHECK(plain.windows.size() == 2 + 5);
}

TEST_CASE("sliding with S = T-1 produces exactly the chunks windows", "[protocol]") {
  testing::ScratchDir dir("proto-eq");
  TokenCache cache(make_cache(dir, {100, 37, 64, 5}));
  for (Remainder remainder : {Remainder::kDrop, Remainder::kAlign}) {
    const ProtocolSpec chunks = spec_of(Protocol::kChunks, 32, remainder);
    ProtocolSpec sliding = spec_of(Protocol::kSliding, 32, remainder);
    sliding.stride = 15;
    const auto a = plan_windows(cache, chunks, 16, 0);
    const auto b = plan_windows(cache, sliding, 16, 0);
    REQUIRE(a.windows.size() == b.windows.size());
    for (size_t i = 0; i < a.windows.size(); ++i) {
      CHECK(a.windows[i].begin == b.windows[i].begin);
      CHECK(a.windows[i].score_from == b.windows[i].score_from);
    }
  }
}

TEST_CASE("sliding scores every target of a segment after its first token exactly once",
          "[protocol]") {
  testing::ScratchDir dir("proto-slide");
  TokenCache cache(make_cache(dir, {25, 40}));
  ProtocolSpec spec = spec_of(Protocol::kSliding, 20, Remainder::kDrop);
  spec.stride = 4;
  const WindowPlan plan = plan_windows(cache, spec, 8, 0);
  // Segments: doc 0 [0,20); doc 1 [0,20), [20,40). Token 20 of doc 1 starts a
  // segment and is never a target; doc 0's last 5 tokens are dropped.
  Targets expected;
  for (int64_t i = 1; i <= 19; ++i) expected.insert({0u, i});
  for (int64_t i = 1; i <= 39; ++i) {
    if (i != 20) expected.insert({1u, i});
  }
  CHECK(scored_targets(plan) == expected);
  CHECK(plan.windows[1].targets() == 4);  // S targets per later window
}

TEST_CASE("align scores every token of a document after its first exactly once at every length",
          "[protocol]") {
  testing::ScratchDir dir("proto-align");
  TokenCache cache(make_cache(dir, {37, 64, 50}));
  const Targets all = every_target({{0, 37}, {1, 64}, {2, 50}});
  for (Protocol protocol : {Protocol::kChunks, Protocol::kSliding}) {
    ProtocolSpec spec = spec_of(protocol, 32, Remainder::kAlign);
    spec.stride = 3;  // does not divide T: the final window is right-aligned
    for (int64_t length : {8, 10, 16, 32}) {
      const WindowPlan plan = plan_windows(cache, spec, length, 0);
      const Targets scored = scored_targets(plan);
      CHECK(std::set<std::pair<uint32_t, int64_t>>(scored.begin(), scored.end()).size() ==
            scored.size());  // no target twice
      // every token but the first of each segment from a document's start:
      // token 32 of doc 1 (segments [0,32), [32,64)); docs 0 and 2 end with a
      // right-aligned segment whose first target is token 32
      Targets expected = all;
      expected.erase(expected.find({1u, 32}));
      CHECK(scored == expected);
    }
  }
}

TEST_CASE("a budget keeps the same segments at every length: nested sampling", "[protocol]") {
  testing::ScratchDir dir("proto-nested");
  TokenCache cache(make_cache(dir, {400, 130, 400, 260}));
  ProtocolSpec sliding = spec_of(Protocol::kSliding, 64, Remainder::kAlign);
  ProtocolSpec chunks = spec_of(Protocol::kChunks, 64, Remainder::kAlign);
  const WindowPlan reference = plan_windows(cache, sliding, 64, 256);
  CHECK(reference.segments == 4);  // floor(256 / 64)
  CHECK(reference.candidate_segments > reference.segments);
  std::set<uint32_t> docs;
  for (const auto& w : reference.windows) docs.insert(w.doc);
  CHECK(docs.size() >= 3);  // spread over the corpus, not its first documents
  for (int64_t length : {8, 16, 32, 64}) {
    const WindowPlan s = plan_windows(cache, sliding, length, 256);
    const WindowPlan c = plan_windows(cache, chunks, length, 256);
    CHECK(s.segment_hash == reference.segment_hash);
    CHECK(c.segment_hash == reference.segment_hash);
    CHECK(scored_targets(s) == scored_targets(reference));  // exactly the same targets
    CHECK(scored_targets(c) == scored_targets(reference));
  }
  // Another budget or segment length is another segment set.
  CHECK(plan_windows(cache, sliding, 16, 128).segment_hash != reference.segment_hash);
  CHECK(plan_windows(cache, spec_of(Protocol::kSliding, 32, Remainder::kAlign), 16, 256)
            .segment_hash != reference.segment_hash);
  CHECK(plan_windows(cache, sliding, 16, 5).segments == 1);  // at least one segment
}

TEST_CASE("tail scores the same final K targets of each segment at every length", "[protocol]") {
  testing::ScratchDir dir("proto-tail");
  TokenCache cache(make_cache(dir, {45, 19, 20}));
  ProtocolSpec spec = spec_of(Protocol::kTail, 20, Remainder::kAlign);
  spec.tail_tokens = 3;
  const auto at8 = plan_windows(cache, spec, 8, 0);
  const auto at16 = plan_windows(cache, spec, 16, 0);
  const auto at20 = plan_windows(cache, spec, 20, 0);
  CHECK(at8.windows.size() == 3);  // doc 0: two segments (tail never aligns); doc 2: one
  CHECK(at8.documents_skipped == 1);
  CHECK(scored_targets(at8) == scored_targets(at16));
  CHECK(scored_targets(at8) == scored_targets(at20));
  Targets expected{{0, 17}, {0, 18}, {0, 19}, {0, 37}, {0, 38}, {0, 39}, {2, 17}, {2, 18}, {2, 19}};
  CHECK(scored_targets(at8) == expected);
  for (size_t i = 0; i < at8.windows.size(); ++i)
    CHECK(at8.windows[i].segment == at16.windows[i].segment);
  CHECK_THROWS_WITH(plan_windows(cache, spec, 3, 0), Catch::Contains("tail K=3"));
  // A budget of two segments keeps the same two segments at every length.
  const auto thin8 = plan_windows(cache, spec, 8, 40);
  const auto thin16 = plan_windows(cache, spec, 16, 40);
  REQUIRE(thin8.windows.size() == 2);
  CHECK(scored_targets(thin8) == scored_targets(thin16));
}

TEST_CASE("a stride above T and a length above the segments are bad input", "[protocol][errors]") {
  testing::ScratchDir dir("proto-bad");
  TokenCache cache(make_cache(dir, {100}));
  ProtocolSpec spec = spec_of(Protocol::kSliding, 64, Remainder::kAlign);
  spec.stride = 9;
  CHECK_THROWS_WITH(plan_windows(cache, spec, 8, 0), Catch::Contains("stride S=9 exceeds T=8") &&
                                                         Catch::Contains("never be scored"));
  CHECK_NOTHROW(plan_windows(cache, spec, 9, 0));
  CHECK_THROWS_WITH(plan_windows(cache, spec, 128, 0), Catch::Contains("--segment-tokens"));
}

TEST_CASE("bootstrap blocks hold 256 targets, fewer so that a segment has four", "[protocol]") {
  ProtocolSpec spec;
  CHECK(block_tokens_for(spec, 32768) == 256);
  CHECK(block_tokens_for(spec, 513) == 128);
  CHECK(block_tokens_for(spec, 5) == 1);
  spec.protocol = Protocol::kTail;
  spec.tail_tokens = 256;
  CHECK(block_tokens_for(spec, 32768) == 64);
}

TEST_CASE("a cell record keeps its protocol as the enum and names itself for an unknown one",
          "[protocol]") {
  SweepCell cell;
  cell.key = "k";
  cell.protocol = Protocol::kTail;
  const std::string text = cell_to_json(cell);
  CHECK(cell_from_json(text, "cells/k.json").protocol == Protocol::kTail);
  std::string bad = text;
  const std::string from = "\"protocol\": \"tail\"";
  REQUIRE(bad.find(from) != std::string::npos);
  bad.replace(bad.find(from), from.size(), "\"protocol\": \"sideways\"");
  CHECK_THROWS_WITH(
      cell_from_json(bad, "cells/k.json"),
      Catch::Contains("cells/k.json") && Catch::Contains("unknown protocol 'sideways'"));
  CHECK(describe_protocol(Protocol::kTail, 0, 256, "drop") == "tail (last 256 tokens)");
  CHECK(describe_protocol(Protocol::kSliding, 0, 0, "align") == "sliding (stride T/2)");
  CHECK(describe_protocol(Protocol::kChunks, 0, 0, "drop") == "chunks (drop)");
}
