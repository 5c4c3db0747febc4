#include "core/util/version.h"

#ifndef LENGEN_GIT_COMMIT
#define LENGEN_GIT_COMMIT "unknown"
#endif

namespace lengen {
const char* git_commit() { return LENGEN_GIT_COMMIT; }
}  // namespace lengen
