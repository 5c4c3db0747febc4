#include "core/util/progress.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace lengen {

namespace {
std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const auto s = static_cast<long>(seconds);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}
}  // namespace

Progress::Progress(int64_t total_cells, double total_work, bool quiet)
    : total_cells_(total_cells),
      total_work_(std::max(1.0, total_work)),
      quiet_(quiet),
      terminal_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

void Progress::start_cell(const std::string& label) {
  label_ = label;
  cell_start_ = std::chrono::steady_clock::now();
  if (terminal_) draw();
}

void Progress::advance(double work) {
  work_done_ += work;
  work_computed_ += work;
  const auto now = std::chrono::steady_clock::now();
  if (terminal_ && now - last_draw_ > std::chrono::milliseconds(200)) draw();
}

void Progress::draw() {
  if (quiet_) return;
  last_draw_ = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
  const double rate = elapsed > 0 ? work_computed_ / elapsed : 0;
  const double fraction = std::min(1.0, work_done_ / total_work_);
  const int width = 24;
  const int filled = static_cast<int>(fraction * width);
  const std::string bar = std::string(static_cast<size_t>(filled), '#') +
                          std::string(static_cast<size_t>(width - filled), '.');
  const double eta = rate > 0 ? (total_work_ - work_done_) / rate : -1;
  fmt::print(stderr, "\r\033[K[{}] {:3.0f}% cell {}/{} {:.0f} tok/s ETA {} {}", bar, 100 * fraction,
             cells_done_ + 1, total_cells_, rate, format_duration(eta), label_);
  std::fflush(stderr);
}

void Progress::finish_cell(const std::string& summary, bool skipped) {
  ++cells_done_;
  if (quiet_) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - cell_start_).count();
  if (terminal_) fmt::print(stderr, "\r\033[K");
  fmt::print(stderr, "[{}/{}] {} {} ({})\n", cells_done_, total_cells_, label_, summary,
             skipped ? "resumed" : format_duration(seconds));
  std::fflush(stderr);
}

void Progress::message(const std::string& text) {
  if (quiet_) return;
  if (terminal_) fmt::print(stderr, "\r\033[K");
  fmt::print(stderr, "{}\n", text);
}

}  // namespace lengen
