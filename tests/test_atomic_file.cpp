// Outputs must be regular files; inputs read whole must be regular files; stale
// temporaries of killed writers are removed.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "test_helpers.h"

using namespace lengen;

TEST_CASE("atomic writes refuse to replace a FIFO or a directory", "[atomic_file][errors]") {
  testing::ScratchDir dir("atomic-kind");
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
  CHECK_THROWS_WITH(write_file_atomically(dir.file("fifo"), "x"),
                    Catch::Contains("not a regular file"));
  CHECK(std::filesystem::is_fifo(dir.file("fifo")));
  std::filesystem::create_directories(dir.file("sub"));
  CHECK_THROWS_WITH(write_file_atomically(dir.file("sub"), "x"), Catch::Contains("directory"));
  write_file_atomically(dir.file("plain"), "ok");
  CHECK(testing::read_file(dir.file("plain")) == "ok");
}

TEST_CASE("read_text_file refuses what is not a regular file instead of reading it",
          "[atomic_file][errors]") {
  testing::ScratchDir dir("atomic-read");
  std::filesystem::create_directories(dir.file("sub"));
  CHECK_THROWS_WITH(read_text_file(dir.file("sub")), Catch::Contains("is a directory"));
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
  CHECK_THROWS_WITH(read_text_file(dir.file("fifo")), Catch::Contains("not a regular file"));
  CHECK_THROWS_WITH(read_text_file("/dev/zero"), Catch::Contains("not a regular file"));
  CHECK_THROWS_WITH(read_text_file(dir.file("absent")), Catch::Contains("cannot open"));
}

TEST_CASE("temporaries of dead writers are removed, a live writer's are kept", "[atomic_file]") {
  testing::ScratchDir dir("atomic-stale");
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  REQUIRE(child > 0);
  ::waitpid(child, nullptr, 0);  // a PID that no longer runs
  testing::write_file(dir.file("ppl.csv.tmp." + std::to_string(child)), "torn");
  testing::write_file(dir.file("ppl.csv.tmp." + std::to_string(::getpid())), "mine");
  testing::write_file(dir.file("notes.tmp.txt"), "not a temporary");
  CHECK(remove_stale_temporaries(dir.path().string()) == 1);
  CHECK_FALSE(std::filesystem::exists(dir.file("ppl.csv.tmp." + std::to_string(child))));
  CHECK(std::filesystem::exists(dir.file("ppl.csv.tmp." + std::to_string(::getpid()))));
  CHECK(std::filesystem::exists(dir.file("notes.tmp.txt")));
}
