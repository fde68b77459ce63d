// `densing trend`: the densing law over the catalog — envelope of the densest model to date,
// ln ρ = A·t + B, doubling time with a bootstrap interval, a split at a date, the price trend,
// and the SVG plot.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "commands.h"
#include "density_options.h"
#include "density/catalog.h"
#include "density/csv.h"
#include "density/density.h"
#include "density/prices.h"
#include "density/reference_choice.h"
#include "density/text_table.h"
#include "density/trend.h"
#include "density/trend_plot.h"

namespace densing::cli {
namespace {

namespace dn = densing::density;

constexpr double kDaysPerMonth = 365.25 / 12;

struct TrendArgs : DensityOptions {
  std::string catalog;
  std::string metric = "effective";
  bool metric_given = false;
  std::string kind;
  bool include_estimates = false;
  std::string from;
  std::string split;
  std::string prices;
  std::string threshold = "GPT-3.5";
  int bootstrap = 2000;
  uint64_t seed = 1;
  std::string plot = "density-trend.svg";
  bool no_plot = false;
  bool json = false;
  bool verbose = false;
};

std::string Days(const dn::TrendFit& f) {
  if (f.line.slope <= 0) return "no doubling (the envelope does not rise)";
  std::string s =
      fmt::format("{:.0f} days ({:.1f} months)", f.doubling_days, f.doubling_days / kDaysPerMonth);
  if (f.doubling_ci_lo) {
    s += fmt::format(", bootstrap 95% CI {:.0f}-{} days", *f.doubling_ci_lo,
                     f.doubling_ci_hi ? fmt::format("{:.0f}", *f.doubling_ci_hi) : "unbounded");
  }
  return s;
}

std::string ValueName(dn::Metric m) {
  switch (m) {
    case dn::Metric::kSimple:
      return "score/N";
    case dn::Metric::kAboveChance:
      return "(score-chance)/N";
    case dn::Metric::kEffective:
      return "rho";
  }
  return "value";
}

// A fit that may fail for lack of points: the JSON of the fit, or {"error": why}.
struct MaybeFit {
  std::optional<dn::TrendFit> fit;
  std::string error;
};
MaybeFit TryFit(std::vector<dn::TrendPoint> pts, const dn::TrendOptions& o,
                const std::string& what) {
  MaybeFit m;
  try {
    m.fit = dn::FitTrend(std::move(pts), o, what);
  } catch (const Error& e) {
    m.error = e.what();
  }
  return m;
}
nlohmann::json ToJson(const MaybeFit& m) {
  return m.fit ? dn::ToJson(*m.fit) : nlohmann::json{{"error", m.error}};
}

void Run(const TrendArgs& a) {
  dn::Catalog catalog = dn::CatalogFrom(a.catalog);
  if (!a.kind.empty()) {
    const std::string kind = dn::Lower(a.kind);
    if (kind != "base" && kind != "chat") Fail("--kind: '{}' is not base or chat", a.kind);
    std::erase_if(catalog.entries, [&](const dn::CatalogEntry& e) { return e.kind != kind; });
  }
  dn::DensityOptions options;
  options.score_column = dn::Lower(a.task);
  options.params = dn::ParseParamKind(a.params);
  options.chance = dn::ChanceFor(options.score_column, a.chance);
  dn::TrendSelection sel;
  sel.metric = dn::ParseMetric(a.metric);
  sel.include_estimates = a.include_estimates;
  if (!a.from.empty()) sel.from = dn::ParseDateOrFail(a.from, "--from");
  std::unique_ptr<dn::Reference> reference;
  if (sel.metric == dn::Metric::kEffective) {
    try {
      reference =
          dn::MakeReference(a.ref, catalog, options.score_column, options.params, options.chance);
      options.reference = reference.get();
    } catch (const Error& e) {
      // Only the untouched default falls back; a reference asked for must work.
      if (a.metric_given || !a.ref.loss_file.empty() ||
          a.ref.family != dn::kDefaultReferenceFamily) {
        throw;
      }
      std::fprintf(stderr,
                   "densing: note: no reference for effective density (%s); using "
                   "--metric above-chance\n",
                   e.what());
      sel.metric = dn::Metric::kAboveChance;
    }
  }
  const dn::TrendOptions topts{a.bootstrap, a.seed};
  std::vector<std::string> skipped;
  const auto rows = dn::CatalogDensities(catalog, options, &skipped);
  const dn::TrendFit fit =
      dn::FitTrend(dn::TrendPointsOf(rows, sel, &skipped), topts,
                   fmt::format("{} density trend", dn::MetricName(sel.metric)));

  std::optional<dn::Date> split;
  MaybeFit before, after;
  if (!a.split.empty()) {
    split = dn::ParseDateOrFail(a.split, "--split");
    dn::TrendSelection b = sel, c = sel;
    b.before = split;
    c.from = split;
    if (sel.from && sel.from->DaysSinceEpoch() > split->DaysSinceEpoch()) c.from = sel.from;
    before = TryFit(dn::TrendPointsOf(rows, b, nullptr), topts, "before " + a.split);
    after = TryFit(dn::TrendPointsOf(rows, c, nullptr), topts, "after " + a.split);
  }
  std::optional<dn::PriceTable> prices;
  double threshold = 0;
  MaybeFit price_fit;
  if (!a.prices.empty()) {
    prices = a.prices == "builtin" ? dn::BuiltinPrices(options.score_column)
                                   : dn::LoadPrices(a.prices, options.score_column);
    threshold = dn::ResolveThreshold(*prices, a.threshold);
    price_fit = TryFit(dn::CheapestAtThreshold(*prices, threshold), topts, "price trend");
  }

  const std::string value_name = ValueName(sel.metric);
  const std::string ref_line =
      reference ? reference->Describe() : "none (not the effective metric)";
  if (!a.no_plot && !a.plot.empty()) {
    dn::TrendPlotLabels labels;
    labels.title = fmt::format("{} density of public models ({}, {} parameters)",
                               sel.metric == dn::Metric::kEffective ? "Capability"
                               : sel.metric == dn::Metric::kSimple  ? "Simple"
                                                                    : "Above-chance",
                               options.score_column, dn::ParamKindName(options.params));
    labels.subtitle =
        fmt::format("densest to date doubles every {}; R\u00b2 = {:.2f}", Days(fit), fit.line.r2);
    labels.y_label = sel.metric == dn::Metric::kEffective
                         ? "density \u03c1 = N\u0302 / N (log scale)"
                         : fmt::format("{} (log scale)", value_name);
    labels.fit_label = fmt::format("fit: ln {} = {:.5f}\u00b7t {:+.2f}", value_name, fit.line.slope,
                                   fit.line.intercept);
    std::ofstream out(a.plot, std::ios::binary);
    out << dn::TrendPlotSvg(fit, labels);
    if (!out) Fail("{}: cannot write the plot", a.plot);
  }

  if (a.json) {
    nlohmann::json j = dn::ToJson(fit);
    j["metric"] = dn::MetricName(sel.metric);
    j["score"] = options.score_column;
    j["params"] = dn::ParamKindName(options.params);
    j["catalog"] = catalog.name;
    j["reference"] = reference ? reference->ToJson() : nlohmann::json(nullptr);
    if (split)
      j["split"] = {
          {"date", split->ToString()}, {"before", ToJson(before)}, {"after", ToJson(after)}};
    if (prices) {
      nlohmann::json p = ToJson(price_fit);
      p["threshold"] = threshold;
      p["source"] = prices->name;
      if (price_fit.fit && price_fit.fit->line.slope > 0)
        p["halving_days"] = price_fit.fit->doubling_days;
      j["prices"] = p;
    }
    j["skipped"] = skipped;
    j["plot"] = a.no_plot ? nlohmann::json(nullptr) : nlohmann::json(a.plot);
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("densing trend: %s density (%s) of %zu models in %s; %s, %s parameters\n",
              dn::MetricName(sel.metric), value_name.c_str(), fit.points.size(),
              catalog.name.c_str(), options.score_column.c_str(),
              dn::ParamKindName(options.params));
  std::printf("reference: %s\n\nenvelope (densest model to date):\n", ref_line.c_str());
  dn::TextTable table({"release", "model", "params_B", options.score_column, value_name});
  for (size_t i : fit.envelope) {
    const auto& p = fit.points[i];
    const auto row =
        std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.model == p.model; });
    table.AddRow({p.date.ToString(), p.model, fmt::format("{:.4g}", row->params_b),
                  fmt::format("{:.2f}", row->score), fmt::format("{:.3g}", p.value)});
  }
  std::printf("%s\n", table.Render("  ").c_str());
  std::printf(
      "fit:      ln %s = %.6f * t %+.3f   (t = days since %s), R^2 = %.3f over %zu envelope "
      "models\n",
      value_name.c_str(), fit.line.slope, fit.line.intercept, dn::kTrendEpoch.ToString().c_str(),
      fit.line.r2, fit.envelope.size());
  std::printf("doubling: %s\n", Days(fit).c_str());
  if (split) {
    for (const auto* m : {&before, &after}) {
      const char* side = m == &before ? "before" : "after ";
      if (m->fit) {
        std::printf("%s %s: slope %.6f/day, doubling %s, R^2 %.3f, %zu envelope of %zu\n", side,
                    split->ToString().c_str(), m->fit->line.slope, Days(*m->fit).c_str(),
                    m->fit->line.r2, m->fit->envelope.size(), m->fit->points.size());
      } else {
        std::printf("%s\n", m->error.c_str());
      }
    }
  }
  if (prices) {
    std::printf("prices (%s): cheapest at %s >= %g: ", prices->name.c_str(),
                options.score_column.c_str(), threshold);
    if (price_fit.fit) {
      std::printf("halves every %s, R^2 %.3f\n", Days(*price_fit.fit).c_str(),
                  price_fit.fit->line.r2);
      for (size_t i : price_fit.fit->envelope) {
        const auto& p = price_fit.fit->points[i];
        std::printf("  %-10s %s\n", p.date.ToString().c_str(), p.model.c_str());
      }
    } else {
      std::printf("%s\n", price_fit.error.c_str());
    }
  }
  if (a.verbose) {
    std::printf("\nskipped:\n");
    for (const auto& s : skipped) std::printf("  %s\n", s.c_str());
    if (reference) std::printf("\n%s", reference->Report().c_str());
  } else if (!skipped.empty()) {
    std::printf("(%zu catalog rows not used; --verbose lists them and the reference fit)\n",
                skipped.size());
  }
  if (!a.no_plot && !a.plot.empty()) std::fprintf(stderr, "wrote %s\n", a.plot.c_str());
}

}  // namespace

void AddTrendCommand(CLI::App& app) {
  auto args = std::make_shared<TrendArgs>();
  CLI::App* sub = app.add_subcommand(
      "trend",
      "The densing law: how fast the density of the densest model to date doubles "
      "(writes density-trend.svg)");
  sub->add_option("--catalog", args->catalog, "catalog CSV (default: the built-in catalog)")
      ->check(CLI::ExistingFile);
  CLI::Option* metric = sub->add_option("--metric", args->metric,
                                        "simple, above-chance or effective (rho = N_hat / N)")
                            ->capture_default_str();
  AddDensityOptions(sub, *args);
  sub->add_option("--kind", args->kind, "only base or only chat models");
  sub->add_flag("--include-estimates", args->include_estimates,
                "include models whose parameter count is an estimate");
  sub->add_option("--from", args->from, "only models released on or after DATE");
  sub->add_option("--split", args->split, "also fit before and after DATE (e.g. 2022-11-30)");
  sub->add_option("--prices", args->prices,
                  "price trend from a prices CSV, or 'builtin' for data/prices.csv");
  sub->add_option("--threshold", args->threshold,
                  "price trend: a score, or a model in the prices file whose score is used")
      ->capture_default_str();
  sub->add_option("--bootstrap", args->bootstrap, "bootstrap resamples")->capture_default_str();
  sub->add_option("--seed", args->seed, "bootstrap seed")->capture_default_str();
  sub->add_option("--plot", args->plot, "SVG file to write")->capture_default_str();
  sub->add_flag("--no-plot", args->no_plot, "write no SVG");
  sub->add_flag("--json", args->json, "print JSON");
  sub->add_flag("-v,--verbose", args->verbose, "list skipped models and the reference fit");
  sub->callback([args, metric] {
    args->metric_given = metric->count() > 0;
    Run(*args);
  });
}

}  // namespace densing::cli

using densing::cli::AddTrendCommand;
DENSING_COMMAND(81, AddTrendCommand);
