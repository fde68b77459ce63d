// Registration of the shared density options.
#include "density_options.h"

namespace densing::cli {

void AddDensityOptions(CLI::App* sub, DensityOptions& o) {
  sub->add_option("--task", o.task,
                  "benchmark score column (mmlu, hellaswag, arc_c, bbh, math, ...), or avg: each "
                  "model's mean over the benchmarks it has")->capture_default_str();
  sub->add_option("--params", o.params, "parameters divided by: active, total, non-embedding")
      ->capture_default_str();
  sub->add_option("--chance", o.chance, "score of random guessing (default: 25 for 4-way tasks)");
  sub->add_option("--ref-family", o.ref.family, "catalog family for the one-step reference")
      ->capture_default_str();
  sub->add_option("--ref-loss", o.ref.loss_file, "two-step reference: CSV of N,D,L")
      ->check(CLI::ExistingFile);
  sub->add_option("--ref-score", o.ref.score_file, "two-step reference: CSV of L,S")
      ->check(CLI::ExistingFile);
  sub->add_option("--d0", o.ref.d0_tokens, "two-step reference: training tokens D0")
      ->capture_default_str();
}

}  // namespace densing::cli
