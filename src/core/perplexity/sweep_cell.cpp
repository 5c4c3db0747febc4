#include "core/perplexity/sweep_cell.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <tuple>

#include "core/perplexity/protocol.h"
#include "core/util/csv.h"
#include "core/util/error.h"
#include "core/util/json_number.h"
#include "core/util/markdown.h"

namespace lengen {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// JSON has no NaN: store null, read back NaN (core/util/json_number.h).
json number(double x) { return json_number(x); }
double number_of(const json& j) { return number_from_json(j); }

// Cells whose blocks pair up across lengths: same model, corpus, tail settings
// and segment set.
std::string tail_group(const SweepCell& c) {
  return fmt::format("{}|{}|{}|{}|{}|{}", c.model_sha256, c.corpus_sha256, c.tail_tokens,
                     c.segment_length, c.max_tokens, c.segment_hash);
}

Protocol record_protocol(const std::string& name, const std::string& source) {
  if (auto p = protocol_named(name)) return *p;
  throw_bad_input(source, "malformed cell record: unknown protocol '" + name + "'",
                  "delete the file to recompute that cell");
}

// What the cell measured: identity and settings (cell_from_json's first half).
void read_settings(const json& j, const std::string& source, SweepCell& c) {
  c.key = j.at("key").get<std::string>();
  static_cast<ModelIdentity&>(c) = read_identity(j);
  c.corpus = j.at("corpus").get<std::string>();
  c.corpus_path = j.at("corpus_path").get<std::string>();
  c.corpus_sha256 = j.at("corpus_sha256").get<std::string>();
  c.protocol = record_protocol(j.at("protocol").get<std::string>(), source);
  c.stride = integer_of<int64_t>(j.at("stride"));
  c.stride_setting = integer_of<int64_t>(j.at("stride_setting"));
  c.tail_tokens = integer_of<int64_t>(j.at("tail_tokens"));
  c.segment_length = integer_of<int64_t>(j.at("segment_length"));
  c.length = integer_of<int64_t>(j.at("length"));
  c.max_tokens = integer_of<int64_t>(j.at("max_tokens"));
  c.seed = integer_of<uint64_t>(j.at("seed"));
  // Format 2 field; absent (default) in format-1 records.
  c.remainder = j.value("remainder", std::string());
}

// What came out: status, counts, summary statistics and speed.
void read_outcome(const json& j, SweepCell& c) {
  c.status = parse_cell_status(j.at("status").get<std::string>());
  c.message = j.at("message").get<std::string>();
  c.documents = integer_of<int64_t>(j.at("documents"));
  c.documents_skipped = integer_of<int64_t>(j.at("documents_skipped"));
  c.candidate_windows = integer_of<int64_t>(j.at("candidate_windows"));
  // Format 2 fields; absent (defaults) in format-1 records.
  c.segments = integer_of<int64_t>(j.value("segments", json(0)));
  c.candidate_segments = integer_of<int64_t>(j.value("candidate_segments", json(0)));
  c.block_tokens = integer_of<int64_t>(j.value("block_tokens", json(0)));
  c.segment_hash = j.value("segment_hash", std::string());
  c.summary.windows = integer_of<int64_t>(j.at("windows"));
  c.summary.targets = integer_of<int64_t>(j.at("target_tokens"));
  c.summary.mean_nll = number_of(j.at("mean_nll"));
  c.summary.perplexity = number_of(j.at("perplexity"));
  c.summary.bits_per_byte = number_of(j.at("bits_per_byte"));
  c.summary.standard_error = number_of(j.at("stderr"));
  c.summary.nll_ci95 = {number_of(j.at("nll_ci95").at(0)), number_of(j.at("nll_ci95").at(1))};
  c.seconds = j.at("seconds").get<double>();
  c.tokens_per_second = j.at("tokens_per_second").get<double>();
  c.peak_rss_mib = j.at("peak_rss_mib").get<double>();
  c.peak_device_mib = j.value("peak_device_mib", 0.0);
}

}  // namespace

std::string to_string(CellStatus status) {
  switch (status) {
    case CellStatus::kOk:
      return "ok";
    case CellStatus::kOom:
      return "oom";
    case CellStatus::kError:
      return "error";
    case CellStatus::kUnsupported:
      return "unsupported";
  }
  return "?";
}

CellStatus parse_cell_status(const std::string& name) {
  if (name == "ok") return CellStatus::kOk;
  if (name == "oom") return CellStatus::kOom;
  if (name == "error") return CellStatus::kError;
  if (name == "unsupported") return CellStatus::kUnsupported;
  throw_bad_input("", "unknown cell status '" + name + "'");
}

bool reject_non_finite_scores(SweepCell& cell) {
  for (const BlockScore& w : cell.block_scores) {
    if (std::isfinite(w.nll_sum)) continue;
    cell.status = CellStatus::kError;
    cell.message = fmt::format(
        "non-finite NLL ({}) in block {} of document {}: the model's logits hold NaN or inf at a "
        "scored position",
        w.nll_sum, w.id, w.doc);
    cell.block_scores.clear();
    cell.positions = PositionCurve{};
    cell.summary = summarize({}, cell.seed);
    return true;
  }
  return false;
}

std::string cell_to_json(const SweepCell& c) {
  json positions = json::array();
  for (int b = 0; b < c.positions.buckets(); ++b) {
    positions.push_back({c.positions.count(b), c.positions.nll_sum(b)});
  }
  json blocks = json::array();
  for (const auto& w : c.block_scores)
    blocks.push_back({w.id, w.doc, w.nll_sum, w.targets, w.bytes});
  const CellSummary& s = c.summary;
  json j = {
      {"kind", "sweep"},
      {"format", 2},
      {"key", c.key},
      {"corpus", c.corpus},
      {"corpus_path", c.corpus_path},
      {"corpus_sha256", c.corpus_sha256},
      {"protocol", to_string(c.protocol)},
      {"stride", c.stride},
      {"stride_setting", c.stride_setting},
      {"tail_tokens", c.tail_tokens},
      {"segment_length", c.segment_length},
      {"remainder", c.remainder},
      {"length", c.length},
      {"max_tokens", c.max_tokens},
      {"seed", c.seed},
      {"status", to_string(c.status)},
      {"message", c.message},
      {"documents", c.documents},
      {"documents_skipped", c.documents_skipped},
      {"candidate_windows", c.candidate_windows},
      {"segments", c.segments},
      {"candidate_segments", c.candidate_segments},
      {"block_tokens", c.block_tokens},
      {"segment_hash", c.segment_hash},
      {"windows", s.windows},
      {"blocks", s.blocks},
      {"target_tokens", s.targets},
      {"mean_nll", number(s.mean_nll)},
      {"perplexity", number(s.perplexity)},
      {"bits_per_byte", number(s.bits_per_byte)},
      {"stderr", number(s.standard_error)},
      {"nll_ci95", {number(s.nll_ci95.low), number(s.nll_ci95.high)}},
      {"seconds", c.seconds},
      {"tokens_per_second", c.tokens_per_second},
      {"peak_rss_mib", c.peak_rss_mib},
      {"peak_device_mib", c.peak_device_mib},
      {"positions", positions},
      {"block_scores", blocks},
  };
  write_identity(j, c);
  return j.dump(1) + "\n";
}

SweepCell cell_from_json(const std::string& text, const std::string& source) {
  SweepCell c;
  try {
    const json j = json::parse(text);
    read_settings(j, source, c);
    read_outcome(j, c);
    const auto& positions = j.at("positions");
    // Bucket b covers positions below 2^b (int64): more than 63 buckets cannot
    // come from any window (found by fuzz/cell_record_fuzzer.cpp).
    if (positions.size() > 63) {
      throw_bad_input(source, "malformed cell record: " + std::to_string(positions.size()) +
                                  " position buckets (at most 63)");
    }
    for (size_t b = 0; b < positions.size(); ++b) {
      c.positions.set(static_cast<int>(b), integer_of<int64_t>(positions[b].at(0)),
                      positions[b].at(1).get<double>());
    }
    const json& blocks = j.contains("block_scores") ? j.at("block_scores") : j.at("window_scores");
    for (const auto& w : blocks) {
      c.block_scores.push_back(BlockScore{integer_of<int64_t>(w.at(0)),
                                          integer_of<uint32_t>(w.at(1)), w.at(2).get<double>(),
                                          integer_of<int64_t>(w.at(3)), w.at(4).get<double>()});
    }
    c.summary.blocks = j.value("blocks", static_cast<int64_t>(c.block_scores.size()));
  } catch (const json::exception& e) {
    throw_bad_input(source, std::string("malformed cell record: ") + e.what(),
                    "delete the file to recompute that cell");
  } catch (const std::out_of_range& e) {
    throw_bad_input(source, std::string("malformed cell record: ") + e.what(),
                    "delete the file to recompute that cell");
  }
  return c;
}

void sort_cells(std::vector<SweepCell>& cells) {
  std::stable_sort(cells.begin(), cells.end(), [](const SweepCell& a, const SweepCell& b) {
    return std::tie(a.corpus, a.protocol, a.stride_setting, a.tail_tokens, a.model, a.length) <
           std::tie(b.corpus, b.protocol, b.stride_setting, b.tail_tokens, b.model, b.length);
  });
}

std::string render_ppl_csv(const std::vector<SweepCell>& cells) {
  // Shortest ok length per tail group: the reference for the context gain.
  std::map<std::string, const SweepCell*> shortest;
  for (const auto& c : cells) {
    if (c.protocol != Protocol::kTail || c.status != CellStatus::kOk) continue;
    auto& best = shortest[tail_group(c)];
    if (best == nullptr || c.length < best->length) best = &c;
  }
  std::string out =
      "model,position_encoding,train_length,corpus,protocol,stride,tail_tokens,length,status,"
      "windows,documents,documents_skipped,target_tokens,mean_nll,perplexity,bits_per_byte,"
      "stderr,nll_ci95_low,nll_ci95_high,ppl_ci95_low,ppl_ci95_high,context_gain,"
      "context_gain_ci95_low,context_gain_ci95_high,blocks,block_tokens,segment_length,segments,"
      "remainder,segment_hash,max_tokens,model_sha256,corpus_sha256,cell_key,message\n";
  for (const auto& c : cells) {
    const CellSummary& s = c.summary;
    PairedDifference gain{0, kNaN, {kNaN, kNaN}};
    if (c.protocol == Protocol::kTail && c.status == CellStatus::kOk) {
      const SweepCell* reference = shortest[tail_group(c)];
      gain = paired_difference(reference->block_scores, c.block_scores, c.seed);
    }
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},"
        "{},"
        "{},{},{},{}\n",
        csv_escape(c.model), csv_escape(c.position_encoding), c.train_length, csv_escape(c.corpus),
        to_string(c.protocol), c.stride, c.tail_tokens, c.length, to_string(c.status), s.windows,
        c.documents, c.documents_skipped, s.targets, csv_number(s.mean_nll, 8),
        csv_number(s.perplexity, 6), csv_number(s.bits_per_byte, 8),
        csv_number(s.standard_error, 8), csv_number(s.nll_ci95.low, 8),
        csv_number(s.nll_ci95.high, 8), csv_number(std::exp(s.nll_ci95.low), 6),
        csv_number(std::exp(s.nll_ci95.high), 6), csv_number(gain.difference, 8),
        csv_number(gain.ci95.low, 8), csv_number(gain.ci95.high, 8), s.blocks, c.block_tokens,
        c.segment_length, c.segments, c.remainder, c.segment_hash, c.max_tokens, c.model_sha256,
        c.corpus_sha256, c.key, csv_escape(c.message));
  }
  return out;
}

std::string render_perf_csv(const std::vector<SweepCell>& cells) {
  std::string out =
      "model,corpus,protocol,stride,tail_tokens,length,status,seconds,tokens_per_second,peak_rss_"
      "mib,device,dtype,peak_device_mib,cell_key\n";
  for (const auto& c : cells) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_escape(c.model),
                       csv_escape(c.corpus), to_string(c.protocol), c.stride, c.tail_tokens,
                       c.length, to_string(c.status), csv_number(c.seconds, 3),
                       csv_number(c.tokens_per_second, 1), csv_number(c.peak_rss_mib, 1), c.device,
                       c.dtype, csv_number(c.peak_device_mib, 1), c.key);
  }
  return out;
}

std::string render_positions_csv(const std::vector<SweepCell>& cells) {
  std::string out =
      "model,corpus,protocol,stride,tail_tokens,length,bucket_low,bucket_high,tokens,mean_nll,cell_"
      "key\n";
  for (const auto& c : cells) {
    for (int b = 0; b < c.positions.buckets(); ++b) {
      const int64_t n = c.positions.count(b);
      if (n == 0) continue;
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_escape(c.model),
                         csv_escape(c.corpus), to_string(c.protocol), c.stride, c.tail_tokens,
                         c.length, PositionCurve::bucket_low(b), PositionCurve::bucket_high(b), n,
                         csv_number(c.positions.nll_sum(b) / static_cast<double>(n), 8), c.key);
    }
  }
  return out;
}

std::string render_markdown_summary(const std::vector<SweepCell>& cells) {
  // table -> (model -> (length -> text)), keeping first-seen model order.
  struct Table {
    std::vector<std::string> models;
    std::map<std::string, std::string> encodings;
    std::set<int64_t> lengths;
    std::map<std::pair<std::string, int64_t>, std::string> values;
  };
  std::vector<std::string> order;
  std::map<std::string, Table> tables;
  for (const auto& c : cells) {
    const std::string title =
        c.corpus + " · " +
        describe_protocol(c.protocol, c.stride_setting, c.tail_tokens, c.remainder);
    if (!tables.count(title)) order.push_back(title);
    Table& t = tables[title];
    if (!t.encodings.count(c.model)) t.models.push_back(c.model);
    t.encodings[c.model] = c.position_encoding;
    t.lengths.insert(c.length);
    t.values[{c.model, c.length}] = c.status == CellStatus::kOk
                                        ? fmt::format("{:.2f}", c.summary.perplexity)
                                        : to_string(c.status);
  }
  std::string out;
  for (const auto& title : order) {
    const Table& t = tables[title];
    out += fmt::format("\nPerplexity — {}\n\n", title);
    out += markdown_header({"model", "encoding"}, length_titles(t.lengths));
    for (const auto& model : t.models) {
      out += fmt::format("| {} | {} |", model, t.encodings.at(model));
      for (int64_t length : t.lengths) {
        auto it = t.values.find({model, length});
        out += fmt::format(" {} |", it == t.values.end() ? "" : it->second);
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace lengen
