// densing bench --draft-model / --lookup: decode speed with and without speculation on a prompt
// file, greedy, alternating the two so that a shared machine's load falls on both alike.
#pragma once

#include <string>

#include "speculative_options.h"

namespace densing::cli {

struct SpeculativeBenchOptions {
  std::string model;
  std::string prompt_file;
  SpeculativeOptions speculative;
  int64_t n_gen = 64;
  int reps = 5;
  int threads = 0;
  bool json = false;
};

void BenchSpeculative(const SpeculativeBenchOptions& o);

}  // namespace densing::cli
