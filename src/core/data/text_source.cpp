#include "core/data/text_source.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/util/error.h"
#include "core/util/utf8.h"

namespace fs = std::filesystem;

namespace lengen {

bool is_jsonl_path(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  return ext == ".jsonl" || ext == ".ndjson";
}

namespace {
bool is_corpus_file(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".txt" || ext == ".jsonl" || ext == ".ndjson";
}

TextDocument make_document(std::string name, std::string_view raw) {
  Utf8Repair repaired = repair_utf8(raw);
  return TextDocument{std::move(name), std::move(repaired.text), repaired.replacements};
}
}  // namespace

TextDocument parse_jsonl_document(std::string_view line, const std::string& where,
                                  std::string name) {
  const char* hint = "each line must be one JSON object like {\"text\": \"...\"}";
  const Utf8Repair repaired = repair_utf8(line);
  nlohmann::json record;
  try {
    record = nlohmann::json::parse(repaired.text);
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(where, std::string("malformed JSON line (") + e.what() + ")", hint);
  }
  if (!record.is_object() || !record.contains("text") || !record["text"].is_string()) {
    throw_bad_input(where, "JSON line has no string field \"text\"", hint);
  }
  TextDocument document =
      make_document(std::move(name), record["text"].get_ref<const std::string&>());
  document.replacements += repaired.replacements;
  return document;
}

TextSource::TextSource(const std::vector<std::string>& inputs) {
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(input)) {
        if (entry.is_regular_file() && is_corpus_file(entry.path())) found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());
      for (const auto& path : found) names_.push_back(fs::relative(path, input).string());
      if (found.empty()) {
        throw_bad_input(input, "directory holds no .txt or .jsonl files",
                        "point lengen at a directory of UTF-8 .txt documents or .jsonl files");
      }
      files_.insert(files_.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(input, ec)) {
      files_.push_back(input);
      names_.push_back(fs::path(input).filename().string());
    } else {
      throw_bad_input(input, "no such file or directory",
                      "check the path; run `make data` to prepare the shipped corpora");
    }
  }
  if (files_.empty()) throw_bad_input("", "no input files given", "pass files or directories");
}

bool TextSource::read_jsonl_line(std::vector<TextDocument>& out, size_t& bytes) {
  std::string line;
  while (std::getline(*jsonl_, line)) {
    ++jsonl_line_;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank line
    const std::string where = jsonl_path_ + ":" + std::to_string(jsonl_line_);
    out.push_back(
        parse_jsonl_document(line, where, jsonl_name_ + ":" + std::to_string(jsonl_line_)));
    bytes += out.back().text.size();
    return true;
  }
  jsonl_.reset();
  return false;
}

bool TextSource::next_batch(std::vector<TextDocument>& out, size_t max_bytes) {
  const size_t before = out.size();
  size_t bytes = 0;
  while (bytes < max_bytes) {
    if (jsonl_) {
      if (read_jsonl_line(out, bytes)) continue;
    }
    if (next_file_ == files_.size()) break;
    const std::string& name = names_[next_file_];
    const std::string& path = files_[next_file_++];
    if (is_jsonl_path(path)) {
      jsonl_ = std::make_unique<std::ifstream>(path);
      if (!*jsonl_) throw_bad_input(path, "cannot open file", "check its permissions");
      jsonl_path_ = path;
      jsonl_name_ = name;
      jsonl_line_ = 0;
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_bad_input(path, "cannot open file", "check its permissions");
    std::ostringstream content;
    content << in.rdbuf();
    const std::string raw = content.str();
    bytes += raw.size();
    out.push_back(make_document(name, raw));
  }
  return out.size() > before;
}

}  // namespace lengen
