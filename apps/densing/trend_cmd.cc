// `densing trend`: the densing law over the catalog — by default under the paper's protocol
// (open-weight base models from 2023-02-24) — envelope of the densest model to date,
// ln ρ = A·t + B, doubling time with a jackknife interval and each envelope model's leave-one-out
// fit, a split at a date, the price trend, and the SVG plot.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
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
#include "density/trend_mark.h"
#include "density/trend_plot.h"
#include "density/eval_results.h"
#include "density/gguf_params.h"
#include "density/measured.h"

namespace densing::cli {
namespace {

namespace dn = densing::density;

constexpr double kDaysPerMonth = 365.25 / 12;

struct TrendArgs : DensityOptions {
  std::string catalog;
  std::string metric = "effective";
  std::string kind;
  bool include_estimates = false;
  bool all = false;
  bool sensitivity = false;
  std::string from;
  std::string split;
  std::string prices;
  std::string threshold = "GPT-3.5";
  std::string plot = "density-trend.svg";
  bool no_plot = false;
  bool json = false;
  bool verbose = false;
  std::vector<std::string> marks;
  std::string mark_date;
};

std::string Days(const dn::TrendFit& f) {
  if (f.line.slope <= 0) return "no doubling (the envelope does not rise)";
  std::string s =
      fmt::format("{:.0f} days ({:.1f} months)", f.doubling_days, f.doubling_days / kDaysPerMonth);
  if (!f.doubling_ci_lo && f.slope_ci_hi) {
    s += ", jackknife 95% CI: no doubling excluded (the slope's interval reaches 0)";
  } else if (!f.doubling_ci_lo) {
    s += ", no interval (it needs three envelope models)";
  }
  if (f.doubling_ci_lo) {
    s += fmt::format(", jackknife 95% CI {:.0f}-{} days", *f.doubling_ci_lo,
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

bool EndsWith(const std::string& s, std::string_view end) {
  return s.size() >= end.size() && dn::Lower(s.substr(s.size() - end.size())) == end;
}

// One --mark: a results JSON of `densing density -m MODEL.gguf --measure --json`, or
// MODEL.gguf=EVAL.json (parameters counted from the file, scores from `densing eval --json`).
dn::MarkInput ReadMark(const std::string& spec) {
  if (EndsWith(spec, ".gguf")) {
    Fail("--mark {}: a GGUF file needs its scores, and measuring them takes long: run `densing "
         "density -m {} --measure --json > results.json` and give --mark results.json (or "
         "--mark {}=EVAL.json with `densing eval --json` results)",
         spec, spec, spec);
  }
  if (const auto eq = spec.find(".gguf="); eq != std::string::npos) {
    const std::string model = spec.substr(0, eq + 5), eval = spec.substr(eq + 6);
    dn::MarkInput in;
    in.label = std::filesystem::path(model).stem().string();
    const ParamCount c = dn::CountParamsOfFile(model);
    in.total_b = static_cast<double>(c.total) / 1e9;
    in.non_embedding_b = static_cast<double>(c.non_embedding) / 1e9;
    in.active_b = static_cast<double>(c.active) / 1e9;
    for (const auto& [task, v] : dn::LoadEvalScores(eval)) {
      std::string column = task;
      try {
        column = dn::ColumnOfEvalTask(task);
      } catch (const Error&) {
      }
      in.scores[column] = v;
    }
    return in;
  }
  std::ifstream f(spec, std::ios::binary);
  if (!f) Fail("--mark {}: cannot open the file", spec);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    Fail("--mark {}: not JSON ({})", spec, e.what());
  }
  return dn::MarkFromDensityJson(j, "--mark " + spec);
}

dn::Date Today() {
  return dn::DateFromDaysSinceEpoch(static_cast<int>(std::time(nullptr) / 86400));
}

// The protocol in words, for the header line and the JSON.
std::string ProtocolText(const dn::TrendSelection& sel) {
  std::string who = sel.protocol_open_weights ? "open-weight " : "";
  who += sel.protocol_kind.empty() ? "models of any kind" : sel.protocol_kind + " models";
  if (sel.from) who += " released from " + sel.from->ToString();
  if (sel.protocol_from) who += " released from " + sel.protocol_from->ToString();
  return who;
}

void Run(const TrendArgs& a) {
  const dn::Catalog catalog = dn::CatalogForTask(dn::CatalogFrom(a.catalog), a.task);
  dn::TrendSelection sel;
  std::vector<std::string> notes;
  if (!a.kind.empty()) {
    const std::string kind = dn::Lower(a.kind);
    if (kind != "base" && kind != "chat" && kind != "any") {
      Fail("--kind: '{}' is not base, chat or any", a.kind);
    }
    sel.protocol_kind = kind == "any" ? "" : kind;
  }
  // A catalog that says nothing about kind (or weights) cannot be filtered by it.
  auto none_has = [&](auto field) {
    return std::none_of(catalog.entries.begin(), catalog.entries.end(),
                        [&](const dn::CatalogEntry& e) { return !(e.*field).empty(); });
  };
  if (none_has(&dn::CatalogEntry::kind) && !sel.protocol_kind.empty()) {
    sel.protocol_kind.clear();
    notes.push_back(fmt::format("{} gives no kind: base and chat models are not told apart",
                                catalog.name));
  }
  if (none_has(&dn::CatalogEntry::weights)) {
    sel.protocol_open_weights = false;
    notes.push_back(fmt::format("{} gives no weights column: closed models are not told apart",
                                catalog.name));
  }
  if (!a.from.empty()) {
    sel.from = dn::ParseDateOrFail(a.from, "--from");
    sel.protocol_from.reset();  // the window asked for replaces the paper's
  }
  sel.all = a.all;
  dn::DensityOptions options;
  options.score_column = dn::Lower(a.task);
  options.params = dn::ParseParamKind(a.params);
  options.chance = dn::ChanceFor(options.score_column, a.chance);
  sel.metric = dn::ParseMetric(a.metric);
  sel.include_estimates = a.include_estimates;
  std::unique_ptr<dn::Reference> reference;
  if (sel.metric == dn::Metric::kEffective) {
    // No silent change of metric: a reference that cannot be built is an error.
    try {
      reference =
          dn::MakeReference(a.ref, catalog, options.score_column, options.params, options.chance);
    } catch (const Error& e) {
      Fail("{} (for another measure ask for it: --metric above-chance or --metric simple)",
           e.what());
    }
    options.reference = reference.get();
  }
  // The user's own models first: a bad file fails before any fitting.
  std::vector<dn::TrendMark> marks;
  for (const std::string& spec : a.marks) {
    const dn::MarkInput in = ReadMark(spec);
    const dn::Date date = !a.mark_date.empty() ? dn::ParseDateOrFail(a.mark_date, "--mark-date")
                          : in.release         ? *in.release
                                               : Today();
    marks.push_back(dn::PlaceMark(in, options, sel.metric, date, "--mark " + spec));
  }

  const dn::TrendOptions topts;
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
    labels.outside_label = "outside the protocol (--all)";
    labels.y_label = sel.metric == dn::Metric::kEffective
                         ? "density \u03c1 = N\u0302 / N (log scale)"
                         : fmt::format("{} (log scale)", value_name);
    labels.fit_label = fmt::format("fit: ln {} = {:.5f}\u00b7t {:+.2f}", value_name, fit.line.slope,
                                   fit.line.intercept);
    std::ofstream out(a.plot, std::ios::binary);
    out << dn::TrendPlotSvg(fit, labels, marks);
    if (!out) Fail("{}: cannot write the plot", a.plot);
  }

  if (a.json) {
    nlohmann::json j = dn::ToJson(fit);
    j["metric"] = dn::MetricName(sel.metric);
    j["score"] = options.score_column;
    j["params"] = dn::ParamKindName(options.params);
    j["catalog"] = catalog.name;
    j["protocol"] = {{"models", ProtocolText(sel)},
                     {"all", sel.all},
                     {"from", sel.from ? nlohmann::json(sel.from->ToString())
                              : sel.protocol_from ? nlohmann::json(sel.protocol_from->ToString())
                                                  : nlohmann::json(nullptr)},
                     {"kind", sel.protocol_kind.empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json(sel.protocol_kind)},
                     {"open_weights_only", sel.protocol_open_weights},
                     {"notes", notes}};
    j["reference"] = reference ? reference->ToJson() : nlohmann::json(nullptr);
    if (split) {
      j["split"] = {
          {"date", split->ToString()}, {"before", ToJson(before)}, {"after", ToJson(after)}};
      if (before.fit && after.fit) {
        const dn::SplitChange c = dn::CompareSplit(*before.fit, *after.fit);
        j["split"]["change"] = {{"direction", dn::DirectionName(c.direction)},
                                {"outside_intervals", c.outside_intervals},
                                {"intervals_known", c.intervals_known},
                                {"text", c.text}};
      }
    }
    if (prices) {
      nlohmann::json p = ToJson(price_fit);
      p["threshold"] = threshold;
      p["source"] = prices->name;
      if (price_fit.fit && price_fit.fit->line.slope > 0)
        p["halving_days"] = price_fit.fit->doubling_days;
      j["prices"] = p;
    }
    j["marks"] = nlohmann::json::array();
    for (const auto& m : marks) {
      j["marks"].push_back({{"model", m.label},
                            {"date", m.date.ToString()},
                            {"score", m.score},
                            {"params_B", m.params_b},
                            {"value", m.value},
                            {"value_ci95", m.lo ? nlohmann::json::array({*m.lo, *m.hi})
                                                : nlohmann::json(nullptr)}});
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
  std::printf("protocol: %s%s\n", ProtocolText(sel).c_str(),
              sel.all ? "; --all: every other model too (marked *)"
                      : " (the densing-law paper's; --all for every model)");
  for (const auto& n : notes) std::printf("note: %s\n", n.c_str());
  std::printf("reference: %s\n\nenvelope (densest model to date):\n", ref_line.c_str());
  dn::TextTable table({"release", "model", "params_B", options.score_column, value_name, "note"});
  for (size_t i : fit.envelope) {
    const auto& p = fit.points[i];
    const auto row =
        std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.model == p.model; });
    std::string note;
    if (p.outside_protocol) note = "* " + dn::OutsideProtocol(*row, sel);
    if (sel.metric == dn::Metric::kEffective && row->effective && row->effective->extrapolated) {
      note += (note.empty() ? "" : "; ") + std::string("N_hat extrapolated");
    }
    table.AddRow({p.date.ToString(), p.model, fmt::format("{:.4g}", row->params_b),
                  fmt::format("{:.2f}", row->score), fmt::format("{:.3g}", p.value), note});
  }
  std::printf("%s\n", table.Render("  ").c_str());
  std::printf(
      "fit:      ln %s = %.6f * t %+.3f   (t = days since %s), R^2 = %.3f over %zu envelope "
      "models\n",
      value_name.c_str(), fit.line.slope, fit.line.intercept, dn::kTrendEpoch.ToString().c_str(),
      fit.line.r2, fit.envelope.size());
  std::printf("doubling: %s\n", Days(fit).c_str());
  if (a.sensitivity || a.verbose) {
    std::printf("\nsensitivity (each envelope model left out, the envelope refitted):\n");
    dn::TextTable loo({"left out", "doubling_days", "envelope"});
    for (const auto& l : fit.leave_one_out) {
      loo.AddRow({l.model,
                  !l.slope        ? std::string("no line")
                  : *l.slope <= 0 ? std::string("no doubling")
                                  : fmt::format("{:.0f}", std::log(2.0) / *l.slope),
                  fmt::format("{}", l.n_envelope)});
    }
    std::printf("%s", loo.Render("  ").c_str());
  }
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
    if (before.fit && after.fit) {
      std::printf("change:  %s\n", dn::CompareSplit(*before.fit, *after.fit).text.c_str());
    }
  }
  for (const auto& m : marks) {
    std::printf("marked:  %s (%s): %s %.2f at %.4gB parameters, %s %.3g%s; the line expects %.3g "
                "for the densest model on that date\n",
                m.label.c_str(), m.date.ToString().c_str(), options.score_column.c_str(), m.score,
                m.params_b, value_name.c_str(), m.value,
                m.lo ? fmt::format(" (95% interval {:.3g}-{:.3g})", *m.lo, *m.hi).c_str() : "",
                fit.FitValue(dn::DaysSinceTrendEpoch(m.date)));
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
  sub->add_option("--metric", args->metric,
                                        "simple, above-chance or effective (rho = N_hat / N)")
                            ->capture_default_str();
  AddDensityOptions(sub, *args);
  sub->add_option("--kind", args->kind,
                  "base (the protocol's), chat or any; replaces the protocol's choice");
  sub->add_flag("--all", args->all,
                "every dated model, not only the protocol's open-weight base models from "
                "2023-02-24; the others are marked");
  sub->add_flag("--sensitivity", args->sensitivity,
                "print the doubling time with each envelope model left out");
  sub->add_flag("--include-estimates", args->include_estimates,
                "include models whose parameter count is an estimate");
  sub->add_option("--from", args->from,
                  "only models released on or after DATE (replaces the protocol's 2023-02-24)");
  sub->add_option("--split", args->split, "also fit before and after DATE (e.g. 2022-11-30)");
  sub->add_option("--prices", args->prices,
                  "price trend from a prices CSV, or 'builtin' for data/prices.csv");
  sub->add_option("--threshold", args->threshold,
                  "price trend: a score, or a model in the prices file whose score is used")
      ->capture_default_str();
  sub->add_option("--plot", args->plot, "SVG file to write")->capture_default_str();
  sub->add_flag("--no-plot", args->no_plot, "write no SVG");
  sub->add_option("--mark", args->marks,
                  "draw your own model on the plot, labelled, with its interval: the JSON of "
                  "`densing density -m MODEL.gguf --measure --json`, or MODEL.gguf=EVAL.json "
                  "(repeatable)");
  sub->add_option("--mark-date", args->mark_date,
                  "date to place --mark models at (default: the file's release, else today)");
  sub->add_flag("--json", args->json, "print JSON");
  sub->add_flag("-v,--verbose", args->verbose,
                "list skipped models, the sensitivity and the reference fit");
  sub->callback([args] { Run(*args); });
}

}  // namespace densing::cli

using densing::cli::AddTrendCommand;
DENSING_COMMAND(81, AddTrendCommand);
