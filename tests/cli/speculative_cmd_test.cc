// run and chat with a draft model or prompt lookup: the same greedy text as without, the
// acceptance on the timings line, and one-line errors for drafts that cannot draft.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/run_densing.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

using testing::Densing;
using testing::ExpectOneLineError;
using testing::Result;

std::string Model(const std::string& name) { return testing::SharedDir() + "/models/" + name; }

constexpr const char* kPrompt =
    "One day, Lily saw a big red ball. One day, Lily saw a big red ball. One day, Lily";

TEST(SpeculativeCli, RunWithLookupOrADraftPrintsThePlainText) {
  DENSING_REQUIRE_SHARED();
  const std::vector<std::string> base = {"run", "-m", Model("stories260K.gguf"), "-p", kPrompt,
                                         "-n", "48", "--temp", "0"};
  const Result plain = Densing(base);
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(plain.err.find("drafted"), std::string::npos);
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--lookup", "6"},
        {"-md", Model("stories260K.gguf"), "--draft-max", "4", "--draft-p-min", "0"},
        {"--draft-model", Model("stories260K.gguf"), "--draft-max", "8", "--draft-min", "2"}}) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = Densing(args);
    SCOPED_TRACE(extra[0]);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, plain.out);
    EXPECT_NE(r.err.find("| drafted "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("accepted "), std::string::npos) << r.err;
  }
}

TEST(SpeculativeCli, ChatWithADraftRepliesAsWithout) {
  DENSING_REQUIRE_SHARED();
  const std::vector<std::string> base = {"chat", "-m", Model("stories260K.gguf"), "-n", "16", "--temp", "0"};
  const std::string turns = "Hello\nTell me a story\n";
  const Result plain = Densing(base, turns);
  ASSERT_EQ(plain.code, 0) << plain.err;
  std::vector<std::string> args = base;
  for (const char* a : {"--draft-max", "5", "--draft-p-min", "0"}) args.push_back(a);
  args.push_back("-md");
  args.push_back(Model("tiny-llama-gqa-Q4_0.gguf"));
  // A random-weight draft larger than stories260K is refused; the model as its own draft works.
  ExpectOneLineError(Densing(args, turns), "more than the target");
  args.back() = Model("stories260K.gguf");
  const Result spec = Densing(args, turns);
  ASSERT_EQ(spec.code, 0) << spec.err;
  EXPECT_EQ(spec.out, plain.out);
}

TEST(SpeculativeCli, BadDraftsAndValuesAreOneLineErrors) {
  DENSING_REQUIRE_SHARED();
  const std::string target = Model("stories260K.gguf");
  const auto run = [&](std::vector<std::string> extra, const std::string& m = "") {
    std::vector<std::string> args = {"run", "-m", m.empty() ? target : m, "-p", "Hi", "-n", "4"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Densing(args);
  };
  ExpectOneLineError(run({"-md", Model("llama-2-tiny-random.gguf")}),
                     "the draft model's vocabulary has 32000 tokens, the target's 512");
  ExpectOneLineError(run({"-md", Model("tiny-qwen3.gguf")}), "more than the target's");
  ExpectOneLineError(run({"-md", Model("tiny-llama-gqa.gguf"), "-c", "1024"}, Model("tiny-llama-mha.gguf")),
                     "context of 512 tokens is smaller than the target's 1024");
  ExpectOneLineError(run({"-md", target, "--draft-max", "0"}), "--draft-max must be in 1..1024");
  ExpectOneLineError(run({"--lookup", "4", "--draft-max", "0"}), "--draft-max");
  ExpectOneLineError(run({"-md", target, "--draft-min", "9", "--draft-max", "4"}), "--draft-min");
  ExpectOneLineError(run({"-md", target, "--draft-p-min", "1.5"}), "--draft-p-min");
  ExpectOneLineError(run({"--lookup", "-2"}), "--lookup");
  ExpectOneLineError(run({"-md", target, "--lookup", "3"}), "cannot be used together");
  ExpectOneLineError(run({"-md", testing::SharedDir() + "/README.md"}), "not a GGUF file");
}

// serve checks the same before it listens (a bad draft never leaves a server half up).
TEST(SpeculativeCli, ServeRefusesBadDraftsWithOneLine) {
  DENSING_REQUIRE_SHARED();
  const std::string target = Model("stories260K.gguf");
  const auto serve = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"serve", "-m", target, "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Densing(args);
  };
  ExpectOneLineError(serve({"-md", Model("tiny-qwen3.gguf")}), "more than the target's");
  ExpectOneLineError(serve({"--lookup", "4", "--draft-max", "0"}), "--draft-max must be in 1..1024");
  ExpectOneLineError(serve({"-md", target, "--lookup", "3"}), "cannot be used together");
  ExpectOneLineError(serve({"-md", target, "-c", "4096"}), "smaller than the target's 4096");
}

TEST(SpeculativeCli, BenchComparesPlainAndSpeculativeDecode) {
  DENSING_REQUIRE_SHARED();
  const std::string prompt = testing::TempPath("spec_prompt.txt");
  {
    std::FILE* f = std::fopen(prompt.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(kPrompt, f);
    std::fclose(f);
  }
  const Result r = Densing({"bench", "-m", Model("stories260K.gguf"), "--lookup", "6", "--prompt-file",
                            prompt, "-n", "32", "-r", "1", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["identical"], true);
  EXPECT_GT(j["plain_tokens_per_s"].get<double>(), 0);
  EXPECT_GT(j["speculative_tokens_per_s"].get<double>(), 0);
  EXPECT_GT(j["drafted"].get<int64_t>(), 0);
  EXPECT_EQ(j["mode"], "lookup 6");
  ExpectOneLineError(Densing({"bench", "-m", Model("stories260K.gguf"), "--lookup", "6"}), "--prompt-file");
  ExpectOneLineError(Densing({"bench", "-m", Model("stories260K.gguf"), "-md",
                              Model("llama-2-tiny-random.gguf"), "--prompt-file", prompt}),
                     "vocabulary");
}

}  // namespace
}  // namespace densing
