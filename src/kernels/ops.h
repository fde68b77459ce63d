// Element-wise and row operations of the forward pass: norms, rotary embedding, softmax,
// activations. Each follows the reference engine's arithmetic (order, precision, rounding).
#pragma once

#include <cstdint>

namespace densing {

// out = x / sqrt(mean(x²) + eps) ⊙ w   (w may be null: no scale). out may alias x.
void RmsNorm(const float* x, const float* w, int64_t n, float eps, float* out);

enum class RopeLayout : uint8_t {
  kInterleaved,  // rotate pairs (x[2i], x[2i+1]): original Llama
  kHalves,       // rotate pairs (x[i], x[i + d/2]): GPT-NeoX, Qwen2, Phi-3, Gemma
};

struct RopeParams {
  int64_t head_dim = 0;
  int64_t n_rot = 0;        // leading dimensions rotated; the rest pass through
  float base = 10000.0f;
  RopeLayout layout = RopeLayout::kInterleaved;
  const float* freq_factors = nullptr;  // n_rot / 2 divisors of each frequency (Llama 3.1+), or null
  float freq_scale = 1.0f;              // linear scaling: every angle multiplied by this
  float attn_factor = 1.0f;             // cos and sin multiplied by this (LongRoPE's magnitude scale)
};

// Rotates n_heads consecutive heads of x (each head_dim floats) in place for position pos.
void Rope(float* x, int64_t n_heads, int64_t pos, const RopeParams& p);

// x = softmax(x) over n values, in place.
void Softmax(float* x, int64_t n);

// y[i] = silu(gate[i]) · up[i]
void SwiGlu(const float* gate, const float* up, int64_t n, float* y);
// y[i] = gelu_tanh(gate[i]) · up[i], with the reference's half-precision GELU table rounding.
void GeGlu(const float* gate, const float* up, int64_t n, float* y);
float GeluTanh(float x);

// x = cap · tanh(x / cap), in place.
void SoftCap(float* x, int64_t n, float cap);

// y += s · x
void AddScaled(const float* x, float s, int64_t n, float* y);
// x *= s
void Scale(float* x, float s, int64_t n);
float Dot(const float* a, const float* b, int64_t n);

}  // namespace densing
