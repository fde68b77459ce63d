// Dequantize each row to F32 and quantize it to its new type; tensors that keep their type are
// copied byte for byte.
#include "quantize/quantize_file.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "base/progress.h"
#include "gguf/gguf_writer.h"

namespace densing {
namespace {

constexpr int64_t kRowsPerTask = 16;
constexpr int64_t kBytesPerBatch = int64_t{64} << 20;  // output held in memory at once

// Moves `key` to the end with value v, as the reference quantizer does.
void SetU32(std::vector<gguf::KeyValue>& kv, const std::string& key, uint32_t v) {
  std::erase_if(kv, [&](const gguf::KeyValue& e) { return e.key == key; });
  kv.push_back({key, gguf::Value::U32(v)});
}

// The reference quantizer writes tensors outside the blocks first, then block by block in layer
// order, each group sorted by name; doing the same makes our files byte-identical to its files.
std::vector<size_t> WriteOrder(const gguf::File& in) {
  std::vector<std::pair<std::pair<int64_t, std::string>, size_t>> keyed;
  for (size_t i = 0; i < in.tensors().size(); ++i) {
    const std::string& name = in.tensors()[i].name;
    const int64_t layer = name.rfind("blk.", 0) == 0 ? std::strtoll(name.c_str() + 4, nullptr, 10) : -1;
    keyed.push_back({{layer, name}, i});
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<size_t> order;
  for (const auto& k : keyed) order.push_back(k.second);
  return order;
}

}  // namespace

void ConvertRows(const TensorView& t, DType type, int64_t first_row, int64_t n_rows, uint8_t* out,
                 ThreadPool& pool) {
  const int64_t k = t.ne[0];
  const int64_t out_row = RowBytes(type, k);
  const DTypeTraits& to = Traits(type);
  if (to.from_float == nullptr) Fail("cannot quantize to {}", to.name);
  const int64_t n_tasks = (n_rows + kRowsPerTask - 1) / kRowsPerTask;
  std::vector<std::vector<float>> row(static_cast<size_t>(pool.n_threads()), std::vector<float>(static_cast<size_t>(k)));
  pool.ParallelFor(n_tasks, [&](int64_t task, int worker) {
    float* f = row[static_cast<size_t>(worker)].data();
    const int64_t r1 = std::min(n_rows, (task + 1) * kRowsPerTask);
    for (int64_t r = task * kRowsPerTask; r < r1; ++r) {
      DequantizeRow(t, first_row + r, f);
      to.from_float(f, out + r * out_row, k);
    }
  });
}

QuantizeStats QuantizeFile(const gguf::File& in, const std::string& out_path, const QuantTarget& target,
                           const std::vector<DType>& types, ThreadPool& pool) {
  DENSING_CHECK(types.size() == in.tensors().size());
  const auto start = std::chrono::steady_clock::now();
  QuantizeStats stats;
  std::vector<gguf::KeyValue> kv = in.metadata();
  SetU32(kv, "general.quantization_version", 2);
  SetU32(kv, "general.file_type", target.file_type);

  gguf::Writer w(out_path, in.alignment());
  for (gguf::KeyValue& e : kv) w.AddKeyValue(e.key, e.value);
  const std::vector<size_t> order = WriteOrder(in);
  for (size_t i : order) {
    const gguf::TensorInfo& t = in.tensors()[i];
    w.AddTensor(t.name, types[i], std::span(t.ne.data(), static_cast<size_t>(t.n_dims)));
  }

  int64_t total = 0;
  for (const gguf::TensorInfo& t : in.tensors()) total += t.ne[0] * t.ne[1] * t.ne[2] * t.ne[3];
  ProgressBar bar("quantize", total);
  std::vector<uint8_t> buffer;
  for (size_t i : order) {
    const TensorView t = in.View(in.tensors()[i]);
    const DType type = types[i];
    stats.n_params += t.n_elements();
    stats.bytes_in += t.n_bytes;
    stats.tensors_per_type[Traits(type).name]++;
    if (type == t.type) {
      w.WriteTensorData({t.data, static_cast<size_t>(t.n_bytes)});
      stats.bytes_out += t.n_bytes;
    } else {
      const int64_t out_row = RowBytes(type, t.ne[0]);
      const int64_t batch = std::max<int64_t>(1, kBytesPerBatch / out_row);
      for (int64_t r = 0; r < t.n_rows(); r += batch) {
        const int64_t n = std::min(batch, t.n_rows() - r);
        buffer.resize(static_cast<size_t>(n * out_row));
        ConvertRows(t, type, r, n, buffer.data(), pool);
        w.WriteTensorData(buffer);
        stats.bytes_out += n * out_row;
      }
    }
    bar.Update(stats.n_params);
  }
  w.Finish();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace densing
