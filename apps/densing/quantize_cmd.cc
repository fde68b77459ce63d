// densing quantize IN OUT TYPE: rewrite a model with smaller weight types.
#include <fmt/format.h>

#include <memory>

#include "base/error.h"
#include "commands.h"
#include "gguf/gguf_file.h"
#include "quantize/quantize_file.h"

namespace densing::cli {
namespace {

struct Options {
  std::string in, out, type;
  std::vector<std::string> type_for;
  int threads = 0;
};

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
}

void AddQuantizeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("quantize", "Rewrite a GGUF model with smaller weight types");
  auto o = std::make_shared<Options>();
  cmd->add_option("input", o->in, "Source GGUF file")->required()->check(CLI::ExistingFile);
  cmd->add_option("output", o->out, "GGUF file to write")->required();
  cmd->add_option("type", o->type, "Target: " + KnownQuantTargets())->required();
  cmd->add_option("--type-for", o->type_for, "REGEX=TYPE: the type of tensors whose name matches");
  cmd->add_option("-t,--threads", o->threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
  cmd->callback([o] { Quantize(*o); });
}

DENSING_COMMAND(60, AddQuantizeCommand);

}  // namespace
}  // namespace densing::cli
