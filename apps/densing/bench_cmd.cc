// densing bench: prompt-processing and decode speed of a model file, like llama-bench's pp/tg
// tests, with decode also as effective bandwidth against the machine's measured read bandwidth.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "bench_speculative.h"
#include "bench_tokenize.h"
#include "commands.h"
#include "kernels/cpu_path.h"
#include "kernels/dot_tile.h"
#include "kernels/membw.h"
#include "model/model.h"
#include "runtime/session.h"

namespace densing::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kTtftPrompt = 512;  // the prompt length time-to-first-token is reported for

struct Options {
  std::string path;
  std::vector<int64_t> prompts = {128, 512};
  int64_t n_gen = 64;
  int threads = 0;
  int reps = 5;
  int64_t n_batch = 512;
  bool json = false;
  bool membw = false;
  int64_t membw_mib = 0;  // 0: MeasureReadBandwidth's default size
  std::string tokenize;   // a text file: measure the tokenizer instead
  std::string cache_type_k = "f32";
  std::string cache_type_v = "f32";
  SpeculativeOptions speculative;  // with --prompt-file: plain against speculative decode
  std::string prompt_file;
};

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU time of the whole process (every thread), for speeds on a machine that others share.
double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Stats {
  double mean = 0, sd = 0;
};
Stats MeanSd(const std::vector<double>& v) {
  Stats s;
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return s;
}

// Bytes of weights one decoded token reads: every layer matrix (the used share of the experts),
// the norms and biases, the output head, and one row of the token embedding.
double WeightBytesPerToken(const Model& model) {
  const ModelConfig& c = model.config();
  const Weights& w = model.weights();
  double bytes = 0;
  auto add = [&](const TensorView& t, double share = 1.0) {
    if (t.data != nullptr) bytes += static_cast<double>(t.n_bytes) * share;
  };
  auto add_vec = [&](const Vec& v) { bytes += 4.0 * static_cast<double>(v.n); };
  const double expert_share =
      c.n_expert > 0 ? static_cast<double>(c.n_expert_used) / static_cast<double>(c.n_expert) : 1.0;
  for (const LayerWeights& L : w.layers) {
    for (const TensorView* t : {&L.attn_q, &L.attn_k, &L.attn_v, &L.attn_qkv, &L.attn_output,
                                &L.ffn_gate, &L.ffn_up, &L.ffn_down, &L.ffn_gate_inp,
                                &L.ffn_gate_inp_shexp, &L.ffn_gate_shexp, &L.ffn_up_shexp,
                                &L.ffn_down_shexp}) {
      add(*t);
    }
    for (const TensorView* t : {&L.ffn_gate_exps, &L.ffn_up_exps, &L.ffn_down_exps}) {
      add(*t, expert_share);
    }
    for (const Vec* v : {&L.attn_norm, &L.attn_q_bias, &L.attn_k_bias, &L.attn_v_bias,
                         &L.post_attn_norm, &L.ffn_norm, &L.post_ffn_norm}) {
      add_vec(*v);
    }
  }
  add_vec(w.output_norm);
  add(w.output);
  bytes += static_cast<double>(w.token_embd.row_bytes());
  return bytes;
}

struct Result {
  std::string test;
  int64_t n_prompt = 0, n_gen = 0;
  std::vector<double> tokens_per_s;
  std::vector<double> cpu_seconds;  // per repetition, all threads (spin-waits included)
};

std::vector<int32_t> RandomTokens(int64_t n, int64_t n_vocab, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> dist(0, static_cast<int32_t>(n_vocab - 1));
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (int32_t& x : t) x = dist(rng);
  return t;
}

// pp<n>: one forward pass over n prompt tokens from an empty context.
Result Prompt(Session& session, int64_t n, int reps, std::mt19937& rng) {
  Result r{"pp" + std::to_string(n), n, 0, {}, {}};
  const std::vector<int32_t> tokens = RandomTokens(n, session.n_vocab(), rng);
  for (int i = 0; i < reps; ++i) {
    session.Truncate(0);
    const double cpu0 = CpuSeconds();
    const auto t0 = Clock::now();
    session.Eval(tokens);
    r.tokens_per_s.push_back(static_cast<double>(n) / Seconds(t0));
    r.cpu_seconds.push_back(CpuSeconds() - cpu0);
  }
  return r;
}

// tg<n>: n tokens decoded one at a time from an empty context.
Result Generate(Session& session, int64_t n, int reps, std::mt19937& rng) {
  Result r{"tg" + std::to_string(n), 0, n, {}, {}};
  const std::vector<int32_t> tokens = RandomTokens(n, session.n_vocab(), rng);
  for (int i = 0; i < reps; ++i) {
    session.Truncate(0);
    const double cpu0 = CpuSeconds();
    const auto t0 = Clock::now();
    for (int32_t t : tokens) session.Eval(std::span<const int32_t>(&t, 1));
    r.tokens_per_s.push_back(static_cast<double>(n) / Seconds(t0));
    r.cpu_seconds.push_back(CpuSeconds() - cpu0);
  }
  return r;
}

double MeasureBandwidth(const Options& o, ThreadPool& pool) {
  return MeasureReadBandwidth(pool, o.membw_mib * (int64_t{1} << 20)).gb_per_s;
}

void BenchMembw(const Options& o) {
  ThreadPool pool(o.threads);
  const double gbs = MeasureBandwidth(o, pool);
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"read_gb_per_s", gbs}}.dump().c_str());
  } else {
    std::printf("read bandwidth: %.1f GB/s (%d threads)\n", gbs, pool.n_threads());
  }
}

void BenchModel(const Options& o) {
  ThreadPool pool(o.threads);
  std::fprintf(stderr, "measuring read bandwidth...\n");
  double read_gbs = MeasureBandwidth(o, pool);

  const auto t_load = Clock::now();
  auto model = Model::Load(o.path);
  const double load_s = Seconds(t_load);
  const double weight_bytes = WeightBytesPerToken(*model);
  const int64_t max_prompt = *std::max_element(o.prompts.begin(), o.prompts.end());
  const int64_t n_ctx = std::max({kTtftPrompt, max_prompt, o.n_gen});
  Session session(*model, pool, n_ctx, o.n_batch, {ParseKvType(o.cache_type_k), ParseKvType(o.cache_type_v)});
  std::mt19937 rng(1);

  // Time to first token, cold: the first pass touches every mapped weight page.
  const std::vector<int32_t> ttft_prompt = RandomTokens(kTtftPrompt, session.n_vocab(), rng);
  const auto t_first = Clock::now();
  const std::span<const float> logits = session.Eval(ttft_prompt);
  const auto first = std::max_element(logits.begin(), logits.end()) - logits.begin();
  const double ttft_s = Seconds(t_first);

  std::vector<Result> results;
  for (int64_t p : o.prompts) {
    if (p > 0) results.push_back(Prompt(session, p, o.reps, rng));
  }
  if (o.n_gen > 0) {
    // Measured again next to the decode test, whose share it is: on a machine that others use,
    // the bandwidth left to us changes; the better of the two measurements counts.
    read_gbs = std::max(read_gbs, MeasureBandwidth(o, pool));
    results.push_back(Generate(session, o.n_gen, o.reps, rng));
  }

  const std::string file = std::filesystem::path(o.path).filename().string();
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const Result& r : results) {
      const Stats s = MeanSd(r.tokens_per_s);
      nlohmann::json j = {{"test", r.test},          {"model", file},
                          {"n_prompt", r.n_prompt},  {"n_gen", r.n_gen},
                          {"threads", pool.n_threads()}, {"reps", o.reps},
                          {"tokens_per_s", s.mean},  {"tokens_per_s_sd", s.sd},
                          {"samples_tokens_per_s", r.tokens_per_s},
                          {"cpu_seconds", MeanSd(r.cpu_seconds).mean},
                          {"type_k", o.cache_type_k}, {"type_v", o.cache_type_v},
                          {"cpu_path", CpuPathName(ActiveCpuPath())}};
      if (r.n_gen > 0) {
        j["weight_bytes_per_token"] = weight_bytes;
        j["gb_per_s"] = weight_bytes * s.mean * 1e-9;
        j["read_gb_per_s"] = read_gbs;
        j["share_of_read_bandwidth"] = weight_bytes * s.mean * 1e-9 / read_gbs;
      }
      out.push_back(j);
    }
    out.push_back({{"test", "ttft" + std::to_string(kTtftPrompt)},
                   {"model", file},
                   {"n_prompt", kTtftPrompt},
                   {"threads", pool.n_threads()},
                   {"seconds", ttft_s},
                   {"load_seconds", load_s},
                   {"tokens_per_s", static_cast<double>(kTtftPrompt) / ttft_s},
                   {"first_token", first}});
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  const ModelConfig& c = model->config();
  std::printf("model: %s (%s, %lld layers), %.1f MB of weights read per token\n", file.c_str(),
              c.arch.c_str(), static_cast<long long>(c.n_layer), weight_bytes * 1e-6);
  std::printf("threads: %d, cpu path: %s, read bandwidth: %.1f GB/s\n", pool.n_threads(),
              DescribeCpuPath().c_str(), read_gbs);
  std::printf("load (mmap): %.3f s, time to first token for a %lld-token prompt: %.3f s\n", load_s,
              static_cast<long long>(kTtftPrompt), ttft_s);
  std::printf("%-8s %20s %10s %10s\n", "test", "tokens/s", "GB/s", "% of read");
  for (const Result& r : results) {
    const Stats s = MeanSd(r.tokens_per_s);
    const std::string tps = fmt::format("{:.2f} ± {:.2f}", s.mean, s.sd);
    if (r.n_gen > 0) {
      const double gbs = weight_bytes * s.mean * 1e-9;
      std::printf("%-8s %21s %10.2f %9.0f%%\n", r.test.c_str(), tps.c_str(), gbs,
                  100.0 * gbs / read_gbs);
    } else {
      std::printf("%-8s %21s\n", r.test.c_str(), tps.c_str());
    }
  }
}

void Run(const Options& o) {
  if (!o.tokenize.empty()) {
    if (o.path.empty()) Fail("bench --tokenize needs the model whose tokenizer to use (-m FILE)");
    return BenchTokenize(o.path, o.tokenize, o.reps, o.json);
  }
  if (!o.speculative.draft_model.empty() || o.speculative.lookup > 0) {
    if (o.path.empty()) Fail("bench --draft-model/--lookup needs the target model (-m FILE)");
    SpeculativeBenchOptions s{o.path, o.prompt_file, o.speculative, o.n_gen, o.reps, o.threads, o.json};
    return BenchSpeculative(s);
  }
  if (o.path.empty() && !o.membw) Fail("bench needs a model (-m FILE) or --membw");
  if (!o.path.empty() && o.membw) Fail("bench takes either -m FILE or --membw, not both");
  if (o.membw) return BenchMembw(o);
  if (o.prompts.empty()) Fail("-p needs at least one prompt length");
  for (int64_t p : o.prompts) {
    if (p < 0 || p > (int64_t{1} << 16)) Fail("prompt length {} is outside [0, 65536]", p);
  }
  BenchModel(o);
}

void AddBenchCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "bench", "Prompt processing and decode speed (tokens/s, decode GB/s); --membw: read bandwidth");
  auto o = std::make_shared<Options>();
  cmd->add_option("-m,--model", o->path, "GGUF model file")->check(CLI::ExistingFile);
  cmd->add_option("-p,--n-prompt", o->prompts, "Prompt lengths, comma-separated (0: none)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("-n,--n-gen", o->n_gen, "Tokens to generate (0: no decode test)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 16))
      ->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("-r,--repetitions", o->reps, "Repetitions of each test")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("-b,--batch-size", o->n_batch, "Tokens per forward step of a prompt")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 16))
      ->capture_default_str();
  cmd->add_option("--cache-type-k", o->cache_type_k, "KV cache type for keys: f32 or f16")
      ->check(CLI::IsMember({"f32", "f16"}))
      ->capture_default_str();
  cmd->add_option("--cache-type-v", o->cache_type_v, "KV cache type for values: f32 or f16")
      ->check(CLI::IsMember({"f32", "f16"}))
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON instead of a table");
  cmd->add_flag("--membw", o->membw, "Measure the machine's memory read bandwidth only");
  cmd->add_option("--membw-mib", o->membw_mib, "Buffer for the bandwidth probe, MiB (0: auto)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 16));
  cmd->add_option("--tokenize", o->tokenize, "Measure the tokenizer's MB/s on this text file instead")
      ->check(CLI::ExistingFile);
  AddSpeculativeOptions(cmd, o->speculative);
  cmd->add_option("--prompt-file", o->prompt_file,
                  "With --draft-model or --lookup: the prompt whose greedy continuation is timed")
      ->check(CLI::ExistingFile);
  cmd->callback([o] { Run(*o); });
}

DENSING_COMMAND(45, AddBenchCommand);

}  // namespace
}  // namespace densing::cli
