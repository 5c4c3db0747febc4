// Real text for synthetic long-context tasks: contiguous windows of a token
// cache of held-out text (e.g. the Austen novels), never repeated junk
// sentences, plus what the generators need to know about tokens as text
// (where words and sentences begin) to place needles at sentence boundaries
// and find names for the cloze task.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/data/token_cache.h"
#include "evals/task_rng.h"

namespace lengen {
class Tokenizer;
}

namespace lengen::evals {

// Every vocabulary id seen as text.
struct VocabularyText {
  std::vector<std::string> piece;      // the id's text without its leading space
  std::vector<uint8_t> starts_word;    // the piece begins with a space (sentencepiece's ▁)
  std::vector<uint8_t> ends_sentence;  // its text ends in . ! or ? (closing quotes allowed)

  // Position p of `tokens` is a sentence boundary when tokens[p - 1] ends a
  // sentence (and is not the period of Mr./Mrs./Dr./St.) and tokens[p] starts
  // a word; 0 and tokens.size() always are.
  bool is_sentence_boundary(const std::vector<int32_t>& tokens, int64_t p) const;
};
VocabularyText describe_vocabulary(const Tokenizer& tokenizer);

class Haystack {
 public:
  // Throws lengen::Error (bad input) naming `cache_path` when it is not a
  // token cache or was made with another tokenizer.
  Haystack(const std::string& cache_path, const Tokenizer& tokenizer);

  const TokenCache& cache() const { return *cache_; }
  const std::string& sha256() const { return sha256_; }
  const std::string& path() const { return cache_->path(); }
  const VocabularyText& vocabulary() const { return vocabulary_; }

  // `count` contiguous tokens of one document, uniform over every window of
  // that size in the corpus. `source` gets "document@offset". Throws
  // TaskUnsupported when no document has `count` tokens.
  std::vector<int32_t> window(int64_t count, Rng& rng, std::string* source) const;

  // The sentence boundary nearest to `position` within `radius` tokens (ties:
  // the earlier one), or `position` itself when there is none that near.
  int64_t nearest_sentence_boundary(const std::vector<int32_t>& tokens, int64_t position,
                                    int64_t radius) const;

 private:
  std::unique_ptr<TokenCache> cache_;
  std::string sha256_;
  VocabularyText vocabulary_;
};

}  // namespace lengen::evals
