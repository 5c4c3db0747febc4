#include "evals/cloze_task.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/data/tokenizer.h"
#include "core/util/utf8.h"

namespace lengen::evals {

namespace {

constexpr const char* kClozeVersion = "cloze-v1";
constexpr int64_t kMinMentions = 10;
constexpr size_t kMaxNameTokens = 12;  // the continuation room every prompt leaves

bool all_letters(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
  });
}

struct Word {
  std::string text;
  int64_t begin;  // token offsets [begin, end)
  int64_t end;
};

// Words made of letters only: a word-initial piece plus its continuation pieces.
std::vector<Word> words_of(const std::vector<int32_t>& tokens, const VocabularyText& vocabulary) {
  std::vector<Word> words;
  const auto n = static_cast<int64_t>(tokens.size());
  for (int64_t t = 0; t < n;) {
    const auto id = static_cast<size_t>(tokens[static_cast<size_t>(t)]);
    if (vocabulary.starts_word[id] == 0 || !all_letters(vocabulary.piece[id])) {
      ++t;
      continue;
    }
    Word w{vocabulary.piece[id], t, t + 1};
    while (w.end < n) {
      const auto next = static_cast<size_t>(tokens[static_cast<size_t>(w.end)]);
      if (vocabulary.starts_word[next] != 0 || !all_letters(vocabulary.piece[next])) break;
      w.text += vocabulary.piece[next];
      ++w.end;
    }
    words.push_back(w);
    t = w.end;
  }
  return words;
}

bool is_capitalized(const std::string& w) {
  return w.size() >= 3 && std::isupper(static_cast<unsigned char>(w[0])) != 0 &&
         std::all_of(w.begin() + 1, w.end(),
                     [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

ClozeTask::ClozeTask(const Haystack& haystack, const Tokenizer& tokenizer, int64_t candidates)
    : haystack_(haystack), tokenizer_(tokenizer), candidates_(candidates) {
  if (candidates < 1) throw_bad_input("--candidates", "must be at least 1");
  const TokenCache& cache = haystack.cache();
  const VocabularyText& vocabulary = haystack.vocabulary();
  static const std::set<std::string> kTitles = {"Mr",  "Mrs",     "Miss",   "Lady",
                                                "Sir", "Colonel", "Captain"};
  static const std::set<std::string> kNotNames = {
      "Mr",  "Mrs",  "Miss",   "Lady",    "Sir",    "Colonel",  "Captain",  "Chapter",
      "God", "Lord", "Monday", "Tuesday", "Sunday", "Saturday", "Christmas"};
  names_.resize(cache.document_count());
  for (size_t d = 0; d < cache.document_count(); ++d) {
    const std::vector<int32_t> tokens = cache.document_tokens(d);
    const std::vector<Word> words = words_of(tokens, vocabulary);
    std::set<std::string> lowercase;
    for (const auto& w : words) {
      if (std::islower(static_cast<unsigned char>(w.text[0])) != 0) lowercase.insert(w.text);
    }
    struct Stats {
      std::vector<int64_t> positions;
      int64_t initial = 0;
      int64_t personal = 0;  // after a title or next to "said"
    };
    std::unordered_map<std::string, Stats> stats;
    for (size_t i = 0; i < words.size(); ++i) {
      const Word& w = words[i];
      if (!is_capitalized(w.text) || kNotNames.count(w.text) ||
          lowercase.count(lower_ascii(w.text)))
        continue;
      Stats& s = stats[w.text];
      s.positions.push_back(w.begin);
      s.initial += vocabulary.is_sentence_boundary(tokens, w.begin) ? 1 : 0;
      const bool after_title =
          i > 0 && kTitles.count(words[i - 1].text) && w.begin - words[i - 1].end <= 1;
      const bool near_said =
          (i > 0 && words[i - 1].text == "said" && w.begin - words[i - 1].end <= 1) ||
          (i + 1 < words.size() && words[i + 1].text == "said" && words[i + 1].begin - w.end <= 1);
      s.personal += (after_title || near_said) ? 1 : 0;
    }
    for (auto& [text, s] : stats) {
      const auto mentions = static_cast<int64_t>(s.positions.size());
      if (mentions < kMinMentions || 2 * s.initial > mentions || s.personal < 2) continue;
      Name name{text, tokenizer.encode(text), std::move(s.positions)};
      if (name.tokens.empty() || name.tokens.size() > kMaxNameTokens) continue;
      // Keep only mentions tokenized exactly as the candidate will be scored.
      std::vector<int64_t> exact;
      for (int64_t p : name.positions) {
        if (p + static_cast<int64_t>(name.tokens.size()) <= static_cast<int64_t>(tokens.size()) &&
            std::equal(name.tokens.begin(), name.tokens.end(), tokens.begin() + p)) {
          exact.push_back(p);
        }
      }
      name.positions = std::move(exact);
      if (static_cast<int64_t>(name.positions.size()) >= kMinMentions)
        names_[d].push_back(std::move(name));
    }
    std::sort(names_[d].begin(), names_[d].end(),
              [](const Name& a, const Name& b) { return a.text < b.text; });
  }
}

std::string ClozeTask::fingerprint() const {
  return fmt::format("{}|haystack={}|candidates={}", kClozeVersion, haystack_.sha256(),
                     candidates_);
}

std::string ClozeTask::describe() const {
  size_t total = 0;
  for (const auto& names : names_) total += names.size();
  return fmt::format("named-entity cloze; haystack {}; {} names found; {} candidates",
                     haystack_.path(), total, candidates_);
}

std::vector<std::string> ClozeTask::names_of(size_t doc) const {
  std::vector<std::string> out;
  for (const auto& name : names_.at(doc)) out.push_back(name.text);
  return out;
}

int64_t ClozeTask::prompt_length(int64_t length) const {
  return length - static_cast<int64_t>(kMaxNameTokens);
}

const std::vector<ClozeTask::Occurrence>& ClozeTask::occurrences(int64_t length) const {
  auto it = occurrences_.find(length);
  if (it != occurrences_.end()) return it->second;
  std::vector<Occurrence>& found = occurrences_[length];
  const int64_t prompt = prompt_length(length);
  for (size_t d = 0; d < names_.size(); ++d) {
    for (size_t n = 0; n < names_[d].size(); ++n) {
      const auto& positions = names_[d][n].positions;
      for (size_t i = 1; i < positions.size(); ++i) {
        const int64_t at = positions[i], previous = positions[i - 1];
        // The previous mention in the passage's first half: far back, but in view.
        if (at >= prompt && at - previous >= prompt / 2 && at - previous <= prompt) {
          found.push_back({d, n, at, previous});
        }
      }
    }
  }
  std::sort(found.begin(), found.end(), [](const Occurrence& a, const Occurrence& b) {
    return std::tie(a.doc, a.at) < std::tie(b.doc, b.at);
  });
  return found;
}

int64_t ClozeTask::sample_count(int64_t length, int64_t requested) const {
  return std::min<int64_t>(requested, static_cast<int64_t>(occurrences(length).size()));
}

TaskSample ClozeTask::make_sample(int64_t length, double, uint64_t seed, int64_t index) const {
  const int64_t prompt = prompt_length(length);
  const auto& found = occurrences(length);
  if (prompt < 1 || found.empty()) {
    throw TaskUnsupported(
        fmt::format("no name in {} is mentioned again {}..{} tokens after its previous mention",
                    haystack_.path(), std::max<int64_t>(0, prompt / 2), prompt));
  }
  // A seeded permutation of the occurrences: samples without repetition.
  std::vector<size_t> order(found.size());
  std::iota(order.begin(), order.end(), size_t{0});
  Rng shuffle(derive_seed(seed, fmt::format("cloze|{}", length)));
  for (size_t i = order.size() - 1; i > 0; --i) {
    std::swap(order[i], order[static_cast<size_t>(shuffle.uniform(0, static_cast<int64_t>(i)))]);
  }
  const Occurrence& occurrence = found[order[static_cast<size_t>(index) % order.size()]];
  const auto& names = names_[occurrence.doc];
  const Name& gold = names[occurrence.name];
  const int64_t begin = occurrence.at - prompt;

  // Candidates: other names of the book, those mentioned in the passage first.
  Rng rng(derive_seed(seed, fmt::format("cloze|{}|{}", length, index)));
  std::vector<size_t> in_passage, elsewhere;
  for (size_t n = 0; n < names.size(); ++n) {
    if (n == occurrence.name) continue;
    const auto& p = names[n].positions;
    const auto first = std::lower_bound(p.begin(), p.end(), begin);
    (first != p.end() && *first < occurrence.at ? in_passage : elsewhere).push_back(n);
  }
  std::vector<size_t> chosen = {occurrence.name};
  for (auto* pool : {&in_passage, &elsewhere}) {
    while (static_cast<int64_t>(chosen.size()) < candidates_ && !pool->empty()) {
      const auto pick = static_cast<size_t>(rng.uniform(0, static_cast<int64_t>(pool->size()) - 1));
      chosen.push_back((*pool)[pick]);
      pool->erase(pool->begin() + static_cast<std::ptrdiff_t>(pick));
    }
  }
  const auto gold_slot =
      static_cast<size_t>(rng.uniform(0, static_cast<int64_t>(chosen.size()) - 1));
  std::swap(chosen[0], chosen[gold_slot]);

  TaskSample sample;
  sample.gold = gold_slot;
  for (size_t n : chosen) {
    sample.candidates.push_back(names[n].tokens);
    sample.candidate_texts.push_back(names[n].text);
  }
  sample.answers = {gold.tokens};
  sample.answer_texts = {gold.text};
  std::vector<int64_t> wide(static_cast<size_t>(prompt));
  haystack_.cache().copy_tokens(occurrence.doc, begin, prompt, wide.data());
  sample.prompt.assign(wide.begin(), wide.end());
  sample.needle_position = occurrence.previous - begin;
  sample.source =
      fmt::format("{}@{}", haystack_.cache().document_name(occurrence.doc), occurrence.at);
  return sample;
}

}  // namespace lengen::evals
