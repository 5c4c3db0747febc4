// The on-disk token cache: a tokenized corpus that is written once by
// `lengen tokenize` and then read many times by mmap, one document at a time.
//
// Layout (little-endian; documented in README.md, "Token cache format"):
//   [0, 256)         header (TokenCacheHeader below, zero-padded)
//   tokens_offset    token_count ids, uint16 when vocab_size <= 65536 else uint32
//   offsets_offset   (document_count + 1) uint64 token offsets; doc i = [off[i], off[i+1])
//   bytes_offset     document_count uint64 UTF-8 byte counts (for bits per byte)
//   names_offset     document_count NUL-terminated document names
// Every section starts on an 8-byte boundary; file_size guards against truncation
// and `checksum` (XXH64, token_cache_checksum below) against corruption of any byte.
// Not for: random access into texts (keep the text corpus for that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace lengen {

constexpr char kTokenCacheMagic[8] = {'L', 'E', 'N', 'G', 'T', 'O', 'K', '\0'};
// 2: adds the checksum. Version 1 caches are refused with a hint to re-tokenize.
constexpr uint32_t kTokenCacheVersion = 2;
constexpr size_t kTokenCacheHeaderSize = 256;

enum TokenCacheFlags : uint32_t {
  kBosPrepended = 1u << 0,  // every document starts with bos_id
  kEosAppended = 1u << 1,   // every document ends with eos_id
};

struct TokenCacheHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t token_width;  // bytes per id: 2 or 4
  uint32_t vocab_size;
  uint32_t flags;  // TokenCacheFlags
  int32_t bos_id;
  int32_t eos_id;
  uint64_t document_count;
  uint64_t token_count;
  uint64_t byte_count;         // sum of document UTF-8 bytes
  uint64_t utf8_replacements;  // invalid sequences replaced while reading the text
  uint64_t tokens_offset;
  uint64_t offsets_offset;
  uint64_t bytes_offset;
  uint64_t names_offset;
  uint64_t file_size;
  char tokenizer_sha256[64];  // hex, not NUL-terminated
  // XXH64 of the payload [256, file_size) seeded with XXH64 of the 256 header
  // bytes with this field zeroed: one pass covers every byte of the file.
  uint64_t checksum;
};
static_assert(sizeof(TokenCacheHeader) <= kTokenCacheHeaderSize, "header must fit");

struct TokenCacheSettings {
  uint32_t vocab_size = 0;
  std::string tokenizer_sha256;
  bool add_bos = false;
  bool add_eos = false;
  int32_t bos_id = -1;
  int32_t eos_id = -1;
};

// Streams documents to `<path>.tmp`, then renames onto `path` in finish(), so a
// reader never sees a half-written cache.
class TokenCacheWriter {
 public:
  TokenCacheWriter(const std::string& path, const TokenCacheSettings& settings);
  ~TokenCacheWriter();  // removes the temporary file when finish() was not reached

  // `ids` must not yet hold BOS/EOS; the writer adds them per the settings.
  void add_document(std::string_view name, const std::vector<int32_t>& ids, uint64_t utf8_bytes,
                    uint64_t utf8_replacements = 0);
  void finish();

 private:
  void write_ids(const int32_t* ids, size_t count);

  std::string path_;
  std::string tmp_path_;
  TokenCacheSettings settings_;
  std::ofstream out_;
  uint32_t width_;
  std::vector<uint64_t> offsets_{0};
  std::vector<uint64_t> bytes_;
  std::string names_;
  uint64_t replacements_ = 0;
  bool finished_ = false;
};

// A read-only, mmap-backed view of a token cache. Cheap to move; not copyable.
// The checksum a header must carry for `file` (header + payload, `size` bytes).
uint64_t token_cache_checksum(const uint8_t* file, size_t size);

class TokenCache {
 public:
  // Validates magic, version, widths, section bounds (checked arithmetic), the
  // checksum, document offsets and byte counts, and every id against the
  // header's vocab_size; throws lengen::Error (bad input) naming `path` and how
  // to rebuild the cache. `path` must be a regular file.
  explicit TokenCache(const std::string& path);
  // The same checks over bytes already in memory (used by the fuzzer); the
  // bytes must outlive the cache. `label` names them in errors.
  static TokenCache from_memory(const uint8_t* data, size_t size, const std::string& label);
  ~TokenCache();
  TokenCache(TokenCache&& other) noexcept;
  TokenCache& operator=(TokenCache&&) = delete;
  TokenCache(const TokenCache&) = delete;

  const std::string& path() const { return path_; }
  const TokenCacheHeader& header() const { return header_; }
  std::string tokenizer_sha256() const;
  size_t document_count() const { return static_cast<size_t>(header_.document_count); }
  uint64_t token_count() const { return header_.token_count; }

  int64_t document_length(size_t doc) const;
  uint64_t document_bytes(size_t doc) const;
  std::string_view document_name(size_t doc) const { return names_[doc]; }

  // Copies ids [begin, begin + count) of `doc` into `out` (widened to int64).
  void copy_tokens(size_t doc, int64_t begin, int64_t count, int64_t* out) const;
  std::vector<int32_t> document_tokens(size_t doc) const;

  // Throws lengen::Error (bad input) when the cache was made with another tokenizer.
  void require_tokenizer(const std::string& expected_sha256,
                         const std::string& tokenizer_label) const;

 private:
  TokenCache(std::string path, const uint8_t* data, size_t size, bool owns_mapping);
  void validate();
  void validate_sections();
  void validate_documents();
  void validate_ids();

  std::string path_;
  TokenCacheHeader header_{};
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool owns_mapping_ = false;  // munmap data_ on destruction
  const uint64_t* offsets_ = nullptr;
  const uint64_t* bytes_ = nullptr;
  std::vector<std::string_view> names_;
};

}  // namespace lengen
