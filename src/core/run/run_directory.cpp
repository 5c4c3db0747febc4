#include "core/run/run_directory.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/util/atomic_file.h"
#include "core/util/directory_lock.h"
#include "core/util/error.h"
#include "core/util/hash64.h"

namespace fs = std::filesystem;

namespace lengen {

namespace {
// The seal is the record's last member, written exactly like this, so it can
// be found and checked without parsing: `<body>,\n  "record_xxh64": "<hex>"\n}\n`.
constexpr std::string_view kSealLead = ",\n  \"record_xxh64\": \"";
constexpr std::string_view kSealTail = "\"\n}\n";
constexpr size_t kHexDigits = 16;

// The record without its seal (or unchanged when it has none).
std::string_view unsealed_body(std::string_view text) {
  const size_t at = text.rfind(kSealLead);
  return at == std::string_view::npos ? text : text.substr(0, at);
}
}  // namespace

std::string seal_record(const std::string& record) {
  std::string_view body = unsealed_body(record);
  if (body.size() == record.size()) {
    // Unsealed: drop the closing brace (and whitespace) to append one member.
    const size_t close = body.find_last_not_of(" \t\r\n");
    if (close == std::string_view::npos || body[close] != '}') {
      throw_runtime("", "internal: a cell record must be a JSON object");
    }
    body = body.substr(0, close);
    const size_t last = body.find_last_not_of(" \t\r\n");
    if (last == std::string_view::npos || body[last] == '{') {
      throw_runtime("", "internal: a cell record must not be empty");
    }
    body = body.substr(0, last + 1);
  }
  return fmt::format("{}{}{}{}", body, kSealLead, xxh64_hex(body), kSealTail);
}

RecordSeal check_record_seal(const std::string& text) {
  const size_t at = text.rfind(kSealLead);
  if (at == std::string::npos) {
    // No seal: a record of an older lengen, unless the text was cut short (a
    // complete JSON object ends with '}').
    const size_t close = text.find_last_not_of(" \t\r\n");
    return close != std::string::npos && text[close] == '}' ? RecordSeal::kLegacy
                                                            : RecordSeal::kDamaged;
  }
  const std::string_view body(text.data(), at);
  const std::string_view rest = std::string_view(text).substr(at + kSealLead.size());
  if (rest.size() != kHexDigits + kSealTail.size() || rest.substr(kHexDigits) != kSealTail) {
    return RecordSeal::kDamaged;
  }
  return rest.substr(0, kHexDigits) == xxh64_hex(body) ? RecordSeal::kValid : RecordSeal::kDamaged;
}

RunDirectory::RunDirectory(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  fs::create_directories(path_ + "/cells", ec);
  if (ec)
    throw_bad_input(path_, "cannot create run directory: " + ec.message(), "choose another --out");
}

RunDirectory::~RunDirectory() = default;
RunDirectory::RunDirectory(RunDirectory&&) noexcept = default;

void RunDirectory::lock() {
  if (lock_) return;
  lock_ = std::make_unique<DirectoryLock>(path_);
  remove_stale_temporaries(path_);
  remove_stale_temporaries(path_ + "/cells");
}

int RunDirectory::reject_damaged_cells(const std::vector<std::string>& keys) const {
  int rejected = 0;
  for (const std::string& key : keys) {
    if (!has_cell(key)) continue;
    const std::string path = cell_path(key);
    if (check_record_seal(read_text_file(path)) != RecordSeal::kDamaged) continue;
    std::error_code ec;
    fs::rename(path, path + ".damaged", ec);
    if (ec) throw_runtime(path, "cannot move a damaged record aside: " + ec.message());
    fmt::print(stderr,
               "lengen: warning: {}: record checksum mismatch (torn or edited); moved to "
               "{}.damaged, the cell is computed again\n",
               path, path);
    ++rejected;
  }
  return rejected;
}

std::string RunDirectory::cell_path(const std::string& key) const {
  return path_ + "/cells/" + key + ".json";
}

bool RunDirectory::has_cell(const std::string& key) const { return fs::exists(cell_path(key)); }

std::string RunDirectory::read_cell(const std::string& key) const {
  std::string text = read_text_file(cell_path(key));
  if (check_record_seal(text) == RecordSeal::kDamaged) {
    throw_bad_input(cell_path(key), "record checksum mismatch (a torn or edited cell record)",
                    "re-run the command that wrote this run directory: it recomputes the cell");
  }
  return text;
}

void RunDirectory::write_cell(const std::string& key, const std::string& record) {
  write_file_atomically(cell_path(key), seal_record(record));
}

std::vector<std::string> RunDirectory::cell_keys() const {
  std::vector<std::string> keys;
  for (const auto& entry : fs::directory_iterator(path_ + "/cells")) {
    const auto name = entry.path().filename().string();
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      keys.push_back(name.substr(0, name.size() - 5));
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

void RunDirectory::write(const std::string& relative, const std::string& content) const {
  write_file_atomically(file(relative), content);
}

}  // namespace lengen
