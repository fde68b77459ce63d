// The speculative bench: plain and speculative greedy decoding of the same prompt, in turns.
#include "bench_speculative.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "base/error.h"
#include "generate/generate.h"

namespace densing::cli {
namespace {

struct Series {
  std::vector<double> tokens_per_s;
  int64_t n_drafted = 0, n_accepted = 0, n_generated = 0;
  std::vector<int32_t> tokens;  // of the last repetition
};

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}
double Sd(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = Mean(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

}  // namespace

void BenchSpeculative(const SpeculativeBenchOptions& o) {
  if (o.prompt_file.empty()) Fail("bench --draft-model/--lookup needs a prompt (--prompt-file FILE)");
  std::ifstream in(o.prompt_file, std::ios::binary);
  if (!in) Fail("cannot read the prompt file {}", o.prompt_file);
  std::stringstream text;
  text << in.rdbuf();
  auto model = Model::Load(o.model);
  auto tokenizer = Tokenizer::FromGguf(model->file());
  // Chat markup written in the file (<|im_start|>...) is parsed as the model's special tokens.
  const std::vector<int32_t> prompt = tokenizer->Encode(text.str(), true, true);
  if (prompt.empty()) Fail("the prompt file {} has no tokens", o.prompt_file);
  ThreadPool pool(o.threads);
  const int64_t n_ctx = static_cast<int64_t>(prompt.size()) + o.n_gen +
                        std::max(o.speculative.draft_max, o.speculative.lookup) + 2;
  Session session(*model, pool, n_ctx);
  GenerateParams plain;
  plain.n_predict = o.n_gen;
  plain.sampler.temperature = 0;
  plain.context_shift = false;
  GenerateParams spec = plain;
  const auto draft = SetUpSpeculation(o.speculative, *model, *tokenizer, session, pool, spec);

  Series series[2];
  const auto run = [&](int which, bool count) {
    std::vector<int32_t> out;
    const GenerateStats s = Generate(session, *tokenizer, prompt, which == 0 ? plain : spec,
                                     [&](int32_t id, std::string_view) {
                                       if (id >= 0) out.push_back(id);
                                       return true;
                                     });
    Series& r = series[which];
    r.tokens = out;
    if (!count) return;
    r.tokens_per_s.push_back(static_cast<double>(s.n_generated) / s.generate_seconds);
    r.n_drafted += s.n_drafted;
    r.n_accepted += s.n_accepted;
    r.n_generated += s.n_generated;
  };
  // A warm-up of each (the draft's prompt, the pages of both files), then turns.
  run(0, false);
  run(1, false);
  for (int i = 0; i < o.reps; ++i) {
    run(i % 2, true);
    run(1 - i % 2, true);
  }
  const bool same = series[0].tokens == series[1].tokens;
  const double speedup = Mean(series[1].tokens_per_s) / Mean(series[0].tokens_per_s);
  const double rate = series[1].n_drafted > 0
                          ? static_cast<double>(series[1].n_accepted) / static_cast<double>(series[1].n_drafted)
                          : 0.0;
  const std::string mode = o.speculative.draft_model.empty()
                               ? fmt::format("lookup {}", o.speculative.lookup)
                               : fmt::format("draft {} (max {})",
                                             std::filesystem::path(o.speculative.draft_model).filename().string(),
                                             o.speculative.draft_max);
  if (o.json) {
    nlohmann::json j = {{"model", std::filesystem::path(o.model).filename().string()},
                        {"mode", mode},
                        {"n_prompt", prompt.size()},
                        {"n_gen", o.n_gen},
                        {"reps", o.reps},
                        {"threads", pool.n_threads()},
                        {"plain_tokens_per_s", Mean(series[0].tokens_per_s)},
                        {"plain_tokens_per_s_sd", Sd(series[0].tokens_per_s)},
                        {"speculative_tokens_per_s", Mean(series[1].tokens_per_s)},
                        {"speculative_tokens_per_s_sd", Sd(series[1].tokens_per_s)},
                        {"speedup", speedup},
                        {"drafted", series[1].n_drafted},
                        {"accepted", series[1].n_accepted},
                        {"acceptance_rate", rate},
                        {"verify_tokens", spec.speculative.verify_tokens},
                        {"identical", same}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("model: %s, prompt %zu tokens, %lld generated (greedy), %d threads, %d reps\n",
              std::filesystem::path(o.model).filename().string().c_str(), prompt.size(),
              static_cast<long long>(o.n_gen), pool.n_threads(), o.reps);
  std::printf("%-32s %20s\n", "decode", "tokens/s");
  std::printf("%-32s %14.2f ± %.2f\n", "plain", Mean(series[0].tokens_per_s), Sd(series[0].tokens_per_s));
  std::printf("%-32s %14.2f ± %.2f\n", mode.c_str(), Mean(series[1].tokens_per_s), Sd(series[1].tokens_per_s));
  std::printf("verified up to %d tokens per forward pass\n", spec.speculative.verify_tokens);
  std::printf("speed-up %.2fx | drafted %lld, accepted %lld (%.1f%%) | same tokens: %s\n", speedup,
              static_cast<long long>(series[1].n_drafted), static_cast<long long>(series[1].n_accepted),
              100.0 * rate, same ? "yes" : "NO");
}

}  // namespace densing::cli
