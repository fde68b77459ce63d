// Context once, answers from copies of its cache in one batch.
#include "eval/choice_scorer.h"

#include <algorithm>

#include "base/error.h"
#include "eval/log_prob.h"
#include "model/forward.h"

namespace densing::eval {

namespace {

// Where the context's trailing whitespace starts.
size_t ContextEnd(std::string_view context) {
  const size_t keep = context.find_last_not_of(" \t\n\r\f\v");
  return keep == std::string_view::npos ? 0 : keep + 1;
}

// What follows the context's n_context tokens in the tokens of context + tail.
std::vector<int32_t> TailTokens(const Tokenizer& tokenizer, std::string_view context, size_t n_context,
                                const std::string& tail) {
  std::vector<int32_t> whole = tokenizer.Encode(std::string(context) + tail, /*add_special=*/true, false);
  if (whole.size() > n_context) return {whole.begin() + static_cast<std::ptrdiff_t>(n_context), whole.end()};
  // The answer merged into the context's last token: tokenize it alone.
  return tokenizer.Encode(tail, /*add_special=*/false, false);
}

}  // namespace

PairTokens EncodePair(const Tokenizer& tokenizer, std::string_view context, std::string_view continuation) {
  const size_t end = ContextEnd(context);
  PairTokens p;
  p.context = tokenizer.Encode(context.substr(0, end), /*add_special=*/true, /*parse_special=*/false);
  p.continuation = TailTokens(tokenizer, context.substr(0, end), p.context.size(),
                              std::string(context.substr(end)) + std::string(continuation));
  return p;
}

ChoiceScorer::ChoiceScorer(const Model& model, const Tokenizer& tokenizer, ThreadPool& pool,
                           int64_t n_ctx, int64_t n_batch, KvTypes kv_types)
    : model_(model), tokenizer_(tokenizer), pool_(pool), session_(model, pool, n_ctx, n_batch, kv_types) {}

ChoiceScorer::~ChoiceScorer() = default;

ScoreStatus ChoiceScorer::Score(std::string_view context, std::span<const std::string> choices,
                                std::vector<ChoiceScore>& out) {
  if (choices.empty()) Fail("an item without choices");
  const size_t end = ContextEnd(context);
  const std::string_view trimmed = context.substr(0, end);
  std::vector<int32_t> ctx = tokenizer_.Encode(trimmed, /*add_special=*/true, /*parse_special=*/false);
  answers_.resize(choices.size());
  size_t longest = 0;
  for (size_t i = 0; i < choices.size(); ++i) {
    answers_[i] = TailTokens(tokenizer_, trimmed, ctx.size(), std::string(context.substr(end)) + " " + choices[i]);
    if (answers_[i].empty()) Fail("the answer '{}' has no tokens", choices[i]);
    longest = std::max(longest, answers_[i].size());
  }
  const auto n_ctx = static_cast<size_t>(session_.n_ctx());
  if (longest >= n_ctx || ctx.empty()) return ScoreStatus::kTooLong;
  ScoreStatus status = ScoreStatus::kOk;
  if (ctx.size() + longest - 1 > n_ctx) {  // an answer's last token is never evaluated
    ctx.erase(ctx.begin(), ctx.begin() + static_cast<std::ptrdiff_t>(ctx.size() + longest - 1 - n_ctx));
    status = ScoreStatus::kTruncated;
  }

  // Keep the prefix shared with the previous context; evaluate at least one token for logits.
  const std::vector<int32_t>& held = session_.tokens();
  size_t same = 0;
  while (same < held.size() && same + 1 < ctx.size() && held[same] == ctx[same]) ++same;
  session_.Truncate(static_cast<int64_t>(same));
  const std::span<const float> last = session_.Eval(std::span<const int32_t>(ctx).subspan(same));
  n_reused_ += static_cast<int64_t>(same);
  n_evaluated_ += static_cast<int64_t>(ctx.size() - same);

  const RowSummary s = SummarizeRow(last);
  out.assign(choices.size(), ChoiceScore{});
  for (size_t i = 0; i < choices.size(); ++i) {
    out[i].log_prob = TokenLogProb(last, s, answers_[i][0]);
    out[i].n_tokens = static_cast<int64_t>(answers_[i].size());
    out[i].n_chars = CountChars(choices[i]);
  }
  ScoreTails(static_cast<int64_t>(ctx.size()), out);
  return status;
}

// The answers' tokens after their first, from copies of the context's cache, in batches.
void ChoiceScorer::ScoreTails(int64_t n_context, std::vector<ChoiceScore>& out) {
  batch_.clear();
  batch_choice_.clear();
  batch_target_.clear();
  for (size_t i = 0; i < answers_.size(); ++i) {
    const std::vector<int32_t>& a = answers_[i];
    if (a.size() < 2) continue;
    while (caches_.size() <= i) caches_.push_back(std::make_unique<KvCache>(model_.config(), session_.n_ctx(), session_.kv().types));
    caches_[i]->CopyPrefix(session_.kv(), n_context);
    for (size_t j = 0; j + 1 < a.size(); ++j) {
      batch_.push_back({a[j], n_context + static_cast<int64_t>(j), caches_[i].get(), true});
      batch_choice_.push_back(static_cast<int32_t>(i));
      batch_target_.push_back(a[j + 1]);
    }
  }
  if (batch_.empty()) return;
  Activations& act = session_.activations();
  const int64_t n_vocab = session_.n_vocab();
  if (logits_.empty()) logits_.resize(static_cast<size_t>(act.n_batch * n_vocab));
  row_log_prob_.resize(batch_.size());
  for (size_t start = 0; start < batch_.size(); start += static_cast<size_t>(act.n_batch)) {
    const size_t n = std::min(batch_.size() - start, static_cast<size_t>(act.n_batch));
    ForwardBatch(model_, std::span<const BatchToken>(batch_).subspan(start, n), act, pool_, logits_.data());
    n_evaluated_ += static_cast<int64_t>(n);
    pool_.ParallelFor(static_cast<int64_t>(n), [&](int64_t r, int) {
      const std::span<const float> row(logits_.data() + r * n_vocab, static_cast<size_t>(n_vocab));
      row_log_prob_[start + static_cast<size_t>(r)] = TokenLogProb(row, SummarizeRow(row), batch_target_[start + static_cast<size_t>(r)]);
    });
  }
  for (size_t r = 0; r < batch_.size(); ++r) out[static_cast<size_t>(batch_choice_[r])].log_prob += row_log_prob_[r];
}

}  // namespace densing::eval
