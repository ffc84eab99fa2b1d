// Charts as inline SVG, drawn in C++: horizontal bars, a histogram, line and scatter charts. Each has a
// title and a description for screen readers (the page also gives its data as a table); series
// differ by dash and marker shape as well as colour. All text is escaped here.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mlarch::reports {

// A labelled reference line: an SLO, a capacity, a utilization bound.
struct RefLine {
  double value = 0;
  std::string label;
};

struct Bar {
  std::string label;
  double value = 0;
  std::string value_text;  // printed at the bar's end
  std::string tone;        // CSS class suffix: "ok", "warn", "bad" or empty
};

struct BarChart {
  std::string id, title, description, unit;
  std::vector<Bar> bars;
  std::vector<RefLine> lines;  // vertical lines at x = value
  double max = 0;              // the axis' end; 0: from the data and the lines
};
std::string bar_chart(const BarChart& chart);

// Bins [from, to) with their share, on a logarithmic x axis.
struct Histogram {
  std::string id, title, description, x_label;
  std::vector<std::pair<std::pair<double, double>, double>> bins;
  std::vector<RefLine> lines;
};
std::string histogram_chart(const Histogram& chart);

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
};
struct LineChart {
  std::string id, title, description, x_label, y_label;
  std::vector<Series> series;
  std::vector<RefLine> hlines, vlines;
  bool y_from_zero = true;
};
std::string line_chart(const LineChart& chart);

// Points on linear or logarithmic axes. Group i is drawn with the i-th marker shape (and named in
// the legend); a marked point gets a ring and its label in bold, so it stands out without colour.
struct ScatterPoint {
  double x = 0, y = 0;
  std::size_t group = 0;
  std::string label;  // printed beside the point; empty: none
  bool marked = false;
};
struct ScatterChart {
  std::string id, title, description, x_label, y_label;
  std::vector<std::string> groups;
  std::vector<ScatterPoint> points;
  std::vector<std::pair<double, double>> front;  // a line under the points (a Pareto front); empty: none
  std::vector<RefLine> hlines, vlines;  // a vertical line beyond 1.5 × the data is named, not drawn
  bool log = false;       // both axes logarithmic (points at or below 0 are left out)
  bool diagonal = false;  // the line y = x, labelled diagonal_label
  std::string diagonal_label;
  std::string front_label;  // the front's name in the legend
};
std::string scatter_chart(const ScatterChart& chart);

}  // namespace mlarch::reports
