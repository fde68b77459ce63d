// Hand-built blocks of every quantized type, dequantized: the expected values are worked out by
// hand from the documented GGUF block layouts (see quant_blocks.h), not from our decoder.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "tensor/dtype.h"
#include "tensor/quant_blocks.h"

namespace densing {
namespace {

void PutF16(uint8_t* p, uint16_t bits) { std::memcpy(p, &bits, 2); }

std::vector<float> Dequantize(DType type, const void* block) {
  const DTypeTraits& t = Traits(type);
  std::vector<float> out(static_cast<size_t>(t.block_size));
  t.to_float(block, out.data(), t.block_size);
  return out;
}

TEST(QuantLayout, Q4_0) {
  quant::BlockQ4_0 b;
  PutF16(b.d, 0x3800);  // 0.5
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  const std::vector<float> x = Dequantize(DType::kQ4_0, &b);
  EXPECT_EQ(x[0], -4.0f);   // (0 - 8)·0.5
  EXPECT_EQ(x[15], 3.5f);   // (15 - 8)·0.5
  EXPECT_EQ(x[16], 3.5f);   // high nibble of qs[0] = 15
  EXPECT_EQ(x[31], -4.0f);  // high nibble of qs[15] = 0
  EXPECT_EQ(x[9], 0.5f);
}

TEST(QuantLayout, Q4_1) {
  quant::BlockQ4_1 b;
  PutF16(b.d, 0x3400);  // 0.25
  PutF16(b.m, 0xBC00);  // -1
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>((15 - j) | (j << 4));
  const std::vector<float> x = Dequantize(DType::kQ4_1, &b);
  EXPECT_EQ(x[0], 2.75f);  // 15·0.25 - 1
  EXPECT_EQ(x[15], -1.0f);
  EXPECT_EQ(x[16], -1.0f);
  EXPECT_EQ(x[31], 2.75f);
}

TEST(QuantLayout, Q5_0) {
  quant::BlockQ5_0 b;
  PutF16(b.d, 0x3C00);              // 1
  const uint32_t qh = 0xFFFF0000u;  // fifth bit set on elements 16..31
  std::memcpy(b.qh, &qh, 4);
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | (j << 4));
  const std::vector<float> x = Dequantize(DType::kQ5_0, &b);
  EXPECT_EQ(x[0], -16.0f);
  EXPECT_EQ(x[15], -1.0f);
  EXPECT_EQ(x[16], 0.0f);  // 0 + 16 - 16
  EXPECT_EQ(x[31], 15.0f);
}

TEST(QuantLayout, Q5_1) {
  quant::BlockQ5_1 b;
  PutF16(b.d, 0x4000);              // 2
  PutF16(b.m, 0x3800);              // 0.5
  const uint32_t qh = 0x80000001u;  // elements 0 and 31
  std::memcpy(b.qh, &qh, 4);
  for (int j = 0; j < 16; ++j) b.qs[j] = 0x0F;  // low nibbles 15, high nibbles 0
  const std::vector<float> x = Dequantize(DType::kQ5_1, &b);
  EXPECT_EQ(x[0], 62.5f);  // (15 + 16)·2 + 0.5
  EXPECT_EQ(x[1], 30.5f);
  EXPECT_EQ(x[16], 0.5f);
  EXPECT_EQ(x[31], 32.5f);  // 16·2 + 0.5
}

TEST(QuantLayout, Q8_0AndQ8_1) {
  quant::BlockQ8_0 b;
  PutF16(b.d, 0x3000);  // 0.125
  for (int j = 0; j < 32; ++j) b.qs[j] = static_cast<int8_t>(j - 16);
  std::vector<float> x = Dequantize(DType::kQ8_0, &b);
  EXPECT_EQ(x[0], -2.0f);
  EXPECT_EQ(x[31], 1.875f);
  quant::BlockQ8_1 c;
  PutF16(c.d, 0x4400);  // 4
  PutF16(c.s, 0x0000);
  for (int j = 0; j < 32; ++j) c.qs[j] = static_cast<int8_t>(100 - j);
  x = Dequantize(DType::kQ8_1, &c);
  EXPECT_EQ(x[0], 400.0f);
  EXPECT_EQ(x[31], 276.0f);
}

TEST(QuantLayout, Q2_K) {
  quant::BlockQ2_K b;
  std::memset(&b, 0, sizeof(b));
  PutF16(b.d, 0x3C00);     // 1
  PutF16(b.dmin, 0x3800);  // 0.5
  b.scales[0] = 0x21;      // group 0: scale 1, min 2
  b.scales[5] = 0x03;      // group 5: scale 3, min 0
  b.scales[15] = 0xF4;     // group 15: scale 4, min 15
  b.qs[0] = 0xE4;          // elements 0, 32, 64, 96 = 0, 1, 2, 3
  b.qs[16] = 0x30;         // element 80 (shift 4 of qs[16]) = 3
  b.qs[63] = 0x80;         // element 255 (shift 6 of qs[32 + 31]) = 2
  const std::vector<float> x = Dequantize(DType::kQ2_K, &b);
  EXPECT_EQ(x[0], -1.0f);  // 1·1·0 - 0.5·2
  EXPECT_EQ(x[1], -1.0f);
  EXPECT_EQ(x[32], 0.0f);  // group 2 has scale 0, min 0
  EXPECT_EQ(x[80], 9.0f);  // 1·3·3
  EXPECT_EQ(x[81], 0.0f);
  EXPECT_EQ(x[240], -7.5f);  // 0 - 0.5·15
  EXPECT_EQ(x[255], 0.5f);   // 1·4·2 - 7.5
}

TEST(QuantLayout, Q3_K) {
  quant::BlockQ3_K b;
  std::memset(&b, 0, sizeof(b));
  PutF16(b.d, 0x3800);                          // 0.5
  std::memset(b.hmask, 0xFF, sizeof(b.hmask));  // high bit set: no -4
  // Every group's 6-bit scale is 32 (signed 0): low nibbles 0, top bits 0b10 in bytes 8..11.
  std::memset(b.scales + 8, 0xAA, 4);
  b.scales[0] = 0x02;  // group 0: 34 → +2
  b.scales[9] = 0x8A;  // group 9: top bits (bits 4-5 of byte 9) cleared → 0 → -32
  b.qs[0] = 0x03;      // element 0: q = 3
  b.qs[1] = 0x01;      // element 1: q = 1, and its high bit cleared below → 1 - 4
  b.hmask[1] = 0xFE;
  b.qs[48] = 0x02;  // element 144 (qs[32 + 16], shift 0): q = 2, high bit e/32 = 4 cleared
  b.hmask[16] = 0xEF;
  const std::vector<float> x = Dequantize(DType::kQ3_K, &b);
  EXPECT_EQ(x[0], 3.0f);   // 0.5·2·3
  EXPECT_EQ(x[1], -3.0f);  // 0.5·2·(1 - 4)
  EXPECT_EQ(x[2], 0.0f);
  EXPECT_EQ(x[16], 0.0f);    // group 1: scale 0
  EXPECT_EQ(x[144], 32.0f);  // 0.5·(-32)·(2 - 4)
  EXPECT_EQ(x[145], 0.0f);
}

TEST(QuantLayout, Q4_K) {
  quant::BlockQ4_K b;
  std::memset(&b, 0, sizeof(b));
  PutF16(b.d, 0x3C00);     // 1
  PutF16(b.dmin, 0x3400);  // 0.25
  b.scales[0] = 5;         // group 0 scale
  b.scales[4] = 3;         // group 0 min
  // group 6: scale 40 = 0b10'1000, min 17 = 0b01'0001
  b.scales[10] = 0x18;  // low nibbles: scale 8, min 1
  b.scales[2] = 0x80;   // top bits of the scale
  b.scales[6] = 0x40;   // top bits of the min
  b.qs[0] = 0xF7;       // element 0 = 7, element 32 = 15
  b.qs[96] = 0x0A;      // element 192 = 10
  const std::vector<float> x = Dequantize(DType::kQ4_K, &b);
  EXPECT_EQ(x[0], 34.25f);  // 5·7 - 0.25·3
  EXPECT_EQ(x[1], -0.75f);
  EXPECT_EQ(x[32], 0.0f);      // group 1: scale 0, min 0
  EXPECT_EQ(x[192], 395.75f);  // 40·10 - 0.25·17
  EXPECT_EQ(x[193], -4.25f);
  EXPECT_EQ(x[224], 0.0f);
}

TEST(QuantLayout, Q5_K) {
  quant::BlockQ5_K b;
  std::memset(&b, 0, sizeof(b));
  PutF16(b.d, 0x3800);     // 0.5
  PutF16(b.dmin, 0x3C00);  // 1
  b.scales[0] = 2;         // group 0: scale 2
  b.scales[4] = 1;         //          min 1
  b.scales[11] = 0x0F;     // group 7: scale 63 = low nibble 15 ...
  b.scales[3] = 0xC0;      //          ... top bits 3 in byte 3
  b.qs[0] = 0x03;
  b.qh[0] = 0x01;    // element 0 = 3 + 16
  b.qs[127] = 0xE0;  // element 255: high nibble of qs[96 + 31] = 14 ...
  b.qh[31] = 0x80;   // ... plus bit 7 of qh[31]
  const std::vector<float> x = Dequantize(DType::kQ5_K, &b);
  EXPECT_EQ(x[0], 18.0f);  // 0.5·2·19 - 1
  EXPECT_EQ(x[1], -1.0f);
  EXPECT_EQ(x[32], 0.0f);
  EXPECT_EQ(x[255], 945.0f);  // 0.5·63·30
}

TEST(QuantLayout, Q6_K) {
  quant::BlockQ6_K b;
  std::memset(&b, 0, sizeof(b));
  PutF16(b.d, 0x3400);  // 0.25
  b.scales[0] = 4;
  b.scales[5] = 1;
  b.scales[15] = -2;
  b.ql[0] = 0x05;
  b.qh[0] = 0x02;   // element 0 = 5 | 2 << 4 = 37
  b.ql[16] = 0x30;  // element 80 (n 0, l 16, p 2): high nibble of ql[16] = 3, qh bits 0
  b.ql[127] = 0xF0;
  b.qh[63] = 0xC0;  // element 255 (n 1, l 31, p 3) = 15 | 3 << 4 = 63
  const std::vector<float> x = Dequantize(DType::kQ6_K, &b);
  EXPECT_EQ(x[0], 5.0f);      // 0.25·4·(37 - 32)
  EXPECT_EQ(x[1], -32.0f);    // 0.25·4·(0 - 32)
  EXPECT_EQ(x[80], -7.25f);   // 0.25·1·(3 - 32)
  EXPECT_EQ(x[255], -15.5f);  // 0.25·(-2)·(63 - 32)
}

TEST(QuantLayout, Q8_K) {
  quant::BlockQ8_K b;
  std::memset(&b, 0, sizeof(b));
  const float d = 0.5f;
  std::memcpy(b.d, &d, 4);
  for (int e = 0; e < 256; ++e) b.qs[e] = static_cast<int8_t>(e - 128);
  const std::vector<float> x = Dequantize(DType::kQ8_K, &b);
  EXPECT_EQ(x[0], -64.0f);
  EXPECT_EQ(x[255], 63.5f);
}

TEST(QuantLayout, TraitsTable) {
  struct Row {
    DType type;
    int64_t block_size, block_bytes;
    DType dot;
  };
  const Row rows[] = {
      {DType::kQ4_0, 32, 18, DType::kQ8_0},   {DType::kQ4_1, 32, 20, DType::kQ8_1},
      {DType::kQ5_0, 32, 22, DType::kQ8_0},   {DType::kQ5_1, 32, 24, DType::kQ8_1},
      {DType::kQ8_0, 32, 34, DType::kQ8_0},   {DType::kQ8_1, 32, 36, DType::kQ8_1},
      {DType::kQ2_K, 256, 84, DType::kQ8_K},  {DType::kQ3_K, 256, 110, DType::kQ8_K},
      {DType::kQ4_K, 256, 144, DType::kQ8_K}, {DType::kQ5_K, 256, 176, DType::kQ8_K},
      {DType::kQ6_K, 256, 210, DType::kQ8_K}, {DType::kQ8_K, 256, 292, DType::kQ8_K},
      {DType::kF16, 1, 2, DType::kF16},       {DType::kBF16, 1, 2, DType::kBF16},
      {DType::kF32, 1, 4, DType::kF32},
  };
  for (const Row& r : rows) {
    const DTypeTraits& t = Traits(r.type);
    EXPECT_EQ(t.block_size, r.block_size) << t.name;
    EXPECT_EQ(t.block_bytes, r.block_bytes) << t.name;
    EXPECT_EQ(t.vec_dot_type, r.dot) << t.name;
    EXPECT_EQ(FindDTypeByName(t.name), &t);
  }
  EXPECT_EQ(FindDTypeByName("q4_k"), &Traits(DType::kQ4_K));
  EXPECT_EQ(RowBytes(DType::kQ6_K, 4096), 16 * 210);
}

}  // namespace
}  // namespace densing
