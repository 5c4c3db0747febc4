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
// between batches with every written file intact.
void install_interrupt_handler();
bool interrupted();
void clear_interrupt();  // for tests

}  // namespace lengen
