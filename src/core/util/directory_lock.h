// An advisory lock (flock) on a run directory, so that two lengen processes
// never compute the same cells into one --out. The second process does not
// wait: it fails at once with an error naming the holder's PID (written into
// the lock file). The kernel releases the lock when the holder exits, however
// it exits, so a killed run never leaves a stale lock.
#pragma once

#include <string>

namespace lengen {

class DirectoryLock {
 public:
  // Locks `directory`/.lengen.lock; throws lengen::Error (bad input) when
  // another process holds it.
  explicit DirectoryLock(const std::string& directory);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace lengen
