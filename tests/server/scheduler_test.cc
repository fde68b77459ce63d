// The scheduler on stories260K: batched greedy generation equals single-sequence generation, 32
// requests on 4 slots equal each request alone, echo logprobs equal the model's, a full queue
// refuses, a cancelled request frees its slot.
#include "server/scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "base/error.h"
#include "generate/generate.h"
#include "grammar/grammar.h"
#include "grammar/vocabulary.h"
#include "server/served_model.h"
#include "testing/shared_dir.h"

namespace densing::server {
namespace {

using std::chrono::milliseconds;

const ServedModel& Stories() {
  static const auto* model =
      ServedModel::Load(testing::SharedDir() + "/models/stories260K.gguf", "").release();
  return *model;
}

struct Result {
  std::string text;
  std::vector<TokenLogprob> logprobs;
  Outcome outcome;
};

// Waits for a task, 30 s at most.
Result Collect(Task& task) {
  Progress p;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!p.done && std::chrono::steady_clock::now() < deadline) task.Wait(p, milliseconds(100));
  EXPECT_TRUE(p.done) << "the task did not finish in 30 s";
  return {p.text, p.logprobs, p.done ? task.outcome() : Outcome{}};
}

Job GreedyJob(const std::string& prompt, int64_t max_tokens) {
  Job job;
  job.prompt = Stories().tokenizer->Encode(prompt, true, false);
  job.max_tokens = max_tokens;
  job.sampler.temperature = 0;
  return job;
}

std::string Reference(const Job& job) {
  ThreadPool pool(2);
  Session session(*Stories().model, pool, 256);
  GenerateParams params;
  params.n_predict = job.max_tokens;
  params.sampler = job.sampler;
  std::string text;
  Generate(session, *Stories().tokenizer, job.prompt, params, [&](int32_t, std::string_view t) {
    text += t;
    return true;
  });
  return text;
}

std::vector<Job> ManyJobs(int n) {
  static const char* const kNames[] = {"Lily", "Tom", "a big dog", "the sun", "Ben and Sue"};
  std::vector<Job> jobs;
  for (int i = 0; i < n; ++i) {
    std::string prompt = "Once upon a time, " + std::string(kNames[i % 5]);
    for (int j = 0; j < i % 4; ++j) prompt += " went to the park and saw a bird";
    jobs.push_back(GreedyJob(prompt, 8 + (i * 7) % 40));
  }
  return jobs;
}

SchedulerOptions Options(int n_slots, int64_t n_batch) {
  SchedulerOptions o;
  o.n_slots = n_slots;
  o.n_ctx = 256;
  o.n_batch = n_batch;
  o.n_threads = 2;
  return o;
}

TEST(Scheduler, GreedyEqualsSingleSequenceGeneration) {
  DENSING_REQUIRE_SHARED();
  Scheduler s(*Stories().model, *Stories().tokenizer, Options(4, 16));
  s.Start();
  const std::vector<Job> jobs = ManyJobs(6);
  std::vector<std::shared_ptr<Task>> tasks;
  for (const Job& job : jobs) tasks.push_back(s.Submit(job));
  for (size_t i = 0; i < jobs.size(); ++i) {
    ASSERT_NE(tasks[i], nullptr);
    const Result r = Collect(*tasks[i]);
    EXPECT_EQ(r.text, Reference(jobs[i])) << "request " << i;
    EXPECT_EQ(r.outcome.n_prompt, static_cast<int64_t>(jobs[i].prompt.size()));
  }
}

TEST(Scheduler, ThirtyTwoConcurrentRequestsOnFourSlotsEqualEachAlone) {
  DENSING_REQUIRE_SHARED();
  const std::vector<Job> jobs = ManyJobs(32);
  std::vector<std::string> alone;
  {
    Scheduler s(*Stories().model, *Stories().tokenizer, Options(4, 16));
    s.Start();
    for (const Job& job : jobs) alone.push_back(Collect(*s.Submit(job)).text);
  }
  Scheduler s(*Stories().model, *Stories().tokenizer, Options(4, 16));
  s.Start();
  std::vector<std::shared_ptr<Task>> tasks;
  for (const Job& job : jobs) tasks.push_back(s.Submit(job));
  for (size_t i = 0; i < jobs.size(); ++i) {
    ASSERT_NE(tasks[i], nullptr) << "request " << i << " was refused";
    const Result r = Collect(*tasks[i]);
    EXPECT_EQ(r.text, alone[i]) << "request " << i;
    EXPECT_EQ(r.outcome.finish, FinishReason::kLength);
    EXPECT_EQ(r.outcome.n_generated, jobs[i].max_tokens);
  }
  EXPECT_GT(s.stats().cached_tokens, 0);  // the shared "Once upon a time, " was reused
  // The slots are counted free right after the step that finished their last request.
  for (int i = 0; i < 100 && s.stats().busy_slots > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(s.stats().busy_slots, 0);
}

TEST(Scheduler, EchoLogprobsAreTheModels) {
  DENSING_REQUIRE_SHARED();
  Scheduler s(*Stories().model, *Stories().tokenizer, Options(2, 8));
  s.Start();
  Job job = GreedyJob("Once upon a time, there was a little cat who liked to play", 3);
  job.prompt_logprobs = true;
  job.top_logprobs = 2;
  // A request sharing the prefix runs first, so the echo one must not take the cached prefix.
  Collect(*s.Submit(GreedyJob("Once upon a time, there was", 2)));
  const Result r = Collect(*s.Submit(job));
  const size_t n = job.prompt.size();
  ASSERT_EQ(r.logprobs.size(), n + 3);
  EXPECT_FALSE(r.logprobs[0].known);

  ThreadPool pool(2);
  Session session(*Stories().model, pool, 256);
  const std::span<const float> all = session.EvalAll(job.prompt);
  const size_t n_vocab = static_cast<size_t>(session.n_vocab());
  for (size_t i = 1; i < n; ++i) {
    const float* row = all.data() + (i - 1) * n_vocab;
    double z = 0;
    for (size_t v = 0; v < n_vocab; ++v) z += std::exp(static_cast<double>(row[v]));
    const double want = row[job.prompt[i]] - std::log(z);
    EXPECT_EQ(r.logprobs[i].id, job.prompt[i]);
    EXPECT_NEAR(r.logprobs[i].logprob, want, 1e-3) << "prompt token " << i;
    ASSERT_EQ(r.logprobs[i].top.size(), 2u);
  }
  for (size_t i = n; i < n + 3; ++i) {
    EXPECT_EQ(r.logprobs[i].top[0].first, r.logprobs[i].id);  // greedy picks the best
  }
}

TEST(Scheduler, FullQueueRefuses) {
  DENSING_REQUIRE_SHARED();
  SchedulerOptions o = Options(1, 16);
  o.max_queue = 1;
  Scheduler s(*Stories().model, *Stories().tokenizer, o);
  // Not started: one request for the free slot, one in the queue, then refusals.
  auto a = s.Submit(GreedyJob("Once", 4));
  auto b = s.Submit(GreedyJob("Once", 4));
  EXPECT_NE(a, nullptr);
  EXPECT_NE(b, nullptr);
  EXPECT_EQ(s.Submit(GreedyJob("Once", 4)), nullptr);
  EXPECT_EQ(s.stats().queued, 2);
  s.Start();
  EXPECT_EQ(Collect(*a).outcome.n_generated, 4);
  EXPECT_EQ(Collect(*b).outcome.n_generated, 4);
  EXPECT_NE(s.Submit(GreedyJob("Once", 4)), nullptr);
}

TEST(Scheduler, CancelFreesTheSlot) {
  DENSING_REQUIRE_SHARED();
  Scheduler s(*Stories().model, *Stories().tokenizer, Options(1, 16));
  s.Start();
  auto long_task = s.Submit(GreedyJob("Once", 250));
  Progress p;
  while (p.text.empty() && !p.done) long_task->Wait(p, milliseconds(100));
  long_task->Cancel();
  const Result cancelled = Collect(*long_task);
  EXPECT_EQ(cancelled.outcome.finish, FinishReason::kCancelled);
  EXPECT_LT(cancelled.outcome.n_generated, 250);
  EXPECT_EQ(Collect(*s.Submit(GreedyJob("Once", 3))).outcome.n_generated, 3);
}

TEST(Scheduler, StopStringsMaxTokensZeroAndAFullContext) {
  DENSING_REQUIRE_SHARED();
  Scheduler s(*Stories().model, *Stories().tokenizer, Options(2, 16));
  s.Start();
  const std::string full = Collect(*s.Submit(GreedyJob("Once upon a time", 30))).text;
  Job stop = GreedyJob("Once upon a time", 30);
  stop.stop = {full.substr(10, 5)};
  const Result r = Collect(*s.Submit(stop));
  EXPECT_EQ(r.text, full.substr(0, full.find(stop.stop[0])));
  EXPECT_EQ(r.outcome.finish, FinishReason::kStop);

  EXPECT_EQ(Collect(*s.Submit(GreedyJob("Once", 0))).outcome.n_generated, 0);

  // Until the context is full: all 256 positions evaluated, and the token the last one predicts
  // still emitted (there is no room to evaluate it): 257 tokens, finishing for length.
  Job endless = GreedyJob("Once upon a time", -1);
  endless.ignore_eos = true;
  const Result e = Collect(*s.Submit(endless));
  EXPECT_EQ(e.outcome.finish, FinishReason::kLength);
  EXPECT_EQ(e.outcome.n_prompt, 5);
  EXPECT_EQ(e.outcome.n_prompt + e.outcome.n_generated, 257);
}

// A full slot that may shift goes on exactly as a single sequence that shifts its context does
// (the same kept tokens, the same rotated keys), and reports what it dropped.
TEST(Scheduler, AFullContextShiftsAsTheGenerationLoopDoes) {
  DENSING_REQUIRE_SHARED();
  Scheduler s(*Stories().model, *Stories().tokenizer, Options(2, 64));
  s.Start();
  Job job = GreedyJob("Once upon a time", 600);
  job.ignore_eos = true;  // stories260K may end a story; the plain loop below never sees it
  job.context_shift = true;
  job.n_keep = 1;  // the BOS
  const Result r = Collect(*s.Submit(job));
  EXPECT_EQ(r.outcome.finish, FinishReason::kLength);
  EXPECT_EQ(r.outcome.n_generated, 600);
  // 256 positions, then each shift drops (256 - 1) / 2 = 127 and 127 more tokens fit.
  EXPECT_EQ(r.outcome.n_shifted, 3 * 127);
  EXPECT_EQ(s.stats().context_shifts, 3);

  ThreadPool pool(2);
  Session session(*Stories().model, pool, 256);
  GenerateParams params;
  params.n_predict = 600;
  params.sampler = job.sampler;
  params.n_keep = 1;
  std::string text;
  const GenerateStats g = Generate(session, *Stories().tokenizer, job.prompt, params,
                                   [&](int32_t, std::string_view t) {
                                     text += t;
                                     return true;
                                   });
  ASSERT_EQ(g.n_generated, 600) << "the model ended its story; pick another prompt";
  EXPECT_EQ(g.n_shifted, r.outcome.n_shifted);
  EXPECT_EQ(r.text, text);

  // Without shifting the same request stops at the context: 256 positions, one more token.
  job.context_shift = false;
  const Result stopped = Collect(*s.Submit(job));
  EXPECT_EQ(stopped.outcome.finish, FinishReason::kLength);
  EXPECT_EQ(stopped.outcome.n_prompt + stopped.outcome.n_generated, 257);
  EXPECT_EQ(stopped.outcome.n_shifted, 0);
}

// stories260K never ends a story by itself within a context; the random tiny-llama-gqa, sampled
// at temperature 1, draws its end-of-generation token within 200 tokens for some seeds. That
// finishes with `stop` before max_tokens; the same request with ignore_eos runs to max_tokens.
TEST(Scheduler, EndOfGenerationStopsUnlessIgnored) {
  DENSING_REQUIRE_SHARED();
  const auto served = ServedModel::Load(testing::SharedDir() + "/models/tiny-llama-gqa.gguf", "");
  Scheduler s(*served->model, *served->tokenizer, Options(2, 16));
  s.Start();
  const auto job = [&](uint64_t seed, bool ignore_eos) {
    Job j;
    j.prompt = served->tokenizer->Encode("Once upon a time", true, false);
    j.max_tokens = 200;
    j.sampler.temperature = 1;
    j.sampler.seed = seed;
    j.ignore_eos = ignore_eos;
    return j;
  };
  int stopped = 0;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    const Result r = Collect(*s.Submit(job(seed, false)));
    const Result ignoring = Collect(*s.Submit(job(seed, true)));
    EXPECT_EQ(ignoring.outcome.finish, FinishReason::kLength) << seed;
    EXPECT_EQ(ignoring.outcome.n_generated, 200) << seed;
    if (r.outcome.finish == FinishReason::kLength) {
      EXPECT_EQ(r.outcome.n_generated, 200) << seed;
      continue;
    }
    EXPECT_EQ(r.outcome.finish, FinishReason::kStop) << seed;
    EXPECT_LT(r.outcome.n_generated, 200) << seed;
    ++stopped;
  }
  EXPECT_GE(stopped, 2) << "the model's end-of-generation token never ended a request";
}

TEST(Scheduler, RefusesImpossibleOptions) {
  DENSING_REQUIRE_SHARED();
  const auto make = [](SchedulerOptions o) {
    Scheduler s(*Stories().model, *Stories().tokenizer, o);
  };
  EXPECT_THROW(make(Options(0, 16)), Error);
  EXPECT_THROW(make(Options(8, 4)), Error);
}

// A grammar that gives up while sampling (too ambiguous: every "x" doubles the live parses) ends
// its own request with an error; a request decoded beside it in the same steps goes on.
TEST(Scheduler, AGrammarThatGivesUpEndsOnlyItsRequest) {
  DENSING_REQUIRE_SHARED();
  const Tokenizer& tok = *Stories().tokenizer;
  int32_t x = -1;
  for (int32_t id = 0; id < tok.n_vocab(); ++id) {
    if (tok.TokenText(id) == "x") x = id;
  }
  ASSERT_GE(x, 0);
  Scheduler s(*Stories().model, tok, Options(2, 16));
  Job bad = GreedyJob("Once upon a time", 64);
  bad.sampler.grammar.grammar =
      grammar::Grammar::Parse(R"(root ::= "x" root "y" | "x" root "z" | "")");
  bad.sampler.logit_bias = {{x, 50.0f}};
  bad.vocabulary = grammar::Vocabulary::FromTokenizer(tok);
  const Job good = GreedyJob("Once upon a time", 40);
  auto bad_task = s.Submit(bad);
  auto good_task = s.Submit(good);
  s.Start();
  const Result b = Collect(*bad_task);
  EXPECT_EQ(b.outcome.finish, FinishReason::kError);
  EXPECT_NE(b.outcome.error.find("too ambiguous"), std::string::npos) << b.outcome.error;
  const Result g = Collect(*good_task);
  EXPECT_EQ(g.outcome.finish, FinishReason::kLength);
  EXPECT_EQ(g.text, Reference(good));
}

}  // namespace
}  // namespace densing::server

namespace densing::server {
namespace {

// LFM2 keeps a convolution state, not only keys and values: slots that batch several sequences,
// and slots that reuse a cached prefix, must give each request what it gets alone. A prefix that
// ends within the kept window is reused; one further back is evaluated again.
TEST(Scheduler, ConvolutionStateSurvivesBatchingAndPrefixReuse) {
  DENSING_REQUIRE_SHARED();
  static const auto* lfm2 =
      ServedModel::Load(testing::SharedDir() + "/models/tiny-lfm2.gguf", "").release();
  const auto job = [&](const std::string& prompt, int64_t max_tokens) {
    Job j;
    j.prompt = lfm2->tokenizer->Encode(prompt, true, false);
    j.max_tokens = max_tokens;
    j.sampler.temperature = 0;
    return j;
  };
  const auto alone = [&](const Job& j) {
    ThreadPool pool(2);
    Session session(*lfm2->model, pool, 256);
    GenerateParams params;
    params.n_predict = j.max_tokens;
    params.sampler = j.sampler;
    std::string text;
    Generate(session, *lfm2->tokenizer, j.prompt, params, [&](int32_t, std::string_view t) {
      text += t;
      return true;
    });
    return text;
  };
  std::string story = "Once upon a time, Lily";
  for (int i = 0; i < 12; ++i) story += " went to the park and saw a bird";  // ~130 tokens
  // One slot, in order: each request meets the cache the previous one left.
  const std::vector<Job> in_order = {
      job(story, 10),                          // fills the slot
      job(story + " and then", 6),             // reuses it all: the state at its end is kept
      job("Once upon a time, Lily sang", 6),   // shares 7 tokens, far behind the window: rerun
      job("Once upon a time, Lily sang a song", 6)};  // shares the previous prompt: reused
  {
    Scheduler s(*lfm2->model, *lfm2->tokenizer, Options(1, 16));
    s.Start();
    std::vector<int64_t> cached;
    for (const Job& j : in_order) {
      const Result r = Collect(*s.Submit(j));
      EXPECT_EQ(r.text, alone(j)) << "request " << cached.size();
      cached.push_back(r.outcome.n_cached);
    }
    EXPECT_GT(cached[1], 100);
    EXPECT_EQ(cached[2], 0);
    EXPECT_GT(cached[3], 5);
  }
  // Four slots batching ten requests that share prefixes.
  Scheduler s(*lfm2->model, *lfm2->tokenizer, Options(4, 16));
  s.Start();
  std::vector<Job> jobs;
  for (int i = 0; i < 10; ++i) {
    std::string prompt = "Once upon a time, " + std::string(i % 2 ? "Tom" : "Lily");
    for (int j = 0; j < i % 3; ++j) prompt += " went to the park and saw a bird";
    jobs.push_back(job(prompt, 6 + i));
  }
  std::vector<std::shared_ptr<Task>> tasks;
  for (const Job& j : jobs) tasks.push_back(s.Submit(j));
  for (size_t i = 0; i < jobs.size(); ++i) {
    ASSERT_NE(tasks[i], nullptr);
    EXPECT_EQ(Collect(*tasks[i]).text, alone(jobs[i])) << "request " << i;
  }
}

}  // namespace
}  // namespace densing::server

namespace densing::server {
namespace {

// A step that fails (here: a token id the vocabulary lacks, which request parsing would have
// refused) ends the requests in flight with an error outcome, and the scheduler goes on serving.
TEST(Scheduler, AFailedStepEndsItsRequestsWithAnErrorAndServingGoesOn) {
  DENSING_REQUIRE_SHARED();
  Scheduler s(*Stories().model, *Stories().tokenizer, Options(2, 16));
  s.Start();
  Job bad = GreedyJob("Once upon a time", 8);
  bad.prompt.push_back(1 << 20);
  const Result r = Collect(*s.Submit(bad));
  EXPECT_EQ(r.outcome.finish, FinishReason::kError);
  EXPECT_NE(r.outcome.error.find("outside the vocabulary"), std::string::npos) << r.outcome.error;
  const Job good = GreedyJob("Once upon a time", 8);
  const Result ok = Collect(*s.Submit(good));
  EXPECT_EQ(ok.outcome.finish, FinishReason::kLength);
  EXPECT_EQ(ok.text, Reference(good));
}

}  // namespace
}  // namespace densing::server
