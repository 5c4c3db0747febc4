#include "core/data/token_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/hash64.h"

namespace lengen {

namespace {
const char* kRebuildHint =
    "rebuild it with `lengen tokenize --tokenizer MODEL --out CACHE INPUT...`";

uint64_t align8(uint64_t x) { return (x + 7) & ~uint64_t(7); }

// The finished temporary file is read back once: its checksum covers the
// bytes as they lie on disk.
uint64_t checksum_of_file(const std::string& path) {
  const std::string bytes = read_text_file(path);
  return token_cache_checksum(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

void pad_to_8(std::ofstream& out, uint64_t& position) {
  static const char zeros[8] = {};
  const uint64_t aligned = align8(position);
  out.write(zeros, static_cast<std::streamsize>(aligned - position));
  position = aligned;
}
}  // namespace

// ---------------------------------------------------------------- writer

TokenCacheWriter::TokenCacheWriter(const std::string& path, const TokenCacheSettings& settings)
    : path_(path), tmp_path_(path + ".tmp"), settings_(settings) {
  if (settings.vocab_size == 0) throw_runtime(path, "token cache needs a vocabulary size");
  if (settings.tokenizer_sha256.size() != 64) {
    throw_runtime(path, "token cache needs the tokenizer's sha256 (64 hex digits)");
  }
  width_ = settings.vocab_size <= 65536 ? 2 : 4;
  require_regular_output(path);
  require_regular_output(tmp_path_);
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  out_.open(tmp_path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw_bad_input(tmp_path_, "cannot create file", "check the output directory");
  const std::vector<char> placeholder(kTokenCacheHeaderSize, 0);
  out_.write(placeholder.data(), static_cast<std::streamsize>(placeholder.size()));
}

TokenCacheWriter::~TokenCacheWriter() {
  if (!finished_) {
    out_.close();
    std::remove(tmp_path_.c_str());
  }
}

void TokenCacheWriter::write_ids(const int32_t* ids, size_t count) {
  if (width_ == 2) {
    std::vector<uint16_t> narrow(ids, ids + count);
    out_.write(reinterpret_cast<const char*>(narrow.data()),
               static_cast<std::streamsize>(count * sizeof(uint16_t)));
  } else {
    out_.write(reinterpret_cast<const char*>(ids), static_cast<std::streamsize>(count * 4));
  }
}

void TokenCacheWriter::add_document(std::string_view name, const std::vector<int32_t>& ids,
                                    uint64_t utf8_bytes, uint64_t utf8_replacements) {
  for (int32_t id : ids) {
    if (id < 0 || static_cast<uint32_t>(id) >= settings_.vocab_size) {
      throw_runtime(path_, "token id " + std::to_string(id) + " outside vocabulary of " +
                               std::to_string(settings_.vocab_size));
    }
  }
  uint64_t count = ids.size();
  if (settings_.add_bos) {
    write_ids(&settings_.bos_id, 1);
    ++count;
  }
  write_ids(ids.data(), ids.size());
  if (settings_.add_eos) {
    write_ids(&settings_.eos_id, 1);
    ++count;
  }
  offsets_.push_back(offsets_.back() + count);
  bytes_.push_back(utf8_bytes);
  names_.append(name.data(), name.size());
  names_.push_back('\0');
  replacements_ += utf8_replacements;
}

void TokenCacheWriter::finish() {
  TokenCacheHeader header{};
  std::memcpy(header.magic, kTokenCacheMagic, sizeof(header.magic));
  header.format_version = kTokenCacheVersion;
  header.token_width = width_;
  header.vocab_size = settings_.vocab_size;
  header.flags = (settings_.add_bos ? uint32_t{kBosPrepended} : 0u) |
                 (settings_.add_eos ? uint32_t{kEosAppended} : 0u);
  header.bos_id = settings_.bos_id;
  header.eos_id = settings_.eos_id;
  header.document_count = bytes_.size();
  header.token_count = offsets_.back();
  header.utf8_replacements = replacements_;
  for (uint64_t b : bytes_) header.byte_count += b;
  std::memcpy(header.tokenizer_sha256, settings_.tokenizer_sha256.data(), 64);

  uint64_t position = kTokenCacheHeaderSize + header.token_count * width_;
  header.tokens_offset = kTokenCacheHeaderSize;
  pad_to_8(out_, position);
  header.offsets_offset = position;
  out_.write(reinterpret_cast<const char*>(offsets_.data()),
             static_cast<std::streamsize>(offsets_.size() * 8));
  position += offsets_.size() * 8;
  header.bytes_offset = position;
  out_.write(reinterpret_cast<const char*>(bytes_.data()),
             static_cast<std::streamsize>(bytes_.size() * 8));
  position += bytes_.size() * 8;
  header.names_offset = position;
  out_.write(names_.data(), static_cast<std::streamsize>(names_.size()));
  position += names_.size();
  header.file_size = position;

  out_.seekp(0);
  out_.write(reinterpret_cast<const char*>(&header), sizeof(header));
  out_.flush();
  if (!out_) throw_runtime(tmp_path_, "write failed", "check free disk space");
  out_.close();
  header.checksum = checksum_of_file(tmp_path_);
  std::fstream patch(tmp_path_, std::ios::binary | std::ios::in | std::ios::out);
  patch.seekp(offsetof(TokenCacheHeader, checksum));
  patch.write(reinterpret_cast<const char*>(&header.checksum), sizeof(header.checksum));
  patch.close();
  if (!patch) throw_runtime(tmp_path_, "write failed", "check free disk space");
  std::filesystem::rename(tmp_path_, path_);
  finished_ = true;
}

// ---------------------------------------------------------------- reader

uint64_t token_cache_checksum(const uint8_t* file, size_t size) {
  // The header with its checksum field zeroed seeds the payload's hash.
  uint8_t header[kTokenCacheHeaderSize];
  std::memcpy(header, file, kTokenCacheHeaderSize);
  std::memset(header + offsetof(TokenCacheHeader, checksum), 0, sizeof(uint64_t));
  const uint64_t seed = xxh64(header, kTokenCacheHeaderSize);
  return xxh64(file + kTokenCacheHeaderSize, size - kTokenCacheHeaderSize, seed);
}

TokenCache::TokenCache(const std::string& path) : path_(path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    throw_bad_input(path,
                    errno == ENOENT
                        ? std::string("token cache not found")
                        : std::string("cannot open token cache: ") + std::strerror(errno),
                    kRebuildHint);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw_bad_input(path,
                    S_ISDIR(st.st_mode) ? "is a directory, not a token cache"
                                        : "not a regular file, so not a token cache",
                    "pass the .tok file written by `lengen tokenize`");
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ < kTokenCacheHeaderSize) {
    ::close(fd);
    throw_bad_input(path, "not a lengen token cache (file shorter than its header)", kRebuildHint);
  }
  void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED)
    throw_runtime(path, std::string("mmap failed: ") + std::strerror(errno));
  data_ = static_cast<const uint8_t*>(mapped);
  owns_mapping_ = true;
  validate();
}

TokenCache::TokenCache(std::string path, const uint8_t* data, size_t size, bool owns_mapping)
    : path_(std::move(path)), data_(data), size_(size), owns_mapping_(owns_mapping) {}

TokenCache TokenCache::from_memory(const uint8_t* data, size_t size, const std::string& label) {
  TokenCache cache(label, data, size, /*owns_mapping=*/false);
  if (size < kTokenCacheHeaderSize) {
    throw_bad_input(label, "not a lengen token cache (file shorter than its header)", kRebuildHint);
  }
  cache.validate();
  return cache;
}

// Any check failing throws; the destructor is not run for a throwing
// constructor, so the mapping is released here first.
void TokenCache::validate() {
  try {
    std::memcpy(&header_, data_, sizeof(header_));
    if (std::memcmp(header_.magic, kTokenCacheMagic, sizeof(header_.magic)) != 0) {
      throw_bad_input(path_, "not a lengen token cache (bad magic)", kRebuildHint);
    }
    if (header_.format_version != kTokenCacheVersion) {
      throw_bad_input(path_,
                      "token cache format version " + std::to_string(header_.format_version) +
                          "; this lengen reads version " + std::to_string(kTokenCacheVersion),
                      "re-run `lengen tokenize` on the corpus to write a current cache");
    }
    if (header_.file_size != size_) {
      throw_bad_input(path_,
                      "truncated or corrupt: header says " + std::to_string(header_.file_size) +
                          " bytes, file has " + std::to_string(size_),
                      kRebuildHint);
    }
    if (header_.checksum != token_cache_checksum(data_, size_)) {
      throw_bad_input(path_,
                      "checksum mismatch: the file changed after `lengen tokenize` wrote it "
                      "(corruption or an edit)",
                      kRebuildHint);
    }
    validate_sections();
    validate_documents();
    validate_ids();
  } catch (...) {
    if (owns_mapping_) ::munmap(const_cast<uint8_t*>(data_), size_);
    data_ = nullptr;
    throw;
  }
}

namespace {
// True when [offset, offset + count * width) lies inside [0, limit), computed
// without overflow (offsets and counts come from the file).
bool section_fits(uint64_t offset, uint64_t count, uint64_t width, uint64_t limit) {
  return offset <= limit && count <= (limit - offset) / width;
}
}  // namespace

void TokenCache::validate_sections() {
  auto corrupt = [&](const std::string& why) {
    throw_bad_input(path_, "corrupt header (" + why + ")", kRebuildHint);
  };
  const TokenCacheHeader& h = header_;
  if (h.vocab_size == 0) corrupt("vocabulary size 0");
  if (h.token_width != (h.vocab_size <= 65536 ? 2u : 4u)) corrupt("token width");
  const uint64_t n = h.document_count;
  if (n == UINT64_MAX) corrupt("document count");
  const bool fits = h.tokens_offset >= kTokenCacheHeaderSize &&
                    section_fits(h.tokens_offset, h.token_count, h.token_width, h.offsets_offset) &&
                    section_fits(h.offsets_offset, n + 1, 8, h.bytes_offset) &&
                    section_fits(h.bytes_offset, n, 8, h.names_offset) && h.names_offset <= size_ &&
                    h.tokens_offset % 8 == 0 && h.offsets_offset % 8 == 0 &&
                    h.bytes_offset % 8 == 0;
  if (!fits) corrupt("sections overlap or exceed the file");
  offsets_ = reinterpret_cast<const uint64_t*>(data_ + h.offsets_offset);
  bytes_ = reinterpret_cast<const uint64_t*>(data_ + h.bytes_offset);
}

void TokenCache::validate_documents() {
  const uint64_t n = header_.document_count;
  if (offsets_[0] != 0 || offsets_[n] != header_.token_count) {
    throw_bad_input(path_, "corrupt document offsets", kRebuildHint);
  }
  uint64_t byte_sum = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (offsets_[i] > offsets_[i + 1]) {
      throw_bad_input(path_, "corrupt document offsets (document " + std::to_string(i) + ")",
                      kRebuildHint);
    }
    if (__builtin_add_overflow(byte_sum, bytes_[i], &byte_sum)) byte_sum = UINT64_MAX;
  }
  if (byte_sum != header_.byte_count) {
    throw_bad_input(path_, "corrupt document byte counts (they do not sum to the header's)",
                    kRebuildHint);
  }
  const char* names = reinterpret_cast<const char*>(data_ + header_.names_offset);
  const char* end = reinterpret_cast<const char*>(data_ + size_);
  names_.reserve(static_cast<size_t>(std::min<uint64_t>(n, size_)));
  for (uint64_t i = 0; i < n; ++i) {
    const char* nul = static_cast<const char*>(std::memchr(names, '\0', size_t(end - names)));
    if (nul == nullptr) throw_bad_input(path_, "corrupt document names", kRebuildHint);
    names_.emplace_back(names, size_t(nul - names));
    names = nul + 1;
  }
}

// An id outside the vocabulary would otherwise surface as a model error in
// some cell; it is the cache that is wrong, so it is refused here.
void TokenCache::validate_ids() {
  const uint32_t vocab = header_.vocab_size;
  const uint8_t* base = data_ + header_.tokens_offset;
  uint64_t bad = UINT64_MAX;
  uint32_t bad_id = 0;
  for (uint64_t i = 0; i < header_.token_count && bad == UINT64_MAX; ++i) {
    uint32_t id;
    if (header_.token_width == 2) {
      uint16_t narrow;
      std::memcpy(&narrow, base + 2 * i, 2);
      id = narrow;
    } else {
      std::memcpy(&id, base + 4 * i, 4);
    }
    if (id >= vocab) {
      bad = i;
      bad_id = id;
    }
  }
  if (bad != UINT64_MAX) {
    throw_bad_input(path_,
                    "token id " + std::to_string(bad_id) + " at token " + std::to_string(bad) +
                        " is outside the cache's vocabulary of " + std::to_string(vocab),
                    kRebuildHint);
  }
  const bool bos_bad = (header_.flags & kBosPrepended) != 0 &&
                       (header_.bos_id < 0 || uint32_t(header_.bos_id) >= vocab);
  const bool eos_bad = (header_.flags & kEosAppended) != 0 &&
                       (header_.eos_id < 0 || uint32_t(header_.eos_id) >= vocab);
  if (bos_bad || eos_bad) throw_bad_input(path_, "corrupt header (BOS/EOS id)", kRebuildHint);
}

TokenCache::~TokenCache() {
  if (data_ != nullptr && owns_mapping_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

TokenCache::TokenCache(TokenCache&& other) noexcept
    : path_(std::move(other.path_)),
      header_(other.header_),
      data_(other.data_),
      size_(other.size_),
      owns_mapping_(other.owns_mapping_),
      offsets_(other.offsets_),
      bytes_(other.bytes_),
      names_(std::move(other.names_)) {
  other.data_ = nullptr;
}

std::string TokenCache::tokenizer_sha256() const {
  return std::string(header_.tokenizer_sha256, sizeof(header_.tokenizer_sha256));
}

int64_t TokenCache::document_length(size_t doc) const {
  return static_cast<int64_t>(offsets_[doc + 1] - offsets_[doc]);
}

uint64_t TokenCache::document_bytes(size_t doc) const { return bytes_[doc]; }

void TokenCache::copy_tokens(size_t doc, int64_t begin, int64_t count, int64_t* out) const {
  if (doc >= document_count() || begin < 0 || count < 0 || begin > document_length(doc) ||
      count > document_length(doc) - begin) {
    throw_runtime(path_, "token range outside document " + std::to_string(doc));
  }
  const uint64_t first = offsets_[doc] + static_cast<uint64_t>(begin);
  const uint8_t* base = data_ + header_.tokens_offset;
  if (header_.token_width == 2) {
    const auto* ids = reinterpret_cast<const uint16_t*>(base) + first;
    for (int64_t i = 0; i < count; ++i) out[i] = ids[i];
  } else {
    const auto* ids = reinterpret_cast<const uint32_t*>(base) + first;
    for (int64_t i = 0; i < count; ++i) out[i] = ids[i];
  }
}

std::vector<int32_t> TokenCache::document_tokens(size_t doc) const {
  std::vector<int64_t> wide(static_cast<size_t>(document_length(doc)));
  copy_tokens(doc, 0, document_length(doc), wide.data());
  return std::vector<int32_t>(wide.begin(), wide.end());
}

void TokenCache::require_tokenizer(const std::string& expected_sha256,
                                   const std::string& tokenizer_label) const {
  if (tokenizer_sha256() != expected_sha256) {
    // Full hashes: two tokenizers can share a short prefix.
    throw_bad_input(path_,
                    "made with a different tokenizer (cache tokenizer sha256 " +
                        tokenizer_sha256() + ", " + tokenizer_label + " " + expected_sha256 + ")",
                    "re-tokenize the corpus with the model's tokenizer");
  }
}

}  // namespace lengen
