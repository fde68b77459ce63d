// The writer: read → write round trips are byte-identical for the shared models, and what it
// writes reads back the same.
#include "gguf/gguf_writer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/error.h"
#include "testing/shared_dir.h"

namespace densing::gguf {
namespace {

TEST(GgufWriter, RoundTripIsByteIdentical) {
  DENSING_REQUIRE_SHARED();
  const std::string out = testing::TempPath("roundtrip.gguf");
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(testing::SharedDir() + "/models")) {
    if (e.path().extension() != ".gguf") continue;
    auto f = File::Open(e.path().string());
    CopyFile(*f, out);
    EXPECT_EQ(testing::ReadFile(out), testing::ReadFile(e.path().string())) << e.path();
    ++n;
  }
  EXPECT_GT(n, 10);
}

TEST(GgufWriter, WritesWhatTheReaderReads) {
  const std::string out = testing::TempPath("small.gguf");
  {
    Writer w(out, 64);
    w.AddKeyValue("general.alignment", Value{ValueType::kU32, uint64_t{64}});
    w.AddKeyValue("name", Value{ValueType::kString, std::string("x")});
    Array a{ValueType::kI32, {Value{ValueType::kI32, int64_t{-1}}, Value{ValueType::kI32, int64_t{2}}}};
    w.AddKeyValue("ints", Value{ValueType::kArray, a});
    const int64_t ne[2] = {3, 2};
    w.AddTensor("t", DType::kF32, ne);
    w.AddTensor("u", DType::kF32, std::span<const int64_t>(ne, 1));
    const float data[6] = {1, 2, 3, 4, 5, 6};
    w.WriteTensorData({reinterpret_cast<const uint8_t*>(data), 8});  // in two pieces
    w.WriteTensorData({reinterpret_cast<const uint8_t*>(data) + 8, 16});
    w.WriteTensorData({reinterpret_cast<const uint8_t*>(data), 12});
    w.Finish();
  }
  auto f = File::Open(out);
  EXPECT_EQ(f->alignment(), 64u);
  EXPECT_EQ(f->GetString("name"), "x");
  EXPECT_EQ(f->GetIntArray("ints"), (std::vector<int64_t>{-1, 2}));
  EXPECT_EQ(f->Tensor("u").data - f->Tensor("t").data, 64);
  EXPECT_EQ(reinterpret_cast<const float*>(f->Tensor("t").data)[5], 6.0f);
}

TEST(GgufWriter, UnfinishedWriteLeavesNoFile) {
  const std::string out = testing::TempPath("unfinished.gguf");
  std::filesystem::remove(out);
  {
    Writer w(out);
    const int64_t ne[1] = {4};
    w.AddTensor("t", DType::kF32, ne);
    EXPECT_THROW(w.Finish(), Error);  // no data written
  }
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

}  // namespace
}  // namespace densing::gguf
