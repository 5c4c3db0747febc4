#include "core/report/baseline.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/run/cell_plan.h"
#include "core/util/error.h"
#include "core/util/json_number.h"

namespace lengen {

using nlohmann::json;

namespace {

std::string settings_hash(const SweepCell& c) {
  return cell_key({to_string(c.protocol), std::to_string(c.stride), std::to_string(c.tail_tokens),
                   std::to_string(c.segment_length), std::to_string(c.max_tokens)});
}

bool same_row(const BaselineRow& r, const SweepCell& c) {
  return r.model == c.model && r.corpus == c.corpus && r.protocol == c.protocol &&
         r.stride == c.stride && r.tail_tokens == c.tail_tokens && r.length == c.length;
}

std::string row_label(const BaselineRow& r) {
  std::string label = fmt::format("{} / {} / {}", r.model, r.corpus, to_string(r.protocol));
  if (r.stride > 0) label += fmt::format(" S={}", r.stride);
  if (r.tail_tokens > 0) label += fmt::format(" K={}", r.tail_tokens);
  return label + fmt::format(" / T={}", r.length);
}

const char* kRegenerateHint = "regenerate it with `lengen baseline --run DIR --out FILE`";

// A band is a relative tolerance: finite and >= 0 (a negative band fails everything).
void require_band(double band, const std::string& source, const std::string& what) {
  if (!std::isfinite(band) || band < 0) {
    throw_bad_input(source, fmt::format("{} is {}; a band must be finite and >= 0", what, band),
                    kRegenerateHint);
  }
}

}  // namespace

Baseline baseline_from_cells(const std::vector<SweepCell>& cells, double default_tolerance,
                             const std::string& source_run, const Baseline* previous) {
  Baseline out;
  out.default_tolerance = previous != nullptr ? previous->default_tolerance : default_tolerance;
  out.source_run = source_run;
  for (const auto& c : cells) {
    if (c.status != CellStatus::kOk) continue;
    BaselineRow row{c.model,         c.corpus,        c.protocol,           c.stride,
                    c.tail_tokens,   c.length,        c.summary.perplexity, std::nullopt,
                    c.corpus_sha256, settings_hash(c)};
    if (previous != nullptr) {
      for (const auto& old : previous->rows) {
        if (same_row(old, c)) row.tolerance = old.tolerance;
      }
    }
    out.rows.push_back(row);
  }
  return out;
}

std::string baseline_to_json(const Baseline& b) {
  json rows = json::array();
  for (const auto& r : b.rows) {
    json row = {{"model", r.model},
                {"corpus", r.corpus},
                {"protocol", to_string(r.protocol)},
                {"stride", r.stride},
                {"tail_tokens", r.tail_tokens},
                {"length", r.length},
                {"perplexity", r.perplexity},
                {"corpus_sha256", r.corpus_sha256},
                {"settings_hash", r.settings_hash}};
    if (r.tolerance) row["tolerance"] = *r.tolerance;
    rows.push_back(row);
  }
  json j = {{"kind", "lengen-baseline"},
            {"version", 1},
            {"default_tolerance", b.default_tolerance},
            {"source_run", b.source_run},
            {"rows", rows}};
  return j.dump(2) + "\n";
}

Baseline baseline_from_json(const std::string& text, const std::string& source) {
  Baseline b;
  try {
    const json j = json::parse(text);
    if (j.value("kind", "") != "lengen-baseline") {
      throw_bad_input(source, "not a lengen baseline file",
                      "write one with `lengen baseline --run DIR --out FILE`");
    }
    b.default_tolerance = j.at("default_tolerance").get<double>();
    require_band(b.default_tolerance, source, "default_tolerance");
    b.source_run = j.value("source_run", "");
    for (const auto& r : j.at("rows")) {
      BaselineRow row;
      row.model = r.at("model").get<std::string>();
      row.corpus = r.at("corpus").get<std::string>();
      const std::string protocol = r.at("protocol").get<std::string>();
      if (!protocol_named(protocol)) {
        throw_bad_input(source, "unknown protocol '" + protocol + "' in a baseline row",
                        "use chunks, sliding or tail, or rewrite the file with `lengen baseline`");
      }
      row.protocol = *protocol_named(protocol);
      row.stride = integer_of<int64_t>(r.at("stride"));
      row.tail_tokens = integer_of<int64_t>(r.at("tail_tokens"));
      row.length = integer_of<int64_t>(r.at("length"));
      row.perplexity = r.at("perplexity").get<double>();
      row.corpus_sha256 = r.at("corpus_sha256").get<std::string>();
      row.settings_hash = r.at("settings_hash").get<std::string>();
      if (r.contains("tolerance")) {
        row.tolerance = r.at("tolerance").get<double>();
        require_band(*row.tolerance, source, "tolerance of row " + row_label(row));
      }
      if (!std::isfinite(row.perplexity) || row.perplexity < 1) {
        throw_bad_input(source,
                        fmt::format("perplexity {} of row {} is not a perplexity (finite, >= 1)",
                                    row.perplexity, row_label(row)),
                        kRegenerateHint);
      }
      b.rows.push_back(row);
    }
    if (b.rows.empty()) {
      // An empty baseline would let every run pass while checking nothing.
      throw_bad_input(source, "baseline has no rows, so a check would test nothing",
                      "write it from a finished sweep: `lengen baseline --run DIR --out FILE`");
    }
  } catch (const json::exception& e) {
    throw_bad_input(source, std::string("malformed baseline: ") + e.what(), kRegenerateHint);
  } catch (const std::out_of_range& e) {
    throw_bad_input(source, std::string("malformed baseline: ") + e.what(), kRegenerateHint);
  }
  return b;
}

CheckReport check_run(const Baseline& baseline, const std::vector<SweepCell>& cells,
                      std::optional<double> tolerance_override) {
  CheckReport report;
  for (const auto& expected : baseline.rows) {
    const SweepCell* match = nullptr;
    for (const auto& c : cells) {
      if (same_row(expected, c)) match = &c;
    }
    if (match == nullptr) {
      report.incomparable.push_back(row_label(expected) + ": no such cell in the run");
      continue;
    }
    if (match->corpus_sha256 != expected.corpus_sha256) {
      report.incomparable.push_back(
          row_label(expected) + ": different corpus or tokenizer (cache sha256 " +
          match->corpus_sha256.substr(0, 12) + " vs " + expected.corpus_sha256.substr(0, 12) + ")");
      continue;
    }
    if (settings_hash(*match) != expected.settings_hash) {
      report.incomparable.push_back(row_label(expected) +
                                    ": different protocol settings (segment or token budget)");
      continue;
    }
    CheckRow row;
    row.expected = expected;
    row.band = tolerance_override.value_or(expected.tolerance.value_or(baseline.default_tolerance));
    if (match->status != CellStatus::kOk) {
      row.current = std::numeric_limits<double>::quiet_NaN();
      row.change = row.current;
      row.verdict = CheckVerdict::kFailed;
    } else {
      row.current = match->summary.perplexity;
      row.change = row.current / expected.perplexity - 1.0;
      row.verdict = row.change > row.band    ? CheckVerdict::kRegressed
                    : row.change < -row.band ? CheckVerdict::kImproved
                                             : CheckVerdict::kPass;
    }
    if (row.verdict == CheckVerdict::kRegressed || row.verdict == CheckVerdict::kFailed)
      ++report.regressions;
    report.rows.push_back(row);
  }
  return report;
}

std::string render_check_markdown(const CheckReport& report) {
  std::string out =
      "| cell | baseline ppl | current ppl | change | band | verdict "
      "|\n|---|---:|---:|---:|---:|---|\n";
  for (const auto& r : report.rows) {
    const char* verdict = r.verdict == CheckVerdict::kPass        ? "ok"
                          : r.verdict == CheckVerdict::kImproved  ? "improved (update the baseline)"
                          : r.verdict == CheckVerdict::kRegressed ? "**REGRESSION**"
                                                                  : "**FAILED** (cell did not run)";
    out += fmt::format("| {} | {:.4f} | {} | {} | ±{:.1f}% | {} |\n", row_label(r.expected),
                       r.expected.perplexity,
                       std::isfinite(r.current) ? fmt::format("{:.4f}", r.current) : "-",
                       std::isfinite(r.change) ? fmt::format("{:+.2f}%", 100 * r.change) : "-",
                       100 * r.band, verdict);
  }
  for (const auto& why : report.incomparable) out += "\nnot comparable: " + why + "\n";
  return out;
}

}  // namespace lengen
