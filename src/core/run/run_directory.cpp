#include "core/run/run_directory.h"

#include <algorithm>
#include <filesystem>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace fs = std::filesystem;

namespace lengen {

RunDirectory::RunDirectory(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  fs::create_directories(path_ + "/cells", ec);
  if (ec)
    throw_bad_input(path_, "cannot create run directory: " + ec.message(), "choose another --out");
}

std::string RunDirectory::cell_path(const std::string& key) const {
  return path_ + "/cells/" + key + ".json";
}

bool RunDirectory::has_cell(const std::string& key) const { return fs::exists(cell_path(key)); }

std::string RunDirectory::read_cell(const std::string& key) const {
  return read_text_file(cell_path(key));
}

void RunDirectory::write_cell(const std::string& key, const std::string& record) {
  write_file_atomically(cell_path(key), record);
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
