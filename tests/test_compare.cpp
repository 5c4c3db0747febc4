// compare / baseline / check on synthetic runs whose answers are known.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/report/baseline.h"
#include "core/report/comparison.h"
#include "core/report/comparison_tables.h"
#include "core/report/plots.h"
#include "core/run/cell_kind.h"
#include "core/run/run_directory.h"
#include "core/run/sweep.h"
#include "test_helpers.h"

using namespace lengen;

namespace {

// A finished chunks cell whose windows have per-token NLL `base + shift(i)`.
SweepCell make_cell(const std::string& model, int64_t length, double nll_per_token,
                    const std::string& corpus_sha = std::string(64, 'a')) {
  SweepCell c;
  c.model = model;
  c.position_encoding = model;
  c.train_length = 512;
  c.corpus = "syn";
  c.corpus_sha256 = corpus_sha;
  c.model_sha256 = std::string(64, 'm');
  c.protocol = Protocol::kChunks;
  c.length = length;
  c.seed = 7;
  c.key = cell_key({model, corpus_sha, std::to_string(length)});
  c.segment_hash = "s" + corpus_sha.substr(0, 4);  // every length scores the same text
  for (int i = 0; i < 40; ++i) {
    // Window-to-window variation shared by every model: pairing must cancel it.
    const double per_token = nll_per_token + 0.3 * std::sin(i);
    c.block_scores.push_back(
        {i, 0, per_token * double(length - 1), length - 1, 3.0 * double(length - 1)});
    c.positions.add(i % 7, per_token);
  }
  c.summary = summarize(c.block_scores, c.seed);
  c.summary.windows = 40;
  return c;
}

void write_run(const std::string& dir, std::vector<SweepCell> cells) {
  RunDirectory run(dir);
  for (const auto& c : cells) run.write_cell(c.key, cell_to_json(c));
  CellKind<SweepCell>::write_tables(dir, cells);
}

const std::vector<int64_t> kLengths = {512, 1024, 2048, 4096};

// base: ppl e^2 at 512, rising; better: 0.05 nats lower everywhere.
// One task cell of model "m" for the heatmap tests.
TaskResult task_row(const std::string& task, int64_t length, double depth, int64_t n,
                    double exact_match) {
  TaskResult t;
  t.model = "m";
  t.position_encoding = "alibi";
  t.task = task;
  t.length = length;
  t.depth = depth;
  t.status = "ok";
  t.n = n;
  t.exact_match = exact_match;
  return t;
}

void write_two_runs(const testing::ScratchDir& dir) {
  std::vector<SweepCell> a, b;
  for (int64_t length : kLengths) {
    const double growth = length <= 1024 ? 0.0 : 0.5 * std::log2(double(length) / 1024.0);
    a.push_back(make_cell("base", length, 2.0 + growth));
    b.push_back(make_cell("better", length, 1.95 + growth));
  }
  write_run(dir.file("a"), a);
  write_run(dir.file("b"), b);
}

}  // namespace

TEST_CASE("compare pairs identical windows and recovers a known difference", "[compare]") {
  testing::ScratchDir dir("cmp");
  write_two_runs(dir);
  const RunTables tables = load_runs({dir.file("a"), dir.file("b")});
  const auto curves = build_curves(tables.cells);
  REQUIRE(curves.size() == 2);
  const auto paired = paired_against(curves, "base", 3);
  REQUIRE(paired.size() == kLengths.size());
  for (const auto& row : paired) {
    CHECK(row.curve->model == "better");
    CHECK(row.difference.pairs == 40);
    CHECK(row.difference.difference == Approx(-0.05).margin(1e-9));
    CHECK(row.difference.ci95.low <= -0.05 + 1e-9);
    CHECK(row.difference.ci95.high >= -0.05 - 1e-9);
  }
  ComparisonSettings settings{"base", 0.10};
  const std::string csv = render_comparison_csv(curves, settings);
  CHECK_THAT(csv, Catch::StartsWith(
                      "model,position_encoding,train_length,corpus,protocol,stride,tail_tokens,"
                      "ppl_512,ppl_1024,ppl_2048,ppl_4096,effective_length,extrapolation_ratio,"
                      "effective_length_point,effective_length_optimistic\n"));
  CHECK_THAT(csv, Catch::Contains(fmt::format("better,better,512,syn,chunks,0,0,{:.6f}",
                                              curves[1].by_length.at(512)->summary.perplexity)));
  const std::string md = render_comparison_markdown(curves, paired, {}, settings);
  // "better" is best at every length: its values are bold, base's are not.
  CHECK_THAT(md, Catch::Contains(
                     fmt::format("**{:.2f}**", curves[1].by_length.at(4096)->summary.perplexity)));
  CHECK_THAT(md, !Catch::Contains(
                     fmt::format("**{:.2f}**", curves[0].by_length.at(4096)->summary.perplexity)));
  CHECK_THAT(md, Catch::Contains("-0.050 ["));
}

TEST_CASE(
    "effective length is the longest length within the band of the training-length perplexity",
    "[compare]") {
  testing::ScratchDir dir("cmp-eff");
  write_two_runs(dir);
  const RunTables tables = load_runs({dir.file("a")});
  const auto curves = build_curves(tables.cells);
  // ppl(512) = ppl(1024); ppl(2048) is e^0.5 = 1.65x higher: outside 10%.
  const EffectiveLength tight = effective_length(curves[0], 0.10);
  CHECK(tight.length == 1024);
  CHECK(tight.ratio == 2.0);
  CHECK(effective_length(curves[0], 0.70).length == 2048);
  CHECK(effective_length(curves[0], 5.0).length == 4096);
  Curve without_train_length = curves[0];
  without_train_length.by_length.erase(512);
  CHECK(effective_length(without_train_length, 0.10).length == 0);
}

TEST_CASE("check passes an identical run and flags a 3 percent regression and incomparable runs",
          "[compare]") {
  testing::ScratchDir dir("cmp-check");
  std::vector<SweepCell> reference, regressed, other_corpus;
  for (int64_t length : kLengths) {
    reference.push_back(make_cell("m", length, 2.0));
    regressed.push_back(make_cell("m", length, 2.0 + (length == 2048 ? std::log(1.03) : 0.0)));
    other_corpus.push_back(make_cell("m", length, 2.0, std::string(64, 'b')));
  }
  const Baseline baseline = baseline_from_cells(reference, 0.02, "ref", nullptr);
  const Baseline reread = baseline_from_json(baseline_to_json(baseline), "b.json");
  REQUIRE(reread.rows.size() == 4);

  const CheckReport same = check_run(reread, reference, std::nullopt);
  CHECK(same.regressions == 0);
  CHECK(same.incomparable.empty());

  const CheckReport worse = check_run(reread, regressed, std::nullopt);
  CHECK(worse.regressions == 1);
  CHECK(worse.rows[2].change == Approx(0.03).epsilon(1e-6));
  CHECK(worse.rows[2].verdict == CheckVerdict::kRegressed);
  CHECK(check_run(reread, regressed, 0.05).regressions == 0);  // a wider band holds

  CHECK(check_run(reread, other_corpus, std::nullopt).incomparable.size() == 4);

  // Through the binary: documented exit codes 0, 3 and 4.
  write_run(dir.file("ref"), reference);
  write_run(dir.file("bad"), regressed);
  write_run(dir.file("other"), other_corpus);
  REQUIRE(testing::run_lengen("baseline --run " + dir.file("ref") + " --out " + dir.file("b.json"))
              .exit_code == 0);
  CHECK(testing::run_lengen("check --baseline " + dir.file("b.json") + " --run " + dir.file("ref"))
            .exit_code == 0);
  const auto r =
      testing::run_lengen("check --baseline " + dir.file("b.json") + " --run " + dir.file("bad"));
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.output, Catch::Contains("**REGRESSION**") && Catch::Contains("+3.00%"));
  CHECK(
      testing::run_lengen("check --baseline " + dir.file("b.json") + " --run " + dir.file("other"))
          .exit_code == 4);
}

TEST_CASE("plots are drawn with gnuplot and skipped with a note without it", "[compare]") {
  testing::ScratchDir dir("cmp-plots");
  write_two_runs(dir);
  const RunTables tables = load_runs({dir.file("a"), dir.file("b")});
  const auto curves = build_curves(tables.cells);
  if (gnuplot_available()) {
    const PlotReport drawn =
        write_plots(curves, paired_against(curves, "base", 3), {}, dir.file("with"), true);
    CHECK(drawn.note.empty());
    CHECK(drawn.images.size() == 6);  // perplexity + ΔNLL + positions, png + svg
    for (const auto& image : drawn.images) CHECK(std::filesystem::file_size(image) > 1000);
  }
  const std::string path = std::getenv("PATH");
  ::setenv("PATH", "/nonexistent", 1);
  const PlotReport skipped = write_plots(curves, {}, {}, dir.file("without"), true);
  ::setenv("PATH", path.c_str(), 1);
  CHECK(skipped.images.empty());
  CHECK_THAT(skipped.note, Catch::Contains("gnuplot not found"));
  CHECK(std::filesystem::exists(dir.file("without/ppl_syn_chunks.gp")));
  CHECK(std::filesystem::exists(dir.file("without/ppl_syn_chunks.dat")));
}

TEST_CASE("effective length uses the paired interval and only comparable cells", "[compare]") {
  // Per-block NLLs: at 2048 the mean is 0.05 nats worse than at 512 (inside
  // ln 1.1 = 0.095), but 10 blocks alternating +-0.3 around it leave the upper
  // end of the paired interval above the band; at 4096 it is 0.5 nats worse.
  std::vector<SweepCell> cells;
  for (int64_t length : kLengths) {
    SweepCell c = make_cell("m", length, 2.0);
    const double shift = length <= 1024 ? 0.0 : length == 2048 ? 0.05 : 0.5;
    const double spread = length <= 1024 ? 0.0 : 0.3;
    c.block_scores.resize(10);
    for (auto& b : c.block_scores)
      b.nll_sum = (2.0 + shift + (b.id % 2 ? spread : -spread)) * double(b.targets);
    c.summary = summarize(c.block_scores, c.seed);
    cells.push_back(c);
  }
  auto curves = build_curves(cells);
  REQUIRE(curves.size() == 1);
  const EffectiveLength e = effective_length(curves[0], 0.10, 3);
  INFO("conservative " << e.length << ", point " << e.length_point << ", optimistic "
                       << e.length_optimistic);
  CHECK(e.length == 1024);
  CHECK(e.length_point == 2048);
  CHECK(e.length_optimistic >= e.length_point);
  CHECK(e.length_optimistic < 4096);  // 0.5 nats worse is outside any reading
  CHECK(comparability_note(curves[0]).empty());

  // A cell that scored other segments (another budget) makes the curve not
  // comparable: no effective length, and the tables say why.
  cells[2].segment_hash = "another";
  curves = build_curves(cells);
  const EffectiveLength mixed = effective_length(curves[0], 0.10, 3);
  CHECK(mixed.length == 0);
  CHECK_THAT(mixed.note, Catch::Contains("2 different segment sets"));
  const std::string md = render_comparison_markdown(curves, {}, {}, ComparisonSettings{"", 0.10});
  CHECK_THAT(md, Catch::Contains("⚠ m: its cells score 2 different segment sets"));
  cells[2].segment_hash = "";
  CHECK_THAT(comparability_note(build_curves(cells)[0]), Catch::Contains("before nested sampling"));
}

TEST_CASE("figures give every model its own style and clip a diverging series with a note",
          "[compare]") {
  testing::ScratchDir dir("cmp-style");
  std::vector<SweepCell> cells;
  const std::vector<std::string> models = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  for (const auto& model : models) {
    for (int64_t length : kLengths) {
      // "j" diverges past the training length (NLL 9 = perplexity 8103 at 4096).
      const double nll = model == "j" && length > 512 ? 2.0 + double(length) / 512.0 : 2.0;
      cells.push_back(make_cell(model, length, nll + 0.01 * double(model[0] - 'a')));
    }
  }
  const auto curves = build_curves(cells);
  const auto paired = paired_against(curves, "a", 3);
  write_plots(curves, paired, {}, dir.file("out"), false);
  const std::string ppl = testing::read_file(dir.file("out/ppl_syn_chunks.gp"));
  const std::string delta = testing::read_file(dir.file("out/delta_syn_chunks.gp"));
  CHECK_THAT(ppl, Catch::Contains("y clipped at") && Catch::Contains(": j (max"));
  CHECK_THAT(delta, Catch::Contains("y clipped at") && Catch::Contains(": j (max"));
  // Colour and dash of each series' line: ten models, ten different pairs.
  std::set<std::string> styles;
  const std::string line = "with linespoints lw 2 ps 0.7 ";
  for (size_t at = ppl.find(line); at != std::string::npos; at = ppl.find(line, at + 1)) {
    const size_t from = at + line.size();
    styles.insert(ppl.substr(from, ppl.find(" pt", from) - from));  // "lc rgb '#...' dt N"
  }
  CHECK(styles.size() == models.size());
}

TEST_CASE("a heatmap pools the samples of runs that cover the same depth and length", "[compare]") {
  testing::ScratchDir dir("cmp-heatmap");
  auto row = [](int64_t length, double depth, int64_t n, double exact_match) {
    return task_row("passkey", length, depth, n, exact_match);
  };
  // A 2 x 2 grid run, and a 50%-depth run at 512 with 2 more samples (both wrong).
  const std::vector<TaskResult> tasks = {row(512, 10, 4, 1.0), row(1024, 10, 4, 0.5),
                                         row(512, 50, 2, 1.0), row(1024, 50, 4, 0.25),
                                         row(512, 50, 2, 0.0)};
  write_plots({}, {}, tasks, dir.file("out"), false);
  // Rows: depths 10, 50; columns: 512, 1024. (2 x 1.0 + 2 x 0.0) / 4 = 0.5.
  CHECK(testing::read_file(dir.file("out/heatmap_passkey_m.dat")) ==
        "1.0000 0.5000 \n0.5000 0.2500 \n");
}

TEST_CASE("a heatmap with a cell no run measured is drawn by gnuplot", "[compare]") {
  if (!gnuplot_available()) {
    WARN("gnuplot not found: the heatmap is not drawn (make deps installs gnuplot-nox)");
    return;
  }
  testing::ScratchDir dir("cmp-heatmap-draw");
  auto row = [](int64_t length, double depth) { return task_row("niah", length, depth, 2, 0.5); };
  // depth 90 has no 1024 cell: a 'nan' in the matrix, and '%' in the depth labels
  const PlotReport drawn =
      write_plots({}, {}, {row(512, 10), row(1024, 10), row(512, 90)}, dir.file("out"), true);
  CHECK(drawn.note.empty());
  CHECK(testing::read_file(dir.file("out/heatmap_niah_m.dat")) == "0.5000 0.5000 \n0.5000 nan \n");
  for (const char* ext : {".png", ".svg"})
    CHECK(std::filesystem::file_size(dir.file(std::string("out/heatmap_niah_m") + ext)) > 1000);
}
