#include "core/report/comparison_tables.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/util/csv.h"
#include "core/util/markdown.h"

namespace lengen {

namespace {

std::string number(double x, int precision) {
  return std::isfinite(x) ? fmt::format("{:.{}f}", x, precision) : "";
}

std::string cell_text(const SweepCell* cell) {
  if (cell == nullptr) return "";
  return cell->status == CellStatus::kOk ? fmt::format("{:.2f}", cell->summary.perplexity)
                                         : to_string(cell->status);
}

// "| model | 512 | 1024 | ... |" and its alignment row (lengths right-aligned).
template <typename Lengths>
std::string length_header(const Lengths& lengths) {
  return markdown_header({"model"}, length_titles(lengths));
}

std::string effective_length_text(const EffectiveLength& e) {
  if (e.length == 0) return " n/a |\n";
  return fmt::format(" {} ({:g}×) [{}, {}] |\n", e.length, e.ratio, e.length_point,
                     e.length_optimistic);
}

// "Not comparable across lengths" notes under a table, one per curve.
std::string comparability_notes(const std::vector<const Curve*>& rows) {
  std::string out;
  for (const Curve* c : rows) {
    const std::string note = comparability_note(*c);
    if (!note.empty()) out += fmt::format("\n- ⚠ {}: {}; no effective length.", c->model, note);
  }
  return out.empty() ? out : out + "\n";
}

// Settings in first-seen order.
std::vector<std::string> settings_of(const std::vector<Curve>& curves) {
  std::vector<std::string> out;
  for (const auto& c : curves) {
    if (std::find(out.begin(), out.end(), c.setting()) == out.end()) out.push_back(c.setting());
  }
  return out;
}

std::string perplexity_tables(const std::vector<Curve>& curves,
                              const ComparisonSettings& settings) {
  const std::vector<int64_t> lengths = all_lengths(curves);
  std::string out;
  for (const auto& setting : settings_of(curves)) {
    std::vector<const Curve*> rows;
    for (const auto& c : curves) {
      if (c.setting() == setting) rows.push_back(&c);
    }
    // Best (lowest) perplexity per length within this setting.
    std::map<int64_t, double> best;
    for (int64_t length : lengths) {
      double b = INFINITY;
      for (const Curve* c : rows) {
        auto it = c->by_length.find(length);
        if (it != c->by_length.end() && it->second->status == CellStatus::kOk) {
          b = std::min(b, it->second->summary.perplexity);
        }
      }
      best[length] = b;
    }
    out += fmt::format(
        "\n### Perplexity — {}\n\nLower is better; **bold** = best per length. "
        "Effective length: the longest length L such that, at every length from the "
        "training length to L, the upper end of the 95% CI of the paired ΔNLL against "
        "the training length stays below ln(1 + {:.2f}) (perplexity within {:.0f}%); "
        "in brackets the same rule on the point estimate and on the CI's lower end.\n\n",
        setting, settings.tolerance, 100 * settings.tolerance);
    std::vector<std::string> columns = length_titles(lengths);
    columns.push_back("effective length");
    out += markdown_header({"model", "encoding"}, columns);
    for (const Curve* c : rows) {
      out += fmt::format("| {} | {} |", c->model, c->position_encoding);
      for (int64_t length : lengths) {
        auto it = c->by_length.find(length);
        const SweepCell* cell = it == c->by_length.end() ? nullptr : it->second;
        std::string text = cell_text(cell);
        if (cell != nullptr && cell->status == CellStatus::kOk &&
            cell->summary.perplexity == best[length]) {
          text = "**" + text + "**";
        }
        out += " " + text + " |";
      }
      out += effective_length_text(effective_length(*c, settings.tolerance, settings.seed));
    }
    out += comparability_notes(rows);
  }
  return out;
}

std::string paired_tables(const std::vector<Curve>& curves, const std::vector<PairedRow>& paired,
                          const ComparisonSettings& settings) {
  if (paired.empty()) return "";
  const std::vector<int64_t> lengths = all_lengths(curves);
  std::string out;
  for (const auto& setting : settings_of(curves)) {
    std::map<std::string, std::map<int64_t, const PairedRow*>> table;
    std::vector<std::string> models;
    for (const auto& row : paired) {
      if (row.curve->setting() != setting) continue;
      if (!table.count(row.curve->model)) models.push_back(row.curve->model);
      table[row.curve->model][row.length] = &row;
    }
    if (models.empty()) continue;
    out += fmt::format(
        "\n### ΔNLL vs {} — {}\n\nMean NLL (nats/token) minus {}'s on identical "
        "blocks (same segments), paired block-bootstrap 95% CI. Negative = better than "
        "{}; an interval excluding 0 is marked ✓.\n\n",
        settings.baseline_model, setting, settings.baseline_model, settings.baseline_model);
    out += length_header(lengths);
    for (const auto& model : models) {
      out += "| " + model + " |";
      for (int64_t length : lengths) {
        auto it = table[model].find(length);
        if (it == table[model].end()) {
          out += " |";
          continue;
        }
        const PairedDifference& d = it->second->difference;
        const bool clear = d.ci95.low > 0 || d.ci95.high < 0;
        out += fmt::format(" {:+.3f} [{}, {}]{} |", d.difference, number(d.ci95.low, 3),
                           number(d.ci95.high, 3), clear ? " ✓" : "");
      }
      out += "\n";
    }
  }
  return out;
}

std::string context_gain_tables(const std::vector<Curve>& curves) {
  std::string out;
  const std::vector<int64_t> lengths = all_lengths(curves);
  for (const auto& c : curves) {
    if (c.protocol != Protocol::kTail || c.by_length.empty()) continue;
    const SweepCell* shortest = c.by_length.begin()->second;
    if (shortest->status != CellStatus::kOk) continue;
    if (out.empty()) {
      out += fmt::format(
          "\n### Context gain — {}\n\nMean NLL of the same final targets at the "
          "shortest length minus at T (nats/token), paired bootstrap 95% CI: "
          "positive = the model uses the longer context.\n\n",
          c.setting());
      out += length_header(lengths);
    }
    out += "| " + c.model + " |";
    for (int64_t length : lengths) {
      auto it = c.by_length.find(length);
      if (it == c.by_length.end() || it->second->status != CellStatus::kOk) {
        out += " |";
        continue;
      }
      const PairedDifference d =
          paired_difference(shortest->block_scores, it->second->block_scores, it->second->seed);
      out += fmt::format(" {:+.3f} [{}, {}] |", d.difference, number(d.ci95.low, 3),
                         number(d.ci95.high, 3));
    }
    out += "\n";
  }
  return out;
}

std::string task_tables(const std::vector<TaskResult>& tasks) {
  const auto pooled = pool_task_accuracy(tasks);
  if (pooled.empty()) return "";
  std::set<int64_t> lengths;
  std::vector<std::string> task_names;
  for (const auto& p : pooled) {
    lengths.insert(p.length);
    if (std::find(task_names.begin(), task_names.end(), p.task) == task_names.end())
      task_names.push_back(p.task);
  }
  std::string out;
  for (const auto& task : task_names) {
    double chance = 0;
    std::vector<std::string> models;
    std::map<std::pair<std::string, int64_t>, const PooledAccuracy*> value;
    for (const auto& p : pooled) {
      if (p.task != task) continue;
      if (std::find(models.begin(), models.end(), p.model) == models.end())
        models.push_back(p.model);
      value[{p.model, p.length}] = &p;
      if (std::isfinite(p.chance)) chance = p.chance;
    }
    out += fmt::format(
        "\n### Task scores — {} (pooled over depths)\n\nacc = ranking accuracy "
        "(chance {:.2f}); EM = greedy exact match; cells over their budget score the "
        "gold answer only (EM, no ranking).\n\n",
        task, chance);
    out += length_header(lengths);
    for (const auto& model : models) {
      out += "| " + model + " |";
      for (int64_t length : lengths) {
        auto it = value.find({model, length});
        if (it == value.end()) {
          out += " |";
          continue;
        }
        const PooledAccuracy& p = *it->second;
        out += std::isfinite(p.accuracy)
                   ? fmt::format(" acc {:.2f} · EM {:.2f} (n={}) |", p.accuracy, p.exact_match, p.n)
                   : fmt::format(" EM {:.2f} (n={}) |", p.exact_match, p.n);
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace

std::vector<PooledAccuracy> pool_task_accuracy(const std::vector<TaskResult>& tasks) {
  std::vector<PooledAccuracy> out;
  for (const auto& t : tasks) {
    if (t.status != "ok" || t.n == 0) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const PooledAccuracy& p) {
      return p.task == t.task && p.model == t.model && p.length == t.length;
    });
    if (it == out.end()) {
      out.push_back({t.task, t.model, t.position_encoding, t.length, 0, 0, 0, 0, std::nan("")});
      it = out.end() - 1;
    }
    if (std::isfinite(t.exact_match)) {
      it->exact_match =
          (it->exact_match * double(it->n) + t.exact_match * double(t.n)) / double(it->n + t.n);
      it->n += t.n;
    }
    if (std::isfinite(t.accuracy)) {
      it->accuracy = (it->accuracy * double(it->n_ranked) + t.accuracy * double(t.n)) /
                     double(it->n_ranked + t.n);
      it->n_ranked += t.n;
      it->chance = t.chance;
    }
  }
  for (auto& p : out) {
    if (p.n_ranked == 0) p.accuracy = std::nan("");
  }
  return out;
}

std::string render_comparison_csv(const std::vector<Curve>& curves,
                                  const ComparisonSettings& settings) {
  const std::vector<int64_t> lengths = all_lengths(curves);
  std::string out = "model,position_encoding,train_length,corpus,protocol,stride,tail_tokens";
  for (int64_t length : lengths) out += fmt::format(",ppl_{}", length);
  out +=
      ",effective_length,extrapolation_ratio,effective_length_point,effective_length_optimistic\n";
  for (const auto& c : curves) {
    out += fmt::format("{},{},{},{},{},{},{}", csv_escape(c.model), csv_escape(c.position_encoding),
                       c.train_length, csv_escape(c.corpus), to_string(c.protocol),
                       c.stride_setting, c.tail_tokens);
    for (int64_t length : lengths) {
      auto it = c.by_length.find(length);
      const SweepCell* cell = it == c.by_length.end() ? nullptr : it->second;
      out += "," + (cell != nullptr && cell->status == CellStatus::kOk
                        ? number(cell->summary.perplexity, 6)
                        : cell_text(cell));
    }
    const EffectiveLength e = effective_length(c, settings.tolerance, settings.seed);
    out += e.length > 0 ? fmt::format(",{},{:.4f},{},{}\n", e.length, e.ratio, e.length_point,
                                      e.length_optimistic)
                        : ",,,\n";
  }
  return out;
}

std::string render_paired_csv(const std::vector<PairedRow>& rows) {
  std::string out =
      "model,baseline,corpus,protocol,stride,tail_tokens,length,pairs,delta_nll,delta_ci95_low,"
      "delta_ci95_high\n";
  for (const auto& r : rows) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_escape(r.curve->model),
                       csv_escape(r.baseline->model), csv_escape(r.curve->corpus),
                       to_string(r.curve->protocol), r.curve->stride_setting, r.curve->tail_tokens,
                       r.length, r.difference.pairs, number(r.difference.difference, 8),
                       number(r.difference.ci95.low, 8), number(r.difference.ci95.high, 8));
  }
  return out;
}

std::string render_comparison_markdown(const std::vector<Curve>& curves,
                                       const std::vector<PairedRow>& paired,
                                       const std::vector<TaskResult>& tasks,
                                       const ComparisonSettings& settings) {
  return perplexity_tables(curves, settings) + paired_tables(curves, paired, settings) +
         context_gain_tables(curves) + task_tables(tasks);
}

}  // namespace lengen
