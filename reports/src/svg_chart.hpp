// Charts as inline SVG, drawn in C++: horizontal bars, a histogram and line charts. Each has a
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

}  // namespace mlarch::reports
