// The short-convolution block (LFM2): x += W_out · (C ⊙ conv(B ⊙ x̃)) with B, C, x̃ = W_in · norm(x),
// where conv is a causal depthwise convolution over the last T positions of one sequence.
#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "model/forward.h"

namespace densing {

void ShortConvBlock(const Step& s, int64_t layer) {
  const ModelConfig& c = s.c;
  const LayerWeights& L = s.model.weights().layers[static_cast<size_t>(layer)];
  Activations& a = s.act;
  const int64_t d = c.n_embd;
  const int64_t taps = c.conv_taps;
  for (int64_t t = 0; t < s.n; ++t) {
    RmsNorm(a.x.data() + t * d, L.attn_norm.data, d, c.norm_eps, a.h.data() + t * d);  // [n, d]
  }
  s.MatMul(L.conv_in, a.h.data(), s.n, a.bcx.data());  // [n, 3d]

  // In batch order, so that each token finds the inputs of its sequence's earlier positions
  // stored, however many positions of one sequence the step holds.
  for (int64_t t = 0; t < s.n; ++t) {
    const BatchToken& tok = s.batch[static_cast<size_t>(t)];
    const float* b = a.bcx.data() + t * 3 * d;  // [d] each: B, C, x̃
    const float* gate = b + d;
    const float* x = b + 2 * d;
    float* bx = tok.kv->WriteConvRow(layer, tok.pos);  // [d]
    for (int64_t i = 0; i < d; ++i) bx[i] = b[i] * x[i];
    float* y = a.h.data() + t * d;  // [d]; the normed input is no longer needed
    for (int64_t i = 0; i < d; ++i) y[i] = 0.0f;
    for (int64_t j = 0; j < taps; ++j) {  // tap 0 meets the oldest position, tap T-1 this one
      const float* in = tok.kv->ConvRow(layer, tok.pos - (taps - 1) + j);
      for (int64_t i = 0; i < d; ++i) y[i] += L.conv_taps.data[i * taps + j] * in[i];
    }
    for (int64_t i = 0; i < d; ++i) y[i] *= gate[i];
  }

  s.MatMul(L.conv_out, a.h.data(), s.n, a.proj.data());  // [n, d]
  for (int64_t t = 0; t < s.n; ++t) AddScaled(a.proj.data() + t * d, c.residual_scale, d, a.x.data() + t * d);
}

}  // namespace densing
