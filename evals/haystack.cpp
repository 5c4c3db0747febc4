#include "evals/haystack.h"

#include <fmt/core.h>

#include <filesystem>

#include "core/data/tokenizer.h"
#include "core/tasks/task_sample.h"
#include "core/util/sha256.h"

namespace lengen::evals {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Text ending a sentence: . ! ? optionally followed by closing quotes.
bool text_ends_sentence(std::string text) {
  for (;;) {
    if (ends_with(text, "\"") || ends_with(text, "'") || ends_with(text, ")")) {
      text.pop_back();
    } else if (ends_with(text, "\xE2\x80\x9D") || ends_with(text, "\xE2\x80\x99")) {  // ” ’
      text.resize(text.size() - 3);
    } else {
      break;
    }
  }
  return ends_with(text, ".") || ends_with(text, "!") || ends_with(text, "?");
}

}  // namespace

bool VocabularyText::is_sentence_boundary(const std::vector<int32_t>& tokens, int64_t p) const {
  if (p <= 0 || p >= static_cast<int64_t>(tokens.size())) return true;
  const auto previous = static_cast<size_t>(tokens[static_cast<size_t>(p - 1)]);
  const auto next = static_cast<size_t>(tokens[static_cast<size_t>(p)]);
  if (ends_sentence[previous] == 0 || starts_word[next] == 0) return false;
  if (piece[previous] == ".") {  // "Mr. Darcy" does not end a sentence
    std::string word;  // the word before the period, from its pieces ("▁Mr" "s" -> "Mrs")
    for (int64_t q = p - 2; q >= 0 && word.size() < 8; --q) {
      const auto id = static_cast<size_t>(tokens[static_cast<size_t>(q)]);
      word = piece[id] + word;
      if (starts_word[id] != 0) break;
    }
    for (const char* title : {"Mr", "Mrs", "Dr", "St", "Ms"}) {
      if (word == title) return false;
    }
  }
  return true;
}

VocabularyText describe_vocabulary(const Tokenizer& tokenizer) {
  VocabularyText v;
  const auto size = static_cast<size_t>(tokenizer.vocab_size());
  v.piece.resize(size);
  v.starts_word.assign(size, 0);
  v.ends_sentence.assign(size, 0);
  // sentencepiece drops the space of a text's first piece when decoding, so a
  // piece's own space shows only after another piece: decode "x" + piece.
  const std::vector<int32_t> x = tokenizer.encode("x");
  const std::string x_text = tokenizer.decode(x);
  for (size_t id = 0; id < size; ++id) {
    const auto token = static_cast<int32_t>(id);
    v.piece[id] = tokenizer.decode({token});
    std::vector<int32_t> pair = x;
    pair.push_back(token);
    const std::string joined = tokenizer.decode(pair);
    v.starts_word[id] = joined.size() > x_text.size() && joined[x_text.size()] == ' ' &&
                        !v.piece[id].empty() && v.piece[id][0] != ' ';
    v.ends_sentence[id] = text_ends_sentence(v.piece[id]);
  }
  return v;
}

Haystack::Haystack(const std::string& cache_path, const Tokenizer& tokenizer)
    : cache_(std::make_unique<TokenCache>(cache_path)),
      sha256_(sha256_file(cache_path)),
      vocabulary_(describe_vocabulary(tokenizer)) {
  cache_->require_tokenizer(tokenizer.sha256(), "tokenizer " + tokenizer.path());
}

std::vector<int32_t> Haystack::window(int64_t count, Rng& rng, std::string* source) const {
  // Uniform over all windows: pick one of the sum of (length - count + 1).
  int64_t total = 0;
  for (size_t d = 0; d < cache_->document_count(); ++d) {
    total += std::max<int64_t>(0, cache_->document_length(d) - count + 1);
  }
  if (total == 0 || count < 0) {
    throw TaskUnsupported(fmt::format("no document of {} has {} tokens of haystack",
                                      std::filesystem::path(path()).filename().string(), count));
  }
  int64_t pick = rng.uniform(0, total - 1);
  for (size_t d = 0; d < cache_->document_count(); ++d) {
    const int64_t windows = std::max<int64_t>(0, cache_->document_length(d) - count + 1);
    if (pick >= windows) {
      pick -= windows;
      continue;
    }
    std::vector<int64_t> wide(static_cast<size_t>(count));
    cache_->copy_tokens(d, pick, count, wide.data());
    if (source != nullptr) *source = fmt::format("{}@{}", cache_->document_name(d), pick);
    return std::vector<int32_t>(wide.begin(), wide.end());
  }
  throw TaskUnsupported("haystack window out of range");  // unreachable
}

int64_t Haystack::nearest_sentence_boundary(const std::vector<int32_t>& tokens, int64_t position,
                                            int64_t radius) const {
  for (int64_t delta = 0; delta <= radius; ++delta) {
    for (int64_t p : {position - delta, position + delta}) {
      if (p >= 0 && p <= static_cast<int64_t>(tokens.size()) &&
          vocabulary_.is_sentence_boundary(tokens, p)) {
        return p;
      }
    }
  }
  return position;
}

}  // namespace lengen::evals
