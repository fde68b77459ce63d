// ChoiceScorer: the log-probability of each answer of a multiple-choice item. The context is
// evaluated once (reusing whatever prefix it shares with the previous item's, such as MMLU's
// few-shot examples); every answer then continues from a copy of its KV cache, all answers of the
// item in one batch.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eval/scoring.h"
#include "model/model.h"
#include "model/state.h"
#include "runtime/session.h"
#include "threading/thread_pool.h"
#include "tokenizer/tokenizer.h"

namespace densing::eval {

struct PairTokens {
  std::vector<int32_t> context;
  std::vector<int32_t> continuation;
};

// lm-evaluation-harness's split: trailing whitespace of the context moves to the continuation,
// the whole text is tokenized (BOS as the metadata asks) and the continuation is what follows the
// context's own token count.
PairTokens EncodePair(const Tokenizer& tokenizer, std::string_view context, std::string_view continuation);

enum class ScoreStatus : uint8_t {
  kOk,
  kTruncated,  // the context lost tokens at its start to fit n_ctx
  kTooLong,    // an answer alone does not fit n_ctx: nothing scored
};

class ChoiceScorer {
 public:
  ChoiceScorer(const Model& model, const Tokenizer& tokenizer, ThreadPool& pool, int64_t n_ctx,
               int64_t n_batch, KvTypes kv_types = {});
  ~ChoiceScorer();

  // out[i] scores " " + choices[i] after `context`.
  ScoreStatus Score(std::string_view context, std::span<const std::string> choices,
                    std::vector<ChoiceScore>& out);

  int64_t n_evaluated() const { return n_evaluated_; }  // tokens run through the model
  int64_t n_reused() const { return n_reused_; }        // context tokens taken from a cache
  int64_t n_ctx() const { return session_.n_ctx(); }

 private:
  void ScoreTails(int64_t n_context, std::vector<ChoiceScore>& out);

  const Model& model_;
  const Tokenizer& tokenizer_;
  ThreadPool& pool_;
  Session session_;  // holds the last context, whose prefix the next item may share
  std::vector<std::unique_ptr<KvCache>> caches_;  // one per answer
  std::vector<std::vector<int32_t>> answers_;     // the answers' tokens
  std::vector<BatchToken> batch_;
  std::vector<int32_t> batch_choice_;  // per batch token: its answer
  std::vector<int32_t> batch_target_;  // per batch token: the token its logits predict
  std::vector<double> row_log_prob_;
  std::vector<float> logits_;  // [n_batch, n_vocab]
  int64_t n_evaluated_ = 0;
  int64_t n_reused_ = 0;
};

}  // namespace densing::eval
