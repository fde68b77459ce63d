// Fuzz target: any bytes through the GGUF reader and the model loader. Only densing::Error may
// come out; a crash, a leak or undefined behaviour is a finding.
#include <cstdint>
#include <span>

#include "base/error.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto file = densing::gguf::File::FromBytes(std::span<const uint8_t>(data, size), "fuzz.gguf");
    densing::CountParams(*file);
    for (const auto& kv : file->metadata()) (void)file->GetStringOr(kv.key, "");
    auto model = densing::Model::FromFile(std::move(file));
    (void)model->config();
  } catch (const densing::Error&) {
  }
  return 0;
}
