// Model loading: config from keys, then the architecture's flags, then weights with shape checks.
#include "model/model.h"

#include <fmt/format.h>

#include "base/error.h"

namespace densing {

std::unique_ptr<Model> Model::Load(const std::string& path) {
  return FromFile(gguf::File::Open(path));
}

ModelConfig ReadModelConfig(const gguf::File& f) {
  ModelConfig c;
  c.arch = f.GetString("general.architecture");
  const Architecture* arch = FindArchitecture(c.arch);
  if (arch == nullptr) {
    Fail("{}: architecture '{}' is not supported (supported: {})", f.path(), c.arch,
         KnownArchitectures());
  }
  ReadLlamaFamilyConfig(f, c);
  arch->configure(f, c);
  if (!c.layer_conv.empty() && !c.has_conv()) {
    Fail("{}: layers without KV heads are convolutions only in lfm2, not {}", f.path(), c.arch);
  }
  return c;
}

std::unique_ptr<Model> Model::FromFile(std::unique_ptr<gguf::File> file) {
  std::unique_ptr<Model> m(new Model());
  m->file_ = std::move(file);
  m->config_ = ReadModelConfig(*m->file_);
  LoadWeights(*m->file_, m->config_, m->weights_);
  return m;
}

std::string DescribeLayer(const ModelConfig& c, int64_t layer) {
  if (c.conv(layer)) return fmt::format("short convolution, {} taps", c.conv_taps);
  std::string s = fmt::format("attention, {}/{} heads of {}", c.n_head, c.n_head_kv, c.head_dim);
  if (c.slides(layer)) s += fmt::format(", sliding window {}", c.sliding_window);
  if (!c.rotates(layer)) return s + ", no rotary";
  const bool local = c.rope_base_swa > 0 && c.slides(layer);
  s += fmt::format(", rope base {:g}", local ? c.rope_base_swa : c.rope_base);
  if (!local && c.rope_freq_scale != 1.0f) s += fmt::format(" scaled {:g}", c.rope_freq_scale);
  return s;
}

}  // namespace densing
