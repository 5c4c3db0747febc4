#include "core/report/plots.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "core/report/comparison_tables.h"
#include "core/util/atomic_file.h"

namespace lengen {

namespace {

// File-name-safe version of a label.
std::string slug(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_') {
      out += static_cast<char>(c);
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' ? '\'' : c);
  return out + "\"";
}

// The terminal blocks shared by every script: one SVG and one PNG per figure.
std::string render_both(const std::string& name, const std::string& plot) {
  return fmt::format(
      "set terminal svg size 900,560 dynamic noenhanced font 'Sans,12'\nset output '{0}.svg'\n{1}\n"
      "set terminal pngcairo size 1100,680 noenhanced font 'Sans,11'\nset output '{0}.png'\n{1}\n"
      "unset output\n",
      name, plot);
}

// "plot a, \\\n     b, ..." from one clause per series.
std::string plot_command(const std::vector<std::string>& series) {
  std::string plot = "plot " + series.front();
  for (size_t i = 1; i < series.size(); ++i) plot += ", \\\n     " + series[i];
  return plot;
}

struct Figure {
  std::string name;
  std::string script;
};

// One style per model, the same in every figure: 8 colours (Okabe-Ito plus
// black, distinguishable with the common colour-vision deficiencies), and a
// new dash pattern after every 8 models, so no two series share colour and
// dash. Point types differ too, for greyscale prints.
class SeriesStyles {
 public:
  SeriesStyles(const std::vector<Curve>& curves, const std::vector<TaskResult>& tasks) {
    for (const auto& c : curves) add(c.model);
    for (const auto& t : tasks) add(t.model);
  }
  // "lc rgb '#0072b2' dt 1 pt 7"
  std::string of(const std::string& model) const {
    static const char* kColours[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                     "#e69f00", "#56b4e9", "#000000", "#b8860b"};
    static const int kPoints[] = {7, 5, 9, 11, 13, 15, 4, 6, 8, 10, 12, 14};
    const auto it = std::find(models_.begin(), models_.end(), model);
    const auto i = static_cast<size_t>(it - models_.begin());
    return fmt::format("lc rgb '{}' dt {} pt {}", kColours[i % 8], 1 + (i / 8) % 5,
                       kPoints[i % 12]);
  }
  std::string colour(const std::string& model) const {
    const std::string style = of(model);
    return style.substr(0, style.find(" dt"));
  }

 private:
  void add(const std::string& model) {
    if (std::find(models_.begin(), models_.end(), model) == models_.end()) models_.push_back(model);
  }
  std::vector<std::string> models_;
};

// A y ceiling that one diverging series cannot dictate, from the median m of
// the series' maxima: 2m for perplexity (log scale: a factor of two), and
// max(2m, 0.1) for a ΔNLL. NaN ceiling when no series exceeds it; otherwise
// `note` names the clipped series.
struct Clip {
  double ceiling = std::nan("");
  std::string note;
};
Clip clip_for(const std::vector<std::pair<std::string, double>>& series_max, bool perplexity) {
  Clip clip;
  std::vector<double> maxima;
  for (const auto& entry : series_max) {
    if (std::isfinite(entry.second)) maxima.push_back(entry.second);
  }
  if (maxima.size() < 3) return clip;  // a median of one or two is the data itself
  std::sort(maxima.begin(), maxima.end());
  const double median = maxima[maxima.size() / 2];
  const double ceiling = perplexity ? 2.0 * median : std::max(2.0 * median, 0.1);
  std::string clipped;
  for (const auto& [name, value] : series_max) {
    if (std::isfinite(value) && value > ceiling)
      clipped += fmt::format("{}{} (max {:.3g})", clipped.empty() ? "" : ", ", name, value);
  }
  if (clipped.empty()) return clip;
  clip.ceiling = ceiling;
  clip.note = fmt::format("y clipped at {:.3g}: {}", clip.ceiling, clipped);
  return clip;
}

// gnuplot lines for a clip: the y range and the note under the title.
std::string clip_lines(const Clip& clip) {
  if (!std::isfinite(clip.ceiling)) return "";
  // The note sits under the x label, clear of the data.
  return fmt::format(
      "set yrange [*:{:.6g}]\nset bmargin 5\nset label 1 {} at screen 0.01, "
      "screen 0.03 left front\n",
      clip.ceiling, quoted(clip.note));
}

Figure perplexity_figure(const std::vector<const Curve*>& rows, const SeriesStyles& styles,
                         const std::string& out_dir) {
  Figure f;
  f.name = "ppl_" + slug(rows.front()->setting());
  std::string data;
  std::vector<std::string> plots;
  std::vector<std::pair<std::string, double>> series_max;
  double lowest = INFINITY, highest_all = 0;
  int index = 0;
  for (const Curve* c : rows) {
    data += fmt::format("# {}: length perplexity ci95_low ci95_high\n", c->model);
    double highest = std::nan("");
    for (const auto& [length, cell] : c->by_length) {
      if (cell->status != CellStatus::kOk) continue;
      const CellSummary& s = cell->summary;
      highest = std::isfinite(highest) ? std::max(highest, s.perplexity) : s.perplexity;
      lowest =
          std::min(lowest, std::isfinite(s.nll_ci95.low) ? std::exp(s.nll_ci95.low) : s.perplexity);
      highest_all = std::max(highest_all, s.perplexity);
      data +=
          fmt::format("{} {:.6f} {:.6f} {:.6f}\n", length, s.perplexity,
                      std::isfinite(s.nll_ci95.low) ? std::exp(s.nll_ci95.low) : s.perplexity,
                      std::isfinite(s.nll_ci95.high) ? std::exp(s.nll_ci95.high) : s.perplexity);
    }
    if (!std::isfinite(highest)) data += "nan nan nan nan\n";
    data += "\n\n";
    series_max.emplace_back(c->model, highest);
    plots.push_back(fmt::format(
        "'{0}.dat' index {1} using 1:3:4 with filledcurves fs transparent solid 0.15 {2} notitle, "
        "'{0}.dat' index {1} using 1:2 with linespoints lw 2 ps 0.7 {3} title {4}",
        f.name, index, styles.colour(c->model), styles.of(c->model),
        // A curve over different text is not a length effect: say so in its key.
        quoted(comparability_note(*c).empty() ? c->model : c->model + " (segment sets differ)")));
    ++index;
  }
  write_file_atomically(out_dir + "/" + f.name + ".dat", data);
  const Clip clip = clip_for(series_max, /*perplexity=*/true);
  // A log y axis only when the drawn range spans a decade: below that gnuplot
  // would label a single tick.
  const double top = std::isfinite(clip.ceiling) ? clip.ceiling : highest_all;
  const bool log_y = std::isfinite(lowest) && lowest > 0 && top / lowest > 10;
  f.script = fmt::format(
      "# Perplexity vs evaluation length. Edit and run: gnuplot {0}.gp\n"
      "set title {1}\nset xlabel 'evaluation length (tokens)'\nset ylabel 'perplexity'\n"
      "set logscale x 2\n{5}set grid\nset key outside right\n"
      "set arrow from {2},graph 0 to {2},graph 1 nohead dt 2 lc 'gray'\n{3}{4}",
      f.name,
      quoted("Perplexity — " + rows.front()->setting() + " (bands: 95% block-bootstrap CI)"),
      rows.front()->train_length > 0 ? rows.front()->train_length : 512, clip_lines(clip),
      render_both(f.name, plot_command(plots)), log_y ? "set logscale y\n" : "");
  return f;
}

// ΔNLL of every model against the baseline on the same blocks, per length,
// with the paired 95% interval as a band; 0 = the baseline.
Figure delta_figure(const std::string& setting, const std::vector<PairedRow>& paired,
                    const SeriesStyles& styles, const std::string& out_dir) {
  Figure f;
  f.name = "delta_" + slug(setting);
  std::vector<std::string> models;
  for (const auto& row : paired) {
    if (row.curve->setting() == setting &&
        std::find(models.begin(), models.end(), row.curve->model) == models.end())
      models.push_back(row.curve->model);
  }
  std::string data, baseline;
  std::vector<std::string> plots;
  std::vector<std::pair<std::string, double>> series_max;
  for (size_t m = 0; m < models.size(); ++m) {
    data += fmt::format("# {}: length delta_nll ci95_low ci95_high\n", models[m]);
    double highest = std::nan("");
    for (const auto& row : paired) {
      if (row.curve->setting() != setting || row.curve->model != models[m]) continue;
      const PairedDifference& d = row.difference;
      baseline = row.baseline->model;
      highest = std::isfinite(highest) ? std::max(highest, d.difference) : d.difference;
      data += fmt::format("{} {:.6f} {:.6f} {:.6f}\n", row.length, d.difference,
                          std::isfinite(d.ci95.low) ? d.ci95.low : d.difference,
                          std::isfinite(d.ci95.high) ? d.ci95.high : d.difference);
    }
    data += "\n\n";
    series_max.emplace_back(models[m], highest);
    plots.push_back(fmt::format(
        "'{0}.dat' index {1} using 1:3:4 with filledcurves fs transparent solid 0.15 {2} notitle, "
        "'{0}.dat' index {1} using 1:2 with linespoints lw 2 ps 0.7 {3} title {4}",
        f.name, m, styles.colour(models[m]), styles.of(models[m]), quoted(models[m])));
  }
  write_file_atomically(out_dir + "/" + f.name + ".dat", data);
  plots.push_back("0 with lines lc rgb '#777777' dt 2 notitle");
  f.script = fmt::format(
      "# Paired ΔNLL vs the baseline model on the same blocks. Edit and run: gnuplot {0}.gp\n"
      "set title {1}\nset xlabel 'evaluation length (tokens)'\n"
      "set ylabel {2}\nset logscale x 2\nset grid\nset key outside right\n{3}{4}",
      f.name, quoted("ΔNLL vs " + baseline + " — " + setting + " (bands: paired 95% CI)"),
      quoted("mean NLL − " + baseline + "'s (nats/token; < 0 = better)"),
      clip_lines(clip_for(series_max, /*perplexity=*/false)),
      render_both(f.name, plot_command(plots)));
  return f;
}

// Mean NLL by position inside the window, averaged over every window of the
// cell at the setting's longest length (log2 buckets of positions).
Figure position_figure(const std::vector<const Curve*>& rows, const SeriesStyles& styles,
                       const std::string& out_dir) {
  Figure f;
  // The longest length any model of this setting evaluated successfully.
  int64_t longest = 0;
  for (const Curve* c : rows) {
    for (const auto& [length, cell] : c->by_length) {
      if (cell->status == CellStatus::kOk) longest = std::max(longest, length);
    }
  }
  f.name = fmt::format("positions_{}_T{}", slug(rows.front()->setting()), longest);
  std::string data;
  std::vector<std::string> plots;
  int index = 0;
  for (const Curve* c : rows) {
    data += fmt::format("# {}\n", c->model);
    auto it = c->by_length.find(longest);
    bool any = false;
    if (it != c->by_length.end() && it->second->status == CellStatus::kOk) {
      const PositionCurve& p = it->second->positions;
      for (int b = 0; b < p.buckets(); ++b) {
        if (p.count(b) == 0) continue;
        any = true;
        // x = geometric middle of the bucket (bucket 0 is position 0: plot at 0.5)
        const double x = b == 0 ? 0.5
                                : std::sqrt(double(PositionCurve::bucket_low(b)) *
                                                double(PositionCurve::bucket_high(b) - 1) +
                                            0.25);
        data += fmt::format("{:.3f} {:.6f} {}\n", x, p.nll_sum(b) / double(p.count(b)), p.count(b));
      }
    }
    if (!any) data += "nan nan nan\n";
    data += "\n\n";
    plots.push_back(
        fmt::format("'{}.dat' index {} using 1:2 with linespoints lw 2 ps 0.7 {} title {}", f.name,
                    index++, styles.of(c->model), quoted(c->model)));
  }
  write_file_atomically(out_dir + "/" + f.name + ".dat", data);
  const std::string plot = plot_command(plots);
  f.script = fmt::format(
      "# Mean NLL by position inside the window (log2 buckets), averaged over all windows of\n"
      "# the cell. Edit and run: gnuplot {0}.gp\n"
      "set title {1}\nset xlabel 'position in window (tokens)'\nset ylabel 'mean NLL (nats)'\n"
      "set logscale x 2\nset grid\nset key outside right\n{2}",
      f.name,
      quoted(fmt::format("Loss by position — {}, T = {} (mean over all windows)",
                         rows.front()->setting(), longest)),
      render_both(f.name, plot));
  return f;
}

std::vector<Figure> task_figures(const std::vector<TaskResult>& tasks, const SeriesStyles& styles,
                                 const std::string& out_dir) {
  std::vector<Figure> figures;
  const auto pooled = pool_task_accuracy(tasks);
  std::vector<std::string> task_names;
  for (const auto& p : pooled) {
    if (std::find(task_names.begin(), task_names.end(), p.task) == task_names.end())
      task_names.push_back(p.task);
  }
  for (const auto& task : task_names) {
    Figure f;
    f.name = "task_" + slug(task);
    std::vector<std::string> models;
    for (const auto& p : pooled) {
      if (p.task == task && std::find(models.begin(), models.end(), p.model) == models.end())
        models.push_back(p.model);
    }
    std::string data;
    std::vector<std::string> plots;
    for (size_t m = 0; m < models.size(); ++m) {
      data += fmt::format("# {}\n", models[m]);
      for (const auto& p : pooled) {
        if (p.task == task && p.model == models[m]) {
          // Exact match: the one score every cell has (ranking needs the budget).
          data += fmt::format("{} {:.6f} {}\n", p.length, p.exact_match, p.n);
        }
      }
      data += "\n\n";
      plots.push_back(
          fmt::format("'{}.dat' index {} using 1:2 with linespoints lw 2 ps 0.7 {} title {}",
                      f.name, m, styles.of(models[m]), quoted(models[m])));
    }
    write_file_atomically(out_dir + "/" + f.name + ".dat", data);
    std::string plot = plot_command(plots);
    f.script = fmt::format(
        "# Greedy exact match vs length (pooled over depths). Edit and run: gnuplot {0}.gp\n"
        "set title {1}\nset xlabel 'evaluation length (tokens)'\nset ylabel 'exact match'\n"
        "set logscale x 2\nset yrange [0:1.05]\nset grid\nset key outside right\n{2}",
        f.name, quoted("Greedy exact match — " + task), render_both(f.name, plot));
    figures.push_back(f);

    // Depth x length heatmaps, one per model.
    for (const auto& model : models) {
      std::set<int64_t> lengths;
      std::set<double> depths;
      // (depth, length) -> (sum of exact matches, samples): runs with the same
      // cell position (a grid run and a 50%-depth run) pool their samples.
      std::map<std::pair<double, int64_t>, std::pair<double, int64_t>> value;
      for (const auto& t : tasks) {
        if (t.task != task || t.model != model || t.status != "ok" || !std::isfinite(t.depth))
          continue;
        lengths.insert(t.length);
        depths.insert(t.depth);
        auto& v = value[{t.depth, t.length}];
        v.first += t.exact_match * static_cast<double>(t.n);
        v.second += t.n;
      }
      if (lengths.size() < 2 || depths.size() < 2) continue;  // a heatmap needs a grid
      Figure h;
      h.name = "heatmap_" + slug(task) + "_" + slug(model);
      std::string grid;  // rows: depth index, columns: length index
      for (double depth : depths) {
        for (int64_t length : lengths) {
          auto it = value.find({depth, length});
          const bool empty = it == value.end() || it->second.second == 0;
          grid += fmt::format(
              "{} ", empty ? std::string("nan")
                           : fmt::format("{:.4f}", it->second.first /
                                                       static_cast<double>(it->second.second)));
        }
        grid += "\n";
      }
      write_file_atomically(out_dir + "/" + h.name + ".dat", grid);
      std::string xtics, ytics;
      int i = 0;
      for (int64_t length : lengths)
        xtics += fmt::format("{}'{}' {}", i ? ", " : "", length, i), ++i;
      i = 0;
      for (double depth : depths)
        // tic labels are gnuplot format strings: a bare '%' stops the plot
        ytics += fmt::format("{}'{:.0f}%%' {}", i ? ", " : "", depth, i), ++i;
      h.script = fmt::format(
          "# Accuracy by needle depth (rows) and length (columns). Edit and run: gnuplot {0}.gp\n"
          "set title {1}\nset xlabel 'evaluation length (tokens); grey: not measured'\n"
          "set ylabel 'needle depth'\n"
          "set xtics ({2})\nset ytics ({3})\nset cbrange [0:1]\nset cblabel 'exact match'\n"
          "set palette defined (0 '#b2182b', 0.5 '#f7f7f7', 1 '#2166ac')\nset view map\n"
          // unmeasured cells ('nan') are not drawn: a grey background tells them from 0.5
          "set object 1 rectangle from graph 0,0 to graph 1,1 behind fillcolor rgb '#999999' "
          "fillstyle solid noborder\n{4}",
          h.name, quoted(task + " — " + model), xtics, ytics,
          render_both(h.name, fmt::format("plot '{}.dat' matrix with image notitle", h.name)));
      figures.push_back(h);
    }
  }
  return figures;
}

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

PlotReport write_plots(const std::vector<Curve>& curves, const std::vector<PairedRow>& paired,
                       const std::vector<TaskResult>& tasks, const std::string& out_dir,
                       bool render) {
  const SeriesStyles styles(curves, tasks);
  std::vector<Figure> figures;
  std::vector<std::string> settings;
  for (const auto& c : curves) {
    if (std::find(settings.begin(), settings.end(), c.setting()) == settings.end())
      settings.push_back(c.setting());
  }
  for (const auto& setting : settings) {
    std::vector<const Curve*> rows;
    for (const auto& c : curves) {
      if (c.setting() == setting) rows.push_back(&c);
    }
    figures.push_back(perplexity_figure(rows, styles, out_dir));
    const bool any_paired = std::any_of(paired.begin(), paired.end(), [&](const PairedRow& r) {
      return r.curve->setting() == setting;
    });
    if (any_paired) figures.push_back(delta_figure(setting, paired, styles, out_dir));
    figures.push_back(position_figure(rows, styles, out_dir));
  }
  for (auto& f : task_figures(tasks, styles, out_dir)) figures.push_back(std::move(f));

  PlotReport report;
  for (const auto& f : figures) write_file_atomically(out_dir + "/" + f.name + ".gp", f.script);
  if (!render) {
    report.note = "images skipped (--no-plots); the .gp scripts and .dat files are written";
    return report;
  }
  if (!gnuplot_available()) {
    report.note =
        "gnuplot not found: images skipped; install gnuplot-nox and run `gnuplot NAME.gp` in " +
        out_dir;
    return report;
  }
  for (const auto& f : figures) {
    const std::string command = "cd '" + out_dir + "' && gnuplot '" + f.name + ".gp' 2>/dev/null";
    if (std::system(command.c_str()) == 0) {
      report.images.push_back(out_dir + "/" + f.name + ".png");
      report.images.push_back(out_dir + "/" + f.name + ".svg");
    } else {
      report.note += "gnuplot failed on " + f.name + ".gp; ";
    }
  }
  return report;
}

}  // namespace lengen
