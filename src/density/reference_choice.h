// ReferenceChoice: the options that pick a Reference (a catalog family, or the two-step files),
// shared by `densing density` and `densing trend`; and the chance score of a benchmark.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "density/catalog.h"
#include "density/family_reference.h"
#include "density/reference.h"
#include "density/two_step_reference.h"

namespace densing::density {

struct ReferenceChoice {
  std::string family = kDefaultReferenceFamily;
  std::string loss_file;   // --ref-loss: rows N, D, L
  std::string score_file;  // --ref-score: rows L, S
  double d0_tokens = kDefaultD0Tokens;
};

// The two-step reference when both files are given (one alone is an error), else the family
// reference fitted on `catalog`, or on the built-in catalog when `catalog` lacks the family.
std::unique_ptr<Reference> MakeReference(const ReferenceChoice& choice, const Catalog& catalog,
                                         const std::string& score_column, ParamKind params,
                                         double chance);

// `override` when given, else the benchmark's known chance score; throws Error asking for
// --chance when the benchmark is unknown.
double ChanceFor(const std::string& score_column, std::optional<double> override);

// The built-in catalog when `path` is empty, else the file.
Catalog CatalogFrom(const std::string& path);

}  // namespace densing::density
