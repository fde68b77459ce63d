// Svg: a small writer of standalone SVG documents (shapes, text, tooltips) with XML escaping.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace densing::density {

// EscapeMarkup after dropping the control characters XML forbids (all but tab and newline).
std::string XmlEscape(std::string_view text);

class Svg {
 public:
  Svg(double width, double height);

  void Rect(double x, double y, double w, double h, std::string_view fill,
            std::string_view stroke = "none");
  void Line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1,
            std::string_view dash = "");
  void Polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke,
                double width = 1, std::string_view dash = "");
  // A dot; `tooltip`, when given, shows on hover in a browser.
  void Circle(double cx, double cy, double r, std::string_view fill, std::string_view stroke,
              std::string_view tooltip = "");
  // anchor: "start", "middle" or "end"; rotate in degrees about (x, y).
  void Text(double x, double y, std::string_view text, double size = 12,
            std::string_view anchor = "start", std::string_view fill = "#222", bool bold = false,
            double rotate = 0);
  void Comment(std::string_view text);

  std::string str() const;  // the whole document, XML declaration first

 private:
  double width_;
  double height_;
  std::string body_;
};

}  // namespace densing::density
