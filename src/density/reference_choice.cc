// Building the reference a command asked for.
#include "density/reference_choice.h"

#include "base/error.h"

namespace densing::density {

std::unique_ptr<Reference> MakeReference(const ReferenceChoice& choice, const Catalog& catalog,
                                         const std::string& score_column, ParamKind params,
                                         double chance) {
  if (choice.loss_file.empty() != choice.score_file.empty()) {
    Fail("the two-step reference needs both --ref-loss (rows N, D, L) and --ref-score (rows L, S)");
  }
  if (!choice.loss_file.empty()) {
    return std::make_unique<TwoStepReference>(LoadLossPoints(choice.loss_file),
                                              LoadScorePoints(choice.score_file), choice.d0_tokens,
                                              choice.loss_file + " + " + choice.score_file);
  }
  try {
    return std::make_unique<FamilyReference>(catalog, choice.family, score_column, params, chance);
  } catch (const Error&) {
    // A user's catalog (perhaps only model, release, params, score) may lack the family; the
    // built-in catalog has it, for the benchmarks it holds.
    if (&catalog == &BuiltinCatalog()) throw;
    try {
      return std::make_unique<FamilyReference>(CatalogForTask(BuiltinCatalog(), score_column),
                                               choice.family, score_column, params, chance);
    } catch (const Error&) {
    }
    throw;
  }
}

double ChanceFor(const std::string& score_column, std::optional<double> override) {
  if (override) {
    if (*override < 0 || *override >= 100) Fail("--chance: {} is outside 0..100", *override);
    return *override;
  }
  if (auto c = ChanceScore(score_column)) return *c;
  Fail("no known chance score for benchmark '{}'; give it with --chance", score_column);
}

Catalog CatalogFrom(const std::string& path) {
  return path.empty() ? BuiltinCatalog() : LoadCatalog(path);
}

}  // namespace densing::density
