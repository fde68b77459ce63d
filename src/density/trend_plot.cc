// Layout of the trend plot: axes with log-scale decades and half-year date ticks, points,
// envelope steps, fit line, labels and legend.
#include "density/trend_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "density/svg.h"

namespace densing::density {
namespace {

constexpr double kWidth = 960, kHeight = 600;
constexpr double kLeft = 90, kRight = 40, kTop = 80, kBottom = 70;

std::string ValueLabel(double v) {
  if (v >= 1000 || v < 0.001) return fmt::format("{:.0e}", v);
  return fmt::format("{:g}", v);
}

constexpr const char* kOutsideFill = "#fdae6b";
constexpr const char* kOutsideStroke = "#e6550d";
constexpr const char* kMarkFill = "#74c476";
constexpr const char* kMarkStroke = "#006d2c";

std::string Tooltip(const TrendPoint& p) {
  return fmt::format("{} ({}): {:.3g}{}", p.model, p.date.ToString(), p.value,
                     p.outside_protocol ? " [outside the protocol]" : "");
}

}  // namespace

std::string TrendPlotSvg(const TrendFit& fit, const TrendPlotLabels& labels,
                         const std::vector<TrendMark>& marks) {
  Svg svg(kWidth, kHeight);
  svg.Rect(0, 0, kWidth, kHeight, "white");

  double t_min = fit.t_days(0), t_max = t_min;
  double v_min = fit.points[0].value, v_max = v_min;
  for (size_t i = 0; i < fit.points.size(); ++i) {
    t_min = std::min(t_min, fit.t_days(i));
    t_max = std::max(t_max, fit.t_days(i));
    v_min = std::min(v_min, fit.points[i].value);
    v_max = std::max(v_max, fit.points[i].value);
  }
  for (const TrendMark& m : marks) {
    const double t = DaysSinceTrendEpoch(m.date);
    t_min = std::min(t_min, t);
    t_max = std::max(t_max, t);
    v_min = std::min({v_min, m.value, m.lo.value_or(m.value)});
    v_max = std::max({v_max, m.value, m.hi.value_or(m.value)});
  }
  const double t_pad = std::max(30.0, 0.04 * (t_max - t_min));
  t_min -= t_pad;
  t_max += t_pad;
  const double lv_min = std::log10(v_min) - 0.15, lv_max = std::log10(v_max) + 0.35;
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto X = [&](double t) { return kLeft + (t - t_min) / (t_max - t_min) * pw; };
  auto Y = [&](double v) { return kTop + (lv_max - std::log10(v)) / (lv_max - lv_min) * ph; };

  svg.Text(kWidth / 2, 30, labels.title, 20, "middle", "#111", true);
  svg.Text(kWidth / 2, 55, labels.subtitle, 14, "middle", "#444");

  // Log-scale grid: 1, 2, 5 per decade (only decades when the range is wide).
  const bool wide = lv_max - lv_min > 4;
  for (int e = static_cast<int>(std::floor(lv_min)); e <= static_cast<int>(std::ceil(lv_max));
       ++e) {
    for (double m : {1.0, 2.0, 5.0}) {
      if (wide && m != 1.0) continue;
      const double v = m * std::pow(10.0, e);
      const double lv = std::log10(v);
      if (lv < lv_min || lv > lv_max) continue;
      svg.Line(kLeft, Y(v), kLeft + pw, Y(v), m == 1.0 ? "#ccc" : "#eee");
      svg.Text(kLeft - 8, Y(v) + 4, ValueLabel(v), 12, "end", "#333");
    }
  }
  // Date grid: every January, and every July when the span is under four years.
  const Date first = kTrendEpoch;
  const int epoch_day = first.DaysSinceEpoch();
  const bool halves = t_max - t_min < 4 * 365;
  for (int year = 1990; year <= 2100; ++year) {
    for (int month : {1, 7}) {
      if (month == 7 && !halves) continue;
      const double t = Date{year, month, 1}.DaysSinceEpoch() - epoch_day;
      if (t < t_min || t > t_max) continue;
      svg.Line(X(t), kTop, X(t), kTop + ph, month == 1 ? "#ccc" : "#eee");
      svg.Text(X(t), kTop + ph + 18, fmt::format("{}-{:02}", year, month), 12, "middle", "#333");
    }
  }
  svg.Rect(kLeft, kTop, pw, ph, "none", "#888");
  svg.Text(kLeft + pw / 2, kHeight - 20, "release date", 14, "middle", "#222");
  svg.Text(25, kTop + ph / 2, labels.y_label, 14, "middle", "#222", false, -90);

  // Envelope as the step function of the best value to date, then the fitted line.
  std::vector<std::pair<double, double>> steps;
  for (size_t k = 0; k < fit.envelope.size(); ++k) {
    const size_t i = fit.envelope[k];
    const double t = fit.t_days(i), v = fit.points[i].value;
    if (k > 0) steps.push_back({X(t), steps.back().second});
    steps.push_back({X(t), Y(v)});
  }
  steps.push_back({X(t_max), steps.back().second});
  svg.Polyline(steps, "#1f77b4", 2);
  const double t_fit0 = fit.t_days(fit.envelope.front()), t_fit1 = t_max;
  std::vector<std::pair<double, double>> line;
  for (int s = 0; s <= 40; ++s) {
    const double t = t_fit0 + (t_fit1 - t_fit0) * s / 40.0;
    const double v = fit.FitValue(t);
    if (std::log10(v) >= lv_min && std::log10(v) <= lv_max) line.push_back({X(t), Y(v)});
  }
  if (line.size() >= 2) svg.Polyline(line, "#d62728", 2, "8 5");

  std::vector<bool> on_env(fit.points.size(), false);
  for (size_t i : fit.envelope) on_env[i] = true;
  for (size_t i = 0; i < fit.points.size(); ++i) {
    if (on_env[i]) continue;
    const auto& p = fit.points[i];
    svg.Circle(X(fit.t_days(i)), Y(p.value), 4, p.outside_protocol ? "white" : "#bbb",
               p.outside_protocol ? kOutsideStroke : "#777", Tooltip(p));
  }
  // Envelope labels: the first of eight spots around the dot that overlaps no earlier label, the
  // legend or the plot's edge (text width estimated from its length).
  struct Box {
    double x0, y0, x1, y1;
    bool Overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
  };
  std::vector<Box> taken = {
      {kLeft + 7, kTop + 4, kLeft + 257, kTop + (marks.empty() ? 90.0 : 110.0)}};  // the legend
  for (size_t k = 0; k < fit.envelope.size(); ++k) {
    const size_t i = fit.envelope[k];
    const auto& p = fit.points[i];
    const double x = X(fit.t_days(i)), y = Y(p.value);
    svg.Circle(x, y, 6, p.outside_protocol ? kOutsideFill : "#1f77b4",
               p.outside_protocol ? kOutsideStroke : "#0b3d66", Tooltip(p));
    const double w = 7.2 * static_cast<double>(p.model.size()), h = 14;
    struct Spot {
      double dx, dy;
      const char* anchor;
    };
    const Spot spots[] = {{-9, -9, "end"},  {9, -9, "start"},  {-9, 17, "end"}, {9, 17, "start"},
                          {-9, -25, "end"}, {9, -25, "start"}, {-9, 33, "end"}, {9, 33, "start"}};
    Spot chosen = spots[0];
    for (const Spot& s : spots) {
      const double x0 = s.anchor[0] == 'e' ? x + s.dx - w : x + s.dx;
      const Box b{x0, y + s.dy - h + 3, x0 + w, y + s.dy + 3};
      bool free = b.x0 >= kLeft && b.x1 <= kLeft + pw && b.y0 >= kTop && b.y1 <= kTop + ph;
      for (const Box& t : taken) free = free && !b.Overlaps(t);
      if (free) {
        chosen = s;
        taken.push_back(b);
        break;
      }
    }
    svg.Text(x + chosen.dx, y + chosen.dy, p.model, 12, chosen.anchor, "#0b3d66", true);
  }
  // The user's own models: a bar over the interval, a green dot, the name beside it.
  for (const TrendMark& m : marks) {
    const double x = X(DaysSinceTrendEpoch(m.date)), y = Y(m.value);
    if (m.lo && m.hi) {
      svg.Line(x, Y(*m.lo), x, Y(*m.hi), kMarkStroke, 2);
      svg.Line(x - 5, Y(*m.lo), x + 5, Y(*m.lo), kMarkStroke, 2);
      svg.Line(x - 5, Y(*m.hi), x + 5, Y(*m.hi), kMarkStroke, 2);
    }
    const std::string interval =
        m.lo && m.hi ? fmt::format(", 95% interval {:.3g}-{:.3g}", *m.lo, *m.hi) : "";
    svg.Circle(x, y, 7, kMarkFill, kMarkStroke,
               fmt::format("{} ({}): {:.3g}{}; score {:.2f} at {:.4g}B parameters, measured",
                           m.label, m.date.ToString(), m.value, interval, m.score, m.params_b));
    const bool right = x + 12 + 7.2 * static_cast<double>(m.label.size()) <= kLeft + pw;
    svg.Text(right ? x + 11 : x - 11, y + 4, m.label, 12, right ? "start" : "end", kMarkStroke,
             true);
  }
  // Legend.
  const double lx = kLeft + 15, ly = kTop + 18;
  const bool any_outside = std::any_of(fit.points.begin(), fit.points.end(),
                                       [](const TrendPoint& p) { return p.outside_protocol; });
  svg.Rect(lx - 8, ly - 14, 250, 66 + (any_outside ? 20 : 0) + (marks.empty() ? 0 : 20), "white",
           "#ccc");
  svg.Circle(lx + 6, ly, 6, "#1f77b4", "#0b3d66");
  svg.Text(lx + 20, ly + 4, labels.envelope_label, 12);
  svg.Line(lx, ly + 20, lx + 14, ly + 20, "#d62728", 2, "8 5");
  svg.Text(lx + 20, ly + 24, labels.fit_label, 12);
  svg.Circle(lx + 6, ly + 40, 4, "#bbb", "#777");
  svg.Text(lx + 20, ly + 44, "other models", 12);
  if (any_outside) {
    svg.Circle(lx + 6, ly + 60, 4, "white", kOutsideStroke);
    svg.Text(lx + 20, ly + 64, labels.outside_label, 12);
  }
  if (!marks.empty()) {
    const double my = ly + (any_outside ? 80 : 60);
    svg.Circle(lx + 6, my, 6, kMarkFill, kMarkStroke);
    svg.Text(lx + 20, my + 4, "your model, measured (--mark)", 12);
  }
  return svg.str();
}

}  // namespace densing::density
