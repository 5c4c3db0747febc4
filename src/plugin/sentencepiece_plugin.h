// The C ABI of liblengen_sentencepiece.so, the one place sentencepiece lives.
//
// Why a plugin: Debian's libsentencepiece embeds and exports its own
// protobuf-lite 3.14 while LibTorch loads libprotobuf 3.21; linked into one
// process, the two interpose each other's symbols and the process dies before
// main(). lengen therefore dlopen()s this plugin with RTLD_LOCAL|RTLD_DEEPBIND
// so sentencepiece binds to its own copy. Memory never crosses the boundary:
// results are handed to caller-supplied sinks.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// The plugin builds with hidden visibility; only these entry points are exported.
#pragma GCC visibility push(default)

typedef struct lengen_spm lengen_spm;
// Receives a result; the pointer is valid only during the call.
typedef void (*lengen_spm_ids_sink)(void* context, const int32_t* ids, size_t count);
typedef void (*lengen_spm_text_sink)(void* context, const char* text, size_t size);

#define LENGEN_SPM_ABI_VERSION 1
int lengen_spm_abi_version(void);

// Returns NULL on failure and passes the reason to `error`.
lengen_spm* lengen_spm_load(const char* model_path, lengen_spm_text_sink error, void* context);
void lengen_spm_free(lengen_spm* processor);

// Return 0 on success; on failure pass the reason to `error`. Thread-safe.
int lengen_spm_encode(const lengen_spm* processor, const char* text, size_t size,
                      lengen_spm_ids_sink sink, lengen_spm_text_sink error, void* context);
int lengen_spm_decode(const lengen_spm* processor, const int32_t* ids, size_t count,
                      lengen_spm_text_sink sink, lengen_spm_text_sink error, void* context);

int32_t lengen_spm_vocab_size(const lengen_spm* processor);
int32_t lengen_spm_bos_id(const lengen_spm* processor);
int32_t lengen_spm_eos_id(const lengen_spm* processor);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
