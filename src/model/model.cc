// Model loading: config from keys, then the architecture's flags, then weights with shape checks.
#include "model/model.h"

#include "base/error.h"

namespace densing {

std::unique_ptr<Model> Model::Load(const std::string& path) {
  return FromFile(gguf::File::Open(path));
}

std::unique_ptr<Model> Model::FromFile(std::unique_ptr<gguf::File> file) {
  std::unique_ptr<Model> m(new Model());
  m->file_ = std::move(file);
  const gguf::File& f = *m->file_;
  m->config_.arch = f.GetString("general.architecture");
  const Architecture* arch = FindArchitecture(m->config_.arch);
  if (arch == nullptr) {
    Fail("{}: architecture '{}' is not supported (supported: {})", f.path(), m->config_.arch,
         KnownArchitectures());
  }
  ReadLlamaFamilyConfig(f, m->config_);
  arch->configure(f, m->config_);
  LoadWeights(f, m->config_, m->weights_);
  return m;
}

}  // namespace densing
