// `lengen merge` (core/run/merge.h) through the real binary: task shards and
// sweep shards merge into the unsharded run's results byte for byte, a sweep
// and a tasks run merge into one directory with both tables, and a directory
// that is not a run is bad input.
#include <catch2/catch.hpp>
#include <filesystem>

#include "sweep_fixture.h"
#include "test_helpers.h"
#include "test_tasks_fixture.h"

using namespace lengen;
using testing::run_lengen;

namespace {
std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string tasks_args() {
  return "tasks -q -m " + quoted(testing::fixture_model("uniform.pt")) + " " +
         quoted(testing::fixture_model("tiny_alibi.pt")) +
         " -t passkey cloze -l 128 256 -d 0 100 -n 2 --threads 1 --log-samples --haystack " +
         quoted(testing::austen_haystack()) + " --tokenizer " + quoted(testing::tokenizer_path());
}
}  // namespace

TEST_CASE("merged task shards equal the unsharded run byte for byte", "[cli][tasks][merge]") {
  testing::ScratchDir dir("merge-tasks");
  REQUIRE(run_lengen(tasks_args() + " -o " + quoted(dir.file("all"))).exit_code == 0);
  std::string shards;
  for (int k = 1; k <= 3; ++k) {
    const std::string shard = dir.file("s" + std::to_string(k));
    REQUIRE(run_lengen(tasks_args() + " --shard " + std::to_string(k) + "/3 -o " + quoted(shard))
                .exit_code == 0);
    shards += " " + quoted(shard);
  }
  const auto merged = run_lengen("merge -o " + quoted(dir.file("merged")) + shards);
  REQUIRE(merged.exit_code == 0);
  CHECK_THAT(merged.output, Catch::Contains("merged 12 new cell(s) from 3 director(ies)"));
  for (const char* table : {"tasks.csv", "tasks_grid.json"}) {
    INFO(table);
    CHECK(testing::read_file(dir.file(std::string("merged/") + table)) ==
          testing::read_file(dir.file(std::string("all/") + table)));
  }
  // Per-sample logs travel with their records.
  size_t logs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("all/samples"))) {
    CHECK(testing::read_file(e.path().string()) ==
          testing::read_file(dir.file("merged/samples/" + e.path().filename().string())));
    ++logs;
  }
  CHECK(logs == 12);
  // Merging again adds nothing and leaves the tables as they were.
  const auto again = run_lengen("merge -o " + quoted(dir.file("merged")) + shards);
  CHECK_THAT(again.output, Catch::Contains("merged 0 new cell(s)"));
  CHECK(testing::read_file(dir.file("merged/tasks.csv")) ==
        testing::read_file(dir.file("all/tasks.csv")));
}

TEST_CASE("a sweep run and a tasks run merge into one directory with both tables", "[cli][merge]") {
  testing::ScratchDir dir("merge-mixed");
  REQUIRE(run_lengen("sweep -q -m " + quoted(testing::fixture_model("uniform.pt")) + " -c " +
                     quoted(testing::fixture_cache()) + " -l 16 32 -o " + quoted(dir.file("ppl")))
              .exit_code == 0);
  REQUIRE(run_lengen(tasks_args() + " -o " + quoted(dir.file("tasks"))).exit_code == 0);
  const auto merged = run_lengen("merge -o " + quoted(dir.file("both")) + " " +
                                 quoted(dir.file("ppl")) + " " + quoted(dir.file("tasks")));
  REQUIRE(merged.exit_code == 0);
  CHECK(testing::read_file(dir.file("both/ppl.csv")) ==
        testing::read_file(dir.file("ppl/ppl.csv")));
  CHECK(testing::read_file(dir.file("both/tasks.csv")) ==
        testing::read_file(dir.file("tasks/tasks.csv")));
}

TEST_CASE("merge refuses a directory that is not a run, naming it", "[cli][merge]") {
  testing::ScratchDir dir("merge-bad");
  std::filesystem::create_directories(dir.file("empty"));
  const auto r =
      run_lengen("merge -o " + quoted(dir.file("out")) + " " + quoted(dir.file("empty")));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("empty") && Catch::Contains("not a run directory"));
  CHECK_FALSE(std::filesystem::exists(dir.file("out")));
}
