// End-to-end tests through the real lengen binary: exit codes, messages,
// interrupted and resumed sweeps, shards and merge, TOML configs.
#include <catch2/catch.hpp>
#include <filesystem>

#include "sweep_fixture.h"
#include "test_helpers.h"

using namespace lengen;
using testing::run_lengen;

namespace {
std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string sweep_args(const std::string& out) {
  return "sweep -q -m " + quoted(testing::fixture_model("tiny_alibi.pt")) + " " +
         quoted(testing::fixture_model("tiny_rope.pt")) + " -c " +
         quoted(testing::fixture_cache()) +
         " -l 16 24 32 48 64 96 -p chunks sliding tail --tail-tokens 8 --batch-tokens 1 --threads "
         "1 -o " +
         quoted(out);
}

size_t cell_count(const std::string& run) {
  if (!std::filesystem::exists(run + "/cells")) return 0;
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(run + "/cells"))
    n += e.path().extension() == ".json";
  return n;
}

// Starts a sweep, waits until `cells` records exist, sends `signal`, returns the exit code.
int interrupt_sweep(const std::string& out, const std::string& signal, size_t cells) {
  const std::string script = std::string(LENGEN_BINARY) + " " + sweep_args(out) +
                             " >/dev/null 2>&1 & pid=$!; " + "for i in $(seq 1 3000); do n=$(ls " +
                             quoted(out) + "/cells 2>/dev/null | grep -c 'json$'); " +
                             "[ \"$n\" -ge " + std::to_string(cells) +
                             " ] && break; sleep 0.01; done; exec 2>/dev/null; kill -" + signal +
                             " $pid; wait $pid 2>/dev/null; exit $?";
  const int status = std::system(("bash -c " + quoted(script)).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

TEST_CASE("usage errors exit 2 and name the problem", "[cli]") {
  CHECK(run_lengen("").exit_code == 2);
  CHECK(run_lengen("no-such-command").exit_code == 2);
  const auto typo = run_lengen("sweep -m a.pt -c b.tok -o out --modles x.pt");
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.output, Catch::Contains("modles"));
  CHECK(run_lengen("--help").exit_code == 0);
}

TEST_CASE("bad input files exit 2 with the file and a hint", "[cli][errors]") {
  testing::ScratchDir dir("cli-bad");
  SECTION("missing model") {
    const auto r = run_lengen("info " + quoted(dir.file("nope.pt")));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains(dir.file("nope.pt")) && Catch::Contains("hint:"));
  }
  SECTION("model breaking the contract") {
    const auto r = run_lengen("info " + quoted(testing::fixture_model("bad_shape_2d.pt")));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("expected logits [B, T, V]"));
    CHECK_THAT(r.output, !Catch::Contains("frame #"));  // no C++ stack traces
  }
  SECTION("missing corpus") {
    const auto r =
        run_lengen("tokenize -o " + quoted(dir.file("x.tok")) + " " + quoted(dir.file("absent")));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("no such file or directory"));
  }
  SECTION("empty corpus") {
    testing::write_file(dir.file("empty.txt"), "");
    const auto r = run_lengen("tokenize --tokenizer " + quoted(testing::tokenizer_path()) + " -o " +
                              quoted(dir.file("x.tok")) + " " + quoted(dir.file("empty.txt")));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("corpus is empty"));
    CHECK_FALSE(std::filesystem::exists(dir.file("x.tok")));
  }
  SECTION("corrupt token cache") {
    testing::write_file(dir.file("bad.tok"), std::string(300, 'x'));
    const auto r =
        run_lengen("sweep -q -m " + quoted(testing::fixture_model("uniform.pt")) + " -c " +
                   quoted(dir.file("bad.tok")) + " -l 16 -o " + quoted(dir.file("run")));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("bad magic") && Catch::Contains("lengen tokenize"));
  }
}

TEST_CASE("tokenize writes a cache that reports documents and tokens", "[cli]") {
  testing::ScratchDir dir("cli-tok");
  const auto r = run_lengen("tokenize --tokenizer " + quoted(testing::tokenizer_path()) + " -o " +
                            quoted(dir.file("c.tok")) + " " +
                            quoted(testing::source_path("tests/data/corpus.jsonl")));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("6 documents"));
  TokenCache cache(dir.file("c.tok"));
  CHECK(cache.document_count() == 6);
}

TEST_CASE("a killed sweep resumes to byte-identical tables without recomputing", "[cli][slow]") {
  testing::ScratchDir dir("cli-kill");
  const std::string clean = dir.file("clean"), killed = dir.file("killed");
  REQUIRE(run_lengen(sweep_args(clean)).exit_code == 0);
  const size_t total = cell_count(clean);
  REQUIRE(total == 2 * 3 * 6);

  interrupt_sweep(killed, "KILL", 5);
  const size_t survived = cell_count(killed);
  REQUIRE(survived >= 5);
  REQUIRE(survived < total);  // the kill landed mid-run
  const auto resumed = run_lengen(sweep_args(killed));
  CHECK(resumed.exit_code == 0);
  CHECK_THAT(resumed.output,
             Catch::Contains(std::to_string(total - survived) + " cell(s) computed, " +
                             std::to_string(survived) + " resumed"));
  CHECK(testing::read_file(killed + "/ppl.csv") == testing::read_file(clean + "/ppl.csv"));
  CHECK(testing::read_file(killed + "/positions.csv") ==
        testing::read_file(clean + "/positions.csv"));
}

TEST_CASE("Ctrl-C stops a sweep with exit 130 and valid files", "[cli][slow]") {
  testing::ScratchDir dir("cli-int");
  const std::string out = dir.file("run");
  CHECK(interrupt_sweep(out, "INT", 3) == 130);
  const std::string csv = testing::read_file(out + "/ppl.csv");
  CHECK(csv.rfind("model,position_encoding,", 0) == 0);
  for (const auto& e : std::filesystem::directory_iterator(out + "/cells")) {
    CHECK(e.path().extension() == ".json");  // no temporary files left behind
  }
  CHECK(run_lengen(sweep_args(out)).exit_code == 0);
  CHECK(cell_count(out) == 36);
}

TEST_CASE("shards merged equal the unsharded run", "[cli]") {
  testing::ScratchDir dir("cli-merge");
  const std::string models = "-m " + quoted(testing::fixture_model("uniform.pt")) + " " +
                             quoted(testing::fixture_model("tiny_alibi.pt"));
  const std::string common = "sweep -q " + models + " -c " + quoted(testing::fixture_cache()) +
                             " -l 16 32 64 -p chunks tail --tail-tokens 8";
  REQUIRE(run_lengen(common + " -o " + quoted(dir.file("all"))).exit_code == 0);
  for (int k = 1; k <= 2; ++k) {
    REQUIRE(run_lengen(common + " --shard " + std::to_string(k) + "/2 -o " +
                       quoted(dir.file("s" + std::to_string(k))))
                .exit_code == 0);
  }
  const auto merged = run_lengen("merge -o " + quoted(dir.file("merged")) + " " +
                                 quoted(dir.file("s1")) + " " + quoted(dir.file("s2")));
  CHECK(merged.exit_code == 0);
  CHECK(testing::read_file(dir.file("merged/ppl.csv")) ==
        testing::read_file(dir.file("all/ppl.csv")));
  CHECK(run_lengen(common + " --shard 3/2 -o x").exit_code == 2);
}

TEST_CASE("sweep options can come from a TOML config", "[cli]") {
  testing::ScratchDir dir("cli-config");
  testing::write_file(dir.file("c.toml"),
                      "[sweep]\nmodels = [\"" + testing::fixture_model("uniform.pt") + "\"]\n" +
                          "corpora = [\"" + testing::fixture_cache() + "\"]\n" +
                          "lengths = [16, 32]\nprotocols = [\"chunks\"]\nquiet = true\n" +
                          "out = \"" + dir.file("run") + "\"\n");
  const auto r = run_lengen("sweep --config " + quoted(dir.file("c.toml")));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("| uniform | none | 4096.00 | 4096.00 |"));
  CHECK_THAT(testing::read_file(dir.file("run/run.json")), Catch::Contains("\"effective_config\""));
}
