// Golden test: the 46 strings of every ../shared/tokenizer vocabulary tokenize to the ids the
// reference tokenizer gives, and decode back to the same bytes.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing {
namespace {

struct Vectors {
  std::vector<std::string> inputs;
  std::vector<std::vector<int32_t>> outputs;
};

Vectors ReadVectors(const std::string& base) {
  Vectors v;
  const std::string inp = testing::ReadFile(base + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  size_t pos = 0;
  for (size_t next; (next = inp.find(sep, pos)) != std::string::npos; pos = next + sep.size()) {
    v.inputs.push_back(inp.substr(pos, next - pos));
  }
  std::istringstream out(testing::ReadFile(base + ".out"));
  for (std::string line; std::getline(out, line);) {
    std::istringstream ids(line);
    std::vector<int32_t> row;
    for (int32_t id; ids >> id;) row.push_back(id);
    v.outputs.push_back(std::move(row));
  }
  return v;
}

void CheckVocab(const std::string& name) {
  const std::string base = testing::SharedDir() + "/tokenizer/" + name;
  const Vectors v = ReadVectors(base);
  ASSERT_EQ(v.inputs.size(), 46u) << name;
  ASSERT_EQ(v.outputs.size(), v.inputs.size()) << name;
  auto file = gguf::File::Open(base);
  auto tok = Tokenizer::FromGguf(*file);

  std::string failures;
  int n_failed = 0;
  for (size_t i = 0; i < v.inputs.size(); ++i) {
    const std::vector<int32_t> got = tok->Encode(v.inputs[i], false, false);
    if (got != v.outputs[i]) {
      ++n_failed;
      failures += fmt::format("  #{} '{}'\n    expected [{}]\n    got      [{}]\n", i, v.inputs[i],
                              fmt::join(v.outputs[i], " "), fmt::join(got, " "));
    }
    EXPECT_EQ(tok->Decode(v.outputs[i]), v.inputs[i]) << name << " #" << i << " round trip";
  }
  EXPECT_EQ(n_failed, 0) << name << ": " << n_failed << " of " << v.inputs.size()
                         << " strings differ:\n"
                         << failures;
}

TEST(TokenizerVectors, LlamaSpm) {
  DENSING_REQUIRE_SHARED();
  CheckVocab("ggml-vocab-llama-spm.gguf");
}

TEST(TokenizerVectors, Phi3) {
  DENSING_REQUIRE_SHARED();
  CheckVocab("ggml-vocab-phi-3.gguf");
}

TEST(TokenizerVectors, Gpt2) {
  DENSING_REQUIRE_SHARED();
  CheckVocab("ggml-vocab-gpt-2.gguf");
}

TEST(TokenizerVectors, LlamaBpe) {
  DENSING_REQUIRE_SHARED();
  CheckVocab("ggml-vocab-llama-bpe.gguf");
}

TEST(TokenizerVectors, Qwen2) {
  DENSING_REQUIRE_SHARED();
  CheckVocab("ggml-vocab-qwen2.gguf");
}

}  // namespace
}  // namespace densing
