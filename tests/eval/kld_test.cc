// KL-divergence: zero against itself, ordered by quantization, the same through a saved file, and
// a saved file validated as untrusted input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "eval/input_file.h"
#include "eval/kld.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing::eval {
namespace {

std::string Model(const std::string& name) { return testing::SharedDir() + "/models/" + name; }

// KL(base‖model) = Σ p_base · log(p_base / p_model), by hand on three tokens:
// base (0.8, 0.1, 0.1), model (0.2, 0.5, 0.3):
//   0.8·ln 4 + 0.1·ln 0.2 + 0.1·ln(1/3) = 0.838230 (the other direction would be 0.857044).
TEST(Kld, OnePositionByHand) {
  const std::vector<float> base_lp = {std::log(0.8f), std::log(0.1f), std::log(0.1f)};
  // raw logits: log-probabilities shifted by 3, so the model's row must be normalized
  const std::vector<float> logits = {std::log(0.2f) + 3, std::log(0.5f) + 3, std::log(0.3f) + 3};
  const PositionStats s = ComparePosition(base_lp, logits, /*target=*/2);
  EXPECT_NEAR(s.kld, 0.838230, 1e-5);
  EXPECT_NEAR(s.nll_base, -std::log(0.1), 1e-6);
  EXPECT_NEAR(s.nll_model, -std::log(0.3), 1e-6);
  EXPECT_NEAR(s.p_diff, 0.3 - 0.1, 1e-6);
  EXPECT_FALSE(s.same_top);  // base puts token 0 first, the model token 1
}

TEST(Kld, SummaryByHand) {
  std::vector<PositionStats> positions;
  for (int i = 1; i <= 4; ++i) {
    positions.push_back({.kld = double(i), .nll_base = 1.0, .nll_model = 0.5 * i, .p_diff = i % 2 ? 0.1 : -0.3,
                         .same_top = i != 3});
  }
  const KldSummary r = Summarize(positions);
  EXPECT_EQ(r.n_positions, 4);
  EXPECT_DOUBLE_EQ(r.mean_kld, 2.5);
  EXPECT_DOUBLE_EQ(r.median_kld, 2.5);  // between 2 and 3
  EXPECT_NEAR(r.p90_kld, 3.7, 1e-12);    // 3 + 0.7 · (4 − 3)
  EXPECT_DOUBLE_EQ(r.max_kld, 4.0);
  EXPECT_DOUBLE_EQ(r.same_top_p, 0.75);
  EXPECT_NEAR(r.mean_dp, -0.1, 1e-12);
  EXPECT_NEAR(r.mean_abs_dp, 0.2, 1e-12);
  EXPECT_NEAR(r.ppl_base, std::exp(1.0), 1e-12);
  EXPECT_NEAR(r.ppl_model, std::exp(1.25), 1e-12);
  EXPECT_NEAR(r.delta_ppl, std::exp(1.25) - std::exp(1.0), 1e-12);
}

class KldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveShared()) GTEST_SKIP() << testing::SharedMissing();
    base_ = densing::Model::Load(Model("tiny-llama-gqa.gguf"));
    auto tokenizer = Tokenizer::FromGguf(base_->file());
    plan_ = PlanText(*tokenizer, ReadWholeFile(testing::SharedDir() + "/data/tinystories/head-40k.txt"), 64, 6);
  }
  KldSummary Against(const std::string& name) {
    auto model = densing::Model::Load(Model(name));
    ModelBase base(*base_, pool_, plan_, 128);
    return RunKld(model.get(), pool_, plan_, 128, base, nullptr);
  }
  std::unique_ptr<densing::Model> base_;
  ChunkPlan plan_;
  ThreadPool pool_{2};
};

TEST_F(KldTest, AModelAgainstItselfIsZero) {
  const KldSummary s = Against("tiny-llama-gqa.gguf");
  EXPECT_EQ(s.n_positions, 6 * 31);
  // The base's log-probabilities are kept as floats: zero up to their rounding.
  EXPECT_NEAR(s.mean_kld, 0.0, 1e-7);
  EXPECT_NEAR(s.max_kld, 0.0, 1e-6);
  EXPECT_DOUBLE_EQ(s.same_top_p, 1.0);
  EXPECT_NEAR(s.delta_ppl, 0.0, 1e-6 * s.ppl_base);
  EXPECT_NEAR(s.mean_abs_dp, 0.0, 1e-8);
}

TEST_F(KldTest, Q8IsCloserThanQ4) {
  const KldSummary q8 = Against("tiny-llama-gqa-Q8_0.gguf");
  const KldSummary q4 = Against("tiny-llama-gqa-Q4_0.gguf");
  EXPECT_GT(q8.mean_kld, 0.0);
  EXPECT_LT(q8.mean_kld, q4.mean_kld);
  EXPECT_GE(q8.same_top_p, q4.same_top_p);
  EXPECT_LE(q4.median_kld, q4.p90_kld);
  EXPECT_LE(q4.p90_kld, q4.p99_kld);
  EXPECT_LE(q4.p99_kld, q4.max_kld);
  EXPECT_GT(q4.mean_kld_stderr, 0.0);
}

TEST_F(KldTest, SavedBaseGivesTheSameNumbers) {
  const std::string path = (std::filesystem::temp_directory_path() / "densing-kld-test.bin").string();
  {
    ModelBase base(*base_, pool_, plan_, 128);
    BaseLogitsWriter writer(path, plan_, base.n_vocab());
    RunKld(nullptr, pool_, plan_, 128, base, &writer);
    writer.Finish();
  }
  const BaseLogitsReader reader(path);
  EXPECT_EQ(reader.plan().n_chunks, plan_.n_chunks);
  EXPECT_EQ(reader.plan().bos, plan_.bos);
  auto model = densing::Model::Load(Model("tiny-llama-gqa-Q4_0.gguf"));
  FileBase from_file(reader);
  const KldSummary saved = RunKld(model.get(), pool_, reader.plan(), 128, from_file, nullptr);
  const KldSummary live = Against("tiny-llama-gqa-Q4_0.gguf");
  EXPECT_NEAR(saved.mean_kld, live.mean_kld, 1e-3 * live.mean_kld);
  EXPECT_NEAR(saved.ppl_base, live.ppl_base, 1e-3 * live.ppl_base);
  EXPECT_DOUBLE_EQ(saved.ppl_model, live.ppl_model);
  EXPECT_NEAR(saved.same_top_p, live.same_top_p, 0.02);
  FileBase self_file(reader);
  EXPECT_NEAR(RunKld(base_.get(), pool_, reader.plan(), 128, self_file, nullptr).mean_kld, 0.0, 1e-6);
  std::filesystem::remove(path);
}

TEST(BaseLogitsRow, EncodeDecodeKeepsTheTopRangeAndRenormalizes) {
  std::vector<float> lp = {-0.1f, -2.5f, -40.0f, -7.0f};
  double sum = 0;
  for (float v : lp) sum += std::exp(v);
  for (float& v : lp) v -= static_cast<float>(std::log(sum));
  std::vector<uint8_t> row(8 + 2 * lp.size());
  EncodeLogProbRow(lp, row);
  std::vector<float> back(lp.size());
  ASSERT_TRUE(DecodeLogProbRow(row, back));
  EXPECT_NEAR(back[0], lp[0], 1e-3);
  EXPECT_NEAR(back[1], lp[1], 1e-3);
  EXPECT_NEAR(back[3], lp[3], 1e-3);
  EXPECT_TRUE(std::isinf(back[2]));  // more than 32 nats below the top
  std::memcpy(row.data() + 4, "\xff\xff\xff\x7f", 4);  // a NaN step
  EXPECT_FALSE(DecodeLogProbRow(row, back));
}

class BadFile : public ::testing::Test {
 protected:
  void SetUp() override {
    ChunkPlan plan = PlanChunks(std::vector<int32_t>(16, 3), 8, 1);
    path_ = (std::filesystem::temp_directory_path() / "densing-kld-bad.bin").string();
    BaseLogitsWriter w(path_, plan, 5);
    std::vector<float> rows(static_cast<size_t>(2 * plan.n_rows() * 5), std::log(0.2f));
    w.Append(rows);
    w.Finish();
    bytes_ = ReadWholeFile(path_);
    EXPECT_NO_THROW(BaseLogitsReader{path_});
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void ExpectRejected(const std::string& bytes, const char* what) {
    std::ofstream(path_, std::ios::binary) << bytes;
    EXPECT_THROW(
        {
          BaseLogitsReader r(path_);
          std::vector<float> out;
          r.Read(0, r.plan().n_chunks, out);
        },
        Error)
        << what;
  }
  std::string Patched(size_t offset, uint32_t value) const {
    std::string b = bytes_;
    std::memcpy(b.data() + offset, &value, 4);
    return b;
  }
  std::string path_, bytes_;
};

TEST_F(BadFile, EveryHeaderFieldAndRowIsChecked) {
  ExpectRejected("DENSKLD", "shorter than the header");
  ExpectRejected("XENSKLD1" + bytes_.substr(8), "magic");
  ExpectRejected(Patched(8, 2), "version");
  ExpectRejected(Patched(16, 0), "n_vocab 0");
  ExpectRejected(Patched(16, 6), "n_vocab that does not match the size");
  ExpectRejected(Patched(20, 0xFFFFFFFF), "huge n_ctx");
  ExpectRejected(Patched(24, 3), "first not n_ctx / 2");
  ExpectRejected(Patched(28, 0xFFFFFF), "n_chunks beyond the data");
  ExpectRejected(Patched(32, 5), "BOS outside the vocabulary");
  ExpectRejected(bytes_.substr(0, bytes_.size() - 1), "truncated");
  ExpectRejected(bytes_ + "x", "trailing bytes");
  ExpectRejected(Patched(48, 99), "token id outside the vocabulary");
  const size_t first_row = 48 + 16 * 4;
  ExpectRejected(Patched(first_row, 0x7FC00000), "NaN lo");
  ExpectRejected(Patched(first_row + 4, 0x3F800000), "step so large that log-probabilities exceed 0");
}

}  // namespace
}  // namespace densing::eval
