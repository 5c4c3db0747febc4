// A run directory: one JSON record per finished cell under cells/, written
// atomically, plus aggregate files rewritten (atomically) after every cell.
// Finished cells are what makes a run resumable and shardable: a cell is
// skipped when its record exists, and `lengen merge` unions the records of
// several directories.
#pragma once

#include <string>
#include <vector>

namespace lengen {

class RunDirectory {
 public:
  explicit RunDirectory(std::string path);  // creates path/ and path/cells/

  const std::string& path() const { return path_; }
  std::string file(const std::string& relative) const { return path_ + "/" + relative; }

  bool has_cell(const std::string& key) const;
  std::string read_cell(const std::string& key) const;
  void write_cell(const std::string& key, const std::string& record);
  // Keys of every finished cell, sorted.
  std::vector<std::string> cell_keys() const;

  void write(const std::string& relative, const std::string& content) const;

 private:
  std::string cell_path(const std::string& key) const;
  std::string path_;
};

}  // namespace lengen
