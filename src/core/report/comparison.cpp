#include "core/report/comparison.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <tuple>

#include "core/perplexity/protocol.h"
#include "core/run/run_directory.h"
#include "core/util/csv.h"
#include "core/util/error.h"

namespace lengen {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void load_sweep(const std::string& dir, RunTables& out) {
  const CsvTable table = CsvTable::read(dir + "/ppl.csv");
  RunDirectory run(dir);
  for (size_t r = 0; r < table.rows(); ++r) {
    const std::string& key = table.get(r, "cell_key");
    if (!run.has_cell(key)) {
      throw_bad_input(run.file("cells/" + key + ".json"),
                      "cell record listed in ppl.csv is missing",
                      "re-run the sweep in that directory to recompute it");
    }
    out.cells.push_back(cell_from_json(run.read_cell(key), run.file("cells/" + key + ".json")));
  }
}

void load_tasks(const std::string& path, RunTables& out) {
  const CsvTable table = CsvTable::read(path);
  for (size_t r = 0; r < table.rows(); ++r) {
    TaskResult t;
    t.model = table.get(r, "model");
    t.position_encoding = table.get(r, "position_encoding");
    t.task = table.get(r, "task");
    t.length = static_cast<int64_t>(table.number(r, "length"));
    t.depth = table.number(r, "depth");
    t.status = table.get(r, "status");
    const double n = table.number(r, "n");
    t.n = std::isfinite(n) ? static_cast<int64_t>(n) : 0;
    t.accuracy = table.number(r, "accuracy");
    t.accuracy_ci95 = {table.number(r, "accuracy_ci95_low"), table.number(r, "accuracy_ci95_high")};
    t.exact_match = table.number(r, "exact_match");
    t.chance = table.number(r, "chance");
    out.tasks.push_back(t);
  }
}

}  // namespace

RunTables load_runs(const std::vector<std::string>& run_dirs) {
  RunTables out;
  for (const auto& dir : run_dirs) {
    const bool has_sweep = std::filesystem::exists(dir + "/ppl.csv");
    const bool has_tasks = std::filesystem::exists(dir + "/tasks.csv");
    if (!has_sweep && !has_tasks) {
      throw_bad_input(dir, "not a run directory (no ppl.csv or tasks.csv)",
                      "pass directories written by `lengen sweep` or `lengen tasks`");
    }
    if (has_sweep) load_sweep(dir, out);
    if (has_tasks) load_tasks(dir + "/tasks.csv", out);
  }
  return out;
}

std::string Curve::setting() const {
  return corpus + " · " + describe_protocol(protocol, stride_setting, tail_tokens, remainder);
}

std::vector<Curve> build_curves(const std::vector<SweepCell>& cells) {
  std::vector<Curve> curves;
  auto same = [](const Curve& k, const SweepCell& c) {
    return k.model == c.model && k.corpus == c.corpus && k.protocol == c.protocol &&
           k.stride_setting == c.stride_setting && k.tail_tokens == c.tail_tokens &&
           k.remainder == c.remainder;
  };
  for (const auto& c : cells) {
    auto it =
        std::find_if(curves.begin(), curves.end(), [&](const Curve& k) { return same(k, c); });
    if (it == curves.end()) {
      Curve k;
      k.model = c.model;
      k.position_encoding = c.position_encoding;
      k.train_length = c.train_length;
      k.corpus = c.corpus;
      k.protocol = c.protocol;
      k.stride_setting = c.stride_setting;
      k.tail_tokens = c.tail_tokens;
      k.remainder = c.remainder;
      curves.push_back(k);
      it = curves.end() - 1;
    }
    it->by_length[c.length] = &c;  // a later run directory wins
  }
  // Group by setting (first-seen order), models in first-seen order within it.
  std::vector<std::string> order;
  for (const auto& k : curves) {
    if (std::find(order.begin(), order.end(), k.setting()) == order.end())
      order.push_back(k.setting());
  }
  std::stable_sort(curves.begin(), curves.end(), [&](const Curve& a, const Curve& b) {
    return std::find(order.begin(), order.end(), a.setting()) <
           std::find(order.begin(), order.end(), b.setting());
  });
  return curves;
}

std::string comparability_note(const Curve& curve) {
  std::set<std::string> hashes;
  for (const auto& [length, cell] : curve.by_length) {
    if (cell->status != CellStatus::kOk) continue;
    if (cell->segment_hash.empty())
      return "cells recorded before nested sampling (no segment hash): not comparable across "
             "lengths";
    hashes.insert(cell->segment_hash);
  }
  if (hashes.size() > 1)
    return fmt::format(
        "its cells score {} different segment sets (other budgets or segment "
        "lengths): not comparable across lengths",
        hashes.size());
  return "";
}

EffectiveLength effective_length(const Curve& curve, double tolerance, uint64_t seed) {
  EffectiveLength out;
  auto reference = curve.by_length.find(curve.train_length);
  if (curve.train_length <= 0 || reference == curve.by_length.end()) {
    out.note = "training length not evaluated";
    return out;
  }
  const SweepCell& base = *reference->second;
  if (base.status != CellStatus::kOk) {
    out.note = "cell at training length failed";
    return out;
  }
  out.note = comparability_note(curve);
  if (!out.note.empty()) return out;
  const double band = std::log1p(tolerance);
  bool conservative = true, point = true, optimistic = true;
  for (auto it = reference; it != curve.by_length.end(); ++it) {
    const SweepCell& cell = *it->second;
    PairedDifference d{0, kNaN, {kNaN, kNaN}};
    if (cell.status == CellStatus::kOk) {
      d = it == reference ? PairedDifference{base.summary.blocks, 0.0, {0.0, 0.0}}
                          : paired_difference(cell.block_scores, base.block_scores, seed);
    }
    // NaN (a failed cell, or a CI from fewer than 2 blocks) ends every rule it meets.
    conservative = conservative && d.ci95.high <= band;
    point = point && d.difference <= band;
    optimistic = optimistic && d.ci95.low <= band;
    if (conservative) out.length = it->first;
    if (point) out.length_point = it->first;
    if (optimistic) out.length_optimistic = it->first;
  }
  out.ratio = static_cast<double>(out.length) / static_cast<double>(curve.train_length);
  return out;
}

std::vector<PairedRow> paired_against(const std::vector<Curve>& curves,
                                      const std::string& baseline_model, uint64_t seed) {
  std::vector<PairedRow> rows;
  for (const auto& curve : curves) {
    if (curve.model == baseline_model) continue;
    const auto base = std::find_if(curves.begin(), curves.end(), [&](const Curve& k) {
      return k.model == baseline_model && k.setting() == curve.setting();
    });
    if (base == curves.end()) continue;
    for (const auto& [length, cell] : curve.by_length) {
      auto other = base->by_length.find(length);
      if (other == base->by_length.end()) continue;
      const SweepCell& b = *other->second;
      // Identical text: the same segment set (records before nested sampling
      // carry no hash: then the same budget on the same corpus).
      const bool same_text = cell->segment_hash.empty() && b.segment_hash.empty()
                                 ? cell->max_tokens == b.max_tokens
                                 : cell->segment_hash == b.segment_hash;
      if (cell->status != CellStatus::kOk || b.status != CellStatus::kOk || !same_text ||
          cell->corpus_sha256 != b.corpus_sha256) {
        continue;
      }
      PairedRow row;
      row.curve = &curve;
      row.baseline = &*base;
      row.length = length;
      row.difference = paired_difference(cell->block_scores, b.block_scores, seed);
      rows.push_back(row);
    }
  }
  return rows;
}

std::vector<int64_t> all_lengths(const std::vector<Curve>& curves) {
  std::set<int64_t> lengths;
  for (const auto& c : curves) {
    for (const auto& entry : c.by_length) lengths.insert(entry.first);
  }
  return {lengths.begin(), lengths.end()};
}

}  // namespace lengen
