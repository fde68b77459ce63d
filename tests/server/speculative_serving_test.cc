// Speculative decoding in the scheduler: prompt lookup and a draft model, several slots drafting
// in the same steps, keep every request's greedy text what plain decoding gives (and actually
// draft and accept); the draft model's caches follow prefix reuse and a convolution model's
// rewinds; bad drafts and settings are refused with one line.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "generate/generate.h"
#include "server/scheduler.h"
#include "server/served_model.h"
#include "server/served_server.h"
#include "testing/shared_dir.h"

namespace densing::server {
namespace {

const ServedModel& Load(const std::string& name) {
  static std::map<std::string, std::unique_ptr<ServedModel>> cache;  // freed at exit
  auto& m = cache[name];
  if (m == nullptr) m = ServedModel::Load(testing::SharedDir() + "/models/" + name, "");
  return *m;
}

std::vector<Job> Jobs(const ServedModel& m) {
  static const char* const kPrompts[] = {
      "Once upon a time, Lily went to the park. Once upon a time, Lily went to the",
      "Tom and the big dog ran and ran. Tom and the big dog ran",
      "the sun the sun the sun the sun",
      "Ben and Sue saw a bird. The bird saw Ben and Sue. Ben and Sue",
  };
  std::vector<Job> jobs;
  for (int i = 0; i < 4; ++i) {
    Job job;
    job.prompt = m.tokenizer->Encode(kPrompts[i], true, false);
    job.max_tokens = 24 + 8 * i;
    job.sampler.temperature = 0;
    jobs.push_back(job);
  }
  return jobs;
}

std::string Plain(const ServedModel& m, const Job& job) {
  ThreadPool pool(2);
  Session session(*m.model, pool, 256);
  GenerateParams params;
  params.n_predict = job.max_tokens;
  params.sampler = job.sampler;
  std::string text;
  Generate(session, *m.tokenizer, job.prompt, params, [&](int32_t, std::string_view t) {
    text += t;
    return true;
  });
  return text;
}

SchedulerOptions Options() {
  SchedulerOptions o;
  o.n_slots = 2;
  o.n_ctx = 256;
  o.n_batch = 64;
  o.n_threads = 2;
  return o;
}

struct Finished {
  std::string text;
  Outcome outcome;
};

Finished Wait(Task& task) {
  Progress p;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!p.done && std::chrono::steady_clock::now() < deadline) task.Wait(p, std::chrono::milliseconds(100));
  EXPECT_TRUE(p.done) << "the task did not finish in 60 s";
  return {p.text, p.done ? task.outcome() : Outcome{}};
}

// Four requests on two slots, twice (the second round reuses the cached prompts), against plain
// decoding of each alone. Returns the scheduler's drafted and accepted counts.
std::pair<int64_t, int64_t> ExpectGreedyUnchanged(const ServedModel& m, const SchedulerOptions& o) {
  Scheduler s(*m.model, *m.tokenizer, o);
  EXPECT_GT(s.verify_tokens(), 2) << "speculative steps would hold no drafts";
  s.Start();
  const std::vector<Job> jobs = Jobs(m);
  int64_t drafted = 0, accepted = 0;
  for (int round = 0; round < 2; ++round) {
    std::vector<std::shared_ptr<Task>> tasks;
    for (const Job& job : jobs) tasks.push_back(s.Submit(job));
    for (size_t i = 0; i < jobs.size(); ++i) {
      const Finished r = Wait(*tasks[i]);
      EXPECT_EQ(r.text, Plain(m, jobs[i])) << "request " << i << ", round " << round;
      EXPECT_EQ(r.outcome.n_generated, jobs[i].max_tokens);
      EXPECT_LE(r.outcome.n_accepted, r.outcome.n_drafted);
      drafted += r.outcome.n_drafted;
      accepted += r.outcome.n_accepted;
    }
  }
  EXPECT_EQ(s.stats().drafted_tokens, drafted);
  EXPECT_EQ(s.stats().accepted_tokens, accepted);
  return {drafted, accepted};
}

TEST(SpeculativeServing, PromptLookupKeepsGreedyText) {
  DENSING_REQUIRE_SHARED();
  SchedulerOptions o = Options();
  o.speculative.lookup = 6;
  const auto [drafted, accepted] = ExpectGreedyUnchanged(Load("stories260K.gguf"), o);
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, drafted);  // rejections were exercised too
}

TEST(SpeculativeServing, DraftModelKeepsGreedyText) {
  DENSING_REQUIRE_SHARED();
  for (const auto& [target, draft] : {std::pair{"tiny-qwen3.gguf", "tiny-qwen3-Q4_K_M.gguf"},
                                      std::pair{"tiny-lfm2.gguf", "tiny-lfm2-Q8_0.gguf"}}) {
    SCOPED_TRACE(target);
    SchedulerOptions o = Options();
    o.speculative.draft_max = 5;
    o.speculative.draft_p_min = 0;
    o.draft_model = Load(draft).model.get();
    o.draft_tokenizer = Load(draft).tokenizer.get();
    const auto [drafted, accepted] = ExpectGreedyUnchanged(Load(target), o);
    EXPECT_GT(accepted, 0);
    EXPECT_GT(drafted, 0);
  }
}

TEST(SpeculativeServing, RefusesBadDraftsAndSettings) {
  DENSING_REQUIRE_SHARED();
  const ServedModel& stories = Load("stories260K.gguf");
  const auto refused = [&](SchedulerOptions o) -> std::string {
    try {
      Scheduler s(*stories.model, *stories.tokenizer, o);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  SchedulerOptions o = Options();
  o.draft_model = Load("tiny-qwen3.gguf").model.get();  // same vocabulary, five times larger
  o.draft_tokenizer = Load("tiny-qwen3.gguf").tokenizer.get();
  EXPECT_NE(refused(o).find("more than the target"), std::string::npos) << refused(o);
  {
    const ServedModel& big = Load("llama-2-tiny-random.gguf");  // 32000 tokens, stories 512
    SchedulerOptions d = Options();
    d.draft_model = stories.model.get();
    d.draft_tokenizer = stories.tokenizer.get();
    std::string message;
    try {
      Scheduler s(*big.model, *big.tokenizer, d);
    } catch (const Error& e) {
      message = e.what();
    }
    EXPECT_NE(message.find("vocabulary has 512 tokens, the target's 32000"), std::string::npos) << message;
  }
  o.speculative.lookup = 4;
  EXPECT_NE(refused(o).find("cannot be used together"), std::string::npos) << refused(o);
  o = Options();
  o.speculative.lookup = 4;
  o.speculative.draft_max = 0;
  EXPECT_NE(refused(o).find("--draft-max"), std::string::npos) << refused(o);
}

// Over HTTP: the usage of a response counts its kept and dropped drafts in OpenAI's fields for
// predicted outputs, and /metrics the server's totals and acceptance rate.
TEST(SpeculativeServing, UsageAndMetricsCountDrafts) {
  DENSING_REQUIRE_SHARED();
  ServerOptions o;
  o.metrics = true;
  SchedulerOptions so = Served::Defaults();
  so.speculative.lookup = 6;
  ::densing::server::Served s(o, so);
  const nlohmann::json j = s.Post(
      "/v1/completions", {{"prompt", "the sun the sun the sun the sun"}, {"max_tokens", 24}, {"temperature", 0}});
  const nlohmann::json& details = j["usage"]["completion_tokens_details"];
  const int64_t accepted = details["accepted_prediction_tokens"].get<int64_t>();
  const int64_t rejected = details["rejected_prediction_tokens"].get<int64_t>();
  EXPECT_GT(accepted, 0) << j.dump();
  auto r = s.Client().Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("densing_draft_tokens_total " + std::to_string(accepted + rejected) + "\n"),
            std::string::npos) << r->body;
  EXPECT_NE(r->body.find("densing_draft_accepted_tokens_total " + std::to_string(accepted) + "\n"),
            std::string::npos) << r->body;
  EXPECT_NE(r->body.find("densing_draft_acceptance_rate "), std::string::npos);
}

}  // namespace
}  // namespace densing::server
