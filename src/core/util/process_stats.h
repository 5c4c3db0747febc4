// Process memory and interrupt state for long runs.
#pragma once

#include <atomic>

namespace lengen {

// Resets the kernel's peak-RSS counter (VmHWM) so the next reading covers one
// evaluation cell only; silently does nothing where /proc does not allow it.
void reset_peak_rss();
// Peak resident set size since the last reset, in MiB (0 when unknown).
double peak_rss_mib();

// SIGINT/SIGTERM set a flag instead of killing the process, so long runs stop
// between batches (forwards) with every written file intact. A forward inside
// LibTorch cannot be interrupted, so the wait is bounded: a second signal, or
// kInterruptGraceSeconds after the first, ends the process at once with exit
// 130 (_exit, from the handler). That is safe because every result file is
// written to a temporary and renamed; a temporary left behind is removed when
// the run directory is next opened.
constexpr unsigned kInterruptGraceSeconds = 3;
void install_interrupt_handler();
bool interrupted();
void clear_interrupt();  // for tests; also cancels the grace timer

}  // namespace lengen
