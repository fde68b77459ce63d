// Block layouts of the quantized types, byte for byte as GGUF stores them (ggml's block_*).
// Every field is a byte array, so a block may sit at any address (rows are packed, and a
// tensor's data offset is only 32-byte aligned): read multi-byte fields with the loaders below.
#pragma once

#include <cstdint>
#include <cstring>

#include "tensor/half.h"

namespace densing::quant {

inline constexpr int kQK = 32;    // elements per block of the legacy types (Q4_0 .. Q8_1)
inline constexpr int kQKK = 256;  // elements per super-block of the k-quants

// x = d·(q - 8); element j < 16 in the low nibble of qs[j], element j + 16 in its high nibble.
struct BlockQ4_0 {
  uint8_t d[2];  // f16
  uint8_t qs[kQK / 2];
};
// x = d·q + m, nibbles as Q4_0.
struct BlockQ4_1 {
  uint8_t d[2];  // f16
  uint8_t m[2];  // f16
  uint8_t qs[kQK / 2];
};
// x = d·(q - 16); the 5th bit of element j is bit j of the little-endian word qh.
struct BlockQ5_0 {
  uint8_t d[2];  // f16
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
// x = d·q + m, bits as Q5_0.
struct BlockQ5_1 {
  uint8_t d[2];  // f16
  uint8_t m[2];  // f16
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
// x = d·q.
struct BlockQ8_0 {
  uint8_t d[2];  // f16
  int8_t qs[kQK];
};
// x = d·q; s = d·Σq, for the min term of Q4_1/Q5_1 dot products.
struct BlockQ8_1 {
  uint8_t d[2];  // f16
  uint8_t s[2];  // f16
  int8_t qs[kQK];
};

// 16 groups of 16: x = d·sc·q - dmin·m, with sc and m the low and high nibbles of scales[g].
// Element e: bits 2·((e % 128) / 32) of qs[32·(e / 128) + e % 32]; group e / 16.
struct BlockQ2_K {
  uint8_t scales[kQKK / 16];
  uint8_t qs[kQKK / 4];
  uint8_t d[2];     // f16
  uint8_t dmin[2];  // f16
};
// 16 groups of 16: x = d·(sc - 32)·(q - 4·!h); q as Q2_K, h = bit e / 32 of hmask[e % 32], and
// the 6-bit sc of group g: low nibble of scales[g % 8] (high nibble when g ≥ 8), high two bits
// at bit 2·(g / 4) of scales[8 + g % 4].
struct BlockQ3_K {
  uint8_t hmask[kQKK / 8];
  uint8_t qs[kQKK / 4];
  uint8_t scales[12];
  uint8_t d[2];  // f16
};
// 8 groups of 32: x = d·sc·q - dmin·m with 6-bit sc, m packed in scales (see ScaleMinK4);
// element e in qs[32·(e / 64) + e % 32], low nibble when e % 64 < 32.
struct BlockQ4_K {
  uint8_t d[2];     // f16
  uint8_t dmin[2];  // f16
  uint8_t scales[12];
  uint8_t qs[kQKK / 2];
};
// As Q4_K plus a 5th bit: bit e / 32 of qh[e % 32].
struct BlockQ5_K {
  uint8_t d[2];     // f16
  uint8_t dmin[2];  // f16
  uint8_t scales[12];
  uint8_t qh[kQKK / 8];
  uint8_t qs[kQKK / 2];
};
// 16 groups of 16: x = d·scales[e / 16]·(q - 32). With n = e / 128, l = e % 32, p = (e % 128) / 32:
// low 4 bits in ql[64·n + l + 32·(p & 1)] (high nibble when p ≥ 2), top 2 bits at bit 2·p of
// qh[32·n + l].
struct BlockQ6_K {
  uint8_t ql[kQKK / 2];
  uint8_t qh[kQKK / 4];
  int8_t scales[kQKK / 16];
  uint8_t d[2];  // f16
};
// x = d·q with an f32 d; bsums[g] = Σ of the 16 quants of group g (for the k-quants' min terms).
struct BlockQ8_K {
  uint8_t d[4];  // f32
  int8_t qs[kQKK];
  uint8_t bsums[2 * kQKK / 16];  // int16 each
};

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22 && sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84 && sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144 && sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210 && sizeof(BlockQ8_K) == 292);
static_assert(alignof(BlockQ8_K) == 1 && alignof(BlockQ6_K) == 1);

inline float LoadF16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return F16ToF32(h);
}
inline void StoreF16(uint8_t* p, float f) {
  const uint16_t h = F32ToF16(f);
  std::memcpy(p, &h, 2);
}
inline float LoadF32(const uint8_t* p) {
  float f;
  std::memcpy(&f, p, 4);
  return f;
}
inline void StoreF32(uint8_t* p, float f) { std::memcpy(p, &f, 4); }
inline uint32_t LoadU32(const uint8_t* p) {
  uint32_t u;
  std::memcpy(&u, p, 4);
  return u;
}
inline int16_t LoadI16(const uint8_t* p) {
  int16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline void StoreI16(uint8_t* p, int16_t v) { std::memcpy(p, &v, 2); }

// Round to nearest, ties to even, as the reference quantizers do: adding 1.5·2^23 leaves the
// rounded integer in the low mantissa bits. Valid for |f| < 2^22, which every caller ensures.
inline int NearestInt(float f) {
  const float shifted = f + 12582912.0f;
  int32_t bits;
  std::memcpy(&bits, &shifted, 4);
  return (bits & 0x007fffff) - 0x00400000;
}

// The 6-bit scale and min of group j < 8 of a Q4_K/Q5_K block: groups 0-3 in the low 6 bits of
// bytes j and j + 4; groups 4-7 in the nibbles of byte j + 4 with their top two bits in the top
// bits of bytes j - 4 (scale) and j (min).
inline void ScaleMinK4(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// The signed 6-bit scale of group g < 16 of a Q3_K block, in [-32, 31].
inline int ScaleQ3K(int g, const uint8_t* s) {
  const int low = g < 8 ? (s[g] & 0xF) : (s[g - 8] >> 4);
  const int high = (s[8 + g % 4] >> (2 * (g / 4))) & 3;
  return (low | (high << 4)) - 32;
}

}  // namespace densing::quant
