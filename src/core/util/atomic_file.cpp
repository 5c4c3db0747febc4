#include "core/util/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/util/error.h"

namespace lengen {

void require_regular_output(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // absent: it will be created
  if (S_ISREG(st.st_mode)) return;
  throw_bad_input(path,
                  S_ISDIR(st.st_mode) ? "output path is a directory"
                                      : "output path exists and is not a regular file (a device, "
                                        "FIFO or socket); lengen writes only regular files",
                  "choose a file path for the output");
}

void write_file_atomically(const std::string& path, std::string_view content) {
  require_regular_output(path);
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw_runtime(tmp, std::string("cannot create: ") + std::strerror(errno));
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw_runtime(tmp, std::string("write failed: ") + std::strerror(errno),
                    "check free disk space");
    }
    written += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw_runtime(path, std::string("rename failed: ") + std::strerror(errno));
  }
}

std::string read_text_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw_bad_input(path, std::string("cannot open file: ") + std::strerror(errno),
                    "check the path");
  }
  if (!S_ISREG(st.st_mode)) {
    throw_bad_input(path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file",
                    "pass a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_bad_input(path, "cannot open file", "check the path and its permissions");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

int remove_stale_temporaries(const std::string& directory) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t marker = name.rfind(".tmp.");
    if (marker == std::string::npos || !entry.is_regular_file(ec)) continue;
    const std::string pid_text = name.substr(marker + 5);
    if (pid_text.empty() || pid_text.size() > 9 ||
        pid_text.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    const bool alive = pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM;
    if (!alive && std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace lengen
