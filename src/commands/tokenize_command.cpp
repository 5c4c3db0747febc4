// `lengen tokenize`: text files, directories or JSONL -> a token cache.
// Documents are encoded on all cores, batch by batch, and written in input
// order, so the cache is identical whatever the thread count.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "commands/commands.h"
#include "commands/common.h"
#include "core/data/text_source.h"
#include "core/data/token_cache.h"
#include "core/data/tokenizer.h"
#include "core/util/error.h"
#include "core/util/process_stats.h"

namespace lengen {

namespace {

struct TokenizeOptions {
  std::vector<std::string> inputs;
  std::string tokenizer = kDefaultTokenizer;
  std::string out;
  bool add_bos = false;
  bool add_eos = false;
  int threads = 0;
  bool quiet = false;
};

// Encodes `docs` with `threads` workers; ids[i] belongs to docs[i].
std::vector<std::vector<int32_t>> encode_parallel(const Tokenizer& tokenizer,
                                                  const std::vector<TextDocument>& docs,
                                                  int threads) {
  std::vector<std::vector<int32_t>> ids(docs.size());
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (size_t i = next++; i < docs.size(); i = next++) {
      try {
        ids[i] = tokenizer.encode(docs[i].text);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back(work);
  work();
  for (auto& worker : workers) worker.join();
  if (failure) std::rethrow_exception(failure);
  return ids;
}

void run_tokenize(const TokenizeOptions& options) {
  const int threads = apply_threads(options.threads);
  const auto start = std::chrono::steady_clock::now();
  Tokenizer tokenizer(options.tokenizer);
  TextSource source(options.inputs);

  TokenCacheSettings settings;
  settings.vocab_size = static_cast<uint32_t>(tokenizer.vocab_size());
  settings.tokenizer_sha256 = tokenizer.sha256();
  settings.add_bos = options.add_bos;
  settings.add_eos = options.add_eos;
  settings.bos_id = tokenizer.bos_id();
  settings.eos_id = tokenizer.eos_id();
  if ((options.add_bos && settings.bos_id < 0) || (options.add_eos && settings.eos_id < 0)) {
    throw_bad_input(options.tokenizer, "tokenizer has no BOS/EOS piece to add",
                    "drop --bos/--eos or use a tokenizer with bos_id/eos_id");
  }
  TokenCacheWriter writer(options.out, settings);

  uint64_t documents = 0, tokens = 0, bytes = 0, replacements = 0;
  std::vector<TextDocument> batch;
  while (source.next_batch(batch, size_t{64} << 20)) {
    if (interrupted()) {
      // The writer's destructor removes its temporary: no partial cache remains.
      throw Error(ExitCode::kInterrupted, options.out, "interrupted; no cache written",
                  "re-run the same command");
    }
    const auto ids = encode_parallel(tokenizer, batch, threads);
    for (size_t i = 0; i < batch.size(); ++i) {
      writer.add_document(batch[i].name, ids[i], batch[i].text.size(), batch[i].replacements);
      ++documents;
      tokens += ids[i].size();
      bytes += batch[i].text.size();
      replacements += batch[i].replacements;
    }
    batch.clear();
  }
  if (tokens == 0) {
    throw_bad_input(options.inputs.front(), "corpus is empty (no text in any document)",
                    "check the input files; run `make data` for the shipped corpora");
  }
  writer.finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (replacements > 0) {
    fmt::print(stderr, "lengen: warning: replaced {} invalid UTF-8 sequence(s) with U+FFFD\n",
               replacements);
  }
  if (!options.quiet) {
    fmt::print(
        "{}: {} documents, {} tokens, {} bytes ({:.2f} bytes/token), {:.2f} s, "
        "{:.0f} tokens/s on {} threads\n",
        options.out, documents, tokens, bytes, double(bytes) / double(tokens), seconds,
        double(tokens) / seconds, threads);
  }
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto options = std::make_shared<TokenizeOptions>();
  CLI::App* command = app.add_subcommand(
      "tokenize", "Tokenize text files, directories or JSONL into a token cache");
  command->add_option("inputs", options->inputs, ".txt files, directories of them, or .jsonl")
      ->required();
  command->add_option("--tokenizer", options->tokenizer, "sentencepiece .model")
      ->capture_default_str();
  command->add_option("-o,--out", options->out, "token cache to write")->required();
  command->add_flag("--bos", options->add_bos, "prepend BOS to every document");
  command->add_flag("--eos", options->add_eos, "append EOS to every document");
  command->add_flag("-q,--quiet", options->quiet, "print nothing on success");
  add_threads_option(*command, options->threads);
  command->callback([options] { run_tokenize(*options); });
}

}  // namespace lengen
