// Reads raw text corpora for tokenization: plain-text files (one document per
// file), directories of them (recursively, sorted by path so the document order
// is deterministic) and JSONL files (one `{"text": ...}` document per line).
//
// Documents are produced in batches so a corpus larger than memory can be
// tokenized; invalid UTF-8 is repaired and counted, never fatal.
#pragma once

#include <cstddef>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lengen {

struct TextDocument {
  // Relative to the input that named it ("sub/a.txt" inside a directory input,
  // the file name for a file input, "x.jsonl:LINE" for JSONL), so a token cache
  // does not depend on where the corpus lies on disk.
  std::string name;
  std::string text;         // valid UTF-8
  size_t replacements = 0;  // invalid UTF-8 sequences replaced with U+FFFD
};

class TextSource {
 public:
  // Expands directories; throws lengen::Error (bad input) for a missing path or
  // when no input file is found.
  explicit TextSource(const std::vector<std::string>& inputs);

  const std::vector<std::string>& files() const { return files_; }

  // Appends documents to `out` until about `max_bytes` of text were read.
  // Returns false once every input is exhausted and nothing was appended.
  // Throws lengen::Error (bad input) for a malformed JSONL line, naming file:line.
  bool next_batch(std::vector<TextDocument>& out, size_t max_bytes);

 private:
  bool read_jsonl_line(std::vector<TextDocument>& out, size_t& bytes);

  std::vector<std::string> files_;
  std::vector<std::string> names_;  // document names of files_
  size_t next_file_ = 0;
  std::unique_ptr<std::ifstream> jsonl_;  // open while inside a JSONL file
  std::string jsonl_path_;
  std::string jsonl_name_;
  size_t jsonl_line_ = 0;
};

bool is_jsonl_path(const std::string& path);

// One JSONL line as a document. Invalid UTF-8 anywhere in the line is replaced
// (and counted) before the JSON is parsed, so it is never fatal and never
// echoed raw into a message. Throws lengen::Error (bad input) naming `where`
// (FILE:LINE) for malformed JSON or a missing "text" string.
TextDocument parse_jsonl_document(std::string_view line, const std::string& where,
                                  std::string name);

}  // namespace lengen
