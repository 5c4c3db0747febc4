#include <catch2/catch.hpp>
#include <set>

#include "core/data/token_cache.h"
#include "core/perplexity/protocol.h"
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

// Document indices of the targets each window scores.
std::multiset<std::pair<uint32_t, int64_t>> scored_targets(const WindowPlan& plan) {
  std::multiset<std::pair<uint32_t, int64_t>> out;
  for (const auto& w : plan.windows) {
    for (int64_t t = w.score_from; t < w.length - 1; ++t) out.insert({w.doc, w.begin + t + 1});
  }
  return out;
}
}  // namespace

TEST_CASE("chunks: disjoint windows of T with T-1 targets each and short documents counted",
          "[protocol]") {
  testing::ScratchDir dir("proto");
  TokenCache cache(make_cache(dir, {10, 25, 3}));
  ProtocolSpec spec;
  const WindowPlan plan = plan_windows(cache, spec, 8, 0);
  REQUIRE(plan.windows.size() == 1 + 3);
  CHECK(plan.documents_used == 2);
  CHECK(plan.documents_skipped == 1);
  for (const auto& w : plan.windows) {
    CHECK(w.length == 8);
    CHECK(w.score_from == 0);
    CHECK(w.targets() == 7);
    CHECK(w.begin % 8 == 0);
  }
}

TEST_CASE("sliding with S = T produces exactly the chunks windows", "[protocol]") {
  testing::ScratchDir dir("proto-eq");
  TokenCache cache(make_cache(dir, {100, 37, 64, 5}));
  ProtocolSpec chunks;
  ProtocolSpec sliding;
  sliding.protocol = Protocol::kSliding;
  sliding.stride = 16;
  const auto a = plan_windows(cache, chunks, 16, 0);
  const auto b = plan_windows(cache, sliding, 16, 0);
  REQUIRE(a.windows.size() == b.windows.size());
  for (size_t i = 0; i < a.windows.size(); ++i) {
    CHECK(a.windows[i].begin == b.windows[i].begin);
    CHECK(a.windows[i].score_from == b.windows[i].score_from);
  }
}

TEST_CASE("sliding scores every target after the first window exactly once", "[protocol]") {
  testing::ScratchDir dir("proto-slide");
  TokenCache cache(make_cache(dir, {25, 40}));
  ProtocolSpec spec;
  spec.protocol = Protocol::kSliding;
  spec.stride = 4;
  const WindowPlan plan = plan_windows(cache, spec, 8, 0);
  const auto targets = scored_targets(plan);
  // doc 0: windows start 0,4,...,16 and cover targets 1..23; doc 1: 0..32 -> 1..39
  std::multiset<std::pair<uint32_t, int64_t>> expected;
  for (int64_t i = 1; i <= 23; ++i) expected.insert({0u, i});
  for (int64_t i = 1; i <= 39; ++i) expected.insert({1u, i});
  CHECK(targets == expected);
  CHECK(plan.windows[1].targets() == 4);  // S targets per later window
}

TEST_CASE("tail scores the same final K targets of each segment at every length", "[protocol]") {
  testing::ScratchDir dir("proto-tail");
  TokenCache cache(make_cache(dir, {45, 19, 20}));
  ProtocolSpec spec;
  spec.protocol = Protocol::kTail;
  spec.tail_tokens = 3;
  spec.segment_length = 20;
  const auto at8 = plan_windows(cache, spec, 8, 0);
  const auto at16 = plan_windows(cache, spec, 16, 0);
  const auto at20 = plan_windows(cache, spec, 20, 0);
  CHECK(at8.windows.size() == 3);  // doc 0: two segments; doc 1 too short; doc 2: one
  CHECK(at8.documents_skipped == 1);
  CHECK(scored_targets(at8) == scored_targets(at16));
  CHECK(scored_targets(at8) == scored_targets(at20));
  std::multiset<std::pair<uint32_t, int64_t>> expected{{0, 17}, {0, 18}, {0, 19}, {0, 37}, {0, 38},
                                                       {0, 39}, {2, 17}, {2, 18}, {2, 19}};
  CHECK(scored_targets(at8) == expected);
  for (size_t i = 0; i < at8.windows.size(); ++i) CHECK(at8.windows[i].id == at16.windows[i].id);
  CHECK_THROWS_WITH(plan_windows(cache, spec, 3, 0), Catch::Contains("tail K=3"));
  // A budget of two segments keeps the same two segments at every length.
  const auto thin8 = plan_windows(cache, spec, 8, 40);
  const auto thin16 = plan_windows(cache, spec, 16, 40);
  REQUIRE(thin8.windows.size() == 2);
  CHECK(scored_targets(thin8) == scored_targets(thin16));
}

TEST_CASE("a token budget keeps evenly spaced windows across the corpus", "[protocol]") {
  testing::ScratchDir dir("proto-budget");
  TokenCache cache(make_cache(dir, {400, 400, 400, 400}));
  ProtocolSpec spec;
  const WindowPlan all = plan_windows(cache, spec, 10, 0);
  REQUIRE(all.windows.size() == 160);
  const WindowPlan some = plan_windows(cache, spec, 10, 80);
  REQUIRE(some.windows.size() == 8);
  CHECK(some.candidate_windows == 160);
  CHECK(some.documents_used == 4);  // spread over every document, not the first
  std::set<uint32_t> docs;
  for (const auto& w : some.windows) docs.insert(w.doc);
  CHECK(docs.size() == 4);
  CHECK(plan_windows(cache, spec, 10, 5).windows.size() == 1);  // at least one window
  CHECK(plan_windows(cache, spec, 10, 80).windows[3].begin == some.windows[3].begin);
}
