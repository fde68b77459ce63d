// The GGUF reader on valid files, on every truncation of one, and on hostile fields.
#include "gguf/gguf_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/error.h"
#include "gguf/gguf_builder.h"
#include "testing/shared_dir.h"

namespace densing::gguf {
namespace {

using ::densing::testing::GgufBuilder;

// A small valid file: every scalar type, a string array, a nested array, two F32 tensors.
GgufBuilder ValidFile() {
  GgufBuilder b;
  b.Header(2, 15);
  b.Str("u8").Put<uint32_t>(0).Put<uint8_t>(200);
  b.Str("i8").Put<uint32_t>(1).Put<int8_t>(-5);
  b.Str("u16").Put<uint32_t>(2).Put<uint16_t>(60000);
  b.Str("i16").Put<uint32_t>(3).Put<int16_t>(-300);
  b.KvU32("u32", 4000000000u);
  b.Str("i32").Put<uint32_t>(5).Put<int32_t>(-7);
  b.KvF32("f32", 1.5f);
  b.Str("bool").Put<uint32_t>(7).Put<uint8_t>(1);
  b.KvStr("general.architecture", "llama");
  b.Str("strings").Put<uint32_t>(9).Put<uint32_t>(8).Put<uint64_t>(2).Str("a").Str("bc");
  b.Str("nested").Put<uint32_t>(9).Put<uint32_t>(9).Put<uint64_t>(2);
  b.Put<uint32_t>(5).Put<uint64_t>(2).Put<int32_t>(1).Put<int32_t>(2);
  b.Put<uint32_t>(5).Put<uint64_t>(1).Put<int32_t>(3);
  b.Str("u64").Put<uint32_t>(10).Put<uint64_t>(1ull << 40);
  b.Str("i64").Put<uint32_t>(11).Put<int64_t>(-(1ll << 40));
  b.Str("f64").Put<uint32_t>(12).Put<double>(2.25);
  b.KvU32("general.alignment", 32);
  b.Tensor("a", {4, 2}, 0, 0);
  b.Tensor("b", {8}, 0, 32);
  b.Data(64);
  return b;
}

std::string ErrorOf(const std::vector<uint8_t>& bytes) {
  try {
    File::FromBytes(bytes, "t.gguf");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(GgufFile, ReadsEveryValueType) {
  const GgufBuilder b = ValidFile();
  auto f = File::FromBytes(b.bytes, "t.gguf");
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->GetInt("u8"), 200);
  EXPECT_EQ(f->GetInt("i8"), -5);
  EXPECT_EQ(f->GetInt("u16"), 60000);
  EXPECT_EQ(f->GetInt("i16"), -300);
  EXPECT_EQ(f->GetInt("u32"), 4000000000ll);
  EXPECT_EQ(f->GetInt("i32"), -7);
  EXPECT_EQ(f->GetFloat("f32"), 1.5);
  EXPECT_TRUE(f->GetBool("bool"));
  EXPECT_EQ(f->GetString("general.architecture"), "llama");
  EXPECT_EQ(f->GetStringArray("strings"), (std::vector<std::string>{"a", "bc"}));
  const Array& nested = f->GetArray("nested");
  ASSERT_EQ(nested.items.size(), 2u);
  EXPECT_EQ(std::get<Array>(nested.items[1].data).items.size(), 1u);
  EXPECT_EQ(f->GetInt("u64"), 1ll << 40);
  EXPECT_EQ(f->GetInt("i64"), -(1ll << 40));
  EXPECT_EQ(f->GetFloat("f64"), 2.25);
  ASSERT_EQ(f->tensors().size(), 2u);
  EXPECT_EQ(f->tensors()[0].ne[1], 2);
  EXPECT_EQ(f->Tensor("b").n_bytes, 32);
  EXPECT_EQ(f->data_offset() % 32, 0u);
}

TEST(GgufFile, GettersNameTheKeyAndType) {
  const GgufBuilder b = ValidFile();
  auto f = File::FromBytes(b.bytes, "t.gguf");
  EXPECT_THROW(f->GetString("u8"), Error);
  try {
    f->GetString("u8");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'u8' should be a string but is u8"), std::string::npos) << e.what();
  }
  try {
    f->GetInt("missing.key");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'missing.key'"), std::string::npos);
  }
  EXPECT_THROW(f->GetBool("f32"), Error);
  EXPECT_THROW(f->GetStringArray("nested"), Error);
  EXPECT_EQ(f->GetIntOr("missing", 7), 7);
  EXPECT_THROW(f->Tensor("nope"), Error);
}

TEST(GgufFile, EveryTruncationIsAnErrorWithAnOffset) {
  const GgufBuilder b = ValidFile();
  const size_t header_end = b.bytes.size() - 64;  // the data section is all that follows
  for (size_t n = 0; n < b.bytes.size(); ++n) {
    std::vector<uint8_t> cut(b.bytes.begin(), b.bytes.begin() + static_cast<std::ptrdiff_t>(n));
    const std::string err = ErrorOf(cut);
    ASSERT_FALSE(err.empty()) << "a file cut to " << n << " bytes was accepted";
    EXPECT_EQ(err.rfind("t.gguf: ", 0), 0u) << err;
    if (n < header_end) {
      EXPECT_NE(err.find("(at offset "), std::string::npos) << err;
    }
  }
}

struct Broken {
  const char* name;
  GgufBuilder file;
  const char* expect;
};

std::vector<Broken> BrokenFiles() {
  std::vector<Broken> v;
  auto add = [&](const char* name, GgufBuilder b, const char* expect) { v.push_back({name, b, expect}); };
  add("magic", GgufBuilder().Put<uint32_t>(0x12345678).Put<uint32_t>(3).Put<uint64_t>(0).Put<uint64_t>(0),
      "not a GGUF file");
  add("version 1", GgufBuilder().Header(0, 0, 1), "version 1 is not supported");
  add("version 99", GgufBuilder().Header(0, 0, 99), "version 99");
  add("absurd kv count", GgufBuilder().Header(0, 1ull << 60), "metadata count");
  add("absurd tensor count", GgufBuilder().Header(1ull << 60, 0), "tensor count");
  add("absurd string length", GgufBuilder().Header(0, 1).Put<uint64_t>(1ull << 62).Data(32, 1),
      "has length");
  add("bad value type", GgufBuilder().Header(0, 1).Str("k").Put<uint32_t>(13), "unknown value type 13");
  add("bool 2", GgufBuilder().Header(0, 1).Str("k").Put<uint32_t>(7).Put<uint8_t>(2), "neither 0 nor 1");
  add("absurd array length",
      GgufBuilder().Header(0, 1).Str("k").Put<uint32_t>(9).Put<uint32_t>(4).Put<uint64_t>(1ull << 61),
      "cannot fit");
  add("bad array type", GgufBuilder().Header(0, 1).Str("k").Put<uint32_t>(9).Put<uint32_t>(77),
      "unknown value type 77");
  {
    GgufBuilder c;
    c.Header(0, 1).Str("k").Put<uint32_t>(9);
    for (int i = 0; i < 12; ++i) c.Put<uint32_t>(9).Put<uint64_t>(1);
    c.Put<uint32_t>(4).Put<uint64_t>(1).Put<uint32_t>(0);
    add("deep nesting", c, "nested deeper");
  }
  add("duplicate key", GgufBuilder().Header(0, 2).KvU32("k", 1).KvU32("k", 2), "appears twice");
  add("empty key", GgufBuilder().Header(0, 1).KvU32("", 1), "is empty");
  add("alignment 3", GgufBuilder().Header(0, 1).KvU32("general.alignment", 3), "power of two");
  add("alignment as string", GgufBuilder().Header(0, 1).KvStr("general.alignment", "32"), "power of two");
  add("zero dims", GgufBuilder().Header(1, 0).Tensor("t", {}, 0, 0).Data(32), "0 dimensions");
  add("five dims", GgufBuilder().Header(1, 0).Tensor("t", {1, 1, 1, 1, 1}, 0, 0).Data(32), "5 dimensions");
  add("zero dim", GgufBuilder().Header(1, 0).Tensor("t", {4, 0}, 0, 0).Data(32), "dimension 1 is 0");
  add("overflowing dims",
      GgufBuilder().Header(1, 0).Tensor("t", {1ull << 32, 1ull << 32}, 0, 0).Data(32), "overflows");
  add("unknown type", GgufBuilder().Header(1, 0).Tensor("t", {4}, 99, 0).Data(32), "unknown or unsupported type 99");
  add("misaligned offset", GgufBuilder().Header(1, 0).Tensor("t", {4}, 0, 4).Data(64), "not a multiple of the alignment");
  add("past the end", GgufBuilder().Header(1, 0).Tensor("t", {64}, 0, 0).Data(32), "past the end");
  add("huge offset", GgufBuilder().Header(1, 0).Tensor("t", {4}, 0, 1ull << 62).Data(32), "past the end");
  add("overlap", GgufBuilder().Header(2, 0).Tensor("a", {16}, 0, 0).Tensor("b", {16}, 0, 32).Data(128), "overlap");
  add("duplicate tensor", GgufBuilder().Header(2, 0).Tensor("a", {8}, 0, 0).Tensor("a", {8}, 0, 32).Data(64),
      "appears twice");
  add("row not whole blocks", GgufBuilder().Header(1, 0).Tensor("t", {3}, 8, 0).Data(64),
      "not a multiple of the Q8_0 block size 32");
  return v;
}

TEST(GgufFile, HostileFieldsAreNamedErrors) {
  for (const Broken& b : BrokenFiles()) {
    const std::string err = ErrorOf(b.file.bytes);
    ASSERT_FALSE(err.empty()) << b.name << ": accepted";
    EXPECT_NE(err.find(b.expect), std::string::npos) << b.name << ": " << err;
  }
}

TEST(GgufFile, ReadsEverySharedModel) {
  DENSING_REQUIRE_SHARED();
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(densing::testing::SharedDir() + "/models")) {
    if (e.path().extension() != ".gguf") continue;
    auto f = File::Open(e.path().string());
    EXPECT_FALSE(f->tensors().empty()) << e.path();
    EXPECT_TRUE(f->Has("general.architecture")) << e.path();
    ++n;
  }
  EXPECT_GT(n, 10);
}

TEST(GgufFile, MissingFileIsAnError) {
  EXPECT_THROW(File::Open("/nonexistent/x.gguf"), Error);
}

}  // namespace
}  // namespace densing::gguf
