// The densing binary as a user meets it: greedy generation equal to the reference's text, JSON
// outputs that parse, and one-line errors with exit code 1 for bad input.
#include <gtest/gtest.h>

#include <map>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "kernels/cpu_path.h"
#include "testing/run_densing.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

using testing::Densing;
using testing::ExpectOneLineError;
using testing::Result;

std::string Model(const std::string& name) { return testing::SharedDir() + "/models/" + name; }

TEST(Cli, GreedyGenerationReproducesTheReference) {
  DENSING_REQUIRE_SHARED();
  for (int i = 1; i <= 3; ++i) {
    const std::string base = testing::SharedDir() + "/fixtures/";
    const auto fixture = nlohmann::json::parse(
        testing::ReadFile(base + "logits/stories260K.p-" + std::to_string(i) + ".json"));
    std::string expected = testing::ReadFile(base + "generate/stories260K.p-" + std::to_string(i) + ".txt");
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();  // the printer's
    const Result r = Densing({"run", "-m", Model("stories260K.gguf"), "-p", fixture["prompt"], "-n",
                              "256", "--temp", "0", "-t", "2"});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string ours = "<s> " + r.out;
    EXPECT_EQ(ours.substr(0, expected.size()), expected) << "prompt " << i;
  }
}

TEST(Cli, ChatReadsTurnsFromPipedInput) {
  DENSING_REQUIRE_SHARED();
  const Result r = Densing({"chat", "-m", Model("stories260K.gguf"), "-sys", "Tell stories.", "-n", "12",
                            "--temp", "0"},
                           "Hello\n\nOnce more\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("using ChatML"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;  // two replies, a line each
  EXPECT_EQ(Densing({"chat", "-m", Model("stories260K.gguf")}, "").code, 0);  // end of input at once
}

TEST(Cli, QuantizeReportsSizesAndKld) {
  DENSING_REQUIRE_SHARED();
  const std::string out = testing::TempPath("cli-q.gguf");
  const Result r = Densing({"quantize", Model("tiny-llama-gqa.gguf"), out, "Q8_0", "--kld",
                            testing::SharedDir() + "/data/tinystories/head-40k.txt", "--kld-ctx", "64",
                            "--kld-chunks", "4"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("bits per weight  32.000 -> 8.5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("KL-divergence"), std::string::npos) << r.out;
  ExpectOneLineError(Densing({"quantize", Model("tiny-llama-gqa.gguf"), out, "Q7_K"}), "Q7_K");
}

TEST(Cli, BenchTokenizeCountsTheFilesTokens) {
  DENSING_REQUIRE_SHARED();
  const std::string text = testing::SharedDir() + "/data/tinystories/tinystories_sample.txt";
  const Result r = Densing({"bench", "-m", Model("stories260K.gguf"), "--tokenize", text, "-r", "1", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["mb_per_s"].get<double>(), 0);
  const Result ids = Densing({"tokenize", "-m", Model("stories260K.gguf"), "-p", testing::ReadFile(text), "--ids"});
  EXPECT_EQ(j["tokens"].get<size_t>(), nlohmann::json::parse(ids.out).size());
  ExpectOneLineError(Densing({"bench", "--tokenize", text}), "-m FILE");
}

TEST(Cli, TokenizeIdsIsAJsonArray) {
  DENSING_REQUIRE_SHARED();
  const auto fixture = nlohmann::json::parse(
      testing::ReadFile(testing::SharedDir() + "/fixtures/logits/stories260K.p-2.json"));
  Result r = Densing({"tokenize", "-m", Model("stories260K.gguf"), "-p", fixture["prompt"], "--ids", "--bos"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), fixture["tokens"]);
  r = Densing({"tokenize", "-m", Model("stories260K.gguf"), "-p", "<s>", "--ids"});
  EXPECT_NE(nlohmann::json::parse(r.out), nlohmann::json::array({1}));  // text, not the token
  r = Densing({"tokenize", "-m", Model("stories260K.gguf"), "-p", "<s>", "--ids", "--special"});
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::array({1}));
}

TEST(Cli, InspectJsonCountsParameters) {
  DENSING_REQUIRE_SHARED();
  const Result r = Densing({"inspect", "-m", Model("tiny-moe.gguf"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  int64_t total = 0;
  for (const auto& t : j["tensors"]) {
    int64_t n = 1;
    for (int64_t d : t["shape"]) n *= d;
    total += n;
  }
  EXPECT_EQ(j["params"]["total"].get<int64_t>(), total);
  EXPECT_LT(j["params"]["active"].get<int64_t>(), total);  // 2 of 4 experts
  EXPECT_EQ(j["metadata"]["general.architecture"], "llama");
}

// The layers as densing runs them: LFM2's convolutions, Gemma 3's local and global layers with
// their rope bases, SmolLM3's layers without rotary.
TEST(Cli, InspectShowsHowEachLayerRuns) {
  DENSING_REQUIRE_SHARED();
  const auto layers = [](const char* model) {
    const Result r = Densing({"inspect", "-m", Model(model), "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    std::map<std::string, std::vector<int64_t>> kinds;
    const auto j = nlohmann::json::parse(r.out);
    for (const auto& k : j["layers"]) kinds[k["kind"]] = k["layers"].get<std::vector<int64_t>>();
    return kinds;
  };
  using Kinds = std::map<std::string, std::vector<int64_t>>;
  EXPECT_EQ(layers("tiny-lfm2.gguf"), (Kinds{{"short convolution, 3 taps", {0, 1, 3}},
                                             {"attention, 4/2 heads of 64, rope base 1e+06", {2}}}));
  EXPECT_EQ(layers("tiny-gemma3.gguf"),
            (Kinds{{"attention, 4/1 heads of 96, sliding window 16, rope base 10000", {0, 1, 2, 3, 4}},
                   {"attention, 4/1 heads of 96, rope base 1e+06", {5}}}));
  EXPECT_EQ(layers("tiny-smollm3.gguf"), (Kinds{{"attention, 4/2 heads of 64, rope base 2e+06", {0, 1, 2}},
                                                {"attention, 4/2 heads of 64, no rotary", {3}}}));
}

TEST(Cli, LogitsPrintsTheFixtureShape) {
  DENSING_REQUIRE_SHARED();
  const Result r = Densing({"logits", "-m", Model("llama-2-tiny-random.gguf"), "-p", "Hello", "--top", "5"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["positions"].size(), j["tokens"].size());
  EXPECT_EQ(j["positions"][0]["top"].size(), 5u);
  EXPECT_FALSE(j["positions"][0].contains("logits"));
}

TEST(Cli, BadInputIsOneLineAndExitCodeOne) {
  ExpectOneLineError(Densing({"inspect", "-m", "/nonexistent.gguf"}), "/nonexistent.gguf");
  ExpectOneLineError(Densing({"frobnicate"}), "frobnicate");
  const std::string junk = ::testing::TempDir() + "/junk_" + std::to_string(::getpid()) + ".gguf";
  {
    std::ofstream f(junk, std::ios::binary);
    f << "GGUF\x03";  // truncated inside the version
  }
  ExpectOneLineError(Densing({"inspect", "-m", junk}), "(at offset 4)");
  std::remove(junk.c_str());
}

TEST(Cli, BadFlagsOnARealModelAreOneLineAndExitCodeOne) {
  DENSING_REQUIRE_SHARED();
  ExpectOneLineError(Densing({"run", "-m", Model("stories260K.gguf"), "-p", "x", "--no-such-flag"}),
                     "no-such-flag");
  ExpectOneLineError(Densing({"run", "-m", Model("stories260K.gguf"), "-p", "x", "--top-p", "2"}), "top-p");
  ExpectOneLineError(Densing({"run", "-m", Model("stories260K.gguf"), "-p", "x", "-n", "abc"}), "abc");
  ExpectOneLineError(Densing({"logits", "-m", Model("stories260K.gguf"), "-p", std::string(300, 'a'), "-c", "16"}),
                     "context");
}

}  // namespace
}  // namespace densing

namespace densing::testing {
namespace {

// DENSING_CPU picks the kernels' path; --version and bench say which; a bad one is a one-line
// error before anything runs.
TEST(Cli, DensingCpuChoosesThePathAndSaysSo) {
  DENSING_REQUIRE_SHARED();
  setenv("DENSING_CPU", "avx2", 1);
#if defined(__x86_64__)
  Result r = Densing({"--version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("cpu path avx2 (Highway AVX2)"), std::string::npos) << r.out;
  r = Densing({"bench", "-m", Model("stories260K.gguf"), "-p", "16", "-n", "4", "-r", "1", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)[0]["cpu_path"], "avx2");
#elif defined(__aarch64__)
  // The CPU's best path (under qemu-aarch64 -cpu max, scripts/test --arm64: sve); on any ARMv8
  // CPU: NEON and scalar.
  unsetenv("DENSING_CPU");
  Result r = Densing({"--version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(std::string("cpu path ") + CpuPathName(BestCpuPath()) + " (Highway "),
            std::string::npos) << r.out;
  setenv("DENSING_CPU", "neon", 1);
  r = Densing({"--version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("cpu path neon (Highway NEON)"), std::string::npos) << r.out;
  r = Densing({"bench", "-m", Model("stories260K.gguf"), "-p", "16", "-n", "4", "-r", "1", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)[0]["cpu_path"], "neon");
  setenv("DENSING_CPU", "scalar", 1);
  r = Densing({"--version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("cpu path scalar (Highway SCALAR)"), std::string::npos) << r.out;
#endif
  setenv("DENSING_CPU", "pentium", 1);
  ExpectOneLineError(Densing({"run", "-m", Model("stories260K.gguf"), "-p", "x", "-n", "1"}),
                     "DENSING_CPU=pentium is not a path");
  unsetenv("DENSING_CPU");
}

}  // namespace
}  // namespace densing::testing

namespace densing::testing {
namespace {

// A generation longer than the context goes on by shifting it (the default, as in Ollama), or
// stops there with --no-context-shift.
TEST(Cli, RunShiftsAFullContextUnlessToldNot) {
  DENSING_REQUIRE_SHARED();
  const std::vector<std::string> args = {"run", "-m", Model("stories260K.gguf"), "-p", "Once upon a time",
                                         "-c", "64", "-n", "150", "--temp", "0"};
  Result r = Densing(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("generated 150 tokens"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("context shifts dropped 0 "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stop: length"), std::string::npos) << r.err;
  std::vector<std::string> strict = args;
  strict.push_back("--no-context-shift");
  r = Densing(strict);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("stop: context"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace densing::testing
