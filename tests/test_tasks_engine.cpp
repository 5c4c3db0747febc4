// The task engine end to end on fixture models: a planted-answer model scores
// 100%, a uniform one chance; tables, resume, shards, budgets, unsupported and
// failed cells, sample logs.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/data/tokenizer.h"
#include "core/model/model.h"
#include "core/run/tasks.h"
#include "evals/task_registry.h"
#include "test_tasks_fixture.h"

using namespace lengen;

namespace {

struct Setup {
  Tokenizer tokenizer{testing::tokenizer_path()};
  std::unique_ptr<evals::TaskSet> tasks;
  TasksSpec spec;

  Setup(const testing::ScratchDir& dir, const std::vector<std::string>& names) {
    tasks = std::make_unique<evals::TaskSet>(
        names, evals::TaskSettings{testing::austen_haystack(), 4}, tokenizer);
    spec.lengths = {256, 512};
    spec.depths = {0, 50, 100};
    spec.samples = 4;
    spec.decode_tokens = 0;
    spec.out_dir = dir.file("run");
    spec.quiet = true;
    set_compute_threads(1);
  }
  TasksOutcome run() { return run_tasks(spec, tasks->generators(), tokenizer); }
};

const TaskCell& find(const TasksOutcome& out, const std::string& model, const std::string& task,
                     int64_t length, double depth) {
  for (const auto& c : out.cells) {
    if (c.model == model && c.task == task && c.length == length &&
        (std::isnan(depth) ? !c.has_depth() : c.depth == depth)) {
      return c;
    }
  }
  FAIL("no cell " << model << " " << task << " T=" << length << " depth " << depth);
  throw;
}

}  // namespace

TEST_CASE("a planted-answer model scores 100% and a uniform model scores chance", "[tasks][slow]") {
  testing::ScratchDir dir("tasks-planted");
  Setup setup(dir, {"passkey", "niah", "niah-multikey"});
  setup.spec.models = {testing::fixture_model("task_copy.pt"),
                       testing::fixture_model("uniform.pt")};
  const TasksOutcome out = setup.run();
  CHECK(out.computed == 2 * 3 * 2 * 3);
  CHECK(out.failed == 0);
  for (const auto& c : out.cells) {
    INFO(c.model << " " << c.task << " T=" << c.length << " depth=" << c.depth);
    REQUIRE(c.status == CellStatus::kOk);
    CHECK(c.summary.n == 4);
    CHECK(c.summary.chance == 0.25);
    CHECK(c.summary.mean_needle_position >= 0);
    CHECK(c.summary.mean_question_position > c.summary.mean_needle_position);
    if (c.model == "task_copy") {
      CHECK(c.summary.accuracy == 1.0);
      CHECK(c.summary.exact_match == 1.0);
      CHECK(c.summary.mean_gold_rank == 1.0);
      CHECK(c.summary.mean_gold_logprob > -0.01);
    } else {
      // Equal scores for equal-length candidates: tie-shared credit is exactly 1/N.
      CHECK(c.summary.accuracy == 0.25);
      CHECK(c.summary.accuracy_ci95.low <= c.summary.chance);
      CHECK(c.summary.chance <= c.summary.accuracy_ci95.high);
      CHECK(c.summary.exact_match == 0.0);
      CHECK(c.summary.mean_gold_rank == 2.5);
    }
  }
  // The needle moves with the depth; the question stays at the end.
  const TaskCell& start = find(out, "task_copy", "passkey", 512, 0);
  const TaskCell& end = find(out, "task_copy", "passkey", 512, 100);
  CHECK(start.summary.mean_needle_position == 0);
  CHECK(end.summary.mean_needle_position > 400);
  CHECK(start.summary.mean_question_position == end.summary.mean_question_position);
}

TEST_CASE("tasks.csv keeps the contract columns and a resumed run rewrites it byte for byte",
          "[tasks]") {
  testing::ScratchDir dir("tasks-resume");
  Setup setup(dir, {"passkey", "cloze"});
  setup.spec.models = {testing::fixture_model("tiny_alibi.pt")};
  setup.spec.lengths = {128, 256};
  setup.spec.depths = {10, 90};
  setup.spec.samples = 2;
  const TasksOutcome first = setup.run();
  CHECK(first.computed == 2 * 2 + 2);  // passkey: lengths x depths; cloze: lengths
  const std::string csv = testing::read_file(dir.file("run/tasks.csv"));
  CHECK(csv.rfind("model,position_encoding,train_length,task,length,depth,status,n,accuracy,"
                  "accuracy_ci95_low,accuracy_ci95_high,exact_match,exact_match_ci95_low,"
                  "exact_match_ci95_high,substring_match,",
                  0) == 0);
  for (const char* column : {"mean_gold_logprob", "mean_gold_rank", "candidates", "chance",
                             "model_sha256", "cell_key", "message"}) {
    CHECK_THAT(csv.substr(0, csv.find('\n')), Catch::Contains(column));
  }
  CHECK_THAT(csv, Catch::Contains(",cloze,128,,ok,2,"));  // no depth: empty column
  CHECK_THAT(csv, Catch::Contains(",passkey,256,90,ok,2,"));

  const TasksOutcome second = setup.run();
  CHECK(second.computed == 0);
  CHECK(second.resumed == 6);
  CHECK(testing::read_file(dir.file("run/tasks.csv")) == csv);

  for (const auto& entry : std::filesystem::directory_iterator(dir.file("run/cells"))) {
    CHECK(nlohmann::json::parse(testing::read_file(entry.path().string()))["kind"] == "tasks");
  }
  const auto run = nlohmann::json::parse(testing::read_file(dir.file("run/run.json")));
  CHECK(run["kind"] == "tasks");
  CHECK(run["tasks"].size() == 2);
  const auto grid = nlohmann::json::parse(testing::read_file(dir.file("run/tasks_grid.json")));
  REQUIRE(grid["grids"].size() == 1);  // passkey only: cloze has no depth
  CHECK(grid["grids"][0]["depths"] == nlohmann::json({10.0, 90.0}));
  CHECK(grid["grids"][0]["lengths"] == nlohmann::json({128, 256}));
  CHECK(grid["grids"][0]["accuracy"].size() == 2);
  CHECK(grid["grids"][0]["accuracy"][0].size() == 2);
}

TEST_CASE("task shards partition the cells", "[tasks]") {
  testing::ScratchDir dir("tasks-shard");
  int total = 0;
  for (int k = 1; k <= 3; ++k) {
    Setup setup(dir, {"passkey"});
    setup.spec.models = {testing::fixture_model("uniform.pt")};
    setup.spec.out_dir = dir.file("shard" + std::to_string(k));
    setup.spec.shard = ShardSpec{k, 3};
    total += setup.run().computed;
  }
  CHECK(total == 2 * 3);
}

TEST_CASE("a budget below N x T forwards the gold only and says so", "[tasks]") {
  testing::ScratchDir dir("tasks-budget");
  Setup setup(dir, {"passkey"});
  setup.spec.models = {testing::fixture_model("uniform.pt")};
  setup.spec.depths = {50};
  setup.spec.samples = 8;
  setup.spec.max_tokens = 1024;               // T=256: 1 sample of 4 x 256; T=512: 4 x 512 > budget
  setup.spec.forward = ForwardPolicy::kFull;  // the budget of the full path: N x T per sample
  const TasksOutcome out = setup.run();
  const TaskCell& ranked = find(out, "uniform", "passkey", 256, 50);
  CHECK(ranked.summary.n == 1);
  CHECK(ranked.summary.ranked == 1);
  const TaskCell& gold_only = find(out, "uniform", "passkey", 512, 50);
  CHECK(gold_only.summary.n == 2);
  CHECK(gold_only.summary.ranked == 0);
  CHECK(std::isnan(gold_only.summary.accuracy));
  CHECK(gold_only.summary.mean_gold_logprob == Approx(-6 * std::log(4096.0)));
  CHECK_THAT(gold_only.message, Catch::Contains("not ranked"));
}

TEST_CASE("on the cached path a budget counts the prompt once", "[tasks][cache]") {
  testing::ScratchDir dir("tasks-budget-cached");
  Setup setup(dir, {"passkey"});
  setup.spec.models = {testing::fixture_model("uniform.pt")};
  setup.spec.lengths = {512};
  setup.spec.depths = {50};
  setup.spec.samples = 8;
  setup.spec.max_tokens = 1024;  // a sample: ~506 prompt tokens + 4 x 6 answer tokens
  const TasksOutcome out = setup.run();
  const TaskCell& cell = find(out, "uniform", "passkey", 512, 50);
  CHECK(cell.forward_path == "cached");
  CHECK(cell.summary.n == 1);
  CHECK(cell.summary.ranked == 1);
  CHECK(cell.summary.accuracy == 0.25);
}

TEST_CASE("short lengths are unsupported cells and a failing model fails only its cells",
          "[tasks]") {
  testing::ScratchDir dir("tasks-fail");
  Setup setup(dir, {"passkey"});
  setup.spec.models = {testing::fixture_model("fails_above_64.pt"),
                       testing::fixture_model("uniform.pt")};
  setup.spec.lengths = {32, 64, 128};
  setup.spec.depths = {50};
  setup.spec.samples = 1;
  const TasksOutcome out = setup.run();
  CHECK(out.failed == 1);
  CHECK(find(out, "uniform", "passkey", 32, 50).status == CellStatus::kUnsupported);
  CHECK_THAT(find(out, "uniform", "passkey", 32, 50).message, Catch::Contains("at least"));
  CHECK(find(out, "fails_above_64", "passkey", 64, 50).status == CellStatus::kOk);
  const TaskCell& failed = find(out, "fails_above_64", "passkey", 128, 50);
  CHECK(failed.status == CellStatus::kError);
  CHECK_THAT(failed.message, Catch::Contains("forward failed at T=1"));  // the prompt (cached) or T
  CHECK(find(out, "uniform", "passkey", 128, 50).status == CellStatus::kOk);
}

TEST_CASE("log-samples writes one JSON line per sample with texts and positions", "[tasks]") {
  testing::ScratchDir dir("tasks-log");
  Setup setup(dir,
              {"niah", "longbench:" + testing::source_path("evals/data/longbench_austen.jsonl")});
  setup.spec.models = {testing::fixture_model("task_copy.pt")};
  setup.spec.lengths = {256};
  setup.spec.depths = {50};
  setup.spec.samples = 3;
  setup.spec.decode_tokens = 10;
  setup.spec.log_samples = true;
  const TasksOutcome out = setup.run();
  REQUIRE(out.cells.size() == 2);
  for (const auto& cell : out.cells) {
    const std::string log = testing::read_file(dir.file("run/samples/" + cell.key + ".jsonl"));
    size_t lines = 0;
    for (size_t p = log.find('\n'); p != std::string::npos; p = log.find('\n', p + 1)) {
      const size_t begin =
          log.rfind('\n', p - 1) == std::string::npos ? 0 : log.rfind('\n', p - 1) + 1;
      const auto j = nlohmann::json::parse(log.substr(begin, p - begin));
      CHECK(j["task"] == cell.task);
      CHECK(j.contains("decoded_text"));
      CHECK(j["prompt_tokens"].get<int64_t>() <= 256);
      ++lines;
    }
    CHECK(lines == 3);
    CHECK(cell.summary.decoded == 3);
  }
  const TaskCell& niah = find(out, "task_copy", "niah", 256, 50);
  CHECK(niah.summary.substring_match == 1.0);  // 10 tokens hold "▁" and the 7 digits
}

TEST_CASE(
    "controls on the cached path: an induction copier retrieves everything up to 8192, "
    "a uniform model scores chance exactly",
    "[tasks][cache][slow]") {
  testing::ScratchDir dir("tasks-controls");
  Setup setup(dir, {"passkey", "niah", "niah-multikey"});
  setup.spec.models = {testing::fixture_model("induction_copy.pt"),
                       testing::fixture_model("uniform.pt")};
  setup.spec.lengths = {512, 2048, 8192};
  setup.spec.depths = {0, 25, 50, 75, 100};
  setup.spec.samples = 2;
  setup.spec.decode_tokens = 12;
  const TasksOutcome out = setup.run();
  CHECK(out.computed == 2 * 3 * 3 * 5);
  for (const auto& c : out.cells) {
    INFO(c.model << " " << c.task << " T=" << c.length << " depth=" << c.depth << " " << c.message);
    REQUIRE(c.status == CellStatus::kOk);
    CHECK(c.forward_path == "cached");
    CHECK(c.summary.n == 2);
    CHECK(c.summary.decoded == 2);  // cached models decode at every length
    CHECK(c.cache_check_difference <= 1e-4);
    if (c.model == "induction_copy") {
      CHECK(c.summary.accuracy >= 0.95);
      CHECK(c.summary.exact_match >= 0.95);
      CHECK(c.summary.substring_match >= 0.95);
    } else {
      CHECK(c.summary.accuracy == 0.25);
      CHECK(c.summary.exact_match == 0.0);
      CHECK(c.summary.mean_gold_rank == 2.5);
    }
  }
}

TEST_CASE("cached and full paths give the same task scores on real models", "[tasks][cache]") {
  testing::ScratchDir dir("tasks-paths");
  std::vector<std::vector<TaskCell>> runs;
  for (ForwardPolicy policy : {ForwardPolicy::kAuto, ForwardPolicy::kFull}) {
    Setup setup(dir, {"passkey", "niah-multikey"});
    setup.spec.models = {testing::fixture_model("tiny_fire.pt"),
                         testing::fixture_model("tiny_rope.pt")};
    setup.spec.lengths = {100, 200};  // above train_length 64 and the 32-row blocks
    setup.spec.depths = {30};
    setup.spec.samples = 2;
    setup.spec.decode_tokens = 6;
    setup.spec.forward = policy;
    setup.spec.out_dir = dir.file(policy == ForwardPolicy::kFull ? "full" : "auto");
    runs.push_back(setup.run().cells);
  }
  REQUIRE(runs[0].size() == 8);
  REQUIRE(runs[1].size() == 8);
  double worst = 0;
  for (size_t i = 0; i < runs[0].size(); ++i) {
    const TaskCell& cached = runs[0][i];
    const TaskCell& full = runs[1][i];
    CHECK(cached.forward_path == "cached");
    CHECK(full.forward_path == "full");
    CHECK(cached.key == full.key);
    REQUIRE(cached.samples.size() == full.samples.size());
    for (size_t k = 0; k < cached.samples.size(); ++k) {
      const SampleScore& a = cached.samples[k];
      const SampleScore& b = full.samples[k];
      REQUIRE(a.candidate_logprobs.size() == b.candidate_logprobs.size());
      for (size_t c = 0; c < a.candidate_logprobs.size(); ++c) {
        worst = std::max(worst, std::abs(a.candidate_logprobs[c] - b.candidate_logprobs[c]));
      }
      CHECK(a.exact_match == b.exact_match);
      CHECK(a.decoded_text == b.decoded_text);
    }
  }
  CHECK(worst <= 1e-4);
}

TEST_CASE("a model whose cached forward disagrees with its forward fails its cells by name",
          "[tasks][cache]") {
  testing::ScratchDir dir("tasks-forgetful");
  Setup setup(dir, {"passkey"});
  setup.spec.models = {testing::fixture_model("forgetful_cache.pt"),
                       testing::fixture_model("uniform.pt")};
  setup.spec.lengths = {128};
  setup.spec.depths = {50};
  setup.spec.samples = 2;
  const TasksOutcome out = setup.run();
  CHECK(out.failed == 1);
  const TaskCell& bad = find(out, "forgetful_cache", "passkey", 128, 50);
  CHECK(bad.status == CellStatus::kError);
  CHECK_THAT(bad.message, Catch::Contains("forgetful_cache") &&
                              Catch::Contains("forward_cached disagrees with forward"));
  CHECK(find(out, "uniform", "passkey", 128, 50).status == CellStatus::kOk);
  // Forced onto the full path the same model scores normally.
  setup.spec.forward = ForwardPolicy::kFull;
  setup.spec.out_dir = dir.file("full");
  const TasksOutcome full = setup.run();
  CHECK(find(full, "forgetful_cache", "passkey", 128, 50).status == CellStatus::kOk);
}
