// Tokenizer: a client of the liblengen_sentencepiece.so plugin (see
// src/plugin/sentencepiece_plugin.h for why sentencepiece is not linked in).
#include "core/data/tokenizer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/util/error.h"
#include "core/util/sha256.h"
#include "plugin/sentencepiece_plugin.h"

#ifndef LENGEN_SPM_PLUGIN_BUILD_PATH
#define LENGEN_SPM_PLUGIN_BUILD_PATH ""
#endif

namespace lengen {

namespace {

constexpr const char* kPluginName = "liblengen_sentencepiece.so";

// The plugin's entry points, resolved once per process.
struct PluginApi {
  decltype(&lengen_spm_load) load;
  decltype(&lengen_spm_free) free;
  decltype(&lengen_spm_encode) encode;
  decltype(&lengen_spm_decode) decode;
  decltype(&lengen_spm_vocab_size) vocab_size;
  decltype(&lengen_spm_bos_id) bos_id;
  decltype(&lengen_spm_eos_id) eos_id;
};

// $LENGEN_SPM_PLUGIN, else next to the running executable, else the build tree.
std::vector<std::string> plugin_candidates() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("LENGEN_SPM_PLUGIN")) candidates.emplace_back(env);
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back((exe.parent_path() / kPluginName).string());
  if (*LENGEN_SPM_PLUGIN_BUILD_PATH) candidates.emplace_back(LENGEN_SPM_PLUGIN_BUILD_PATH);
  return candidates;
}

template <typename T>
void resolve(void* library, const char* symbol, T& out) {
  out = reinterpret_cast<T>(::dlsym(library, symbol));
  if (out == nullptr)
    throw_runtime(kPluginName, std::string("missing symbol ") + symbol, "rebuild lengen");
}

const PluginApi& plugin() {
  static const PluginApi api = [] {
    std::string tried;
    void* library = nullptr;
    for (const std::string& candidate : plugin_candidates()) {
      if (!std::filesystem::exists(candidate)) continue;
      // DEEPBIND: sentencepiece must bind to its own protobuf, not LibTorch's.
      library = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
      if (library != nullptr) break;
      tried += std::string(" ") + ::dlerror();
    }
    if (library == nullptr) {
      throw_runtime(kPluginName, "cannot load the sentencepiece plugin" + tried,
                    "build it with `make build` (it sits next to the lengen binary) or set "
                    "LENGEN_SPM_PLUGIN to its path");
    }
    decltype(&lengen_spm_abi_version) abi_version;
    resolve(library, "lengen_spm_abi_version", abi_version);
    if (abi_version() != LENGEN_SPM_ABI_VERSION) {
      throw_runtime(kPluginName, "plugin ABI version mismatch", "rebuild lengen");
    }
    PluginApi out{};
    resolve(library, "lengen_spm_load", out.load);
    resolve(library, "lengen_spm_free", out.free);
    resolve(library, "lengen_spm_encode", out.encode);
    resolve(library, "lengen_spm_decode", out.decode);
    resolve(library, "lengen_spm_vocab_size", out.vocab_size);
    resolve(library, "lengen_spm_bos_id", out.bos_id);
    resolve(library, "lengen_spm_eos_id", out.eos_id);
    return out;
  }();
  return api;
}

void append_text(void* context, const char* text, size_t size) {
  static_cast<std::string*>(context)->append(text, size);
}

struct EncodeContext {
  std::vector<int32_t> ids;
  std::string error;
};

}  // namespace

struct Tokenizer::Impl {
  lengen_spm* handle = nullptr;
  ~Impl() {
    if (handle != nullptr) plugin().free(handle);
  }
};

Tokenizer::Tokenizer(const std::string& model_path)
    : impl_(std::make_unique<Impl>()), path_(model_path) {
  if (!std::filesystem::is_regular_file(model_path)) {
    throw_bad_input(model_path, "tokenizer model not found",
                    "pass --tokenizer PATH to a sentencepiece .model (the shipped one is "
                    "data/tokenizer/lengen-4096.model)");
  }
  std::string error;
  impl_->handle = plugin().load(model_path.c_str(), append_text, &error);
  if (impl_->handle == nullptr) {
    throw_bad_input(model_path, "not a sentencepiece model (" + error + ")",
                    "train one with spm_train or pass the right .model file");
  }
  sha256_ = sha256_file(model_path);
}

Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

std::vector<int32_t> Tokenizer::encode(std::string_view text) const {
  EncodeContext context;
  auto sink = [](void* c, const int32_t* ids, size_t count) {
    static_cast<EncodeContext*>(c)->ids.assign(ids, ids + count);
  };
  auto error = [](void* c, const char* message, size_t size) {
    static_cast<EncodeContext*>(c)->error.assign(message, size);
  };
  if (plugin().encode(impl_->handle, text.data(), text.size(), sink, error, &context) != 0) {
    throw_runtime(path_, "sentencepiece failed to encode: " + context.error);
  }
  return std::move(context.ids);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string text, error;
  struct Both {
    std::string* text;
    std::string* error;
  } both{&text, &error};
  auto sink = [](void* c, const char* t, size_t n) { static_cast<Both*>(c)->text->append(t, n); };
  auto fail = [](void* c, const char* t, size_t n) { static_cast<Both*>(c)->error->append(t, n); };
  if (plugin().decode(impl_->handle, ids.data(), ids.size(), sink, fail, &both) != 0) {
    throw_runtime(path_, "sentencepiece failed to decode: " + error);
  }
  return text;
}

int32_t Tokenizer::vocab_size() const { return plugin().vocab_size(impl_->handle); }
int32_t Tokenizer::bos_id() const { return plugin().bos_id(impl_->handle); }
int32_t Tokenizer::eos_id() const { return plugin().eos_id(impl_->handle); }

}  // namespace lengen
