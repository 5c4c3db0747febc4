// Reading the CSV tables lengen writes (RFC 4180 quoting), as rows of named
// fields. Used by compare/check to read ppl.csv and tasks.csv of earlier runs.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace lengen {

class CsvTable {
 public:
  // Throws lengen::Error (bad input) naming `path` when it is missing or ragged.
  static CsvTable read(const std::string& path);
  static CsvTable parse(const std::string& text, const std::string& source);

  const std::vector<std::string>& columns() const { return columns_; }
  size_t rows() const { return rows_.size(); }
  bool has_column(const std::string& name) const;
  // "" when the column is absent.
  const std::string& get(size_t row, const std::string& column) const;
  // NaN for an empty or absent field.
  double number(size_t row, const std::string& column) const;

 private:
  std::vector<std::string> columns_;
  std::map<std::string, size_t> index_;
  std::vector<std::vector<std::string>> rows_;
};

std::vector<std::string> split_csv_line(const std::string& line);
std::string csv_escape(const std::string& field);
// A number with `precision` decimals; "" (an empty field) when not finite.
std::string csv_number(double x, int precision);

}  // namespace lengen
