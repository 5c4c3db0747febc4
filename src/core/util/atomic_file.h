// Atomic file replacement: write `<path>.tmp.<pid>`, fsync, rename. A reader
// (or a resumed run after Ctrl-C or a crash) sees the old file or the new one,
// never a torn one.
#pragma once

#include <string>
#include <string_view>

namespace lengen {

// Creates parent directories; throws lengen::Error (runtime) on I/O failure
// and (bad input) when `path` exists and is not a regular file.
void write_file_atomically(const std::string& path, std::string_view content);
// Throws lengen::Error (bad input) when `path` is missing or not a regular
// file: a device or FIFO could be read without end.
std::string read_text_file(const std::string& path);

// Throws lengen::Error (bad input) when `path` exists and is not a regular file
// (renaming a temporary over /dev/null would replace the device node).
void require_regular_output(const std::string& path);

// Removes `<name>.tmp.<pid>` files directly in `directory` whose writer
// process no longer runs (left by a kill). Returns how many were removed.
int remove_stale_temporaries(const std::string& directory);

}  // namespace lengen
