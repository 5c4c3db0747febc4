#include "core/model/model.h"

#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/version.h>

#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>

#include "core/util/sha256.h"

namespace lengen {

namespace {

const char* kExportHint =
    "export with torch.jit.save(torch.jit.script(model), path); see README.md, 'Model contract'";

bool looks_like_oom(const std::string& what) {
  return what.find("can't allocate memory") != std::string::npos ||
         what.find("out of memory") != std::string::npos ||
         what.find("Out of memory") != std::string::npos;
}

// The informative line of an error: c10 errors carry a C++ stack trace after
// the first line, and TorchScript interpreter errors put the Python-side
// exception ("RuntimeError: ...") last, after a TorchScript traceback.
std::string first_line(const std::string& what) {
  const auto exception = what.rfind("Error: ");
  if (what.rfind("The following operation failed in the TorchScript interpreter", 0) == 0 &&
      exception != std::string::npos) {
    const auto line_start = what.rfind('\n', exception);
    std::string line = what.substr(line_start == std::string::npos ? 0 : line_start + 1);
    return line.substr(0, line.find('\n'));
  }
  return what.substr(0, what.find('\n'));
}

ModelMetadata parse_metadata(const std::string& path, const std::string& raw) {
  ModelMetadata meta;
  meta.name = std::filesystem::path(path).stem().string();
  if (raw.empty()) return meta;
  meta.raw_json = raw;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(raw);
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(path, std::string("lengen.json inside the archive is not JSON: ") + e.what(),
                    kExportHint);
  }
  try {
    if (!j.is_object()) throw_bad_input(path, "lengen.json must be a JSON object", kExportHint);
    if (j.contains("name")) meta.name = j.at("name").get<std::string>();
    if (j.contains("position_encoding")) {
      const auto& pe = j.at("position_encoding");
      meta.position_encoding_json = pe.dump();
      meta.position_encoding = pe.is_object() ? pe.value("type", "") : pe.get<std::string>();
    }
    meta.train_length = j.value("train_length", int64_t{0});
    meta.vocab_size = j.value("vocab_size", int64_t{0});
    if (j.contains("tokenizer_sha256") && j["tokenizer_sha256"].is_string()) {
      meta.tokenizer_sha256 = j["tokenizer_sha256"].get<std::string>();
    }
    if (j.contains("bos_id") && j["bos_id"].is_number_integer())
      meta.bos_id = j["bos_id"].get<int64_t>();
    if (j.contains("max_length") && j["max_length"].is_number_integer()) {
      meta.max_length = j["max_length"].get<int64_t>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(path, std::string("lengen.json has a field of the wrong type: ") + e.what(),
                    kExportHint);
  }
  return meta;
}

}  // namespace

struct Model::Impl {
  torch::jit::Module module;
  ComputeSpec compute;
  at::Device device = at::kCPU;

  // [batch, length] int64 ids on the model's device (from_blob borrows the
  // caller's buffer; on CPU forward reads it in place, elsewhere it is copied).
  at::Tensor input(const int64_t* tokens, int64_t batch, int64_t length) const {
    at::Tensor ids = torch::from_blob(const_cast<int64_t*>(tokens), {batch, length}, torch::kInt64);
    return device.is_cpu() ? ids : ids.to(device);
  }

  // Extracts the logits from any accepted output form.
  at::Tensor logits_of(const torch::jit::IValue& out, const std::string& path) const {
    if (out.isTensor()) return out.toTensor();
    if (out.isTuple()) {
      const auto& elements = out.toTupleRef().elements();
      if (!elements.empty() && elements[0].isTensor()) return elements[0].toTensor();
    }
    if (out.isGenericDict()) {
      for (const auto& entry : out.toGenericDict()) {
        if (entry.key().isString() && entry.key().toStringRef() == "logits" &&
            entry.value().isTensor()) {
          return entry.value().toTensor();
        }
      }
    }
    throw_bad_input(path,
                    "forward returned " + out.tagKind() +
                        "; expected logits, a tuple starting with logits, or a dict with 'logits'",
                    kExportHint);
  }

  // The error of a failed forward. After an out-of-memory failure the device's
  // cached blocks are released so that the next (shorter) cell can run.
  ModelRunError run_error(const std::string& path, int64_t length, const std::string& what,
                          bool out_of_memory) const {
    if (out_of_memory) release_device_cache(compute);
    return ModelRunError(path,
                         "forward failed at T=" + std::to_string(length) + " (" +
                             to_string(compute.dtype) + " on " + compute.device + "): " + what,
                         out_of_memory);
  }

  // Runs `call` (a module method), turning every failure into ModelRunError.
  template <typename Call>
  torch::jit::IValue guarded(Call&& call, int64_t length, const std::string& path) const {
    try {
      return call();
    } catch (const c10::Error& e) {
      throw run_error(path, length, first_line(e.what_without_backtrace()),
                      looks_like_oom(e.what()));
    } catch (const std::bad_alloc&) {
      throw run_error(path, length, "out of memory", true);
    } catch (const std::exception& e) {
      throw run_error(path, length, first_line(e.what()), looks_like_oom(e.what()));
    }
  }

  // Logits [B, n, V] for input [B, n], floating, or a contract error.
  static void check_logits(const at::Tensor& logits, const at::Tensor& input,
                           const std::string& path, const char* method) {
    if (logits.dim() != 3 || logits.size(0) != input.size(0) || logits.size(1) != input.size(1)) {
      std::ostringstream got;
      got << logits.sizes();
      throw_bad_input(path,
                      std::string(method) + " returned shape " + got.str() + " for input [" +
                          std::to_string(input.size(0)) + ", " + std::to_string(input.size(1)) +
                          "]; expected logits [B, T, V]",
                      kExportHint);
    }
    if (!logits.is_floating_point()) {
      throw_bad_input(path, std::string(method) + " returned non-floating logits", kExportHint);
    }
  }

  at::Tensor forward(const at::Tensor& input, const std::string& path) {
    const torch::jit::IValue out =
        guarded([&] { return module.forward({input}); }, input.size(1), path);
    at::Tensor logits = logits_of(out, path);
    check_logits(logits, input, path, "forward");
    return logits;
  }

  // forward_cached(input [B, n], past, start) -> logits [B, n, V]; `past` becomes the new past.
  at::Tensor forward_cached(const at::Tensor& input, c10::List<at::Tensor>& past, int64_t start,
                            const std::string& path) {
    const int64_t total = start + input.size(1);
    const torch::jit::IValue out = guarded(
        [&] {
          return module.get_method("forward_cached")({input, torch::jit::IValue(past), start});
        },
        total, path);
    const char* expected = "forward_cached must return (logits [B, n, V], List[Tensor])";
    if (!out.isTuple() || out.toTupleRef().elements().size() != 2) {
      throw_bad_input(path, expected, kExportHint);
    }
    const auto& elements = out.toTupleRef().elements();
    if (!elements[0].isTensor() || !elements[1].isTensorList()) {
      throw_bad_input(path, expected, kExportHint);
    }
    at::Tensor logits = elements[0].toTensor();
    check_logits(logits, input, path, "forward_cached");
    past = elements[1].toTensorList();
    return logits;
  }
};

struct ModelCache::Impl {
  c10::List<at::Tensor> past;
  int64_t length = 0;
  std::vector<double> next_log_probs;  // [V]
  int64_t next_greedy = 0;

  // From the logits [1, n, V] of the call that brought the cache to `length`.
  void set_last(const at::Tensor& logits) {
    const at::Tensor last = logits[0][logits.size(1) - 1];  // [V]
    next_greedy = last.argmax().item<int64_t>();
    const at::Tensor row = last.to(torch::kFloat64).log_softmax(0).cpu().contiguous();
    next_log_probs.assign(row.data_ptr<double>(), row.data_ptr<double>() + row.numel());
  }
};

ModelCache::ModelCache() : impl_(std::make_unique<Impl>()) {}
ModelCache::~ModelCache() = default;
ModelCache::ModelCache(ModelCache&&) noexcept = default;
ModelCache& ModelCache::operator=(ModelCache&&) noexcept = default;
int64_t ModelCache::length() const { return impl_->length; }
const std::vector<double>& ModelCache::next_log_probs() const { return impl_->next_log_probs; }
int64_t ModelCache::next_greedy() const { return impl_->next_greedy; }

namespace {
// forward_cached(self, tokens: Tensor, past: List[Tensor], start: int).
void check_cached_signature(const torch::jit::Module& module, const std::string& path) {
  const auto method = module.find_method("forward_cached");
  if (!method) return;
  const auto& arguments = method->function().getSchema().arguments();
  const bool ok = arguments.size() == 4 &&
                  arguments[1].type()->isSubtypeOf(*c10::TensorType::get()) &&
                  arguments[2].type()->isSubtypeOf(*c10::ListType::ofTensors()) &&
                  arguments[3].type()->isSubtypeOf(*c10::IntType::get());
  if (!ok) {
    std::ostringstream schema;
    schema << method->function().getSchema();
    throw_bad_input(path,
                    "forward_cached has signature " + schema.str() +
                        "; expected forward_cached(self, tokens: Tensor, past: List[Tensor], "
                        "start: int) -> Tuple[Tensor, List[Tensor]]",
                    "fix or remove forward_cached (lengen then uses forward); see README.md, "
                    "'Model contract'");
  }
}
}  // namespace

Model::Model(const std::string& path, const ComputeSpec& compute)
    : impl_(std::make_unique<Impl>()), path_(path) {
  impl_->compute = compute;
  if (!std::filesystem::is_regular_file(path)) {
    throw_bad_input(path, "model file not found",
                    "check the path; the shipped zoo is in zoo/models/*.pt");
  }
  torch::jit::ExtraFilesMap extra{{"lengen.json", ""}};
  try {
    impl_->module = torch::jit::load(path, torch::kCPU, extra);
  } catch (const c10::Error& e) {
    throw_bad_input(path,
                    "not a readable TorchScript archive (" +
                        first_line(e.what_without_backtrace()) + "); the file may be truncated",
                    kExportHint);
  } catch (const std::exception& e) {
    throw_bad_input(path, std::string("not a readable TorchScript archive (") + e.what() + ")",
                    kExportHint);
  }
  sha256_ = sha256_file(path);
  metadata_ = parse_metadata(path, extra["lengen.json"]);

  // Check forward's signature: exactly one tensor argument besides self.
  const auto forward = impl_->module.find_method("forward");
  if (!forward) throw_bad_input(path, "module has no forward method", kExportHint);
  const auto& arguments = forward->function().getSchema().arguments();
  if (arguments.size() != 2 || !arguments[1].type()->isSubtypeOf(*c10::TensorType::get())) {
    std::ostringstream schema;
    schema << forward->function().getSchema();
    throw_bad_input(path,
                    "forward has signature " + schema.str() +
                        "; expected forward(self, tokens: Tensor) taking int64 [B, T]",
                    kExportHint);
  }

  check_cached_signature(impl_->module, path);

  for (const auto& parameter : impl_->module.parameters()) {
    parameter_count_ += parameter.numel();
    stored_dtypes_[std::string(c10::toString(parameter.scalar_type()))] += parameter.numel();
  }
  place_module();
}

namespace {
at::ScalarType scalar_type_of(Dtype dtype) {
  switch (dtype) {
    case Dtype::kBFloat16:
      return torch::kBFloat16;
    case Dtype::kFloat16:
      return torch::kFloat16;
    case Dtype::kFloat32:
      break;
  }
  return torch::kFloat32;
}
}  // namespace

// Casts every floating parameter and buffer to the asked dtype (float16 and
// bfloat16 storage is upcast for float32 runs) and moves the module. A model
// that cannot run in that dtype there (a kernel missing, a hard-coded cast that
// mixes dtypes) is refused now with a probe forward, not cell by cell later.
void Model::place_module() {
  const ComputeSpec& spec = impl_->compute;
  impl_->device = at::Device(spec.device);
  try {
    impl_->module.to(impl_->device, scalar_type_of(spec.dtype));
  } catch (const c10::Error& e) {
    throw_bad_input(path_,
                    "cannot move the model to " + spec.device + " in " + to_string(spec.dtype) +
                        ": " + first_line(e.what_without_backtrace()),
                    "try --dtype float32 or --device cpu");
  }
  impl_->module.eval();
  if (spec.dtype == Dtype::kFloat32) return;
  try {
    check_forward(/*length=*/8);
  } catch (const ModelRunError& e) {
    throw_bad_input(path_,
                    "the model cannot run in " + to_string(spec.dtype) + " on " + spec.device +
                        ": " + e.message(),
                    spec.dtype == Dtype::kFloat16 && !spec.is_cuda()
                        ? "this CPU LibTorch lacks float16 kernels; use --dtype bfloat16"
                        : "re-export the model without hard-coded float32 casts, or use --dtype "
                          "float32");
  }
}

const ComputeSpec& Model::compute() const { return impl_->compute; }

std::string Model::label() const {
  const ComputeSpec& spec = impl_->compute;
  return spec.dtype == Dtype::kFloat32 ? metadata_.name
                                       : metadata_.name + "@" + to_string(spec.dtype);
}

Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

bool Model::has_set_eval_length() const {
  return impl_->module.find_method("set_eval_length").has_value();
}

void Model::set_eval_length(int64_t length) {
  auto method = impl_->module.find_method("set_eval_length");
  if (!method) return;
  try {
    (*method)({torch::jit::IValue(length)});
  } catch (const c10::Error& e) {
    throw ModelRunError(path_,
                        "set_eval_length(" + std::to_string(length) +
                            ") failed: " + first_line(e.what_without_backtrace()),
                        false);
  }
}

void Model::next_token_nll(const std::vector<int64_t>& tokens, int64_t batch, int64_t length,
                           std::vector<double>& nll) {
  TORCH_CHECK(static_cast<int64_t>(tokens.size()) == batch * length, "expected ", batch * length,
              " tokens, got ", tokens.size());
  TORCH_CHECK(length >= 2, "need at least two tokens to score a prediction");
  c10::InferenceMode guard;
  at::Tensor input = impl_->input(tokens.data(), batch, length);  // [B, T]
  at::Tensor logits = impl_->forward(input, path_);               // [B, T, V]
  const int64_t vocab = logits.size(2);
  if (metadata_.vocab_size > 0 && vocab != metadata_.vocab_size) {
    throw_bad_input(path_,
                    "forward returned V=" + std::to_string(vocab) + " but lengen.json says " +
                        "vocab_size=" + std::to_string(metadata_.vocab_size),
                    kExportHint);
  }
  at::Tensor targets = input.slice(/*dim=*/1, /*start=*/1, /*end=*/length);  // [B, T-1]
  if (targets.max().item<int64_t>() >= vocab) {
    throw_bad_input(path_, "token id outside the model's vocabulary of " + std::to_string(vocab),
                    "evaluate with a token cache made by this model's tokenizer");
  }
  nll.assign(static_cast<size_t>(batch * (length - 1)), 0.0);
  at::Tensor out = torch::from_blob(nll.data(), {batch, length - 1}, torch::kFloat64);
  // Reduce the logits to per-token NLL a slice of positions at a time, so the
  // log-softmax temporary stays ~64 MB whatever T is.
  const int64_t chunk =
      std::max<int64_t>(1, (int64_t{8} << 20) / std::max<int64_t>(1, batch * vocab));
  for (int64_t start = 0; start < length - 1; start += chunk) {
    const int64_t end = std::min(length - 1, start + chunk);
    // In float64: the logits are what the model computed; the reduction adds no error.
    at::Tensor log_probs =
        logits.slice(1, start, end).to(torch::kFloat64).log_softmax(-1);  // [B, c, V]
    at::Tensor picked = log_probs.gather(/*dim=*/2, targets.slice(1, start, end).unsqueeze(2));
    out.slice(1, start, end).copy_(picked.squeeze(2).neg());  // device -> host on a GPU
  }
}

std::vector<float> Model::log_probs_at(const std::vector<int64_t>& tokens, int64_t position) {
  const auto length = static_cast<int64_t>(tokens.size());
  TORCH_CHECK(position >= 0 && position < length, "position ", position, " outside [0, ", length,
              ")");
  c10::InferenceMode guard;
  at::Tensor input = impl_->input(tokens.data(), /*batch=*/1, length);
  at::Tensor logits = impl_->forward(input, path_);
  at::Tensor row = logits[0][position].to(torch::kFloat32).log_softmax(0).cpu().contiguous();
  return std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
}

namespace {
// The vocabulary of `logits` [B, T, V] against lengen.json and the target ids.
void check_vocab(const at::Tensor& logits, const at::Tensor& targets, const ModelMetadata& metadata,
                 const std::string& path) {
  const int64_t vocab = logits.size(2);
  if (metadata.vocab_size > 0 && vocab != metadata.vocab_size) {
    throw_bad_input(path,
                    "forward returned V=" + std::to_string(vocab) + " but lengen.json says " +
                        "vocab_size=" + std::to_string(metadata.vocab_size),
                    kExportHint);
  }
  if (targets.numel() > 0 && targets.max().item<int64_t>() >= vocab) {
    throw_bad_input(path, "token id outside the model's vocabulary of " + std::to_string(vocab),
                    "evaluate with the tokenizer this model was trained with");
  }
}
}  // namespace

void Model::continuation_scores(const std::vector<int64_t>& tokens, int64_t batch, int64_t length,
                                int64_t from, std::vector<double>& log_probs,
                                std::vector<uint8_t>& greedy) {
  TORCH_CHECK(static_cast<int64_t>(tokens.size()) == batch * length, "expected ", batch * length,
              " tokens, got ", tokens.size());
  TORCH_CHECK(from >= 0 && from < length - 1, "continuation start ", from, " outside [0, ",
              length - 1, ")");
  c10::InferenceMode guard;
  at::Tensor input = impl_->input(tokens.data(), batch, length);
  at::Tensor logits = impl_->forward(input, path_);                                 // [B, T, V]
  at::Tensor targets = input.slice(/*dim=*/1, /*start=*/from + 1, /*end=*/length);  // [B, K]
  check_vocab(logits, targets, metadata_, path_);
  at::Tensor tail = logits.slice(/*dim=*/1, /*start=*/from, /*end=*/length - 1);  // [B, K, V]
  const int64_t k = length - 1 - from;
  log_probs.assign(static_cast<size_t>(batch * k), 0.0);
  greedy.assign(static_cast<size_t>(batch * k), 0);
  at::Tensor picked =
      tail.to(torch::kFloat64).log_softmax(-1).gather(/*dim=*/2, targets.unsqueeze(2));
  torch::from_blob(log_probs.data(), {batch, k}, torch::kFloat64).copy_(picked.squeeze(2));
  at::Tensor hits = tail.argmax(/*dim=*/-1).eq(targets).to(torch::kUInt8);  // [B, K]
  torch::from_blob(greedy.data(), {batch, k}, torch::kUInt8).copy_(hits);
}

int64_t Model::greedy_next_token(const std::vector<int64_t>& tokens) {
  const auto length = static_cast<int64_t>(tokens.size());
  TORCH_CHECK(length >= 1, "greedy decoding needs a prompt");
  c10::InferenceMode guard;
  at::Tensor input = impl_->input(tokens.data(), /*batch=*/1, length);
  at::Tensor logits = impl_->forward(input, path_);  // [1, T, V]
  check_vocab(logits, input.slice(1, 0, 0), metadata_, path_);
  return logits[0][length - 1].argmax().item<int64_t>();
}

bool Model::has_cached_forward() const {
  return impl_->module.find_method("forward_cached").has_value();
}

bool Model::low_precision() const {
  for (const auto& parameter : impl_->module.parameters()) {
    return parameter.is_floating_point() && parameter.element_size() <= 2;
  }
  return false;
}

ModelCache Model::prefill(const std::vector<int64_t>& tokens) {
  if (!has_cached_forward()) {
    throw_bad_input(path_, "model has no forward_cached", "score it on the full-forward path");
  }
  TORCH_CHECK(!tokens.empty(), "prefill needs at least one token");
  ModelCache cache;
  extend(cache, tokens);
  return cache;
}

void Model::extend(ModelCache& cache, const std::vector<int64_t>& tokens) {
  TORCH_CHECK(!tokens.empty(), "extend needs at least one token");
  c10::InferenceMode guard;
  const auto n = static_cast<int64_t>(tokens.size());
  // [1, n] ids at positions length .. length + n - 1, owned: a model may keep
  // its input in the past (the induction copier keeps the token history)
  at::Tensor input = impl_->input(tokens.data(), /*batch=*/1, n).clone();
  ModelCache::Impl& state = *cache.impl_;
  at::Tensor logits = impl_->forward_cached(input, state.past, state.length, path_);
  check_vocab(logits, input, metadata_, path_);
  state.length += n;
  state.set_last(logits);
}

void Model::continuation_scores_cached(const ModelCache& prefix, const std::vector<int64_t>& rows,
                                       int64_t batch, int64_t length,
                                       std::vector<double>& log_probs,
                                       std::vector<uint8_t>& greedy) {
  TORCH_CHECK(static_cast<int64_t>(rows.size()) == batch * length && length >= 1, "expected ",
              batch, " x ", length, " continuation tokens, got ", rows.size());
  const ModelCache::Impl& state = *prefix.impl_;
  TORCH_CHECK(state.length > 0, "continuations need a prefilled prefix");
  const auto vocab = static_cast<int64_t>(state.next_log_probs.size());
  log_probs.assign(static_cast<size_t>(batch * length), 0.0);
  greedy.assign(static_cast<size_t>(batch * length), 0);
  for (int64_t b = 0; b < batch; ++b) {  // position 0: what the prefix predicts
    const int64_t first = rows[static_cast<size_t>(b * length)];
    if (first < 0 || first >= vocab) {
      throw_bad_input(path_, "token id outside the model's vocabulary of " + std::to_string(vocab),
                      "evaluate with the tokenizer this model was trained with");
    }
    log_probs[static_cast<size_t>(b * length)] = state.next_log_probs[static_cast<size_t>(first)];
    greedy[static_cast<size_t>(b * length)] = first == state.next_greedy ? 1 : 0;
  }
  if (length == 1) return;
  c10::InferenceMode guard;
  at::Tensor all = impl_->input(rows.data(), batch, length);
  // Rows without their last token [B, L-1] after the shared prefix (the model
  // broadcasts its batch-1 past); they predict tokens 1 .. L-1.
  at::Tensor input = all.slice(/*dim=*/1, 0, length - 1).clone();
  at::Tensor targets = all.slice(/*dim=*/1, 1, length);  // [B, L-1]
  // A new list over the same tensors: the call rebinds it to the rows' past, the prefix keeps its
  // own.
  c10::List<at::Tensor> past(std::vector<at::Tensor>(state.past.begin(), state.past.end()));
  at::Tensor logits = impl_->forward_cached(input, past, state.length, path_);  // [B, L-1, V]
  check_vocab(logits, targets, metadata_, path_);
  at::Tensor picked =
      logits.to(torch::kFloat64).log_softmax(-1).gather(/*dim=*/2, targets.unsqueeze(2));
  torch::from_blob(log_probs.data(), {batch, length}, torch::kFloat64)
      .slice(1, 1, length)
      .copy_(picked.squeeze(2));
  at::Tensor hits = logits.argmax(/*dim=*/-1).eq(targets).to(torch::kUInt8);  // [B, L-1]
  torch::from_blob(greedy.data(), {batch, length}, torch::kUInt8).slice(1, 1, length).copy_(hits);
}

int64_t Model::check_forward(int64_t length) {
  c10::InferenceMode guard;
  const int64_t vocab_hint = metadata_.vocab_size > 0 ? metadata_.vocab_size : 2;
  at::Tensor input = torch::arange(length, torch::kInt64).remainder(vocab_hint).unsqueeze(0);
  if (!impl_->device.is_cpu()) input = input.to(impl_->device);
  at::Tensor logits = impl_->forward(input, path_);
  const int64_t vocab = logits.size(2);
  if (metadata_.vocab_size > 0 && vocab != metadata_.vocab_size) {
    throw_bad_input(path_,
                    "forward returned V=" + std::to_string(vocab) +
                        " but lengen.json says vocab_size=" + std::to_string(metadata_.vocab_size),
                    kExportHint);
  }
  if (!torch::isfinite(logits).all().item<bool>()) {
    throw_bad_input(path_, "forward returned non-finite logits at T=" + std::to_string(length),
                    "check the model's weights");
  }
  if (metadata_.vocab_size == 0) metadata_.vocab_size = vocab;
  if (has_cached_forward()) {
    // The cached contract too: a prefill and one step (shapes checked inside).
    // This also takes TorchScript's first profiling runs of forward_cached out
    // of the first cell.
    const std::vector<int64_t> ids(input.data_ptr<int64_t>(),
                                   input.data_ptr<int64_t>() + input.numel());
    ModelCache cache = prefill(ids);
    extend(cache, {ids.front()});
  }
  return vocab;
}

void Model::require_vocab_at_least(int64_t tokenizer_vocab,
                                   const std::string& tokenizer_label) const {
  if (metadata_.vocab_size > 0 && metadata_.vocab_size < tokenizer_vocab) {
    throw_bad_input(path_,
                    "model vocabulary (" + std::to_string(metadata_.vocab_size) +
                        ") is smaller than the tokenizer's (" + std::to_string(tokenizer_vocab) +
                        ", " + tokenizer_label + ")",
                    "evaluate the model with the tokenizer it was trained with");
  }
}

void set_compute_threads(int threads) { at::set_num_threads(std::max(1, threads)); }

int compute_threads() { return at::get_num_threads(); }

std::string torch_version() { return TORCH_VERSION; }

}  // namespace lengen
