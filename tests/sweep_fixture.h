// A token cache of the fixture corpus, built once per test process, for the
// sweep and CLI tests.
#pragma once

#include <filesystem>
#include <string>

#include "core/data/text_source.h"
#include "core/data/token_cache.h"
#include "core/data/tokenizer.h"
#include "test_helpers.h"

namespace lengen::testing {

inline std::string fixture_cache() {
  static const std::string path = [] {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("lengen-test-cache-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string out = (dir / "fixture.tok").string();
    Tokenizer tokenizer(tokenizer_path());
    TokenCacheSettings settings;
    settings.vocab_size = static_cast<uint32_t>(tokenizer.vocab_size());
    settings.tokenizer_sha256 = tokenizer.sha256();
    TokenCacheWriter writer(out, settings);
    TextSource source({source_path("tests/data/corpus")});
    std::vector<TextDocument> docs;
    while (source.next_batch(docs, 1 << 20)) {
    }
    for (const auto& doc : docs)
      writer.add_document(doc.name, tokenizer.encode(doc.text), doc.text.size());
    writer.finish();
    return out;
  }();
  return path;
}

}  // namespace lengen::testing
