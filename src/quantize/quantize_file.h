// QuantizeFile: rewrite a GGUF model with each tensor in its planned type, streaming tensor by
// tensor and splitting rows across the thread pool.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "quantize/plan.h"
#include "threading/thread_pool.h"

namespace densing {

struct QuantizeStats {
  int64_t n_params = 0;
  int64_t bytes_in = 0;   // tensor data before
  int64_t bytes_out = 0;  // tensor data after
  std::map<std::string, int> tensors_per_type;
  double seconds = 0;
};

// `types` comes from PlanTypes (one per tensor of `in`). Writes `out_path` atomically.
QuantizeStats QuantizeFile(const gguf::File& in, const std::string& out_path, const QuantTarget& target,
                           const std::vector<DType>& types, ThreadPool& pool);

// Converts the rows [0, t.n_rows()) of `t` to `type` into `out` (RowBytes(type, ne[0]) per row).
void ConvertRows(const TensorView& t, DType type, int64_t first_row, int64_t n_rows, uint8_t* out,
                 ThreadPool& pool);

}  // namespace densing
