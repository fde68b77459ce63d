// One Tokenizer, many threads: Encode is const and keeps no shared scratch state.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "gguf/gguf_file.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing {
namespace {

TEST(TokenizerThreads, ConcurrentEncodeMatchesSerial) {
  DENSING_REQUIRE_SHARED();
  auto file = gguf::File::Open(testing::SharedDir() + "/tokenizer/ggml-vocab-llama-bpe.gguf");
  auto tok = Tokenizer::FromGguf(*file);
  std::vector<std::string> texts;
  for (int i = 0; i < 8; ++i) {
    std::string t;
    for (int j = 0; j < 200; ++j) {
      t += "Line " + std::to_string(i * 1000 + j) + ": it's <|eot_id|> \xF0\x9F\xA6\x99   \n";
    }
    texts.push_back(t);
  }
  std::vector<std::vector<int32_t>> serial;
  for (const auto& t : texts) serial.push_back(tok->Encode(t, true, true));
  std::vector<std::vector<int32_t>> parallel(texts.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < texts.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int rep = 0; rep < 5; ++rep) parallel[i] = tok->Encode(texts[i], true, true);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(parallel, serial);
}

}  // namespace
}  // namespace densing
