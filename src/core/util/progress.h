// Progress reporting for long runs: a one-line bar with ETA and tokens/s on
// stderr when it is a terminal, plain log lines otherwise, nothing when quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace lengen {

class Progress {
 public:
  Progress(int64_t total_cells, double total_work, bool quiet);

  void start_cell(const std::string& label);
  // `work` units (tokens) finished inside the current cell.
  void advance(double work);
  // `summary` is appended to the log line (e.g. "ppl 23.1").
  void finish_cell(const std::string& summary, bool skipped = false);
  void message(const std::string& text);

 private:
  void draw();

  int64_t total_cells_;
  int64_t cells_done_ = 0;
  double total_work_;
  double work_done_ = 0;
  double work_computed_ = 0;  // excludes resumed cells, for the rate
  bool quiet_;
  bool terminal_;
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point cell_start_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace lengen
