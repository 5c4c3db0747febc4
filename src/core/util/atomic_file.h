// Atomic file replacement: write `<path>.tmp.<pid>`, fsync, rename. A reader
// (or a resumed run after Ctrl-C or a crash) sees the old file or the new one,
// never a torn one.
#pragma once

#include <string>
#include <string_view>

namespace lengen {

// Creates parent directories; throws lengen::Error (runtime) on I/O failure.
void write_file_atomically(const std::string& path, std::string_view content);
std::string read_text_file(const std::string& path);

}  // namespace lengen
