// SVG element writers.
#include "density/svg.h"

#include <fmt/format.h>

#include "base/escape.h"

namespace densing::density {

std::string XmlEscape(std::string_view text) {
  std::string kept;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') kept.push_back(c);
  }
  return EscapeMarkup(kept);
}

Svg::Svg(double width, double height) : width_(width), height_(height) {}

void Svg::Rect(double x, double y, double w, double h, std::string_view fill,
               std::string_view stroke) {
  body_ += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" "
      "stroke=\"{}\"/>\n",
      x, y, w, h, XmlEscape(fill), XmlEscape(stroke));
}

void Svg::Line(double x1, double y1, double x2, double y2, std::string_view stroke, double width,
               std::string_view dash) {
  body_ += fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
      "stroke-width=\"{:g}\"{}/>\n",
      x1, y1, x2, y2, XmlEscape(stroke), width,
      dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", XmlEscape(dash)));
}

void Svg::Polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke,
                   double width, std::string_view dash) {
  std::string pts;
  for (const auto& [x, y] : points)
    pts += fmt::format("{}{:.1f},{:.1f}", pts.empty() ? "" : " ", x, y);
  body_ +=
      fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{:g}\"{}/>\n",
                  pts, XmlEscape(stroke), width,
                  dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", XmlEscape(dash)));
}

void Svg::Circle(double cx, double cy, double r, std::string_view fill, std::string_view stroke,
                 std::string_view tooltip) {
  const std::string head =
      fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:g}\" fill=\"{}\" stroke=\"{}\"", cx,
                  cy, r, XmlEscape(fill), XmlEscape(stroke));
  if (tooltip.empty()) {
    body_ += head + "/>\n";
  } else {
    body_ += head + "><title>" + XmlEscape(tooltip) + "</title></circle>\n";
  }
}

void Svg::Text(double x, double y, std::string_view text, double size, std::string_view anchor,
               std::string_view fill, bool bold, double rotate) {
  body_ += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{:g}\" text-anchor=\"{}\" fill=\"{}\"{}{}>{}"
      "</text>\n",
      x, y, size, XmlEscape(anchor), XmlEscape(fill), bold ? " font-weight=\"bold\"" : "",
      rotate != 0 ? fmt::format(" transform=\"rotate({:g} {:.1f} {:.1f})\"", rotate, x, y) : "",
      XmlEscape(text));
}

void Svg::Comment(std::string_view text) {
  std::string safe(text);
  for (size_t p; (p = safe.find("--")) != std::string::npos;) safe.replace(p, 2, "- -");
  body_ += "<!-- " + safe + " -->\n";
}

std::string Svg::str() const {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:g}\" height=\"{1:g}\" "
      "viewBox=\"0 0 {0:g} {1:g}\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      "{2}</svg>\n",
      width_, height_, body_);
}

}  // namespace densing::density
