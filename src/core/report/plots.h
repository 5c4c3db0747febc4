// Figures for `lengen compare`, drawn with gnuplot. Each figure is a .gp
// script plus .dat files kept next to its .svg and .png, so users can restyle
// it and re-run `gnuplot name.gp`. When gnuplot is missing the scripts and
// data are still written and the images are skipped with a note.
#pragma once

#include <string>
#include <vector>

#include "core/report/comparison.h"

namespace lengen {

struct PlotReport {
  std::vector<std::string> images;  // written .png/.svg paths
  std::string note;                 // e.g. "gnuplot not found: images skipped"
};

bool gnuplot_available();

// Writes into `out_dir`, per corpus x protocol setting: perplexity vs length
// (log2 x, 95% CI bands), paired ΔNLL vs the baseline model with CI bands (when
// `paired` has rows for it), per-position loss at the longest length averaged
// over all windows; then task accuracy vs length and depth x length heatmaps.
// Every model keeps one colour/dash/point style across figures; a y range is
// clipped (with a note naming the series) when one series would flatten the rest.
PlotReport write_plots(const std::vector<Curve>& curves, const std::vector<PairedRow>& paired,
                       const std::vector<TaskResult>& tasks, const std::string& out_dir,
                       bool render);

}  // namespace lengen
