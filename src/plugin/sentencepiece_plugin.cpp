// liblengen_sentencepiece.so: sentencepiece behind a C ABI (see the header for
// why it is a separate, dlopen()ed library). Nothing else includes sentencepiece.
#include "plugin/sentencepiece_plugin.h"

#include <sentencepiece_processor.h>

#include <string>
#include <vector>

struct lengen_spm {
  sentencepiece::SentencePieceProcessor processor;
};

extern "C" {

int lengen_spm_abi_version(void) { return LENGEN_SPM_ABI_VERSION; }

lengen_spm* lengen_spm_load(const char* model_path, lengen_spm_text_sink error, void* context) {
  auto* handle = new lengen_spm;
  const auto status = handle->processor.Load(model_path);
  if (!status.ok()) {
    const std::string message = status.ToString();
    error(context, message.data(), message.size());
    delete handle;
    return nullptr;
  }
  return handle;
}

void lengen_spm_free(lengen_spm* processor) { delete processor; }

int lengen_spm_encode(const lengen_spm* processor, const char* text, size_t size,
                      lengen_spm_ids_sink sink, lengen_spm_text_sink error, void* context) {
  std::vector<int> ids;
  const auto status = processor->processor.Encode(absl::string_view(text, size), &ids);
  if (!status.ok()) {
    const std::string message = status.ToString();
    error(context, message.data(), message.size());
    return 1;
  }
  static_assert(sizeof(int) == sizeof(int32_t), "ids are int32");
  sink(context, reinterpret_cast<const int32_t*>(ids.data()), ids.size());
  return 0;
}

int lengen_spm_decode(const lengen_spm* processor, const int32_t* ids, size_t count,
                      lengen_spm_text_sink sink, lengen_spm_text_sink error, void* context) {
  const std::vector<int> pieces(ids, ids + count);
  std::string text;
  const auto status = processor->processor.Decode(pieces, &text);
  if (!status.ok()) {
    const std::string message = status.ToString();
    error(context, message.data(), message.size());
    return 1;
  }
  sink(context, text.data(), text.size());
  return 0;
}

int32_t lengen_spm_vocab_size(const lengen_spm* processor) {
  return processor->processor.GetPieceSize();
}
int32_t lengen_spm_bos_id(const lengen_spm* processor) { return processor->processor.bos_id(); }
int32_t lengen_spm_eos_id(const lengen_spm* processor) { return processor->processor.eos_id(); }

}  // extern "C"
