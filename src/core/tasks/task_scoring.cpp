#include "core/tasks/task_scoring.h"

#include <algorithm>
#include <optional>

#include "core/model/model.h"

namespace lengen {

namespace {

// The rows of the batched forward: every distinct continuation once.
struct Rows {
  std::vector<const std::vector<int32_t>*> tokens;
  std::vector<size_t> candidate_row;  // candidate i -> row
  std::vector<size_t> answer_row;     // answer j -> row

  size_t add(const std::vector<int32_t>& continuation) {
    for (size_t r = 0; r < tokens.size(); ++r) {
      if (*tokens[r] == continuation) return r;
    }
    tokens.push_back(&continuation);
    return tokens.size() - 1;
  }
  size_t longest() const {
    size_t n = 0;
    for (const auto* row : tokens) n = std::max(n, row->size());
    return n;
  }
};

// LongBench's post-processing of a prediction: drop leading newlines, keep
// the first line (what follows is the model moving on, not its answer).
std::string first_line(std::string text) {
  const auto start = text.find_first_not_of('\n');
  text.erase(0, start == std::string::npos ? text.size() : start);
  const auto newline = text.find('\n');
  if (newline != std::string::npos) text.resize(newline);
  return text;
}

// Decoding can stop once the first line (after leading newlines) has ended.
bool first_line_complete(const std::string& text) {
  const auto start = text.find_first_not_of('\n');
  return start != std::string::npos && text.find('\n', start) != std::string::npos;
}

void require_sample_shape(const TaskSample& sample) {
  if (sample.prompt.empty()) throw_runtime("", "task sample has an empty prompt");
  if (sample.answers.empty() && sample.candidates.empty()) {
    throw_runtime("", "task sample has neither candidates nor answers");
  }
  if (!sample.candidates.empty() && sample.gold >= sample.candidates.size()) {
    throw_runtime("", "task sample's gold index is outside its candidates");
  }
  for (const auto& c : sample.candidates) {
    if (c.empty()) throw_runtime("", "task sample has an empty candidate");
  }
  for (const auto& a : sample.answers) {
    if (a.empty()) throw_runtime("", "task sample has an empty answer");
  }
}

}  // namespace

std::string to_string(ForwardPath path) { return path == ForwardPath::kCached ? "cached" : "full"; }

namespace {

Rows rows_of(const TaskSample& sample, bool ranked) {
  Rows rows;
  if (ranked) {
    for (const auto& c : sample.candidates) rows.candidate_row.push_back(rows.add(c));
  } else if (!sample.candidates.empty()) {
    rows.candidate_row.push_back(rows.add(sample.candidates[sample.gold]));
  }
  for (const auto& a : sample.answers) rows.answer_row.push_back(rows.add(a));
  return rows;
}

// Teacher-forced scores of every row, [R, K] row-major with K = rows.longest():
// log_probs[r * K + j] = log p(row_r[j] | prompt, row_r[<j]), greedy[..] = 1 iff
// it is the argmax. Padding after a row cannot change the scores of its tokens
// (the model is causal); entries past a row's end are never read.
struct RowScores {
  std::vector<double> log_probs;
  std::vector<uint8_t> greedy;
  size_t width = 0;  // K
};

// [R, width] continuation ids, right-padded with 0, optionally after the prompt.
std::vector<int64_t> padded_rows(const Rows& rows, const std::vector<int32_t>& prompt,
                                 size_t width) {
  const size_t length = prompt.size() + width;
  std::vector<int64_t> ids(rows.tokens.size() * length, 0);
  for (size_t r = 0; r < rows.tokens.size(); ++r) {
    int64_t* out = ids.data() + r * length;
    std::copy(prompt.begin(), prompt.end(), out);
    std::copy(rows.tokens[r]->begin(), rows.tokens[r]->end(), out + prompt.size());
  }
  return ids;
}

// The full path: R sequences prompt + row in one forward.
RowScores full_row_scores(Model& model, const std::vector<int32_t>& prompt, const Rows& rows) {
  RowScores out;
  out.width = rows.longest();
  const std::vector<int64_t> ids = padded_rows(rows, prompt, out.width);
  const auto prompt_length = static_cast<int64_t>(prompt.size());
  model.continuation_scores(ids, static_cast<int64_t>(rows.tokens.size()),
                            prompt_length + static_cast<int64_t>(out.width),
                            /*from=*/prompt_length - 1, out.log_probs, out.greedy);
  return out;
}

// The cached path: the rows as continuations of the prefilled prompt, one call.
RowScores cached_row_scores(Model& model, const ModelCache& prompt_state, const Rows& rows) {
  RowScores out;
  out.width = rows.longest();
  const std::vector<int64_t> ids = padded_rows(rows, {}, out.width);
  model.continuation_scores_cached(prompt_state, ids, static_cast<int64_t>(rows.tokens.size()),
                                   static_cast<int64_t>(out.width), out.log_probs, out.greedy);
  return out;
}

double row_logprob(const RowScores& scores, const Rows& rows, size_t r) {
  double sum = 0;  // in token order, in double: independent of the batch layout
  for (size_t j = 0; j < rows.tokens[r]->size(); ++j) sum += scores.log_probs[r * scores.width + j];
  return sum;
}

// Greedy decoding reproduces continuation a_1..a_k exactly iff, for every j,
// a_j is the argmax of p(. | prompt, a_1..a_{j-1}): by induction, decoding
// step j sees prompt + a_<j precisely when steps 1..j-1 emitted a_<j, and a
// causal model's output at a position depends only on the tokens up to it.
// So the teacher-forced scores of prompt + a decide it, with no decoding
// loop (tests/test_tasks_scoring.cpp checks this against real decoding). This
// needs outputs that do not depend on the total sequence length; the engine
// fixes the RoPE scalings' length with set_eval_length.
bool row_is_greedy(const RowScores& scores, const Rows& rows, size_t r) {
  for (size_t j = 0; j < rows.tokens[r]->size(); ++j) {
    if (scores.greedy[r * scores.width + j] == 0) return false;
  }
  return true;
}

// Ranking and exact match of `sample` from its rows' scores.
SampleScore score_rows(const TaskSample& sample, bool ranked, const Rows& rows,
                       const RowScores& scores, const std::vector<int32_t>** matched) {
  SampleScore score;
  score.prompt_tokens = static_cast<int64_t>(sample.prompt.size());
  score.needle_position = sample.needle_position;
  score.question_position = sample.question_position;
  score.truncated_tokens = sample.truncated_tokens;
  if (ranked) {
    score.gold = sample.gold;
    for (size_t i = 0; i < sample.candidates.size(); ++i) {
      score.candidate_logprobs.push_back(row_logprob(scores, rows, rows.candidate_row[i]));
      score.candidate_bytes.push_back(i < sample.candidate_texts.size()
                                          ? static_cast<double>(sample.candidate_texts[i].size())
                                          : 1.0);
    }
    score.gold_logprob = score.candidate_logprobs[sample.gold];
  } else {
    score.gold_logprob = row_logprob(
        scores, rows,
        rows.candidate_row.empty() ? rows.answer_row.front() : rows.candidate_row.front());
  }
  *matched = nullptr;
  for (size_t j = 0; j < rows.answer_row.size() && *matched == nullptr; ++j) {
    if (row_is_greedy(scores, rows, rows.answer_row[j])) *matched = &sample.answers[j];
  }
  score.exact_match = *matched != nullptr;
  return score;
}

// Decodes after the prompt (from `prompt_state` on the cached path) into `score`.
void decode_into(SampleScore& score, Model& model, const TaskSample& sample,
                 const ScoringOptions& options, const std::vector<int32_t>* matched,
                 ModelCache* prompt_state) {
  // A teacher-forced match already tells the first tokens greedy emits.
  std::vector<int32_t> known;
  if (matched != nullptr) {
    known.assign(matched->begin(),
                 matched->begin() + std::min<int64_t>(options.decode_tokens,
                                                      static_cast<int64_t>(matched->size())));
  }
  DecodeStop stop;
  if (options.detokenize) {
    stop = [&](const std::vector<int32_t>& generated) {
      return first_line_complete(options.detokenize(generated));
    };
  }
  const auto generated =
      prompt_state != nullptr
          ? greedy_decode_cached(model, *prompt_state, options.decode_tokens, options.eos_id, known,
                                 stop)
          : greedy_decode(model, sample.prompt, options.decode_tokens, options.eos_id, known, stop);
  const std::string text = first_line(options.detokenize ? options.detokenize(generated) : "");
  score.decoded = true;
  score.decoded_text = text;
  score.substring_match = substring_match(text, sample.answer_texts);
  score.token_f1 = best_token_f1(text, sample.answer_texts);
}

}  // namespace

SampleScore score_sample(Model& model, const TaskSample& sample, const ScoringOptions& options) {
  require_sample_shape(sample);
  const bool ranked = options.rank && sample.candidates.size() >= 2;
  const Rows rows = rows_of(sample, ranked);
  std::optional<ModelCache> prompt_state;
  RowScores scores;
  if (options.path == ForwardPath::kCached) {
    prompt_state = model.prefill(std::vector<int64_t>(sample.prompt.begin(), sample.prompt.end()));
    scores = cached_row_scores(model, *prompt_state, rows);
  } else {
    scores = full_row_scores(model, sample.prompt, rows);
  }
  const std::vector<int32_t>* matched = nullptr;
  SampleScore score = score_rows(sample, ranked, rows, scores, &matched);
  if (options.decode_tokens > 0) {
    decode_into(score, model, sample, options, matched, prompt_state ? &*prompt_state : nullptr);
  }
  return score;
}

namespace {

// The decoding loop of both paths. `advance(appended)` feeds the tokens not yet
// seen by the model (none on the first call) and returns the next argmax.
std::vector<int32_t> decode_loop(
    int64_t max_tokens, int32_t eos_id, const std::vector<int32_t>& known_prefix,
    const DecodeStop& stop, const std::function<int64_t(const std::vector<int32_t>&)>& advance) {
  std::vector<int32_t> generated;
  std::vector<int32_t> pending;  // known tokens appended without a forward of their own
  auto done = [&](int32_t id) {
    return id == eos_id || static_cast<int64_t>(generated.size()) >= max_tokens ||
           (stop && stop(generated));
  };
  if (max_tokens <= 0) return generated;
  for (int32_t id : known_prefix) {
    generated.push_back(id);
    pending.push_back(id);
    if (done(id)) return generated;
  }
  while (true) {
    const auto next = static_cast<int32_t>(advance(pending));
    generated.push_back(next);
    if (done(next)) return generated;
    pending = {next};
  }
}

}  // namespace

std::vector<int32_t> greedy_decode(Model& model, const std::vector<int32_t>& prompt,
                                   int64_t max_tokens, int32_t eos_id,
                                   const std::vector<int32_t>& known_prefix,
                                   const DecodeStop& stop) {
  std::vector<int64_t> sequence(prompt.begin(), prompt.end());
  return decode_loop(max_tokens, eos_id, known_prefix, stop,
                     [&](const std::vector<int32_t>& appended) {
                       sequence.insert(sequence.end(), appended.begin(), appended.end());
                       return model.greedy_next_token(sequence);
                     });
}

std::vector<int32_t> greedy_decode_cached(Model& model, ModelCache& cache, int64_t max_tokens,
                                          int32_t eos_id, const std::vector<int32_t>& known_prefix,
                                          const DecodeStop& stop) {
  return decode_loop(
      max_tokens, eos_id, known_prefix, stop, [&](const std::vector<int32_t>& appended) {
        if (!appended.empty()) {
          model.extend(cache, std::vector<int64_t>(appended.begin(), appended.end()));
        }
        return cache.next_greedy();
      });
}

}  // namespace lengen
