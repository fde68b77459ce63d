// Speculative decoding keeps the target's output: token for token at temperature 0 (every shared
// architecture, prompt lookup and draft models, rejections and rollback included), and the
// target's distribution at temperature > 0 (speculative sampling, checked statistically).
#include "generate/speculative.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "generate/conversation.h"
#include "generate/generate.h"
#include "model/model.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

namespace fs = std::filesystem;

std::string ModelPath(const std::string& name) { return testing::SharedDir() + "/models/" + name; }

struct Outcome {
  std::vector<int32_t> out;
  std::vector<int32_t> held;  // what the session holds afterwards
  GenerateStats stats;
};

Outcome GenerateWith(Session& session, const Tokenizer& tok, const std::vector<int32_t>& prompt,
                 const GenerateParams& params) {
  session.Truncate(0);
  Outcome r;
  r.stats = Generate(session, tok, prompt, params, [&](int32_t id, std::string_view) {
    if (id >= 0) r.out.push_back(id);
    return true;
  });
  r.held = session.tokens();
  return r;
}

// Verification passes of up to 9 tokens: past the 4 from which prompt batches take the int8
// panels, so the decode kernels verification asks for (MatMulKernel::kDecode) are what keeps
// the text plain decoding's.
GenerateParams GreedyParams(int64_t n) {
  GenerateParams p;
  p.n_predict = n;
  p.sampler.temperature = 0;
  p.speculative.verify_tokens = 9;
  return p;
}

constexpr const char* kRepetitive =
    "One day, Lily saw a big red ball. One day, Lily saw a big red ball. One day, Lily saw a big red "
    "ball. One day, Lily saw a big";

// Every model file in shared/models with the 512-token stories vocabulary, and a different file
// of the same vocabulary to draft for it (a quantization of it where there is one).
std::vector<std::pair<std::string, std::string>> TargetsAndDrafts() {
  std::vector<std::pair<std::string, std::string>> v;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(testing::SharedDir() + "/models")) {
    const std::string n = e.path().filename().string();
    if (n.ends_with(".gguf") && n != "llama-2-tiny-random.gguf") names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string other;
    const std::string base = n.find("-Q") != std::string::npos || n.find("-F16") != std::string::npos ||
                                     n.find("-BF16") != std::string::npos
                                 ? n.substr(0, n.rfind('-')) + ".gguf"
                                 : "";
    if (!base.empty()) {
      other = base;  // a quantized file drafted by its F32 original
    } else {
      for (const char* q : {"-Q4_0", "-Q8_0", "-Q4_K_M"}) {
        const std::string cand = n.substr(0, n.size() - 5) + q + ".gguf";
        if (fs::exists(ModelPath(cand))) {
          other = cand;
          break;
        }
      }
    }
    if (other.empty()) other = n == "stories260K.gguf" ? "tiny-llama-gqa-Q4_0.gguf" : "stories260K.gguf";
    v.emplace_back(n, other);
  }
  return v;
}

TEST(Speculative, GreedyOutputIsPlainDecodingOnEveryArchitecture) {
  DENSING_REQUIRE_SHARED();
  if (testing::UnderEmulation()) {
    GTEST_SKIP() << "30 models three ways take over 3 minutes under qemu; native and ASan run it, and "
                    "the speculative tests below run under qemu too";
  }
  const auto pairs = TargetsAndDrafts();
  ASSERT_GE(pairs.size(), 30u);
  int64_t total_rejected = 0;
  // Random weights rarely repeat the prompt, so lookup proposes on some models only.
  int64_t lookup_drafted = 0, lookup_rejected = 0;
  for (const auto& [target_name, other_name] : pairs) {
    SCOPED_TRACE(target_name + " drafted by itself and by " + other_name);
    auto model = Model::Load(ModelPath(target_name));
    auto tok = Tokenizer::FromGguf(model->file());
    ThreadPool pool(2);
    Session session(*model, pool, 512);
    const std::vector<int32_t> prompt = tok->Encode(kRepetitive, true, false);
    const Outcome plain = GenerateWith(session, *tok, prompt, GreedyParams(40));
    ASSERT_EQ(plain.out.size(), 40u);

    // (a) prompt lookup.
    GenerateParams lookup = GreedyParams(40);
    lookup.speculative.lookup = 8;
    const Outcome looked = GenerateWith(session, *tok, prompt, lookup);
    EXPECT_EQ(looked.out, plain.out);
    EXPECT_EQ(looked.held, plain.held);
    lookup_drafted += looked.stats.n_drafted;
    lookup_rejected += looked.stats.n_drafted - looked.stats.n_accepted;

    // (b) the same file as its own draft: nearly everything is accepted.
    Session self_draft(*model, pool, 512);
    GenerateParams self = GreedyParams(40);
    self.speculative.draft = &self_draft;
    self.speculative.draft_max = 6;
    self.speculative.draft_p_min = 0;
    const Outcome by_self = GenerateWith(session, *tok, prompt, self);
    EXPECT_EQ(by_self.out, plain.out);
    EXPECT_EQ(by_self.held, plain.held);
    EXPECT_GT(by_self.stats.n_drafted, 30);
    EXPECT_GE(by_self.stats.n_accepted * 10, by_self.stats.n_drafted * 9);

    // (c) another file with the same vocabulary: rejections, so rollback runs.
    auto other = Model::Load(ModelPath(other_name));
    Session other_draft(*other, pool, 512);
    GenerateParams by_other_params = self;
    by_other_params.speculative.draft = &other_draft;
    const Outcome by_other = GenerateWith(session, *tok, prompt, by_other_params);
    EXPECT_EQ(by_other.out, plain.out);
    EXPECT_EQ(by_other.held, plain.held);
    EXPECT_GT(by_other.stats.n_drafted, 0);
    total_rejected += by_other.stats.n_drafted - by_other.stats.n_accepted;
    // Another architecture's random weights agree with the target on almost nothing.
    if (other_name == "stories260K.gguf" || target_name == "stories260K.gguf") {
      EXPECT_LT(by_other.stats.n_accepted, by_other.stats.n_drafted);
    }
  }
  EXPECT_GT(total_rejected, 100);
  EXPECT_GT(lookup_drafted, 100);
  EXPECT_GT(lookup_rejected, 0);
}

// With the decode kernels every batch is exact (the kernels are built for it), so the start-up
// probe lets verification take the whole draft, quantized and float files alike.
TEST(Speculative, TheDecodeKernelsMakeEveryBatchExact) {
  DENSING_REQUIRE_SHARED();
  ThreadPool pool(2);
  for (const char* name : {"stories260K.gguf", "tiny-llama-gqa-Q4_0.gguf", "tiny-llama-gqa-Q8_0.gguf",
                           "tiny-llama-gqa-Q4_K_M.gguf", "tiny-llama-gqa-Q6_K.gguf", "tiny-lfm2-Q8_0.gguf"}) {
    auto model = Model::Load(ModelPath(name));
    EXPECT_EQ(ExactBatchTokens(*model, pool, 17), 17) << name;
  }
}

// The stop conditions hit in the middle of an accepted run: the session must hold exactly what
// plain decoding holds (a conversation continues from it), also for LFM2's convolution state.
TEST(Speculative, StopsInsideADraftLeaveThePlainSession) {
  DENSING_REQUIRE_SHARED();
  for (const char* name : {"stories260K.gguf", "tiny-lfm2.gguf"}) {
    SCOPED_TRACE(name);
    auto model = Model::Load(ModelPath(name));
    auto tok = Tokenizer::FromGguf(model->file());
    ThreadPool pool(2);
    Session session(*model, pool, 512);
    Session draft(*model, pool, 512);
    const std::vector<int32_t> prompt = tok->Encode(kRepetitive, true, false);
    for (int64_t n : {1, 2, 3, 7, 13}) {
      const Outcome plain = GenerateWith(session, *tok, prompt, GreedyParams(n));
      GenerateParams p = GreedyParams(n);
      p.speculative.draft = &draft;
      p.speculative.draft_p_min = 0;
      const Outcome spec = GenerateWith(session, *tok, prompt, p);
      EXPECT_EQ(spec.out, plain.out) << n;
      EXPECT_EQ(spec.held, plain.held) << n;
      // The cache holds the same state: the next token agrees too.
      const std::vector<int32_t> next = {spec.out.empty() ? 1 : spec.out.back()};
      Session fresh(*model, pool, 512);
      fresh.Eval(plain.held);
      const int32_t a = Greedy(session.Eval(next));
      const int32_t b = Greedy(fresh.Eval(next));
      EXPECT_EQ(a, b) << n;
    }
  }
}

// A context that shifts while speculating gives the plain output.
TEST(Speculative, ContextShiftsAsPlainDecodingDoes) {
  DENSING_REQUIRE_SHARED();
  auto model = Model::Load(ModelPath("stories260K.gguf"));
  auto tok = Tokenizer::FromGguf(model->file());
  ThreadPool pool(2);
  Session session(*model, pool, 64);
  Session draft(*model, pool, 64);
  const std::vector<int32_t> prompt = tok->Encode("Once upon a time", true, false);
  const Outcome plain = GenerateWith(session, *tok, prompt, GreedyParams(150));
  ASSERT_GT(plain.stats.n_shifted, 0);
  GenerateParams p = GreedyParams(150);
  p.speculative.draft = &draft;
  p.speculative.draft_p_min = 0;
  const Outcome spec = GenerateWith(session, *tok, prompt, p);
  EXPECT_EQ(spec.out, plain.out);
  EXPECT_EQ(spec.stats.n_shifted, plain.stats.n_shifted);
  GenerateParams l = GreedyParams(150);
  l.speculative.lookup = 10;
  const Outcome looked = GenerateWith(session, *tok, prompt, l);
  EXPECT_EQ(looked.out, plain.out);
}

TEST(Speculative, LookupProposesWhatFollowedTheLongestRecentMatch) {
  const std::vector<int32_t> ctx = {1, 2, 3, 4, 9, 2, 3, 4, 5, 6, 7, 8, 2, 3, 4};
  // "2 3 4" last occurred at 5..7, followed by 5 6 7 8 2 …
  EXPECT_EQ(LookupDraft(ctx, 3, 1, 3), (std::vector<int32_t>{5, 6, 7}));
  EXPECT_EQ(LookupDraft(ctx, 100, 1, 3), (std::vector<int32_t>{5, 6, 7, 8, 2, 3, 4}));
  // A 4-gram "8 2 3 4" has no earlier occurrence; the 3-gram is used.
  EXPECT_EQ(LookupDraft(ctx, 2, 2, 4), (std::vector<int32_t>{5, 6}));
  // Only 1-grams match, and the minimum is 2: nothing.
  EXPECT_TRUE(LookupDraft(std::vector<int32_t>{7, 1, 2, 9, 2}, 4, 2, 4).empty());
  EXPECT_EQ(LookupDraft(std::vector<int32_t>{7, 1, 2, 9, 2}, 4, 1, 4), (std::vector<int32_t>{9, 2}));
  EXPECT_TRUE(LookupDraft(std::vector<int32_t>{5}, 4, 1, 4).empty());
}

std::vector<Sampler::Candidate> Dist(const std::vector<double>& p) {
  std::vector<Sampler::Candidate> c;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] > 0) c.push_back({static_cast<int32_t>(i), 0.0f, static_cast<float>(p[i])});
  }
  return c;
}

int32_t Draw(const std::vector<double>& q, std::mt19937_64& rng) {
  std::discrete_distribution<int32_t> d(q.begin(), q.end());
  return d(rng);
}

// Every token's frequency within 4 standard errors of p (a binomial's, per token): a wrong
// acceptance rule or residual moves some token by far more at 40k draws.
void ExpectMatches(const std::vector<int64_t>& counts, const std::vector<double>& p, int64_t n) {
  for (size_t i = 0; i < p.size(); ++i) {
    const double f = static_cast<double>(counts[i]) / static_cast<double>(n);
    const double sigma = std::sqrt(std::max(p[i] * (1 - p[i]), 1e-12) / static_cast<double>(n));
    EXPECT_LE(std::abs(f - p[i]), 4 * sigma + 1e-12) << "token " << i << ": " << f << " vs " << p[i];
  }
}

TEST(SpeculativeSampling, KeepsTheTargetDistributionForADraftDistribution) {
  const std::vector<double> p = {0.05, 0.40, 0.25, 0.0, 0.30};  // the target (token 3 cut away)
  const std::vector<double> q = {0.30, 0.10, 0.20, 0.35, 0.05};  // a poor draft
  const auto pc = Dist(p), qc = Dist(q);
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  constexpr int64_t kN = 40000;
  std::vector<int64_t> counts(p.size());
  int64_t rejected = 0;
  for (int64_t i = 0; i < kN; ++i) {
    const int32_t d = Draw(q, rng);
    const Verdict v = AcceptOrResample(pc, qc, d, u(rng), u(rng));
    ++counts[static_cast<size_t>(v.token)];
    if (!v.accepted) ++rejected;
  }
  ExpectMatches(counts, p, kN);
  // Acceptance is Σ min(p, q) = 0.05 + 0.10 + 0.20 + 0 + 0.05 = 0.4.
  EXPECT_NEAR(static_cast<double>(kN - rejected) / kN, 0.4, 4 * std::sqrt(0.24 / kN));
}

TEST(SpeculativeSampling, KeepsTheTargetDistributionForAPointMass) {
  const std::vector<double> p = {0.1, 0.6, 0.2, 0.1};
  const auto pc = Dist(p);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  constexpr int64_t kN = 40000;
  // Lookup proposes the same token whatever p is, and one that p never picks.
  for (int32_t d : {1, 2, 3}) {
    std::vector<int64_t> counts(p.size());
    for (int64_t i = 0; i < kN; ++i) ++counts[static_cast<size_t>(AcceptOrResample(pc, {}, d, u(rng), u(rng)).token)];
    ExpectMatches(counts, p, kN);
  }
  std::vector<int64_t> counts(p.size());
  for (int64_t i = 0; i < kN; ++i) {
    const Verdict v = AcceptOrResample(Dist({0.5, 0.5, 0, 0}), {}, 3, u(rng), u(rng));
    EXPECT_FALSE(v.accepted);
    ++counts[static_cast<size_t>(v.token)];
  }
  ExpectMatches(counts, {0.5, 0.5, 0, 0}, kN);
}

// End to end: a draft of other (random) weights does not change the target's distribution of
// the first token a speculative step returns.
TEST(SpeculativeSampling, AMismatchedDraftLeavesTheNextTokenDistribution) {
  DENSING_REQUIRE_SHARED();
  if (testing::UnderEmulation()) {
    GTEST_SKIP() << "thousands of sampled tokens take nearly 2 minutes under qemu; native and ASan run it";
  }
  auto target = Model::Load(ModelPath("stories260K.gguf"));
  auto other = Model::Load(ModelPath("tiny-llama-gqa-Q4_0.gguf"));
  auto tok = Tokenizer::FromGguf(target->file());
  ThreadPool pool(2);
  Session session(*target, pool, 256);
  Session draft(*other, pool, 256);
  SamplerParams sp;
  sp.temperature = 1.0f;
  sp.top_k = 6;
  sp.top_p = 1.0f;
  sp.min_p = 0.0f;
  const std::vector<int32_t> prompt = tok->Encode("Once upon a time, there was a little", true, false);
  const std::vector<int32_t> context(prompt.begin(), prompt.end() - 1);
  const int32_t last = prompt.back();
  session.Eval(context);
  std::vector<double> p(static_cast<size_t>(session.n_vocab()));
  {
    Session ref(*target, pool, 256);
    Sampler s(sp);
    for (const auto& c : s.Distribution(ref.Eval(prompt), prompt)) p[static_cast<size_t>(c.id)] = c.p;
  }
  SpeculativeParams spec;
  spec.draft = &draft;
  spec.draft_max = 3;
  spec.draft_p_min = 0;
  constexpr int64_t kN = 4000;
  std::vector<int64_t> counts(p.size());
  sp.seed = 1;
  Sampler sampler(sp);
  Speculator speculator(spec, sp);
  for (int64_t i = 0; i < kN; ++i) {
    const std::vector<int32_t> out = speculator.Step(session, last, sampler, 100);
    ++counts[static_cast<size_t>(out[0])];
    session.Truncate(static_cast<int64_t>(context.size()));
  }
  EXPECT_LT(speculator.n_accepted(), speculator.n_drafted() / 2);  // the draft is mostly wrong
  ExpectMatches(counts, p, kN);
}

}  // namespace
}  // namespace densing
