#include "core/util/csv.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace lengen {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

std::string csv_escape(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

std::string csv_number(double x, int precision) {
  return std::isfinite(x) ? fmt::format("{:.{}f}", x, precision) : "";
}

CsvTable CsvTable::read(const std::string& path) { return parse(read_text_file(path), path); }

CsvTable CsvTable::parse(const std::string& text, const std::string& source) {
  CsvTable table;
  std::istringstream in(text);
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    auto fields = split_csv_line(line);
    if (table.columns_.empty()) {
      table.columns_ = fields;
      for (size_t i = 0; i < fields.size(); ++i) table.index_[fields[i]] = i;
      continue;
    }
    if (fields.size() != table.columns_.size()) {
      throw_bad_input(source + ":" + std::to_string(line_number),
                      "expected " + std::to_string(table.columns_.size()) + " fields, found " +
                          std::to_string(fields.size()),
                      "the table is damaged; re-run the command that wrote it");
    }
    table.rows_.push_back(std::move(fields));
  }
  if (table.columns_.empty())
    throw_bad_input(source, "empty table", "re-run the command that wrote it");
  return table;
}

bool CsvTable::has_column(const std::string& name) const { return index_.count(name) > 0; }

const std::string& CsvTable::get(size_t row, const std::string& column) const {
  static const std::string empty;
  auto it = index_.find(column);
  return it == index_.end() ? empty : rows_[row][it->second];
}

double CsvTable::number(size_t row, const std::string& column) const {
  const std::string& field = get(row, column);
  if (field.empty()) return std::numeric_limits<double>::quiet_NaN();
  try {
    return std::stod(field);
  } catch (const std::exception&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace lengen
