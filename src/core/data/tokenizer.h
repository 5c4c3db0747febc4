// The sentencepiece tokenizer behind a small interface. Only tokenizer.cpp
// includes sentencepiece; the rest of lengen sees token ids as int32.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lengen {

class Tokenizer {
 public:
  // Throws lengen::Error (bad input) naming `model_path` when it is missing or
  // not a sentencepiece model.
  explicit Tokenizer(const std::string& model_path);
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  // Thread-safe: sentencepiece's Encode is const.
  std::vector<int32_t> encode(std::string_view text) const;
  std::string decode(const std::vector<int32_t>& ids) const;

  int32_t vocab_size() const;
  int32_t bos_id() const;  // -1 when the model has none
  int32_t eos_id() const;
  const std::string& path() const { return path_; }
  const std::string& sha256() const { return sha256_; }  // of the .model file

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  std::string sha256_;
};

}  // namespace lengen
