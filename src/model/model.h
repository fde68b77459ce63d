// Model: a loaded GGUF file with its config and weights, ready for the forward pass.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "gguf/gguf_file.h"
#include "model/config.h"
#include "model/weights.h"

namespace densing {

// An architecture: how its GGUF keys and tensors map onto the Llama-family decoder.
struct Architecture {
  const char* name;
  // Sets the architecture's flags on a config that ReadLlamaFamilyConfig has filled.
  void (*configure)(const gguf::File& file, ModelConfig& config);
};

// nullptr when densing does not know `name`.
const Architecture* FindArchitecture(std::string_view name);
std::string KnownArchitectures();

class Model {
 public:
  // Loads and validates; throws Error naming the file and the key or tensor at fault.
  static std::unique_ptr<Model> Load(const std::string& path);
  // For a file already open (tests, the writer's round trips).
  static std::unique_ptr<Model> FromFile(std::unique_ptr<gguf::File> file);

  const ModelConfig& config() const { return config_; }
  const Weights& weights() const { return weights_; }
  const gguf::File& file() const { return *file_; }

 private:
  Model() = default;

  std::unique_ptr<gguf::File> file_;
  ModelConfig config_;
  Weights weights_;
};

// The config of a file's architecture, without its weights; throws Error naming the key at fault.
ModelConfig ReadModelConfig(const gguf::File& file);
// How layer `layer` runs, in a few words (`densing inspect`): attention with its heads, window and
// rotary, or a short convolution.
std::string DescribeLayer(const ModelConfig& config, int64_t layer);

// Maps tensor names to Weights, checking every shape against the config.
void LoadWeights(const gguf::File& file, const ModelConfig& config, Weights& weights);

}  // namespace densing
