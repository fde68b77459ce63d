// The speculative step: draft, verify in one batch, accept, roll back.
#include "generate/speculative.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "base/error.h"
#include "model/params.h"

namespace densing {

void ValidateSpeculativeParams(const SpeculativeParams& p) {
  if (p.draft_max < 1 || p.draft_max > 1024) Fail("--draft-max must be in 1..1024 (got {})", p.draft_max);
  if (p.draft_min < 0 || p.draft_min > p.draft_max) {
    Fail("--draft-min must be in 0..{} (the draft-max; got {})", p.draft_max, p.draft_min);
  }
  if (!(p.draft_p_min >= 0 && p.draft_p_min <= 1)) Fail("--draft-p-min must be in [0, 1]");
  if (p.lookup < 0 || p.lookup > 1024) Fail("--lookup must be in 0..1024 (got {})", p.lookup);
  if (p.lookup > 0 && p.draft != nullptr) Fail("--lookup and --draft-model cannot be used together");
  if (p.verify_tokens < 1) Fail("verify_tokens must be >= 1");
  if (p.lookup_ngram_min < 1 || p.lookup_ngram_max < p.lookup_ngram_min) {
    Fail("lookup n-gram sizes must satisfy 1 <= min <= max");
  }
}

void CheckDraftModel(const Model& target, const Tokenizer& tt, const Model& draft, const Tokenizer& dt,
                     int64_t n_ctx) {
  if (dt.n_vocab() != tt.n_vocab()) {
    Fail("the draft model's vocabulary has {} tokens, the target's {}", dt.n_vocab(), tt.n_vocab());
  }
  const int64_t t_rows = target.weights().output.ne[1], d_rows = draft.weights().output.ne[1];
  if (t_rows != d_rows) Fail("the draft model has {} output rows, the target {}", d_rows, t_rows);
  for (int32_t id = 0; id < tt.n_vocab(); ++id) {
    if (dt.TokenText(id) != tt.TokenText(id)) {
      Fail("the draft model's token {} is \"{}\" but the target's is \"{}\"", id, dt.TokenText(id),
           tt.TokenText(id));
    }
  }
  const auto same = [&](const char* what, int32_t d, int32_t t) {
    if (d != t) Fail("the draft model's {} token is {} but the target's is {}", what, d, t);
  };
  same("BOS", dt.bos(), tt.bos());
  same("EOS", dt.eos(), tt.eos());
  same("EOT", dt.eot(), tt.eot());
  const int64_t t_params = CountParams(target.file()).total;
  const int64_t d_params = CountParams(draft.file()).total;
  if (d_params > t_params) {
    Fail("the draft model has {} parameters, more than the target's {}", d_params, t_params);
  }
  const int64_t d_ctx = draft.config().n_ctx_train;
  if (d_ctx > 0 && d_ctx < n_ctx) {
    Fail("the draft model's context of {} tokens is smaller than the target's {} (lower -c)", d_ctx, n_ctx);
  }
}

int32_t ExactBatchTokens(const Model& model, ThreadPool& pool, int32_t n_max) {
  if (n_max < 2) return 1;
  const size_t n_vocab = static_cast<size_t>(model.weights().output.ne[1]);
  std::vector<int32_t> tokens(static_cast<size_t>(n_max));
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>((7 + 31 * i) % n_vocab);
  // Decoding's logits of every position, one token at a time, then batches of the first n.
  std::vector<float> single(tokens.size() * n_vocab);
  {
    Session one(model, pool, n_max, 1);
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::span<const float> l = one.Eval(std::span<const int32_t>(&tokens[i], 1));
      std::copy(l.begin(), l.end(), single.begin() + static_cast<std::ptrdiff_t>(i * n_vocab));
    }
  }
  Session batch(model, pool, n_max, n_max);
  int32_t exact = 1;
  for (int32_t n = 2; n <= n_max; n = n < 4 ? n + 1 : std::min(2 * n, std::max(n + 1, n_max))) {
    batch.Truncate(0);
    const std::span<const float> all =
        batch.EvalAll(std::span<const int32_t>(tokens).first(static_cast<size_t>(n)), MatMulKernel::kDecode);
    if (!std::equal(all.begin(), all.end(), single.begin())) return exact;
    exact = n;
  }
  return exact;
}

std::vector<int32_t> LookupDraft(std::span<const int32_t> ctx, int32_t n_max, int32_t ngram_min,
                                 int32_t ngram_max) {
  const int64_t n = static_cast<int64_t>(ctx.size());
  for (int64_t ng = std::min<int64_t>(ngram_max, n - 1); ng >= ngram_min; --ng) {
    const auto suffix = ctx.last(static_cast<size_t>(ng));
    for (int64_t s = n - ng - 1; s >= 0; --s) {  // the most recent earlier occurrence first
      if (!std::equal(suffix.begin(), suffix.end(), ctx.begin() + s)) continue;
      const int64_t from = s + ng;
      const int64_t count = std::min<int64_t>(n_max, n - from);
      return {ctx.begin() + from, ctx.begin() + from + count};
    }
  }
  return {};
}

Verdict AcceptOrResample(std::span<const Sampler::Candidate> p, std::span<const Sampler::Candidate> q,
                         int32_t draft, double u_accept, double u_resample) {
  double p_draft = 0;
  for (const auto& c : p) {
    if (c.id == draft) p_draft = c.p;
  }
  std::unordered_map<int32_t, double> q_of;
  double q_draft = 1;  // a point mass
  if (!q.empty()) {
    for (const auto& c : q) q_of[c.id] = c.p;
    const auto it = q_of.find(draft);
    q_draft = it == q_of.end() ? 0 : it->second;
  }
  // u < p/q, written without dividing (q = 0 cannot have been drawn; accept what p allows).
  if (p_draft > 0 && u_accept * q_draft < p_draft) return {true, draft};
  const auto q_at = [&](int32_t id) {
    if (q.empty()) return id == draft ? 1.0 : 0.0;
    const auto it = q_of.find(id);
    return it == q_of.end() ? 0.0 : it->second;
  };
  double sum = 0;
  for (const auto& c : p) sum += std::max(0.0, c.p - q_at(c.id));
  if (!(sum > 0)) {
    // p ≤ q everywhere, so p = q up to rounding and a rejection had probability ~0: draw from p.
    double acc = 0;
    for (const auto& c : p) {
      acc += c.p;
      if (u_resample < acc) return {false, c.id};
    }
    return {false, p.back().id};
  }
  const double target = u_resample * sum;
  double acc = 0;
  int32_t last_positive = p.front().id;
  for (const auto& c : p) {
    const double r = std::max(0.0, c.p - q_at(c.id));
    if (r <= 0) continue;
    last_positive = c.id;
    acc += r;
    if (target < acc) return {false, c.id};
  }
  return {false, last_positive};
}

Speculator::Speculator(const SpeculativeParams& params, const SamplerParams& sampling)
    : params_(params), greedy_(sampling.temperature <= 0), draft_sampler_([&] {
        SamplerParams d = sampling;
        d.seed = sampling.seed ^ 0x9e3779b97f4a7c15ULL;  // its own stream, still seeded
        return d;
      }()) {
  ValidateSpeculativeParams(params_);
}

double TopProbability(std::span<const float> logits) {
  const float max = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits) sum += std::exp(static_cast<double>(l - max));
  return 1.0 / sum;
}

int32_t DrawFrom(std::span<const Sampler::Candidate> q, double u) {
  double acc = 0;
  for (const auto& c : q) {
    acc += c.p;
    if (u < acc) return c.id;
  }
  return q.back().id;
}

void Speculator::DraftWithModel(std::span<const int32_t> ctx, int64_t n_max) {
  Session& d = *params_.draft;
  const int64_t n = static_cast<int64_t>(ctx.size());
  // The draft holds the context and all drafts but the last.
  n_max = std::min(n_max, d.n_ctx() - n + 1);
  if (n_max < 1) return;
  const auto& held = d.tokens();
  int64_t common = 0;
  while (common < static_cast<int64_t>(held.size()) && common < n - 1 && held[common] == ctx[common]) {
    ++common;
  }
  d.Truncate(common);
  // The draft's cache follows the target's kernels, so a draft of the same weights agrees with
  // it: a prompt through the prompt kernels, the accepted drafts and the target's own last token
  // through the decode kernels (the target verified them with those).
  const auto fresh = ctx.subspan(static_cast<size_t>(common));
  if (fresh.size() > 1) {
    const auto before = fresh.first(fresh.size() - 1);
    d.Eval(before, static_cast<int64_t>(before.size()) <= params_.draft_max ? MatMulKernel::kDecode
                                                                             : MatMulKernel::kBest);
  }
  std::span<const float> logits = d.Eval(fresh.last(1), MatMulKernel::kDecode);
  for (int64_t i = 0; i < n_max; ++i) {
    if (TopProbability(logits) < params_.draft_p_min) break;
    int32_t tok;
    if (greedy_) {
      tok = draft_sampler_.Sample(logits, d.tokens());
    } else {
      const auto& q = draft_sampler_.Distribution(logits, d.tokens());
      tok = DrawFrom(q, draft_sampler_.Uniform());
      draft_dists_.emplace_back(q.begin(), q.end());
    }
    drafts_.push_back(tok);
    if (i + 1 < n_max) logits = d.Eval(std::span<const int32_t>(&tok, 1));
  }
}

std::vector<int32_t> Speculator::Step(Session& target, int32_t last, Sampler& sampler, int64_t room) {
  const int64_t base = target.n_past();
  context_.assign(target.tokens().begin(), target.tokens().end());
  context_.push_back(last);
  drafts_.clear();
  draft_dists_.clear();
  const int64_t n_max = std::min<int64_t>(room, params_.draft != nullptr ? params_.draft_max : params_.lookup);
  if (n_max > 0) {
    if (params_.draft != nullptr) {
      DraftWithModel(context_, n_max);
    } else {
      drafts_ = LookupDraft(context_, static_cast<int32_t>(n_max), params_.lookup_ngram_min,
                            params_.lookup_ngram_max);
    }
  }
  if (static_cast<int32_t>(drafts_.size()) < params_.draft_min) {
    drafts_.clear();
    draft_dists_.clear();
  }
  const size_t k = drafts_.size();
  n_drafted_ += static_cast<int64_t>(k);
  context_.insert(context_.end(), drafts_.begin(), drafts_.end());
  const size_t n_vocab = static_cast<size_t>(target.n_vocab());
  std::vector<int32_t> out;
  // [last, d1..dk] in forward passes of at most verify_tokens (where the logits are those of
  // decoding, bit for bit: ExactBatchTokens), each giving the logits of every position; a
  // rejection ends the step without evaluating the rest.
  const size_t chunk_max = static_cast<size_t>(params_.verify_tokens);
  bool done = false;
  for (size_t begin = 0; begin <= k && !done; begin += chunk_max) {
    const size_t end = std::min(k + 1, begin + chunk_max);
    const auto chunk = std::span<const int32_t>(context_).subspan(static_cast<size_t>(base) + begin, end - begin);
    const std::span<const float> logits =
        chunk.size() == 1 ? target.Eval(chunk) : target.EvalAll(chunk, MatMulKernel::kDecode);
    const std::span<const int32_t> all = target.tokens();
    for (size_t i = begin; i < end; ++i) {
      const auto row = logits.subspan((i - begin) * n_vocab, n_vocab);
      const auto history = all.first(static_cast<size_t>(base) + 1 + i);
      if (i == k) {  // every draft accepted: one more from the target
        out.push_back(sampler.Sample(row, history));
        done = true;
        break;
      }
      if (greedy_) {
        const int32_t t = sampler.Sample(row, history);
        out.push_back(t);
        if (t != drafts_[i]) {
          done = true;
          break;
        }
        continue;
      }
      const auto& p = sampler.Distribution(row, history);
      const double u_accept = sampler.Uniform();
      const double u_resample = sampler.Uniform();
      const std::span<const Sampler::Candidate> q =
          draft_dists_.empty() ? std::span<const Sampler::Candidate>() : draft_dists_[i];
      const Verdict v = AcceptOrResample(p, q, drafts_[i], u_accept, u_resample);
      out.push_back(v.token);
      if (!v.accepted) {
        done = true;
        break;
      }
    }
  }
  n_accepted_ += static_cast<int64_t>(out.size()) - 1;
  // Keep context, last and the accepted drafts: the rejected ones' positions (and the
  // convolution state past them) go.
  target.Truncate(base + static_cast<int64_t>(out.size()));
  return out;
}

}  // namespace densing
