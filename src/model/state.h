// The per-sequence state the forward pass writes: the KV cache and the activation buffers, both
// sized from the config up front so that the forward pass never allocates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/matmul.h"
#include "model/model.h"
#include "tensor/dtype.h"

namespace densing {

// What the cache stores keys and values as: F32 (exact; the default) or F16 (half the memory,
// and the reference engine's default, whose attention then also runs in F16; see AttendGroup).
struct KvTypes {
  DType k = DType::kF32;
  DType v = DType::kF32;
};
// "f32" or "f16" (llama.cpp's --cache-type-k/-v names); throws Error for anything else.
DType ParseKvType(const std::string& name);

// Everything a sequence carries from one forward step to the next: keys and values of the
// attention layers and, for short-convolution layers (LFM2), the convolution's recent inputs.
struct KvCache {
  // Positions of convolution input kept per layer. A convolution of T taps needs only the last
  // T - 1 rows; keeping a few more lets a sequence go back up to kConvWindow - (T - 1) positions
  // (a rejected draft, a retried turn) without evaluating its prefix again.
  static constexpr int64_t kConvWindow = 64;

  KvCache(const ModelConfig& config, int64_t n_ctx, KvTypes types = {});

  // Copies positions [0, n) of `from` (a cache of the same model and types), so a sequence can
  // fork; `from` must be able to restore position n (see Restorable).
  void CopyPrefix(const KvCache& from, int64_t n);
  // Stores the key and value rows ([kv_dim] floats each) of position `pos` in layer `layer`.
  void Store(int64_t layer, int64_t pos, const float* key, const float* value);
  const uint8_t* KeyRow(int64_t layer, int64_t pos) const;
  const uint8_t* ValueRow(int64_t layer, int64_t pos) const;

  // Whether the sequence can continue from position n with what is stored: always for attention;
  // for convolutions only while the inputs of the n's last T - 1 positions are still kept.
  bool Restorable(int64_t n) const;
  // Makes position n the next one written; n must be Restorable.
  void Rewind(int64_t n);
  // The convolution input of layer `layer` at `pos` ([n_embd]): the row to store it in (which makes
  // pos the last stored position), and the row to read it from (zeros before
  // position 0). Positions of one sequence are stored in order.
  float* WriteConvRow(int64_t layer, int64_t pos);
  const float* ConvRow(int64_t layer, int64_t pos) const;

  int64_t n_ctx;
  int64_t kv_dim;  // n_head_kv · head_dim
  KvTypes types;
  std::vector<std::vector<uint8_t>> k;  // per layer: [n_ctx, kv_dim] of types.k, row = position
  std::vector<std::vector<uint8_t>> v;  // per layer: [n_ctx, kv_dim] of types.v
  // Per convolution layer (empty for the others): [kConvWindow, n_embd], row = position mod window.
  std::vector<std::vector<float>> conv;
  int64_t conv_dim = 0;    // n_embd where the model has convolutions, else 0
  int64_t conv_taps = 0;
  int64_t conv_end = 0;    // one past the last position whose convolution input is stored
  int64_t conv_begin = 0;  // the first position whose input may be kept (a context shift moves it)
  std::vector<float> zeros;  // [conv_dim]: the input before position 0
};

struct BatchToken;

struct Activations {
  // n_ctx: the largest context of any cache a batch will read.
  Activations(const Model& model, int64_t n_batch, int64_t n_ctx);

  int64_t n_batch;                  // most tokens one Forward step takes
  int64_t n_ctx;
  std::vector<BatchToken> batch;    // [n_batch] Forward's step, reserved up front
  std::vector<float> x;             // [n_batch, n_embd] residual stream
  std::vector<float> h;             // [n_batch, n_embd] normed input of a block
  std::vector<float> qkv;           // [n_batch, (n_head + 2·n_kv)·hd] fused projection
  std::vector<float> q, k, v;       // [n_batch, n_head·hd], [n_batch, n_kv·hd] ×2
  std::vector<float> att;           // [n_batch, n_head·hd]
  std::vector<float> proj;          // [n_batch, n_embd] block output
  std::vector<float> gate, up;      // [n_batch, max ffn width]
  std::vector<float> ffn;           // [n_batch, n_embd] expert output, per token
  std::vector<float> router;        // [n_batch, n_expert]
  std::vector<float> expert_weight; // [n_batch, n_expert_used]
  std::vector<int32_t> expert_id;   // [n_batch, n_expert_used]
  std::vector<int32_t> rows;        // [n_batch] tokens routed to one expert
  std::vector<float> gathered;      // [n_batch, n_embd]
  std::vector<float> bcx;           // [n_batch, 3·n_embd] short convolution's B | C | x
  std::vector<uint8_t> scratch;     // MatMul activation conversion
  // The kernels the step's MatMuls use: kBest, or kDecode where a batch's logits must be
  // decoding's bit for bit (speculative verification).
  MatMulKernel kernel = MatMulKernel::kBest;
};

}  // namespace densing
