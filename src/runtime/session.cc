// Session bookkeeping around the forward pass.
#include "runtime/session.h"

#include <algorithm>

#include "base/error.h"

namespace densing {

int64_t DefaultContext(const ModelConfig& c) {
  return c.n_ctx_train > 0 ? std::min<int64_t>(c.n_ctx_train, 4096) : 4096;
}

namespace {
int64_t CheckedContext(const Model& m, int64_t n_ctx) {
  if (n_ctx == 0) return DefaultContext(m.config());
  if (n_ctx < 1 || n_ctx > (int64_t{1} << 20)) Fail("context size {} is out of range", n_ctx);
  return n_ctx;
}
}  // namespace

Session::Session(const Model& model, ThreadPool& pool, int64_t n_ctx, int64_t n_batch,
                 KvTypes kv_types)
    : model_(model),
      pool_(pool),
      n_vocab_(model.weights().output.ne[1]),
      kv_(model.config(), CheckedContext(model, n_ctx), kv_types),
      act_(model, std::max<int64_t>(1, std::min(n_batch, kv_.n_ctx)), kv_.n_ctx) {
  logits_.resize(static_cast<size_t>(n_vocab_));
}

std::span<const float> Session::Eval(std::span<const int32_t> tokens, MatMulKernel kernel) {
  return Run(tokens, false, kernel);
}

std::span<const float> Session::EvalAll(std::span<const int32_t> tokens, MatMulKernel kernel) {
  return Run(tokens, true, kernel);
}

std::span<const float> Session::Run(std::span<const int32_t> tokens, bool all, MatMulKernel kernel) {
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (n_past() + n > kv_.n_ctx) {
    Fail("the context of {} tokens is full ({} held, {} more asked)", kv_.n_ctx, n_past(), n);
  }
  const size_t need = static_cast<size_t>((all ? n : 1) * n_vocab_);
  if (logits_.size() < need) logits_.resize(need);
  act_.kernel = kernel;
  try {
    Forward(model_, tokens, n_past(), kv_, act_, pool_, logits_.data(), all);
  } catch (...) {
    act_.kernel = MatMulKernel::kBest;
    throw;
  }
  act_.kernel = MatMulKernel::kBest;
  tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
  return {logits_.data(), need};
}

int64_t Session::ShiftContext(int64_t n_keep) {
  const int64_t n_discard = (n_past() - n_keep) / 2;
  if (n_keep < 0 || n_discard < 1) {
    Fail("cannot shift the context: {} of its {} tokens are to be kept", n_keep, n_past());
  }
  ShiftCache(model_, kv_, n_keep, n_discard, n_past());
  tokens_.erase(tokens_.begin() + n_keep, tokens_.begin() + n_keep + n_discard);
  return n_discard;
}

void Session::Truncate(int64_t n) {
  if (n < 0 || n > n_past()) Fail("cannot truncate a sequence of {} tokens to {}", n_past(), n);
  tokens_.resize(static_cast<size_t>(n));
  if (kv_.Restorable(n)) {
    kv_.Rewind(n);
    return;
  }
  EvaluateAgain();
}

void Session::EvaluateAgain() {
  const std::vector<int32_t> prefix = std::move(tokens_);
  tokens_.clear();
  kv_.Rewind(0);
  Run(prefix, false, MatMulKernel::kBest);
}

}  // namespace densing

namespace densing {

void Session::CopyFrom(const Session& other, int64_t n) {
  if (&other.model_ != &model_ || n < 0 || n > other.n_past() || n > kv_.n_ctx) {
    Fail("cannot copy {} tokens from a session of {}", n, other.n_past());
  }
  tokens_.assign(other.tokens_.begin(), other.tokens_.begin() + n);
  if (other.kv_.Restorable(n)) {
    kv_.CopyPrefix(other.kv_, n);
    return;
  }
  EvaluateAgain();
}

}  // namespace densing
