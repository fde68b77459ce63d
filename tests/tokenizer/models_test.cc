// Golden test: the prompts of ../shared/fixtures/logits tokenize, with BOS, to the reference
// engine's tokens and pieces for every model there; stories260K's greedy text decodes alike.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing {
namespace {

nlohmann::json ReadJson(const std::string& path) {
  return nlohmann::json::parse(testing::ReadFile(path));
}

std::string Hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

struct Loaded {
  std::unique_ptr<gguf::File> file;
  std::unique_ptr<Tokenizer> tokenizer;
};

Loaded Load(const std::string& model) {
  Loaded l;
  l.file = gguf::File::Open(testing::SharedDir() + "/models/" + model);
  l.tokenizer = Tokenizer::FromGguf(*l.file);
  return l;
}

TEST(TokenizerModels, Stories260KOnceUponATime) {
  DENSING_REQUIRE_SHARED();
  const auto fixture = ReadJson(testing::SharedDir() + "/fixtures/logits/stories260K.p-1.json");
  Loaded l = Load("stories260K.gguf");
  EXPECT_EQ(l.tokenizer->n_vocab(), 512);
  EXPECT_TRUE(l.tokenizer->add_bos());
  const auto tokens = l.tokenizer->Encode("Once upon a time", true, false);
  EXPECT_EQ(tokens, fixture["tokens"].get<std::vector<int32_t>>());
  ASSERT_FALSE(tokens.empty());
  EXPECT_EQ(tokens[0], 1);
}

TEST(TokenizerModels, Stories260KLongPrompt) {
  DENSING_REQUIRE_SHARED();
  const auto fixture = ReadJson(testing::SharedDir() + "/fixtures/logits/stories260K.p-3.json");
  Loaded l = Load("stories260K.gguf");
  const auto tokens = l.tokenizer->Encode(fixture["prompt"].get<std::string>(), true, false);
  EXPECT_EQ(tokens, fixture["tokens"].get<std::vector<int32_t>>());
  EXPECT_EQ(tokens.size(), 114u);
}

// Every fixture: tokens and the hex of every piece.
TEST(TokenizerModels, AllLogitFixtures) {
  DENSING_REQUIRE_SHARED();
  std::map<std::string, Loaded> models;
  int n_checked = 0;
  const std::string dir = testing::SharedDir() + "/fixtures/logits";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    const auto fixture = ReadJson(entry.path().string());
    const std::string model = fixture["model"].get<std::string>();
    if (!models.count(model)) models.emplace(model, Load(model));
    const Tokenizer& tok = *models.at(model).tokenizer;
    const auto want = fixture["tokens"].get<std::vector<int32_t>>();
    const auto got = tok.Encode(fixture["prompt"].get<std::string>(), true, false);
    EXPECT_EQ(got, want) << entry.path().filename();
    if (fixture.contains("pieces_hex")) {
      const auto hex = fixture["pieces_hex"].get<std::vector<std::string>>();
      ASSERT_EQ(hex.size(), want.size()) << entry.path().filename();
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(Hex(tok.TokenToPiece(want[i])), hex[i]) << entry.path().filename() << " #" << i;
      }
    }
    ++n_checked;
  }
  EXPECT_GE(n_checked, 3);
}

// The reference printed BOS and prompt tokens with special tokens rendered: "<s> Once upon...".
TEST(TokenizerModels, Stories260KGreedyTextStartsWithDecodedPrompt) {
  DENSING_REQUIRE_SHARED();
  Loaded l = Load("stories260K.gguf");
  for (int p = 1; p <= 3; ++p) {
    const std::string name = fmt::format("stories260K.p-{}", p);
    const auto fixture = ReadJson(testing::SharedDir() + "/fixtures/logits/" + name + ".json");
    const std::string text =
        testing::ReadFile(testing::SharedDir() + "/fixtures/generate/" + name + ".txt");
    const std::string prompt = l.tokenizer->Decode(fixture["tokens"].get<std::vector<int32_t>>());
    EXPECT_EQ(text.substr(0, prompt.size()), prompt) << "prompt " << p;
    EXPECT_EQ(prompt, "<s> " + fixture["prompt"].get<std::string>());
  }
}

}  // namespace
}  // namespace densing
