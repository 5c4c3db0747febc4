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

// Writes into `out_dir`: perplexity vs length per setting (log2 x, CI bands),
// per-position loss at the longest length per setting, task accuracy vs length,
// and depth x length accuracy heatmaps per task and model.
PlotReport write_plots(const std::vector<Curve>& curves, const std::vector<TaskResult>& tasks,
                       const std::string& out_dir, bool render);

}  // namespace lengen
