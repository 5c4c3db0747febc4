#include "core/data/token_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/util/error.h"

namespace lengen {

namespace {
const char* kRebuildHint =
    "rebuild it with `lengen tokenize --tokenizer MODEL --out CACHE INPUT...`";

uint64_t align8(uint64_t x) { return (x + 7) & ~uint64_t(7); }

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
  std::filesystem::rename(tmp_path_, path_);
  finished_ = true;
}

// ---------------------------------------------------------------- reader

TokenCache::TokenCache(const std::string& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw_bad_input(path, "token cache not found", kRebuildHint);
  struct stat st {};
  ::fstat(fd, &st);
  size_ = static_cast<size_t>(st.st_size);
  if (size_ < kTokenCacheHeaderSize) {
    ::close(fd);
    throw_bad_input(path, "not a lengen token cache (file shorter than its header)", kRebuildHint);
  }
  void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED) throw_runtime(path, "mmap failed");
  data_ = static_cast<const uint8_t*>(mapped);
  std::memcpy(&header_, data_, sizeof(header_));

  auto reject = [&](const std::string& why) {
    ::munmap(const_cast<uint8_t*>(data_), size_);
    data_ = nullptr;
    throw_bad_input(path, why, kRebuildHint);
  };
  if (std::memcmp(header_.magic, kTokenCacheMagic, sizeof(header_.magic)) != 0) {
    reject("not a lengen token cache (bad magic)");
  }
  if (header_.format_version != kTokenCacheVersion) {
    reject("token cache format version " + std::to_string(header_.format_version) +
           ", this lengen reads version " + std::to_string(kTokenCacheVersion));
  }
  if (header_.token_width != 2 && header_.token_width != 4) reject("corrupt header (token width)");
  if (header_.file_size != size_) {
    reject("truncated or corrupt: header says " + std::to_string(header_.file_size) +
           " bytes, file has " + std::to_string(size_));
  }
  const uint64_t n = header_.document_count;
  if (header_.token_count > size_ || n > size_) reject("corrupt header (counts exceed the file)");
  const bool sections_fit =
      header_.tokens_offset + header_.token_count * header_.token_width <= header_.offsets_offset &&
      header_.offsets_offset + (n + 1) * 8 <= header_.bytes_offset &&
      header_.bytes_offset + n * 8 <= header_.names_offset && header_.names_offset <= size_ &&
      header_.offsets_offset % 8 == 0 && header_.bytes_offset % 8 == 0;
  if (!sections_fit) reject("corrupt header (sections overlap or exceed the file)");
  offsets_ = reinterpret_cast<const uint64_t*>(data_ + header_.offsets_offset);
  bytes_ = reinterpret_cast<const uint64_t*>(data_ + header_.bytes_offset);
  if (offsets_[0] != 0 || offsets_[n] != header_.token_count) reject("corrupt document offsets");
  for (uint64_t i = 0; i < n; ++i) {
    if (offsets_[i] > offsets_[i + 1]) reject("corrupt document offsets");
  }
  const char* names = reinterpret_cast<const char*>(data_ + header_.names_offset);
  const char* end = reinterpret_cast<const char*>(data_ + size_);
  names_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    const char* nul = static_cast<const char*>(std::memchr(names, '\0', size_t(end - names)));
    if (nul == nullptr) reject("corrupt document names");
    names_.emplace_back(names, size_t(nul - names));
    names = nul + 1;
  }
}

TokenCache::~TokenCache() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

TokenCache::TokenCache(TokenCache&& other) noexcept
    : path_(std::move(other.path_)),
      header_(other.header_),
      data_(other.data_),
      size_(other.size_),
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
  if (doc >= document_count() || begin < 0 || count < 0 || begin + count > document_length(doc)) {
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
    throw_bad_input(path_,
                    "made with a different tokenizer (cache " + tokenizer_sha256().substr(0, 12) +
                        "…, " + tokenizer_label + " " + expected_sha256.substr(0, 12) + "…)",
                    "re-tokenize the corpus with the model's tokenizer");
  }
}

}  // namespace lengen
