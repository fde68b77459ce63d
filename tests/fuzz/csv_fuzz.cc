// Fuzz target: a catalog or results file from a user. The same bytes go through the CSV reader,
// the catalog parser (and its per-task views), the price list, and the evaluation-results JSON
// reader. Only densing::Error may come out.
#include <cstdint>
#include <string>

#include "base/csv.h"
#include "base/error.h"
#include "density/catalog.h"
#include "density/eval_results.h"
#include "density/prices.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)densing::ParseCsv(text);
  try {
    const densing::density::Catalog catalog = densing::density::ParseCatalog(text, "fuzz.csv");
    (void)densing::density::WithAverageScore(catalog);
    (void)densing::density::CatalogForTask(catalog, "mmlu");
  } catch (const densing::Error&) {
  }
  try {
    (void)densing::density::ParsePrices(text, "fuzz.csv", "mmlu");
  } catch (const densing::Error&) {
  }
  try {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded()) (void)densing::density::ScoresFromEvalJson(j, "fuzz.json");
  } catch (const densing::Error&) {
  }
  return 0;
}
