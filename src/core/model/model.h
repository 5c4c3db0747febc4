// A TorchScript language model under lengen's model contract (README.md,
// "Model contract"): forward(int64 tokens [B,T]) -> float logits [B,T,V], or a
// tuple whose first element is the logits, or a dict with key "logits"; an
// optional `lengen.json` archive file; an optional set_eval_length(int); an
// optional cached forward, forward_cached(tokens [B,n], past: List[Tensor],
// start: int) -> (logits [B,n,V], new past), held here as a ModelCache.
//
// This header is lengen's only view of LibTorch: model.cpp is the one file that
// includes torch/script.h. Scorers get per-token negative log-likelihoods, never
// tensors, so the logits are reduced inside (log-softmax + gather in position
// chunks) and never copied to the caller.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/compute.h"
#include "core/util/error.h"

namespace lengen {

struct ModelMetadata {
  std::string name;                    // file stem when lengen.json is absent
  std::string position_encoding;       // "type" of the position_encoding object, "" if unknown
  std::string position_encoding_json;  // the whole position_encoding object
  int64_t train_length = 0;            // 0 when unknown
  int64_t vocab_size = 0;              // 0 when unknown (then taken from the first forward)
  std::string tokenizer_sha256;        // "" when unknown
  std::optional<int64_t> bos_id;
  std::optional<int64_t> max_length;
  std::string raw_json;  // lengen.json as stored, "" when absent
};

// Thrown when a forward pass fails; `out_of_memory` lets a sweep record "oom".
class ModelRunError : public Error {
 public:
  ModelRunError(const std::string& subject, const std::string& message, bool out_of_memory)
      : Error(ExitCode::kRuntime, subject, message), out_of_memory_(out_of_memory) {}
  bool out_of_memory() const { return out_of_memory_; }

 private:
  bool out_of_memory_;
};

// The state of a cached forward after a prefix of `length()` tokens: the
// model's past (key/value cache, opaque to lengen) and what the last position
// predicts. Made by Model::prefill, grown by Model::extend; batch 1.
class ModelCache {
 public:
  ModelCache();
  ~ModelCache();
  ModelCache(ModelCache&&) noexcept;
  ModelCache& operator=(ModelCache&&) noexcept;

  int64_t length() const;
  // log p(next | prefix) over the vocabulary, float64 [V].
  const std::vector<double>& next_log_probs() const;
  // The token greedy decoding emits next: the argmax of the last logits (lowest id on ties).
  int64_t next_greedy() const;

 private:
  friend class Model;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Model {
 public:
  // Loads, checks the forward signature, casts the floating parameters to
  // `compute.dtype` (whatever they were stored as) and moves the module to
  // `compute.device`. Throws lengen::Error (bad input) naming `path` on any
  // contract breach, or when the model cannot run in that dtype on that device
  // (e.g. float16 on a CPU LibTorch without half kernels).
  explicit Model(const std::string& path, const ComputeSpec& compute = {});
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  const std::string& path() const { return path_; }
  const std::string& sha256() const { return sha256_; }
  const ModelMetadata& metadata() const { return metadata_; }
  const ComputeSpec& compute() const;
  // The name results are filed under: the metadata name, with "@bfloat16" or
  // "@float16" appended when the model runs in a reduced precision, so that
  // tables keep a float32 and a bfloat16 run of one model apart.
  std::string label() const;
  bool has_metadata() const { return !metadata_.raw_json.empty(); }
  int64_t parameter_count() const { return parameter_count_; }
  // Parameter count per dtype as stored in the file, e.g. {"Half": 912384}.
  const std::map<std::string, int64_t>& stored_dtypes() const { return stored_dtypes_; }

  bool has_set_eval_length() const;
  void set_eval_length(int64_t length);  // no-op when the model lacks the method

  // tokens: [batch, length] row-major ids. Writes nll: [batch, length - 1] with
  // nll[b][t] = -log p(tokens[b][t + 1] | tokens[b][0..t]) in float64.
  // Throws ModelRunError on a failed forward, lengen::Error (bad input) when the
  // output breaks the contract (shape, dtype, vocabulary).
  void next_token_nll(const std::vector<int64_t>& tokens, int64_t batch, int64_t length,
                      std::vector<double>& nll);

  // Log-probabilities over the vocabulary at `position` of a single sequence
  // (used by generation and ranking scorers). Returns [V] floats.
  std::vector<float> log_probs_at(const std::vector<int64_t>& tokens, int64_t position);

  // Scores continuations (the ranking and greedy scorers of `lengen tasks`):
  // for each row b of tokens [batch, length] and each position t in
  // [from, length - 1), with K = length - 1 - from, writes
  //   log_probs[b * K + t - from] = log p(tokens[b][t + 1] | tokens[b][0..t])   (float64)
  //   greedy[b * K + t - from]    = 1 iff tokens[b][t + 1] is the argmax of the logits at t
  // (the token greedy decoding emits; ties go to the lowest id, as torch.argmax).
  // Only the last K positions are reduced. Throws like next_token_nll.
  void continuation_scores(const std::vector<int64_t>& tokens, int64_t batch, int64_t length,
                           int64_t from, std::vector<double>& log_probs,
                           std::vector<uint8_t>& greedy);

  // The token greedy decoding emits after `tokens` (one sequence): the argmax of
  // the logits at the last position. One full forward per call (the contract
  // has no key/value cache).
  int64_t greedy_next_token(const std::vector<int64_t>& tokens);

  // The cached contract (README.md, "Model contract"). Checked at load: a
  // forward_cached with another signature is a contract breach.
  bool has_cached_forward() const;
  // True when the module computes in a 16-bit float type (cached and full
  // forwards then agree less closely).
  bool low_precision() const;

  // Runs forward_cached over one sequence from position 0. Throws like
  // next_token_nll, and lengen::Error (bad input) when the model lacks the method.
  ModelCache prefill(const std::vector<int64_t>& tokens);

  // Appends `tokens` (at least one) to `cache` with one forward_cached call.
  void extend(ModelCache& cache, const std::vector<int64_t>& tokens);

  // continuation_scores from a shared prefix: rows [batch, length] of
  // continuations after `prefix`, all scored in ONE forward_cached call with the
  // prefix's past broadcast over the rows (ranking from one prefill). Writes
  //   log_probs[b * length + j] = log p(rows[b][j] | prefix, rows[b][0..j))   (float64)
  //   greedy[b * length + j]    = 1 iff rows[b][j] is the argmax there.
  // Position 0 comes from the prefix itself; a length-1 batch needs no call.
  void continuation_scores_cached(const ModelCache& prefix, const std::vector<int64_t>& rows,
                                  int64_t batch, int64_t length, std::vector<double>& log_probs,
                                  std::vector<uint8_t>& greedy);

  // Runs a forward at T = `length` on deterministic ids and checks the output
  // shape, dtype and finiteness (and a prefill + one step of forward_cached when
  // the model has it); returns the vocabulary size the model emits.
  int64_t check_forward(int64_t length = 16);

  // Throws lengen::Error (bad input) when the model cannot score ids of a
  // tokenizer with `tokenizer_vocab` pieces.
  void require_vocab_at_least(int64_t tokenizer_vocab, const std::string& tokenizer_label) const;

 private:
  void place_module();

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  std::string sha256_;
  ModelMetadata metadata_;
  int64_t parameter_count_ = 0;
  std::map<std::string, int64_t> stored_dtypes_;
};

// LibTorch's intra-op thread pool; lengen defaults to all cores (LibTorch here
// defaults to 1).
void set_compute_threads(int threads);
int compute_threads();
std::string torch_version();

}  // namespace lengen
