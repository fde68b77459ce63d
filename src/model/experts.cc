// Mixture of experts: a router picks the top-k experts per token from a softmax over all of
// them; the output is the weighted sum of the chosen experts' MLPs (plus, in qwen2moe, a shared
// expert scaled by a sigmoid gate).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "model/forward.h"

namespace densing {
namespace {

// For each token: the k best experts and their weights, from router logits [n, n_expert].
void Route(const Step& s) {
  Activations& a = s.act;
  const int64_t E = s.c.n_expert;
  const int64_t k = s.c.n_expert_used;
  for (int64_t t = 0; t < s.n; ++t) {
    float* p = a.router.data() + t * E;
    Softmax(p, E);
    int32_t* ids = a.expert_id.data() + t * k;
    float* w = a.expert_weight.data() + t * k;
    for (int64_t i = 0; i < k; ++i) {  // selection by repeated max: E is small
      int32_t best = -1;
      for (int32_t e = 0; e < E; ++e) {
        if (std::find(ids, ids + i, e) != ids + i) continue;
        if (best < 0 || p[e] > p[best]) best = e;
      }
      ids[i] = best;
      w[i] = p[best];
    }
    if (s.c.normalize_expert_weights) {
      const float sum = std::accumulate(w, w + k, 0.0f);
      for (int64_t i = 0; i < k; ++i) w[i] /= sum;
    }
  }
}

}  // namespace

void MixtureOfExpertsFfn(const Step& s, const LayerWeights& L) {
  Activations& a = s.act;
  const int64_t d = s.c.n_embd;
  const int64_t k = s.c.n_expert_used;
  s.MatMul(L.ffn_gate_inp, a.h.data(), s.n, a.router.data());  // [n, E]
  Route(s);
  std::fill(a.proj.begin(), a.proj.begin() + s.n * d, 0.0f);

  // Each expert runs once over the tokens routed to it.
  for (int32_t e = 0; e < s.c.n_expert; ++e) {
    int64_t m = 0;
    for (int64_t t = 0; t < s.n; ++t) {
      const int32_t* ids = a.expert_id.data() + t * k;
      if (std::find(ids, ids + k, e) == ids + k) continue;
      a.rows[static_cast<size_t>(m)] = static_cast<int32_t>(t);
      std::memcpy(a.gathered.data() + m * d, a.h.data() + t * d, sizeof(float) * d);
      ++m;
    }
    if (m == 0) continue;
    GatedMlp(s, a.gathered.data(), m, L.ffn_gate_exps.matrix(e), L.ffn_up_exps.matrix(e),
             L.ffn_down_exps.matrix(e), a.ffn.data());  // [m, d]
    for (int64_t i = 0; i < m; ++i) {
      const int64_t t = a.rows[static_cast<size_t>(i)];
      const int32_t* ids = a.expert_id.data() + t * k;
      const float w = a.expert_weight[static_cast<size_t>(t * k + (std::find(ids, ids + k, e) - ids))];
      AddScaled(a.ffn.data() + i * d, w, d, a.proj.data() + t * d);
    }
  }

  if (L.ffn_up_shexp.data == nullptr) return;
  GatedMlp(s, a.h.data(), s.n, L.ffn_gate_shexp, L.ffn_up_shexp, L.ffn_down_shexp,
           a.ffn.data());  // [n, d]
  if (L.ffn_gate_inp_shexp.data != nullptr) {
    s.MatMul(L.ffn_gate_inp_shexp, a.h.data(), s.n, a.router.data());  // [n, 1]
  }
  for (int64_t t = 0; t < s.n; ++t) {
    const float g = L.ffn_gate_inp_shexp.data ? 1.0f / (1.0f + std::exp(-a.router[static_cast<size_t>(t)])) : 1.0f;
    AddScaled(a.ffn.data() + t * d, g, d, a.proj.data() + t * d);
  }
}

}  // namespace densing
