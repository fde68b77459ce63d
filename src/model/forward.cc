// The decoder, top to bottom: embed, then per layer attention and feed-forward blocks on the
// residual stream, then the final norm and the output head.
#include "model/forward.h"

#include "base/error.h"
#include "kernels/matmul.h"
#include "kernels/ops.h"

namespace densing {
namespace {

void Embed(const Step& s) {
  const int64_t d = s.c.n_embd;
  const TensorView& embd = s.model.weights().token_embd;
  for (int64_t t = 0; t < s.n; ++t) {
    float* x = s.act.x.data() + t * d;  // [d]
    DequantizeRow(embd, s.batch[static_cast<size_t>(t)].token, x);
    if (s.c.embedding_scale != 1.0f) Scale(x, s.c.embedding_scale, d);
  }
}

// logits = softcap(output · norm(x) · logit_scale) for the tokens that want them.
void Output(const Step& s, float* logits) {
  const int64_t d = s.c.n_embd;
  const Weights& w = s.model.weights();
  int64_t rows = 0;
  for (int64_t t = 0; t < s.n; ++t) {
    if (!s.batch[static_cast<size_t>(t)].logits) continue;
    RmsNorm(s.act.x.data() + t * d, w.output_norm.data, d, s.c.norm_eps, s.act.h.data() + rows * d);
    ++rows;
  }
  if (rows == 0) return;
  s.MatMul(w.output, s.act.h.data(), rows, logits);  // [rows, n_vocab]
  const int64_t n_vocab = w.output.ne[1];
  if (s.c.logit_scale != 1.0f) Scale(logits, s.c.logit_scale, rows * n_vocab);
  if (s.c.final_softcap > 0) SoftCap(logits, rows * n_vocab, s.c.final_softcap);
}

}  // namespace

void Step::MatMul(const TensorView& w, const float* x, int64_t n_tok, float* y) const {
  const MatMulOut out{&w, y};
  MatMulUsing(act.kernel, std::span<const MatMulOut>(&out, 1), x, n_tok, act.scratch.data(), pool);
}

void Step::MatMulShared(std::span<const MatMulOut> outs, const float* x, int64_t n_tok) const {
  MatMulUsing(act.kernel, outs, x, n_tok, act.scratch.data(), pool);
}

void ForwardBatch(const Model& model, std::span<const BatchToken> batch, Activations& act,
                  ThreadPool& pool, float* logits) {
  const ModelConfig& c = model.config();
  const int64_t n = static_cast<int64_t>(batch.size());
  if (n == 0) Fail("no tokens to evaluate");
  if (n > act.n_batch) Fail("a batch of {} tokens exceeds the {} the buffers hold", n, act.n_batch);
  const int64_t n_vocab = model.weights().token_embd.ne[1];
  for (const BatchToken& b : batch) {
    if (b.token < 0 || b.token >= n_vocab) {
      Fail("token id {} is outside the vocabulary of {} tokens", b.token, n_vocab);
    }
    if (b.kv == nullptr || b.pos < 0 || b.pos >= b.kv->n_ctx || b.kv->n_ctx > act.n_ctx) {
      Fail("position {} does not fit the context", b.pos);
    }
  }
  const Step s{model, c, batch, act, pool, n};
  Embed(s);
  for (int64_t layer = 0; layer < c.n_layer; ++layer) {
    if (c.conv(layer)) {
      ShortConvBlock(s, layer);
    } else {
      AttentionBlock(s, layer);
    }
    FeedForwardBlock(s, layer);
  }
  Output(s, logits);
}

void Forward(const Model& model, std::span<const int32_t> tokens, int64_t pos0, KvCache& kv,
             Activations& act, ThreadPool& pool, float* logits, bool all_logits) {
  const int64_t n_vocab = model.weights().output.ne[1];
  const int64_t n_total = static_cast<int64_t>(tokens.size());
  if (n_total == 0) Fail("no tokens to evaluate");
  if (pos0 < 0 || pos0 + n_total > kv.n_ctx) {
    Fail("{} tokens at position {} do not fit the context of {} tokens", n_total, pos0, kv.n_ctx);
  }
  std::vector<BatchToken>& batch = act.batch;
  for (int64_t start = 0; start < n_total; start += act.n_batch) {
    const int64_t n = std::min(act.n_batch, n_total - start);
    batch.clear();
    for (int64_t t = start; t < start + n; ++t) {
      batch.push_back({tokens[static_cast<size_t>(t)], pos0 + t, &kv, all_logits || t == n_total - 1});
    }
    ForwardBatch(model, batch, act, pool, all_logits ? logits + start * n_vocab : logits);
  }
}

}  // namespace densing
