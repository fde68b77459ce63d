// The decoder, top to bottom: embed, then per layer attention and feed-forward blocks on the
// residual stream, then the final norm and the output head.
#include "model/forward.h"

#include "base/error.h"
#include "kernels/matmul.h"
#include "kernels/ops.h"

namespace densing {
namespace {

void Embed(const Step& s, std::span<const int32_t> tokens) {
  const int64_t d = s.c.n_embd;
  const TensorView& embd = s.model.weights().token_embd;
  for (int64_t t = 0; t < s.n; ++t) {
    float* x = s.act.x.data() + t * d;  // [d]
    DequantizeRow(embd, tokens[static_cast<size_t>(t)], x);
    if (s.c.embedding_scale != 1.0f) Scale(x, s.c.embedding_scale, d);
  }
}

// logits = softcap(output · norm(x) · logit_scale) for the rows [first, n).
void Output(const Step& s, int64_t first, float* logits) {
  const int64_t d = s.c.n_embd;
  const Weights& w = s.model.weights();
  const int64_t rows = s.n - first;
  for (int64_t t = first; t < s.n; ++t) {
    RmsNorm(s.act.x.data() + t * d, w.output_norm.data, d, s.c.norm_eps,
            s.act.h.data() + (t - first) * d);
  }
  MatMul(w.output, s.act.h.data(), rows, logits, s.act.scratch.data(), s.pool);  // [rows, n_vocab]
  const int64_t n_vocab = w.output.ne[1];
  if (s.c.logit_scale != 1.0f) Scale(logits, s.c.logit_scale, rows * n_vocab);
  if (s.c.final_softcap > 0) SoftCap(logits, rows * n_vocab, s.c.final_softcap);
}

}  // namespace

void Forward(const Model& model, std::span<const int32_t> tokens, int64_t pos0, KvCache& kv,
             Activations& act, ThreadPool& pool, float* logits, bool all_logits) {
  const ModelConfig& c = model.config();
  const int64_t n_vocab = model.weights().output.ne[1];
  const int64_t n_total = static_cast<int64_t>(tokens.size());
  if (n_total == 0) Fail("no tokens to evaluate");
  if (pos0 < 0 || pos0 + n_total > kv.n_ctx) {
    Fail("{} tokens at position {} do not fit the context of {} tokens", n_total, pos0, kv.n_ctx);
  }
  for (int32_t t : tokens) {
    if (t < 0 || t >= model.weights().token_embd.ne[1]) {
      Fail("token id {} is outside the vocabulary of {} tokens", t, model.weights().token_embd.ne[1]);
    }
  }
  for (int64_t start = 0; start < n_total; start += act.n_batch) {
    const int64_t n = std::min(act.n_batch, n_total - start);
    const Step s{model, c, kv, act, pool, n, pos0 + start};
    Embed(s, tokens.subspan(static_cast<size_t>(start), static_cast<size_t>(n)));
    for (int64_t layer = 0; layer < c.n_layer; ++layer) {
      AttentionBlock(s, layer);
      FeedForwardBlock(s, layer);
    }
    if (all_logits) {
      Output(s, 0, logits + start * n_vocab);
    } else if (start + n == n_total) {
      Output(s, n - 1, logits);
    }
  }
}

}  // namespace densing
