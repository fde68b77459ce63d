// densing quantize IN OUT TYPE: rewrite a model with smaller weight types.
#include <fmt/format.h>

#include <memory>

#include "base/error.h"
#include "commands.h"
#include "eval/chunks.h"
#include "eval/input_file.h"
#include "eval/kld.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "gguf/gguf_file.h"
#include "quantize/quantize_file.h"

namespace densing::cli {
namespace {

struct Options {
  std::string in, out, type;
  std::vector<std::string> type_for;
  int threads = 0;
  std::string kld_text;
  int64_t kld_ctx = 512;
  int64_t kld_chunks = 0;
};

// KL-divergence of the quantized model from its source on a text, as `densing kld` reports it.
void ReportKld(const Options& o, ThreadPool& pool) {
  auto source = Model::Load(o.in);
  auto quantized = Model::Load(o.out);
  auto tokenizer = Tokenizer::FromGguf(source->file());
  const eval::ChunkPlan plan = eval::PlanText(*tokenizer, eval::ReadWholeFile(o.kld_text), o.kld_ctx, o.kld_chunks);
  eval::ModelBase base(*source, pool, plan, 512);
  const eval::KldSummary s = eval::RunKld(quantized.get(), pool, plan, 512, base, nullptr);
  fmt::print("  KL-divergence    {:.6f} ± {:.6f} (median {:.6f}, p99 {:.6f}) over {} positions of {}\n",
             s.mean_kld, s.mean_kld_stderr, s.median_kld, s.p99_kld, s.n_positions, o.kld_text);
  fmt::print("  same top token   {:.2f}%   PPL {:.4f} -> {:.4f}\n", 100 * s.same_top_p, s.ppl_base, s.ppl_model);
}

void Quantize(const Options& o) {
  const QuantTarget target = ParseQuantTarget(o.type);
  std::vector<TypeOverride> overrides;
  for (const std::string& spec : o.type_for) overrides.push_back(ParseTypeOverride(spec));
  if (o.in == o.out) Fail("input and output are the same file: {}", o.in);
  auto in = gguf::File::Open(o.in);
  const std::vector<DType> types = PlanTypes(*in, target, overrides);
  ThreadPool pool(o.threads);
  const QuantizeStats s = QuantizeFile(*in, o.out, target, types, pool);
  const double mb = 1024.0 * 1024.0;
  fmt::print("{} -> {} ({})\n", o.in, o.out, target.name);
  fmt::print("  size   {:10.2f} MiB -> {:10.2f} MiB  ({:.1f}%)\n", s.bytes_in / mb, s.bytes_out / mb,
             100.0 * static_cast<double>(s.bytes_out) / static_cast<double>(std::max<int64_t>(1, s.bytes_in)));
  fmt::print("  bits per weight  {:.3f} -> {:.3f}\n", 8.0 * s.bytes_in / s.n_params,
             8.0 * s.bytes_out / s.n_params);
  std::string mix;
  for (const auto& [name, n] : s.tensors_per_type) mix += fmt::format(" {}×{}", n, name);
  fmt::print("  tensors         {}\n  time             {:.2f} s on {} threads\n", mix, s.seconds,
             pool.n_threads());
  if (!o.kld_text.empty()) ReportKld(o, pool);
}

void AddQuantizeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("quantize", "Rewrite a GGUF model with smaller weight types");
  auto o = std::make_shared<Options>();
  cmd->add_option("input", o->in, "Source GGUF file")->required()->check(CLI::ExistingFile);
  cmd->add_option("output", o->out, "GGUF file to write")->required();
  cmd->add_option("type", o->type, "Target: " + KnownQuantTargets())->required();
  cmd->add_option("--type-for", o->type_for, "REGEX=TYPE: the type of tensors whose name matches");
  cmd->add_option("-t,--threads", o->threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("--kld", o->kld_text, "Also report the KL-divergence to the source on this text file")
      ->check(CLI::ExistingFile);
  cmd->add_option("--kld-ctx", o->kld_ctx, "Chunk size for --kld")->check(CLI::Range(int64_t{8}, int64_t{1} << 16))
      ->capture_default_str();
  cmd->add_option("--kld-chunks", o->kld_chunks, "Most chunks for --kld (0: all)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30));
  cmd->callback([o] { Quantize(*o); });
}

DENSING_COMMAND(60, AddQuantizeCommand);

}  // namespace
}  // namespace densing::cli
