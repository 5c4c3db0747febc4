// A token cache of real held-out text for the task tests: chapters 1-12 of
// Pride and Prejudice (evals/data/austen_pp_ch01-12.txt, ~31k tokens), built
// once per test process.
#pragma once

#include <filesystem>
#include <string>

#include "core/data/token_cache.h"
#include "core/data/tokenizer.h"
#include "test_helpers.h"

namespace lengen::testing {

inline std::string austen_haystack() {
  static const std::string path = [] {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("lengen-test-haystack-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string out = (dir / "austen_pp.tok").string();
    Tokenizer tokenizer(tokenizer_path());
    TokenCacheSettings settings;
    settings.vocab_size = static_cast<uint32_t>(tokenizer.vocab_size());
    settings.tokenizer_sha256 = tokenizer.sha256();
    TokenCacheWriter writer(out, settings);
    const std::string text = read_file(source_path("evals/data/austen_pp_ch01-12.txt"));
    writer.add_document("austen_pp_ch01-12.txt", tokenizer.encode(text), text.size());
    writer.finish();
    return out;
  }();
  return path;
}

}  // namespace lengen::testing
