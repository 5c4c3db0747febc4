// SHA-256 (FIPS 180-4) of byte strings and files, as lowercase hex.
// Used to fingerprint models, tokenizers and token caches in run.json and to
// detect a token cache made with a different tokenizer. Not for security.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lengen {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  std::string hex_digest();  // finalizes; call once

 private:
  void compress(const uint8_t* block);
  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view bytes);
// Throws lengen::Error (bad input) when the file cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace lengen
