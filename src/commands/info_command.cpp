// `lengen info MODEL...`: what a model says about itself and whether it obeys
// the model contract — metadata, parameters, stored dtypes, and a shape-checked
// forward at T=16 (README.md, "Model contract").
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>

#include "commands/commands.h"
#include "commands/common.h"
#include "commands/compute_options.h"
#include "core/data/tokenizer.h"
#include "core/model/model.h"

namespace lengen {

namespace {

struct InfoOptions {
  std::vector<std::string> models;
  std::string tokenizer;  // optional: check vocabulary and tokenizer hash against it
  int length = 16;
  int threads = 0;
  ComputeOptions compute;
};

std::string optional_text(const std::optional<int64_t>& value) {
  return value ? std::to_string(*value) : "-";
}

void print_model(Model& model, const InfoOptions& options, const Tokenizer* tokenizer) {
  const ModelMetadata& meta = model.metadata();
  fmt::print("model            {}\n", model.path());
  fmt::print("sha256           {}\n", model.sha256());
  fmt::print("name             {}{}\n", meta.name,
             model.has_metadata() ? "" : "  (no lengen.json)");
  fmt::print("position         {}\n",
             meta.position_encoding_json.empty() ? "-" : meta.position_encoding_json);
  fmt::print("train_length     {}\n",
             meta.train_length > 0 ? std::to_string(meta.train_length) : "-");
  fmt::print("vocab_size       {}\n", meta.vocab_size > 0 ? std::to_string(meta.vocab_size) : "-");
  fmt::print("tokenizer_sha256 {}\n", meta.tokenizer_sha256.empty() ? "-" : meta.tokenizer_sha256);
  fmt::print("bos_id           {}\n", optional_text(meta.bos_id));
  fmt::print("max_length       {}\n", optional_text(meta.max_length));
  fmt::print("set_eval_length  {}\n", model.has_set_eval_length() ? "yes" : "no");
  fmt::print("forward_cached   {}\n", model.has_cached_forward()
                                          ? "yes (lengen tasks prefills once per sample)"
                                          : "no (lengen tasks runs full forwards)");
  std::string dtypes;
  for (const auto& [dtype, count] : model.stored_dtypes()) {
    dtypes += fmt::format("{}{} {}", dtypes.empty() ? "" : ", ", dtype, count);
  }
  fmt::print("parameters       {} (stored as {}; evaluated in {} on {})\n", model.parameter_count(),
             dtypes.empty() ? "-" : dtypes, to_string(model.compute().dtype),
             model.compute().device);
  const auto start = std::chrono::steady_clock::now();
  const int64_t vocab = model.check_forward(options.length);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("forward          T={} ok: logits [1, {}, {}] in {:.3f} s\n", options.length,
             options.length, vocab, seconds);
  if (tokenizer != nullptr) {
    model.require_vocab_at_least(tokenizer->vocab_size(), tokenizer->path());
    const bool same = meta.tokenizer_sha256.empty() || meta.tokenizer_sha256 == tokenizer->sha256();
    fmt::print("tokenizer        {} ({})\n", tokenizer->path(),
               same ? "compatible" : "DIFFERENT from the model's tokenizer_sha256");
  }
}

void run_info(const InfoOptions& options) {
  apply_threads(options.threads);
  const ComputeSpec compute = apply_compute(options.compute);
  fmt::print("backend          {}\n\n", compute_backends());
  std::unique_ptr<Tokenizer> tokenizer;
  if (!options.tokenizer.empty()) tokenizer = std::make_unique<Tokenizer>(options.tokenizer);
  for (size_t i = 0; i < options.models.size(); ++i) {
    if (i > 0) fmt::print("\n");
    Model model(options.models[i], compute);
    print_model(model, options, tokenizer.get());
  }
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* command =
      app.add_subcommand("info", "Print a model's metadata and check it obeys the model contract");
  command->add_option("models", options->models, "TorchScript model files")->required();
  command->add_option("--tokenizer", options->tokenizer,
                      "also check the model against this sentencepiece .model");
  command->add_option("--length", options->length, "sequence length of the check forward")
      ->check(CLI::Range(2, 1 << 20))
      ->capture_default_str();
  add_threads_option(*command, options->threads);
  add_compute_options(*command, options->compute);
  command->callback([options] { run_info(*options); });
}

}  // namespace lengen
