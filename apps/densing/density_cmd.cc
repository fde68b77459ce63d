// `densing density`: simple, above-chance, effective (ρ = N̂/N) and per-byte density of the
// catalog's models or of a GGUF file measured here.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "commands.h"
#include "density_measure.h"
#include "density_options.h"
#include "density/catalog.h"
#include "density/csv.h"
#include "density/density.h"
#include "density/eval_results.h"
#include "density/gguf_params.h"
#include "density/measured.h"
#include "density/reference_choice.h"
#include "density/text_table.h"

namespace densing::cli {
namespace {

namespace dn = densing::density;

struct DensityArgs : DensityOptions {
  std::string catalog;
  std::string model;
  std::vector<std::string> scores;
  std::string eval;
  std::string name;
  std::string release;
  bool json = false;
  bool csv = false;
  bool verbose = false;
  bool measure = false;
  MeasureOptions measure_options;
  int threads = 0;
  int resamples = 1000;
};

// What --measure found, for the table's note, the text and the JSON.
struct Measured {
  std::vector<dn::MeasuredTask> tasks;
  std::optional<dn::BootstrapBand> score_band, rho_band;
};

std::string MeasuredLine(const dn::MeasuredTask& t) {
  return fmt::format("{} {}-shot {} {:.2f}% (n={})", t.task, t.shots, t.metric, t.Accuracy(),
                     t.correct.size());
}

std::string Num(double v, const char* spec) { return fmt::format(fmt::runtime(spec), v); }

// The score of `task` from --score TASK=VALUE (or a bare VALUE) and --eval FILE.
double ScoreOf(const DensityArgs& a) {
  std::optional<double> score;
  for (const auto& s : a.scores) {
    const auto eq = s.find('=');
    const std::string task =
        eq == std::string::npos ? a.task : dn::Lower(dn::Trim(s.substr(0, eq)));
    const std::string value = eq == std::string::npos ? s : s.substr(eq + 1);
    auto v = dn::ParseNumberCell(value, "--score", 0, task);
    if (!v) Fail("--score '{}': no value", s);
    if (task == dn::Lower(a.task)) score = *v;
  }
  if (!a.eval.empty()) {
    const auto scores = dn::LoadEvalScores(a.eval);
    if (auto it = scores.find(dn::Lower(a.task)); it != scores.end()) {
      score = it->second;
    } else if (!score) {
      Fail("{}: no {} result (it has {} task(s); pick one with --task)", a.eval, a.task,
           scores.size());
    }
  }
  if (!score)
    Fail("--model needs a {} score: --score {}=VALUE or --eval RESULTS.json", a.task, a.task);
  return *score;
}

// The catalog's published scores of the measured model, when --name names a catalog model.
const dn::CatalogEntry* PublishedEntry(const dn::Catalog& catalog, const DensityArgs& a) {
  return a.name.empty() ? nullptr : catalog.Find(a.name);
}

nlohmann::json MeasuredJson(const Measured& m, const dn::Catalog& catalog, const DensityArgs& a,
                            const std::string& column) {
  nlohmann::json j;
  j["source"] = "measured here (densing eval's scoring, log-likelihood of each choice)";
  j["limit"] = a.measure_options.data.limit;
  j["tasks"] = nlohmann::json::array();
  for (const auto& t : m.tasks) {
    j["tasks"].push_back({{"task", t.task},
                          {"column", t.column},
                          {"shots", t.shots},
                          {"metric", t.metric},
                          {"n", t.correct.size()},
                          {"score", t.Accuracy()}});
  }
  auto band = [](const std::optional<dn::BootstrapBand>& b) {
    return b ? nlohmann::json::array({b->lo, b->hi}) : nlohmann::json(nullptr);
  };
  j["score_ci95"] = band(m.score_band);
  j["rho_ci95"] = band(m.rho_band);
  j["resamples"] = a.resamples;
  nlohmann::json published = nullptr;
  if (const auto* e = PublishedEntry(catalog, a)) {
    published = {{"model", e->model}, {"scores", nlohmann::json::object()}};
    for (const auto& t : m.tasks) {
      if (auto v = e->Score(t.column)) {
        published["scores"][t.column] = {{"score", *v}, {"source", e->sources.at(t.column)}};
      }
    }
    if (auto v = e->Score(column)) published["score"] = *v;
  }
  j["published"] = published;
  return j;
}

void PrintMeasured(const Measured& m, const dn::Catalog& catalog, const DensityArgs& a,
                   const std::string& column) {
  std::printf("\nmeasured here (densing eval's scoring%s):\n",
              a.measure_options.data.limit > 0
                  ? fmt::format(", --limit {}", a.measure_options.data.limit).c_str()
                  : "");
  const auto* e = PublishedEntry(catalog, a);
  for (const auto& t : m.tasks) {
    std::string published = "no published score in the catalog";
    if (!e) {
      published = "published: --name CATALOG_MODEL to compare";
    } else if (auto v = e->Score(t.column)) {
      published = fmt::format("published {:.2f} ({})", *v, e->sources.at(t.column));
    }
    std::printf("  %s; %s\n", MeasuredLine(t).c_str(), published.c_str());
  }
  if (m.score_band) {
    std::printf("  %s: item bootstrap 95%% interval %.2f-%.2f (%d resamples)\n", column.c_str(),
                m.score_band->lo, m.score_band->hi, a.resamples);
  }
  if (m.rho_band) {
    std::printf("  rho: item bootstrap 95%% interval %.3g-%.3g (%d of %d resamples inside the "
                "reference's reach)\n",
                m.rho_band->lo, m.rho_band->hi, m.rho_band->n_valid, a.resamples);
  } else {
    std::printf("  rho: no interval (the measured scores fall outside the reference's reach)\n");
  }
  std::printf("  measured scores differ from published ones by protocol (shots, prompt format, "
              "acc vs acc_norm), by the file's quantization and by --limit's sample\n");
}

void Run(const DensityArgs& a) {
  if (a.json && a.csv) Fail("--json and --csv: pick one");
  if (a.model.empty() && (!a.scores.empty() || !a.eval.empty() || a.measure)) {
    Fail("--score, --eval and --measure describe a model: give its file with --model FILE.gguf");
  }
  if (a.measure && (!a.scores.empty() || !a.eval.empty())) {
    Fail("--measure scores the model here: leave out --score and --eval");
  }
  const dn::Catalog catalog = dn::CatalogForTask(dn::CatalogFrom(a.catalog), a.task);
  dn::DensityOptions options;
  options.score_column = dn::Lower(a.task);
  options.params = dn::ParseParamKind(a.params);
  options.chance = dn::ChanceFor(options.score_column, a.chance);
  std::unique_ptr<dn::Reference> reference;
  std::string no_reference;
  try {
    reference =
        dn::MakeReference(a.ref, catalog, options.score_column, options.params, options.chance);
    options.reference = reference.get();
  } catch (const Error& e) {
    if (!a.ref.loss_file.empty() || a.ref.family != dn::kDefaultReferenceFamily) {
      throw;  // a reference asked for must work; only the default may be missing
    }
    no_reference = e.what();
  }

  std::vector<dn::DensityRow> rows;
  std::vector<std::string> skipped;
  std::optional<ParamCount> counted;
  std::optional<Measured> measured;
  if (!a.model.empty()) {
    counted = dn::CountParamsOfFile(a.model);
    dn::ModelFacts f;
    f.model = a.name.empty() ? std::filesystem::path(a.model).stem().string() : a.name;
    if (!a.release.empty()) f.release = dn::ParseDateOrFail(a.release, "--release");
    const int64_t n = options.params == dn::ParamKind::kActive  ? counted->active
                      : options.params == dn::ParamKind::kTotal ? counted->total
                                                                : counted->non_embedding;
    f.params_b = static_cast<double>(n) / 1e9;
    f.weight_gb = static_cast<double>(counted->bytes) / 1e9;
    if (a.measure) {
      ModelOptions mo;
      mo.path = a.model;
      mo.threads = a.threads;
      measured.emplace();
      measured->tasks = MeasureModel(mo, a.measure_options);
      f.score = dn::MeasuredScore(measured->tasks, options.score_column);
      if (!f.score) {
        Fail("--measure: no {} among the measured tasks (mmlu, hellaswag, arc_e, arc_c, avg)",
             options.score_column);
      }
      measured->score_band =
          dn::BootstrapOverItems(measured->tasks, options.score_column, {}, a.resamples, 1);
      if (reference) {
        const double n = *f.params_b;
        measured->rho_band = dn::BootstrapOverItems(
            measured->tasks, options.score_column,
            [&](double s) -> std::optional<double> {
              const auto e = reference->Effective(s);
              if (e.reach != dn::Reach::kInside) return std::nullopt;
              return e.n_hat_b / n;
            },
            a.resamples, 2);
      }
    } else {
      f.score = ScoreOf(a);
    }
    rows.push_back(dn::ComputeDensity(f, options));
  } else {
    rows = dn::CatalogDensities(catalog, options, &skipped);
  }

  if (a.json) {
    nlohmann::json j;
    j["catalog"] = catalog.name;
    j["score"] = options.score_column;
    j["params"] = dn::ParamKindName(options.params);
    j["chance"] = options.chance;
    j["reference"] = reference ? reference->ToJson() : nlohmann::json(nullptr);
    if (!no_reference.empty()) j["reference_error"] = no_reference;
    if (counted) j["model_params"] = dn::ToJson(*counted);
    j["models"] = nlohmann::json::array();
    for (const auto& r : rows) j["models"].push_back(dn::ToJson(r));
    j["skipped"] = skipped;
    if (measured) j["measured"] = MeasuredJson(*measured, catalog, a, options.score_column);
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::vector<std::string> header = {"model",  "release",      "params_B", options.score_column,
                                     "simple", "above_chance", "N_hat_B",  "rho"};
  if (counted) header.insert(header.end(), {"weight_GB", "score_per_GB"});
  header.push_back("note");
  dn::TextTable table(header);
  for (const auto& r : rows) {
    std::vector<std::string> cells = {r.model,
                                      r.release ? r.release->ToString() : "-",
                                      Num(r.params_b, "{:.4g}"),
                                      Num(r.score, "{:.2f}"),
                                      Num(r.simple, "{:.2f}"),
                                      Num(r.above_chance, "{:.2f}"),
                                      "-",
                                      r.rho ? Num(*r.rho, "{:.3g}") : "-"};
    std::string note;
    if (r.effective) {
      if (r.effective->reach == dn::Reach::kInside) {
        cells[6] = Num(r.effective->n_hat_b, "{:.3g}");
        if (r.effective->extrapolated) note = "extrapolated";
      } else {
        note = dn::ReachName(r.effective->reach);
      }
    }
    if (r.params_estimate) note += note.empty() ? "params estimated" : ", params estimated";
    if (measured) note += note.empty() ? "score measured here" : ", score measured here";
    if (counted) {
      cells.push_back(Num(*r.weight_gb, "{:.3g}"));
      cells.push_back(Num(*r.score_per_gb, "{:.4g}"));
    }
    cells.push_back(note);
    table.AddRow(std::move(cells));
  }
  if (a.csv) {
    std::printf("%s", table.Csv().c_str());
    return;
  }
  std::printf("density of %s: %s over %s parameters (billions); chance = %g\n",
              counted ? a.model.c_str() : catalog.name.c_str(), options.score_column.c_str(),
              dn::ParamKindName(options.params), options.chance);
  std::printf("simple = score / N;  above_chance = (score - chance) / N;  rho = N_hat / N\n\n");
  std::printf("%s", table.Render().c_str());
  if (counted) {
    std::printf("\nparameters of %s: total %lld, embedding %lld, non-embedding %lld, active %lld",
                a.model.c_str(), static_cast<long long>(counted->total),
                static_cast<long long>(counted->embedding),
                static_cast<long long>(counted->non_embedding),
                static_cast<long long>(counted->active));
    if (counted->n_expert > 0) {
      std::printf(" (%lld of %lld experts per token)",
                  static_cast<long long>(counted->n_expert_used),
                  static_cast<long long>(counted->n_expert));
    }
    std::printf("\nweights: %.4g GB, %.2f bits per weight\n", counted->bytes / 1e9,
                counted->bits_per_weight());
  }
  if (measured) PrintMeasured(*measured, catalog, a, options.score_column);
  if (!skipped.empty()) {
    std::printf("\n%zu models skipped%s\n", skipped.size(),
                a.verbose ? ":" : " (no score or parameter count; --verbose lists them)");
    if (a.verbose) {
      for (const auto& s : skipped) std::printf("  %s\n", s.c_str());
    }
  }
  std::printf("\n%s", reference ? reference->Report().c_str()
                                : fmt::format("no effective density: {}\n", no_reference).c_str());
}

}  // namespace

void AddDensityCommand(CLI::App& app) {
  auto args = std::make_shared<DensityArgs>();
  args->measure_options.data.data_dir = "../shared/data";
  CLI::App* sub =
      app.add_subcommand("density",
                         "Knowledge density of the catalog's models or of a GGUF file: score per "
                         "parameter, above chance, effective parameters (rho) and per GB");
  sub->add_option("--catalog", args->catalog, "catalog CSV (default: the built-in catalog)")
      ->check(CLI::ExistingFile);
  sub->add_option("-m,--model", args->model,
                  "a GGUF file measured here; parameters are counted from it")
      ->check(CLI::ExistingFile);
  sub->add_option("--score", args->scores,
                  "score of --model, TASK=VALUE in percent (e.g. mmlu=62.3)");
  sub->add_option("--eval", args->eval,
                  "score of --model from a `densing eval --json` results file")
      ->check(CLI::ExistingFile);
  sub->add_option("--name", args->name, "display name of --model (default: the file name)");
  sub->add_option("--release", args->release, "release date of --model (YYYY-MM[-DD])");
  AddDensityOptions(sub, *args);
  sub->add_flag("--measure", args->measure,
                "score --model here with densing eval's tasks (mmlu 5-shot, hellaswag, arc-easy, "
                "arc-challenge) and place it by the measured scores");
  sub->add_option("--measure-tasks", args->measure_options.tasks,
                  "--measure: tasks to run (comma-separated)")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--limit", args->measure_options.data.limit,
                  "--measure: at most this many items per task (mmlu: per subject); 0 = all")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  sub->add_option("--data", args->measure_options.data.data_dir,
                  "--measure: data folder (holding mmlu/, hellaswag/, arc/)")
      ->capture_default_str();
  sub->add_option("-t,--threads", args->threads, "--measure: threads (0: all cores)");
  sub->add_option("--resamples", args->resamples, "--measure: bootstrap resamples over items")
      ->check(CLI::Range(10, 100000))
      ->capture_default_str();
  sub->add_flag("--json", args->json, "print JSON");
  sub->add_flag("--csv", args->csv, "print CSV");
  sub->add_flag("-v,--verbose", args->verbose, "list skipped models");
  sub->callback([args] { Run(*args); });
}

}  // namespace densing::cli

using densing::cli::AddDensityCommand;
DENSING_COMMAND(80, AddDensityCommand);
