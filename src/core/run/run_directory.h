// A run directory: one JSON record per finished cell under cells/, written
// atomically, plus aggregate files rewritten (atomically) after every cell.
// Finished cells are what makes a run resumable and shardable: a cell is
// skipped when its record exists, and `lengen merge` unions the records of
// several directories.
//
// Every record carries a checksum of its own content (a last member
// "record_xxh64": XXH64 of the record text before that member), so a torn or
// hand-edited record is detected: reading it is an error naming the file, and
// a run reopening the directory (lock() + reject_damaged_cells()) recomputes it.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace lengen {

class DirectoryLock;

enum class RecordSeal {
  kValid,    // the checksum matches
  kLegacy,   // written before records carried checksums: accepted as is
  kDamaged,  // checksum missing from a sealed tail, or not matching: torn or edited
};
// Appends the checksum member to a JSON object's text; a seal already there is replaced.
std::string seal_record(const std::string& record);
RecordSeal check_record_seal(const std::string& text);

class RunDirectory {
 public:
  explicit RunDirectory(std::string path);  // creates path/ and path/cells/
  ~RunDirectory();
  RunDirectory(RunDirectory&&) noexcept;

  const std::string& path() const { return path_; }
  std::string file(const std::string& relative) const { return path_ + "/" + relative; }

  // Takes the directory's lock (see DirectoryLock; a no-op when already held)
  // and removes temporaries left by killed writers. Held until destruction.
  void lock();
  // Moves every damaged record in `keys` aside (cells/<key>.json.damaged) with a
  // warning on stderr naming it, so its cell is computed again. Returns how many.
  int reject_damaged_cells(const std::vector<std::string>& keys) const;

  bool has_cell(const std::string& key) const;
  // Throws lengen::Error (bad input) naming the file when its checksum fails.
  std::string read_cell(const std::string& key) const;
  void write_cell(const std::string& key, const std::string& record);  // seals it
  // Keys of every finished cell, sorted.
  std::vector<std::string> cell_keys() const;

  void write(const std::string& relative, const std::string& content) const;

 private:
  std::string cell_path(const std::string& key) const;
  std::string path_;
  std::unique_ptr<DirectoryLock> lock_;
};

}  // namespace lengen
