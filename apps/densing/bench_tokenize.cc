// Tokenizer throughput, measured on whole files as users feed them to perplexity and eval.
#include "bench_tokenize.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"

namespace densing::cli {

void BenchTokenize(const std::string& model_path, const std::string& text_path, int reps, bool json) {
  std::ifstream in(text_path, std::ios::binary);
  if (!in) Fail("{}: cannot read", text_path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (text.empty()) Fail("{}: empty file", text_path);
  auto file = gguf::File::Open(model_path);
  auto tokenizer = Tokenizer::FromGguf(*file);
  std::vector<double> mb_per_s;
  size_t n_tokens = 0;
  for (int r = 0; r < std::max(1, reps); ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    n_tokens = tokenizer->Encode(text, false, false).size();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    mb_per_s.push_back(static_cast<double>(text.size()) / 1e6 / s);
  }
  const double best = *std::max_element(mb_per_s.begin(), mb_per_s.end());
  double mean = 0;
  for (double v : mb_per_s) mean += v;
  mean /= static_cast<double>(mb_per_s.size());
  if (json) {
    std::printf("%s\n", nlohmann::json{{"test", "tokenize"},
                                       {"model", model_path},
                                       {"bytes", text.size()},
                                       {"tokens", n_tokens},
                                       {"mb_per_s", mean},
                                       {"mb_per_s_best", best}}
                            .dump()
                            .c_str());
    return;
  }
  std::printf("tokenize %s (%s, %s): %zu bytes -> %zu tokens, %.2f MB/s mean, %.2f best of %zu\n",
              text_path.c_str(), tokenizer->model().c_str(), tokenizer->pre().c_str(), text.size(),
              n_tokens, mean, best, mb_per_s.size());
}

}  // namespace densing::cli
