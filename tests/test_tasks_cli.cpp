// `lengen tasks` through the real binary: a TOML config run, and bad input
// (unknown task, malformed benchmark file) exiting 2 with the file and line.
#include <catch2/catch.hpp>
#include <filesystem>

#include "test_helpers.h"
#include "test_tasks_fixture.h"

using namespace lengen;
using testing::run_lengen;

namespace {
std::string quoted(const std::string& s) { return "'" + s + "'"; }

size_t record_count(const std::string& run) {
  if (!std::filesystem::exists(run + "/cells")) return 0;
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(run + "/cells"))
    n += e.path().extension() == ".json";
  return n;
}
}  // namespace

TEST_CASE("lengen tasks runs from a TOML config and prints its tables", "[cli][tasks]") {
  testing::ScratchDir dir("tasks-cli");
  testing::write_file(dir.file("t.toml"),
                      "[tasks]\nmodels = [\"" + testing::fixture_model("task_copy.pt") + "\"]\n" +
                          "tasks = [\"passkey\", \"choice:" +
                          testing::source_path("evals/data/choice_austen.jsonl") +
                          "\"]\nlengths = [128, 256]\ndepths = [0, 100]\nsamples = 2\n" +
                          "haystack = \"" + testing::austen_haystack() + "\"\n" + "tokenizer = \"" +
                          testing::tokenizer_path() + "\"\nthreads = 1\nquiet = true\n" +
                          "out = \"" + dir.file("run") + "\"\n");
  const auto r = run_lengen("tasks --config " + quoted(dir.file("t.toml")));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("| task_copy | none | 100 / 100 | 100 / 100 |"));
  CHECK_THAT(r.output, Catch::Contains("choice:choice_austen"));
  CHECK_THAT(r.output, Catch::Contains("6 cell(s) computed"));
  CHECK(std::filesystem::exists(dir.file("run/tasks.csv")));
  CHECK(std::filesystem::exists(dir.file("run/tasks_grid.json")));
  CHECK_THAT(testing::read_file(dir.file("run/run.json")), Catch::Contains("\"kind\": \"tasks\""));
  // Re-running resumes everything.
  CHECK_THAT(run_lengen("tasks --config " + quoted(dir.file("t.toml"))).output,
             Catch::Contains("0 cell(s) computed, 6 resumed"));
}

TEST_CASE("lengen tasks rejects unknown tasks and malformed files with exit 2",
          "[cli][tasks][errors]") {
  testing::ScratchDir dir("tasks-cli-bad");
  const std::string base = "tasks -q -m " + quoted(testing::fixture_model("uniform.pt")) +
                           " --tokenizer " + quoted(testing::tokenizer_path()) + " -l 128 -o " +
                           quoted(dir.file("run")) + " -t ";
  const auto unknown = run_lengen(base + "passkeys");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.output,
             Catch::Contains("unknown task 'passkeys'") && Catch::Contains("hint:"));

  testing::write_file(dir.file("mc.jsonl"),
                      R"({"context": "c", "question": "q", "options": ["a", "b"], "gold": 1})"
                      "\n"
                      R"({"context": "c", "question": "q", "options": ["a", "b"], "gold": 5})"
                      "\n");
  const auto bad = run_lengen(base + quoted("choice:" + dir.file("mc.jsonl")));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output,
             Catch::Contains(dir.file("mc.jsonl") + ":2") && Catch::Contains("not an index"));

  const auto no_haystack =
      run_lengen(base + "passkey --haystack " + quoted(dir.file("absent.tok")));
  CHECK(no_haystack.exit_code == 2);
  CHECK_THAT(no_haystack.output, Catch::Contains("absent.tok"));
}

TEST_CASE("Ctrl-C stops lengen tasks with exit 130 and a re-run finishes the same tables",
          "[cli][tasks][slow]") {
  testing::ScratchDir dir("tasks-cli-int");
  const std::string args =
      "tasks -q -m " + quoted(testing::fixture_model("task_copy.pt")) + " -t passkey niah" +
      " -l 128 256 512 -d 0 25 50 75 100 -n 2 --threads 1 --haystack " +
      quoted(testing::austen_haystack()) + " --tokenizer " + quoted(testing::tokenizer_path());
  REQUIRE(run_lengen(args + " -o " + quoted(dir.file("clean"))).exit_code == 0);
  const std::string out = dir.file("run");
  const std::string script =
      std::string(LENGEN_BINARY) + " " + args + " -o " + quoted(out) +
      " >/dev/null 2>&1 & pid=$!; for i in $(seq 1 3000); do n=$(ls " + quoted(out) +
      "/cells 2>/dev/null | grep -c 'json$'); [ \"$n\" -ge 3 ] && break; sleep 0.01; done; " +
      "exec 2>/dev/null; kill -INT $pid; wait $pid; exit $?";
  const int status = std::system(("bash -c " + quoted(script)).c_str());
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(record_count(out) < 30);
  CHECK(run_lengen(args + " -o " + quoted(out)).exit_code == 0);
  CHECK(record_count(out) == 30);
  CHECK(testing::read_file(out + "/tasks.csv") == testing::read_file(dir.file("clean/tasks.csv")));
}

TEST_CASE("task shards joined by copying their records equal the unsharded run", "[cli][tasks]") {
  testing::ScratchDir dir("tasks-cli-shards");
  const std::string args = "tasks -q -m " + quoted(testing::fixture_model("uniform.pt")) +
                           " -t passkey cloze -l 128 256 -d 0 100 -n 2 --threads 1 --haystack " +
                           quoted(testing::austen_haystack()) + " --tokenizer " +
                           quoted(testing::tokenizer_path());
  REQUIRE(run_lengen(args + " -o " + quoted(dir.file("all"))).exit_code == 0);
  std::filesystem::create_directories(dir.file("joined/cells"));
  for (int k = 1; k <= 2; ++k) {
    const std::string shard = dir.file("s" + std::to_string(k));
    REQUIRE(
        run_lengen(args + " --shard " + std::to_string(k) + "/2 -o " + quoted(shard)).exit_code ==
        0);
    for (const auto& e : std::filesystem::directory_iterator(shard + "/cells")) {
      std::filesystem::copy_file(e.path(), dir.file("joined/cells") / e.path().filename());
    }
  }
  const auto joined = run_lengen(args + " -o " + quoted(dir.file("joined")));
  CHECK_THAT(joined.output, Catch::Contains("0 cell(s) computed, 6 resumed"));
  CHECK(testing::read_file(dir.file("joined/tasks.csv")) ==
        testing::read_file(dir.file("all/tasks.csv")));
}

TEST_CASE("lengen tasks --forward picks the path and the perf file says which ran",
          "[cli][tasks][cache]") {
  testing::ScratchDir dir("tasks-cli-forward");
  const std::string base = "tasks -q -m " + quoted(testing::fixture_model("induction_copy.pt")) +
                           " -t passkey -l 256 -d 50 -n 1 --threads 1 --haystack " +
                           quoted(testing::austen_haystack()) + " --tokenizer " +
                           quoted(testing::tokenizer_path());
  const auto bad = run_lengen(base + " --forward cache -o " + quoted(dir.file("bad")));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("--forward"));
  for (const char* path : {"auto", "full"}) {
    const std::string out = dir.file(path);
    REQUIRE(run_lengen(base + " --forward " + path + " -o " + quoted(out)).exit_code == 0);
    const std::string perf = testing::read_file(out + "/tasks_perf.csv");
    CHECK_THAT(perf, Catch::Contains(std::string(path) == "auto" ? ",cached," : ",full,"));
  }
  // Same results either way: tasks.csv is identical.
  CHECK(testing::read_file(dir.file("auto/tasks.csv")) ==
        testing::read_file(dir.file("full/tasks.csv")));
}
