// End-to-end tests of issue 14 through the real binary: hostile inputs and
// outputs, broken models, damaged records, a second process on one --out,
// signals during a forward that cannot be stopped, strict TOML configs.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "core/util/directory_lock.h"
#include "sweep_fixture.h"
#include "test_helpers.h"

using namespace lengen;
using testing::run_lengen;

namespace {
std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string sweep_of(const std::vector<std::string>& models, const std::string& lengths,
                     const std::string& out) {
  std::string args = "sweep -q -m";
  for (const auto& m : models) args += " " + quoted(testing::fixture_model(m));
  return args + " -c " + quoted(testing::fixture_cache()) + " -l " + lengths + " --threads 1 -o " +
         quoted(out);
}

size_t count_in(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("outputs that are not regular files are refused, and left alone", "[cli][errors]") {
  testing::ScratchDir dir("cli-out");
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
  const auto tok = run_lengen("tokenize --tokenizer " + quoted(testing::tokenizer_path()) + " -o " +
                              quoted(dir.file("fifo")) + " " +
                              quoted(testing::source_path("tests/data/corpus")));
  CHECK(tok.exit_code == 2);
  CHECK_THAT(tok.output, Catch::Contains("not a regular file"));
  // Without the check, baseline would block reading the FIFO forever.
  const auto base = run_lengen("baseline --run " + quoted(dir.file("run")) + " --out " +
                               quoted(dir.file("fifo")));
  CHECK(base.exit_code == 2);
  CHECK_THAT(base.output, Catch::Contains(dir.file("fifo")));
  CHECK(std::filesystem::is_fifo(dir.file("fifo")));
}

TEST_CASE(
    "NaN or inf logits and a raising set_eval_length become error cells and the sweep goes on",
    "[cli][errors]") {
  testing::ScratchDir dir("cli-hostile");
  const std::string args =
      sweep_of({"nan_logits.pt", "inf_logits.pt", "set_eval_raises.pt", "uniform.pt"}, "16 32",
               dir.file("run"));
  const auto first = run_lengen(args);
  CHECK(first.exit_code == 0);
  CHECK_THAT(first.output, Catch::Contains("8 cell(s) computed, 0 resumed, 3 failed"));
  CHECK_THAT(first.output, Catch::Contains("| uniform | none | 4096.00 | 4096.00 |"));
  CHECK_THAT(first.output, !Catch::Contains("Traceback") && !Catch::Contains("frame #"));
  const std::string csv = testing::read_file(dir.file("run/ppl.csv"));
  CHECK(count_in(csv, "non-finite NLL") == 2);
  CHECK_THAT(csv, Catch::Contains("this export cannot adapt to length 32"));
  const auto again = run_lengen(args);  // the records read back: nothing jams, nothing reruns
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("0 cell(s) computed, 8 resumed"));
}

TEST_CASE("an edited cell record is reported by name and recomputed", "[cli][errors]") {
  testing::ScratchDir dir("cli-damaged");
  const std::string args = sweep_of({"tiny_alibi.pt"}, "16 24", dir.file("run"));
  REQUIRE(run_lengen(args).exit_code == 0);
  const std::string table = testing::read_file(dir.file("run/ppl.csv"));
  std::string victim;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("run/cells"))) {
    victim = e.path().string();
  }
  std::string record = testing::read_file(victim);
  const size_t at = record.find("\"seconds\": ") + 11;
  record.insert(at, "1");  // a plausible edit: still valid JSON
  testing::write_file(victim, record);
  const auto resumed = run_lengen(args);
  CHECK(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Catch::Contains(victim) && Catch::Contains("checksum mismatch"));
  CHECK_THAT(resumed.output, Catch::Contains("1 cell(s) computed, 1 resumed"));
  CHECK(testing::read_file(dir.file("run/ppl.csv")) == table);
}

TEST_CASE("a second process on one --out exits 2 naming the holder, and stale temporaries go",
          "[cli][errors]") {
  testing::ScratchDir dir("cli-lock");
  const std::string out = dir.file("run");
  std::filesystem::create_directories(out + "/cells");
  const std::string stale = out + "/ppl.csv.tmp.999999999";  // beyond pid_max: not running
  testing::write_file(stale, "torn");
  {
    DirectoryLock held(out);  // this test process plays the first sweep
    const auto second = run_lengen(sweep_of({"uniform.pt"}, "16", out));
    CHECK(second.exit_code == 2);
    CHECK_THAT(second.output, Catch::Contains("in use by another lengen process (PID " +
                                              std::to_string(::getpid()) + ")"));
    CHECK(std::filesystem::exists(stale));
  }
  CHECK(run_lengen(sweep_of({"uniform.pt"}, "16", out)).exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(stale));
}

TEST_CASE("option values: comma lists, whole shard numbers, duplicates, plain range messages",
          "[cli][errors]") {
  testing::ScratchDir dir("cli-values");
  const auto commas = run_lengen(sweep_of({"uniform.pt"}, "16,24", dir.file("a")));
  CHECK(commas.exit_code == 0);
  CHECK_THAT(commas.output, Catch::Contains("| uniform | none | 4096.00 | 4096.00 |"));
  for (const std::string shard : {"1/2x", "1.9/2", "x/2", "1/"}) {
    const auto r = run_lengen(sweep_of({"uniform.pt"}, "16", dir.file("b")) + " --shard " + shard);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("--shard"));
  }
  const auto twice = run_lengen(sweep_of({"uniform.pt"}, "16 24 16", dir.file("c")));
  CHECK(twice.exit_code == 2);
  CHECK_THAT(twice.output, Catch::Contains("planned twice"));
  const auto model_twice = run_lengen(sweep_of({"uniform.pt", "uniform.pt"}, "16", dir.file("d")));
  CHECK(model_twice.exit_code == 2);
  const auto zero = run_lengen(sweep_of({"uniform.pt"}, "16", dir.file("e")) + " --batch-tokens 0");
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.output, Catch::Contains("must be a number > 0") && !Catch::Contains("1797"));
}

TEST_CASE("check refuses an empty or nonsensical baseline instead of passing", "[cli][errors]") {
  testing::ScratchDir dir("cli-check");
  REQUIRE(run_lengen(sweep_of({"uniform.pt"}, "16", dir.file("run"))).exit_code == 0);
  const std::string head = "{\"kind\": \"lengen-baseline\", \"version\": 1, ";
  testing::write_file(dir.file("empty.json"), head + "\"default_tolerance\": 0.02, \"rows\": []}");
  const std::string row =
      "{\"model\": \"uniform\", \"corpus\": \"fixture\", \"protocol\": \"chunks\", \"stride\": 0, "
      "\"tail_tokens\": 0, \"length\": 16, \"corpus_sha256\": \"x\", \"settings_hash\": \"y\", ";
  testing::write_file(dir.file("negative.json"), head + "\"default_tolerance\": 0.02, \"rows\": [" +
                                                     row + "\"perplexity\": -5}]}");
  testing::write_file(dir.file("band.json"), head + "\"default_tolerance\": -0.1, \"rows\": [" +
                                                 row + "\"perplexity\": 4096}]}");
  for (const char* name : {"empty.json", "negative.json", "band.json"}) {
    const auto r = run_lengen("check --baseline " + quoted(dir.file(name)) + " --run " +
                              quoted(dir.file("run")));
    INFO(name << ": " << r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains(dir.file(name)));
  }
  const auto tolerance = run_lengen("check --baseline " + quoted(dir.file("empty.json")) +
                                    " --run " + quoted(dir.file("run")) + " --tolerance -1");
  CHECK(tolerance.exit_code == 2);
  CHECK_THAT(tolerance.output, Catch::Contains("--tolerance"));
}

TEST_CASE("TOML configs: syntax errors name the line, unknown keys and sections are errors",
          "[cli][errors]") {
  testing::ScratchDir dir("cli-toml");
  const std::string body = "[sweep]\nmodels = [\"" + testing::fixture_model("uniform.pt") +
                           "\"]\ncorpora = [\"" + testing::fixture_cache() + "\"]\nout = \"" +
                           dir.file("run") + "\"\n";
  auto run_config = [&](const std::string& text) {
    testing::write_file(dir.file("c.toml"), text);
    return run_lengen("sweep --config " + quoted(dir.file("c.toml")));
  };
  const auto syntax = run_config(body + "lengths = [16, 32\n");
  CHECK(syntax.exit_code == 2);
  CHECK_THAT(syntax.output, Catch::Contains(dir.file("c.toml") + ":5") &&
                                !Catch::Contains("--models is required"));
  const auto typo = run_config(body + "max_tokens = 200\n");
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.output, Catch::Contains(":5") && Catch::Contains("unknown option 'max_tokens'") &&
                              Catch::Contains("did you mean 'max-tokens'?"));
  const auto section = run_config("[swep]\nseed = 1\n");
  CHECK(section.exit_code == 2);
  CHECK_THAT(section.output,
             Catch::Contains("unknown section [swep]") && Catch::Contains("did you mean 'sweep'?"));
  CHECK(run_config(body + "lengths = [16]\nquiet = true\n").exit_code == 0);
}

TEST_CASE("invalid UTF-8 in JSONL is replaced and counted, never fatal", "[cli][errors]") {
  testing::ScratchDir dir("cli-utf8");
  testing::write_file(dir.file("bad.jsonl"),
                      "{\"text\": \"caf\xe9 au lait\"}\n{\"text\": \"fine\"}\n");
  const auto r = run_lengen("tokenize --tokenizer " + quoted(testing::tokenizer_path()) + " -o " +
                            quoted(dir.file("c.tok")) + " " + quoted(dir.file("bad.jsonl")));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("replaced 1 invalid UTF-8") &&
                           Catch::Contains("2 documents") && !Catch::Contains("\xe9"));
}

TEST_CASE("SIGINT and SIGTERM end a run stuck in a long forward within the grace period",
          "[cli][slow]") {
  testing::ScratchDir dir("cli-signal");
  for (const std::string signal : {"INT", "TERM"}) {
    const std::string out = dir.file("run-" + signal);
    // slow_forward.pt spins for minutes in any forward with T > 16.
    const std::string script =
        std::string(LENGEN_BINARY) + " " + sweep_of({"slow_forward.pt"}, "32", out) +
        " >/dev/null 2>&1 & pid=$!; sleep 2; kill -" + signal + " $pid; wait $pid; exit $?";
    const auto start = std::chrono::steady_clock::now();
    const int status = std::system(("bash -c " + quoted(script)).c_str());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK(seconds < 2 + 3 + 5);  // the wait, the documented grace, slack for a loaded machine
    CHECK(std::filesystem::is_regular_file(out + "/run.json"));
  }
}
