#include "core/util/process_stats.h"

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>

namespace lengen {

namespace {
std::atomic<bool> g_interrupted{false};

// Async-signal-safe: only write(2), alarm(2) and _exit(2).
extern "C" void on_forced_exit(int) {
  static const char kMessage[] =
      "lengen: interrupted during a forward that cannot be stopped; exiting now (files written "
      "so far are valid; re-run the same command to resume)\n";
  ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  (void)ignored;
  ::_exit(130);
}

extern "C" void on_signal(int) {
  if (g_interrupted.exchange(true)) on_forced_exit(0);  // second signal
  ::alarm(kInterruptGraceSeconds);
}

void handle(int signal, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(signal, &action, nullptr);
}
}  // namespace

void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  if (clear) clear << "5";
}

double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  }
  return 0;
}

void install_interrupt_handler() {
  handle(SIGINT, on_signal);
  handle(SIGTERM, on_signal);
  handle(SIGALRM, on_forced_exit);
}

bool interrupted() { return g_interrupted.load(); }
void clear_interrupt() {
  ::alarm(0);
  g_interrupted.store(false);
}

}  // namespace lengen
