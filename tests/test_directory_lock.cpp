#include <unistd.h>

#include <catch2/catch.hpp>
#include <memory>

#include "core/util/directory_lock.h"
#include "core/util/error.h"
#include "test_helpers.h"

using namespace lengen;

TEST_CASE("a second lock on a run directory fails naming the holder's PID", "[directory_lock]") {
  testing::ScratchDir dir("lock");
  auto first = std::make_unique<DirectoryLock>(dir.path().string());
  try {
    DirectoryLock second(dir.path().string());
    FAIL("the second lock was granted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK_THAT(e.message(), Catch::Contains("PID " + std::to_string(::getpid())));
    CHECK_THAT(e.hint(), Catch::Contains("--out"));
  }
  first.reset();  // released: the next one gets it
  CHECK_NOTHROW(DirectoryLock(dir.path().string()));
}
