// lengen's version and the git commit it was built from.
#pragma once

namespace lengen {
inline constexpr const char* kVersion = "0.1.0";
// The commit CMake saw at configure time ("unknown" outside a git checkout);
// defined in build_info.cpp so a new commit recompiles one file.
const char* git_commit();
}  // namespace lengen
