// The trend picture: every model's value (log scale) against release date, the envelope of the
// best to date, the fitted exponential and its doubling time.
#pragma once

#include <string>
#include <vector>

#include "density/trend.h"
#include "density/trend_mark.h"

namespace densing::density {

struct TrendPlotLabels {
  std::string title;     // "Capability density of public models"
  std::string subtitle;  // "doubling every 107 days (95% CI 80-150), R² 0.93"
  std::string y_label;   // "density ρ = N̂ / N (log scale)"
  std::string fit_label = "fit";
  std::string envelope_label = "densest to date";
  std::string outside_label = "outside the protocol";  // legend of points marked outside_protocol
};

// An SVG document, 960×600, readable in a browser: envelope models are labelled, every point has
// a tooltip with its model, date and value; points outside the protocol are orange and hollow.
// `marks` (the user's own models, `densing trend --mark`) are green and labelled, with a bar over
// their interval; the axes widen to hold them and they take no part in the fit.
std::string TrendPlotSvg(const TrendFit& fit, const TrendPlotLabels& labels,
                         const std::vector<TrendMark>& marks = {});

}  // namespace densing::density
