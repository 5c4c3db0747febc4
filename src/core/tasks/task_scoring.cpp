#include "core/tasks/task_scoring.h"

#include <algorithm>

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

SampleScore score_sample(Model& model, const TaskSample& sample, const ScoringOptions& options) {
  require_sample_shape(sample);
  const bool ranked = options.rank && sample.candidates.size() >= 2;
  Rows rows;
  if (ranked) {
    for (const auto& c : sample.candidates) rows.candidate_row.push_back(rows.add(c));
  } else if (!sample.candidates.empty()) {
    rows.candidate_row.push_back(rows.add(sample.candidates[sample.gold]));
  }
  for (const auto& a : sample.answers) rows.answer_row.push_back(rows.add(a));

  // [R, L] ids: prompt + continuation, right-padded. Padding after a
  // continuation cannot change the scores of its tokens (the model is causal).
  const auto prompt_length = static_cast<int64_t>(sample.prompt.size());
  size_t longest = 0;
  for (const auto* row : rows.tokens) longest = std::max(longest, row->size());
  const int64_t length = prompt_length + static_cast<int64_t>(longest);
  const auto batch = static_cast<int64_t>(rows.tokens.size());
  std::vector<int64_t> ids(static_cast<size_t>(batch * length), 0);
  for (size_t r = 0; r < rows.tokens.size(); ++r) {
    int64_t* out = ids.data() + r * static_cast<size_t>(length);
    std::copy(sample.prompt.begin(), sample.prompt.end(), out);
    std::copy(rows.tokens[r]->begin(), rows.tokens[r]->end(), out + prompt_length);
  }
  std::vector<double> log_probs;  // [R, K], K = longest
  std::vector<uint8_t> greedy;    // [R, K]
  model.continuation_scores(ids, batch, length, /*from=*/prompt_length - 1, log_probs, greedy);

  auto row_logprob = [&](size_t r) {
    double sum = 0;  // in token order, in double: independent of the batch layout
    for (size_t j = 0; j < rows.tokens[r]->size(); ++j) sum += log_probs[r * longest + j];
    return sum;
  };
  // Greedy decoding reproduces continuation a_1..a_k exactly iff, for every j,
  // a_j is the argmax of p(. | prompt, a_1..a_{j-1}): by induction, decoding
  // step j sees prompt + a_<j precisely when steps 1..j-1 emitted a_<j, and a
  // causal model's output at a position depends only on the tokens up to it.
  // So the one teacher-forced forward over prompt + a decides it, with no
  // decoding loop (tests/test_tasks_scoring.cpp checks this against real
  // decoding). This needs outputs that do not depend on the total sequence
  // length; the engine fixes the RoPE scalings' length with set_eval_length.
  auto row_is_greedy = [&](size_t r) {
    for (size_t j = 0; j < rows.tokens[r]->size(); ++j) {
      if (greedy[r * longest + j] == 0) return false;
    }
    return true;
  };

  SampleScore score;
  score.prompt_tokens = prompt_length;
  score.needle_position = sample.needle_position;
  score.question_position = sample.question_position;
  score.truncated_tokens = sample.truncated_tokens;
  if (ranked) {
    score.gold = sample.gold;
    for (size_t i = 0; i < sample.candidates.size(); ++i) {
      score.candidate_logprobs.push_back(row_logprob(rows.candidate_row[i]));
      score.candidate_bytes.push_back(i < sample.candidate_texts.size()
                                          ? static_cast<double>(sample.candidate_texts[i].size())
                                          : 1.0);
    }
    score.gold_logprob = score.candidate_logprobs[sample.gold];
  } else {
    score.gold_logprob = row_logprob(rows.candidate_row.empty() ? rows.answer_row.front()
                                                                : rows.candidate_row.front());
  }
  const std::vector<int32_t>* matched = nullptr;
  for (size_t j = 0; j < rows.answer_row.size() && matched == nullptr; ++j) {
    if (row_is_greedy(rows.answer_row[j])) matched = &sample.answers[j];
  }
  score.exact_match = matched != nullptr;

  if (options.decode_tokens > 0) {
    // A teacher-forced match already tells the first tokens greedy emits.
    std::vector<int32_t> known;
    if (matched != nullptr) {
      known.assign(matched->begin(),
                   matched->begin() + std::min<int64_t>(options.decode_tokens,
                                                        static_cast<int64_t>(matched->size())));
    }
    const auto generated =
        greedy_decode(model, sample.prompt, options.decode_tokens, options.eos_id, known);
    const std::string text = first_line(options.detokenize ? options.detokenize(generated) : "");
    score.decoded = true;
    score.decoded_text = text;
    score.substring_match = substring_match(text, sample.answer_texts);
    score.token_f1 = best_token_f1(text, sample.answer_texts);
  }
  return score;
}

std::vector<int32_t> greedy_decode(Model& model, const std::vector<int32_t>& prompt,
                                   int64_t max_tokens, int32_t eos_id,
                                   const std::vector<int32_t>& known_prefix) {
  std::vector<int64_t> sequence(prompt.begin(), prompt.end());
  std::vector<int32_t> generated;
  for (int32_t id : known_prefix) {
    if (static_cast<int64_t>(generated.size()) >= max_tokens) return generated;
    generated.push_back(id);
    sequence.push_back(id);
    if (id == eos_id) return generated;
  }
  while (static_cast<int64_t>(generated.size()) < max_tokens) {
    const auto next = static_cast<int32_t>(model.greedy_next_token(sequence));
    generated.push_back(next);
    sequence.push_back(next);
    if (next == eos_id) break;
  }
  return generated;
}

}  // namespace lengen
