// Inline SVG charts. Coordinates are in a fixed viewBox; CSS scales the picture to the page.
#include "svg_chart.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "mlarch/analyzer/render.hpp"

namespace mlarch::reports {

namespace {

constexpr double kWidth = 640;
constexpr double kLeft = 64, kRight = 24, kTop = 16;

std::string esc(const std::string& s) { return xml_escape(s); }

std::string tick_text(double v) { return fmt::format("{:.6g}", v); }

// About n round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
std::vector<double> ticks(double lo, double hi, int n = 5) {
  if (!(hi > lo)) hi = lo + 1;
  double raw = (hi - lo) / n;
  double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag * (raw / mag < 1.5 ? 1 : raw / mag < 3.5 ? 2 : raw / mag < 7.5 ? 5 : 10);
  std::vector<double> out;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

// 1, 2, 5 times powers of ten within [lo, hi] (lo > 0).
std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> out;
  for (double p = std::pow(10, std::floor(std::log10(lo))); p <= hi; p *= 10)
    for (double m : {1.0, 2.0, 5.0})
      if (p * m >= lo && p * m <= hi) out.push_back(p * m);
  return out;
}

std::string open_svg(const std::string& id, double height, const std::string& title, const std::string& description) {
  return fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {:.0f}\" role=\"img\" aria-labelledby=\"{}-t {}-d\">"
      "<title id=\"{}-t\">{}</title><desc id=\"{}-d\">{}</desc>",
      kWidth, height, id, id, id, esc(title), id, esc(description));
}

std::string text(double x, double y, const std::string& s, const std::string& anchor = "start", const std::string& cls = "") {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\"{}>{}</text>", x, y, anchor,
                     cls.empty() ? "" : " class=\"" + cls + "\"", esc(s));
}

// Marker shapes per series, so that series are told apart without colour.
std::string marker(std::size_t series, double x, double y) {
  switch (series % 4) {
    case 0: return fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\"/>", x, y);
    case 1: return fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"7\" height=\"7\"/>", x - 3.5, y - 3.5);
    case 2: return fmt::format("<path d=\"M{:.1f} {:.1f}l4 7h-8z\"/>", x, y - 4.5);
    default: return fmt::format("<path d=\"M{:.1f} {:.1f}l4.5 4.5l-4.5 4.5l-4.5-4.5z\"/>", x, y - 4.5);
  }
}

}  // namespace

std::string bar_chart(const BarChart& c) {
  const double row = 26, label_w = 170, value_w = 110;
  double plot_w = kWidth - label_w - value_w - 8;
  double height = kTop + row * static_cast<double>(c.bars.size()) + 44;
  double max = c.max;
  if (max <= 0) {
    for (const auto& b : c.bars) max = std::max(max, b.value);
    for (const auto& l : c.lines) max = std::max(max, l.value);
    max = max > 0 ? max * 1.05 : 1;
  }
  auto x = [&](double v) { return label_w + plot_w * std::clamp(v / max, 0.0, 1.0); };
  std::string out = open_svg(c.id, height, c.title, c.description);
  double axis_y = kTop + row * static_cast<double>(c.bars.size());
  for (double t : ticks(0, max)) {
    if (t > max) continue;
    out += fmt::format("<line class=\"grid\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2:.1f}\"/>", x(t), kTop, axis_y);
    out += text(x(t), axis_y + 14, tick_text(t), "middle", "tick");
  }
  out += text(label_w + plot_w / 2, axis_y + 32, c.unit, "middle", "axis");
  for (std::size_t i = 0; i < c.bars.size(); ++i) {
    const Bar& b = c.bars[i];
    double y = kTop + row * static_cast<double>(i);
    out += text(label_w - 6, y + 17, b.label, "end");
    out += fmt::format("<rect class=\"bar {}\" x=\"{}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\"/>", b.tone, label_w,
                       y + 5, std::max(1.0, x(b.value) - label_w), row - 10);
    out += text(x(b.value) + 4, y + 17, b.value_text);
  }
  for (const auto& l : c.lines) {
    out += fmt::format("<line class=\"ref\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2:.1f}\"/>", x(l.value), kTop - 6, axis_y);
    out += text(x(l.value), kTop - 8 + 10, l.label, x(l.value) > kWidth - 120 ? "end" : "start", "reflabel");
  }
  return out + "</svg>";
}

std::string histogram_chart(const Histogram& c) {
  const double height = 220, bottom = 48;
  double plot_h = height - kTop - bottom, plot_w = kWidth - kLeft - kRight;
  if (c.bins.empty()) return {};
  double lo = c.bins.front().first.first, hi = c.bins.back().first.second;
  for (const auto& l : c.lines) hi = std::max(hi, l.value * 1.05);
  if (!(lo > 0)) lo = hi / 1e3;
  if (!(hi > lo)) hi = lo * 2;
  double top = 0;
  for (const auto& b : c.bins) top = std::max(top, b.second);
  top = top > 0 ? top * 1.1 : 1;
  auto x = [&](double v) { return kLeft + plot_w * std::log(std::max(v, lo) / lo) / std::log(hi / lo); };
  auto y = [&](double share) { return kTop + plot_h * (1 - share / top); };
  std::string out = open_svg(c.id, height, c.title, c.description);
  for (double t : ticks(0, top)) {
    if (t > top) continue;
    out += fmt::format("<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/>", kLeft, kWidth - kRight, y(t));
    out += text(kLeft - 6, y(t) + 4, fmt::format("{:g}%", 100 * t), "end", "tick");
  }
  for (double t : log_ticks(lo, hi)) out += text(x(t), kTop + plot_h + 14, tick_text(t), "middle", "tick");
  for (const auto& [range, share] : c.bins)
    out += fmt::format("<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/>", x(range.first),
                       y(share), std::max(0.5, x(range.second) - x(range.first) - 0.5), kTop + plot_h - y(share));
  for (const auto& l : c.lines) {
    out += fmt::format("<line class=\"ref\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2:.1f}\"/>", x(l.value), kTop, kTop + plot_h);
    out += text(x(l.value) - 4, kTop + 10, l.label, "end", "reflabel");
  }
  out += fmt::format("<line class=\"axis\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/>", kLeft, kWidth - kRight, kTop + plot_h);
  out += text(kLeft + plot_w / 2, height - 12, c.x_label, "middle", "axis");
  return out + "</svg>";
}

namespace {

// The plot area of a line or scatter chart: its scales (linear, or logarithmic on request), the
// grid, the ticks and the axis labels.
struct Frame {
  static constexpr double kHeight = 260, kBottom = 56;
  double plot_h = kHeight - kTop - kBottom, plot_w = kWidth - kLeft - kRight;
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  bool log = false;

  void include(double x, double y) {
    if (log && !(x > 0 && y > 0)) return;
    x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
    y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
  }
  // The data's range, padded: false when there is no point.
  bool settle(bool y_from_zero) {
    if (y_from_zero && !log) y_lo = std::min(y_lo, 0.0);
    if (!std::isfinite(x_lo) || !std::isfinite(y_lo)) return false;
    if (log) {
      x_lo /= 1.25, x_hi *= 1.25, y_lo /= 1.25, y_hi *= 1.25;
      return true;
    }
    if (!(x_hi > x_lo)) x_hi = x_lo + 1;
    if (!(y_hi > y_lo)) y_hi = y_lo + 1;
    y_hi *= 1.08;
    return true;
  }
  double scale(double v, double lo, double hi) const {
    return log ? std::log(std::max(v, lo) / lo) / std::log(hi / lo) : (v - lo) / (hi - lo);
  }
  double x(double v) const { return kLeft + plot_w * scale(v, x_lo, x_hi); }
  double y(double v) const { return kTop + plot_h * (1 - scale(v, y_lo, y_hi)); }
  std::vector<double> x_ticks() const { return log ? log_ticks(x_lo, x_hi) : ticks(x_lo, x_hi); }
  std::vector<double> y_ticks() const { return log ? log_ticks(y_lo, y_hi) : ticks(y_lo, y_hi); }

  std::string draw(const std::string& x_label, const std::string& y_label) const {
    std::string out;
    for (double t : y_ticks()) {
      if (t > y_hi || t < y_lo) continue;
      out += fmt::format("<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/>", kLeft, kWidth - kRight, y(t));
      out += text(kLeft - 6, y(t) + 4, tick_text(t), "end", "tick");
    }
    for (double t : x_ticks())
      if (t >= x_lo && t <= x_hi) out += text(x(t), kTop + plot_h + 14, tick_text(t), "middle", "tick");
    out += fmt::format("<line class=\"axis\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/>", kLeft, kWidth - kRight, kTop + plot_h);
    out += text(kLeft + plot_w / 2, kTop + plot_h + 32, x_label, "middle", "axis");
    out += fmt::format("<text class=\"axis\" transform=\"translate(14 {:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
                       kTop + plot_h / 2, esc(y_label));
    return out;
  }
  // Horizontal lines are objectives; vertical ones capacities (a line chart's) or objectives (`vclass`).
  std::string reference_lines(const std::vector<RefLine>& hlines, const std::vector<RefLine>& vlines,
                              const std::string& vclass = "ref cap") const {
    std::string out;
    for (const auto& l : hlines) {
      out += fmt::format("<line class=\"ref\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/>", kLeft, kWidth - kRight, y(l.value));
      out += text(kWidth - kRight - 4, y(l.value) - 5, l.label, "end", "reflabel");
    }
    // A vertical line's label goes at the top, or under a horizontal line's label it would overlap.
    double label_y = kTop + 12;
    for (const auto& l : hlines)
      if (std::abs(label_y - (y(l.value) - 5)) < 14) label_y = y(l.value) + 16;
    for (const auto& l : vlines) {
      out += fmt::format("<line class=\"{0}\" x1=\"{1:.1f}\" x2=\"{1:.1f}\" y1=\"{2}\" y2=\"{3:.1f}\"/>", vclass, x(l.value), kTop,
                         kTop + plot_h);
      const bool left = x(l.value) > kWidth - 160;
      out += text(x(l.value) + (left ? -4 : 4), label_y, l.label, left ? "end" : "start", "reflabel");
    }
    return out;
  }
  // The i-th legend entry under the axis label: a marker (and a line, for a series) beside its name.
  std::string legend(std::size_t i, const std::string& name, bool line) const {
    double lx = kLeft + 150 * static_cast<double>(i), ly = kHeight - 8;
    std::string out = fmt::format("<g class=\"series s{}\">", i % 4);
    if (line) out += fmt::format("<path d=\"M{:.1f} {:.1f}h22\"/>", lx, ly - 4);
    out += marker(i, lx + 11, ly - 4) + "</g>";
    return out + text(lx + 28, ly, name, "start", "legend");
  }
};

std::string polyline(const Frame& f, const std::vector<std::pair<double, double>>& points) {
  std::string d;
  for (auto [px, py] : points) d += fmt::format("{}{:.1f} {:.1f}", d.empty() ? "M" : "L", f.x(px), f.y(py));
  return d;
}

}  // namespace

std::string line_chart(const LineChart& c) {
  Frame f;
  for (const auto& s : c.series)
    for (auto [px, py] : s.points) f.include(px, py);
  for (const auto& l : c.hlines) f.y_hi = std::max(f.y_hi, l.value);
  for (const auto& l : c.vlines) f.x_lo = std::min(f.x_lo, l.value), f.x_hi = std::max(f.x_hi, l.value);
  if (!f.settle(c.y_from_zero)) return {};
  std::string out = open_svg(c.id, Frame::kHeight, c.title, c.description) + f.draw(c.x_label, c.y_label);
  out += f.reference_lines(c.hlines, c.vlines);
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const Series& s = c.series[i];
    out += fmt::format("<g class=\"series s{}\"><path d=\"{}\"/>", i % 4, polyline(f, s.points));
    if (s.points.size() <= 60)
      for (auto [px, py] : s.points) out += marker(i, f.x(px), f.y(py));
    out += "</g>" + f.legend(i, s.name, true);
  }
  return out + "</svg>";
}

std::string scatter_chart(const ScatterChart& c) {
  Frame f;
  f.log = c.log;
  for (const auto& p : c.points) f.include(p.x, p.y);
  if (c.diagonal && std::isfinite(f.x_lo)) {  // y = x over both ranges, so the diagonal crosses the plot
    double lo = std::min(f.x_lo, f.y_lo), hi = std::max(f.x_hi, f.y_hi);
    f.include(lo, lo), f.include(hi, hi);
  }
  // A vertical line far right of the data (an objective the options all beat by far) would squeeze
  // them against the axis: it is named at the plot's right edge instead.
  std::vector<RefLine> vlines, beyond;
  double data_hi = f.x_hi;
  for (const auto& l : c.vlines) (l.value <= 1.5 * data_hi ? vlines : beyond).push_back(l);
  for (const auto& l : c.hlines) f.y_hi = std::max(f.y_hi, l.value);
  for (const auto& l : vlines) f.x_hi = std::max(f.x_hi, l.value);
  if (!f.settle(!c.log)) return {};
  if (!c.log) {  // room for the markers at both ends, never below 0 when the data are not
    double pad = (f.x_hi - f.x_lo) * 0.04;
    f.x_lo = f.x_lo >= 0 ? std::max(0.0, f.x_lo - pad) : f.x_lo - pad;
    f.x_hi += pad;
  }
  std::string out = open_svg(c.id, Frame::kHeight, c.title, c.description) + f.draw(c.x_label, c.y_label);
  out += f.reference_lines(c.hlines, vlines, "ref");
  for (std::size_t i = 0; i < beyond.size(); ++i)
    out += text(kWidth - kRight - 4, kTop + 12 + 14 * static_cast<double>(i), beyond[i].label + " →", "end", "reflabel");
  if (c.diagonal) {
    double lo = std::max(f.x_lo, f.y_lo), hi = std::min(f.x_hi, f.y_hi);
    out += fmt::format("<line class=\"ref diagonal\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>", f.x(lo), f.y(lo),
                       f.x(hi), f.y(hi));
  }
  if (!c.front.empty()) out += fmt::format("<path class=\"front\" d=\"{}\"/>", polyline(f, c.front));
  auto shown = [&](const ScatterPoint& p) { return !c.log || (p.x > 0 && p.y > 0); };
  for (std::size_t g = 0; g < c.groups.size(); ++g) {
    out += fmt::format("<g class=\"series s{}\">", g % 4);
    for (const auto& p : c.points)
      if (p.group == g && shown(p)) out += marker(g, f.x(p.x), f.y(p.y));
    out += "</g>" + f.legend(g, c.groups[g], false);
  }
  // The lines in the legend after the groups: the front, the diagonal.
  std::size_t entry = c.groups.size();
  auto line_legend = [&](const std::string& cls, const std::string& name) {
    double lx = kLeft + 150 * static_cast<double>(entry++), ly = Frame::kHeight - 8;
    out += fmt::format("<path class=\"{}\" d=\"M{:.1f} {:.1f}h22\"/>", cls, lx, ly - 4) + text(lx + 28, ly, name, "start", "legend");
  };
  if (!c.front.empty()) line_legend("front", c.front_label);
  if (c.diagonal) line_legend("ref diagonal", c.diagonal_label);
  for (const auto& p : c.points) {
    if (!shown(p)) continue;
    if (p.marked) out += fmt::format("<circle class=\"mark\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"8\"/>", f.x(p.x), f.y(p.y));
    if (!p.label.empty()) out += text(f.x(p.x) + (p.marked ? 11 : 6), f.y(p.y) - 6, p.label, "start", p.marked ? "reflabel" : "");
  }
  return out + "</svg>";
}

}  // namespace mlarch::reports
