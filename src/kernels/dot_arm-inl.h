// NEON building blocks of the aarch64 int8 tiles (dot_arm_dotprod.cc, dot_arm_i8mm.cc): every
// weight block decoded to signed int8 quants in element order with its scales, the form the
// scalar references use (tensor/quant_k.cc). The two files are compiled for different ISA
// extensions, so everything here has internal linkage: one file's copy never stands in for the
// other's.
#pragma once
#if defined(__aarch64__)

#include <arm_neon.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/dot_tile.h"
#include "tensor/quant_blocks.h"

namespace densing {
namespace {  // NOLINT(google-build-namespaces): internal linkage on purpose, see above

inline float F16(const uint8_t* p) {
  __fp16 h;
  std::memcpy(&h, p, 2);
  return static_cast<float>(h);
}

inline void PrefetchRow(const MatTile& m, int64_t r) {
  const uint8_t* p = m.w + r * m.w_row_bytes;
  for (int64_t off = 0; off < m.w_row_bytes; off += 64) __builtin_prefetch(p + off);
}

// 32 elements of a legacy block as two registers: elements 0..15 and 16..31.
struct Quants32 {
  int8x16_t lo, hi;
};

// Bit j of `bits` (j < 32) as byte j of the pair: `value` where set, else 0.
inline uint8x16x2_t SpreadBits(uint32_t bits, uint8_t value) {
  static constexpr uint8_t kLo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
  static constexpr uint8_t kHi[16] = {2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
  static constexpr uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  const uint8x16_t word = vreinterpretq_u8_u32(vdupq_n_u32(bits));
  const uint8x16_t bit = vld1q_u8(kBit), v = vdupq_n_u8(value);
  return {vandq_u8(vtstq_u8(vqtbl1q_u8(word, vld1q_u8(kLo)), bit), v),
          vandq_u8(vtstq_u8(vqtbl1q_u8(word, vld1q_u8(kHi)), bit), v)};
}

// The legacy weight types: Decode gives q - offset (Q4_0, Q5_0, Q8_0) or q (Q4_1, Q5_1, whose
// min comes back through the Q8_1 activations' sums).
struct Q8_0A {
  using Block = quant::BlockQ8_0;
  using XBlock = quant::BlockQ8_0;
  static constexpr bool kMin = false;
  static Quants32 Decode(const Block& b) { return {vld1q_s8(b.qs), vld1q_s8(b.qs + 16)}; }
};
struct Q4_0A {
  using Block = quant::BlockQ4_0;
  using XBlock = quant::BlockQ8_0;
  static constexpr bool kMin = false;
  static Quants32 Decode(const Block& b) {
    const uint8x16_t q = vld1q_u8(b.qs);
    const int8x16_t eight = vdupq_n_s8(8);
    return {vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F))), eight),
            vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight)};
  }
};
struct Q5_0A {
  using Block = quant::BlockQ5_0;
  using XBlock = quant::BlockQ8_0;
  static constexpr bool kMin = false;
  static Quants32 Decode(const Block& b) {
    const uint8x16_t q = vld1q_u8(b.qs);
    const uint8x16x2_t h = SpreadBits(quant::LoadU32(b.qh), 0x10);
    const int8x16_t sixteen = vdupq_n_s8(16);
    return {vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vandq_u8(q, vdupq_n_u8(0x0F)), h.val[0])), sixteen),
            vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(q, 4), h.val[1])), sixteen)};
  }
};
struct Q4_1A {
  using Block = quant::BlockQ4_1;
  using XBlock = quant::BlockQ8_1;
  static constexpr bool kMin = true;
  static Quants32 Decode(const Block& b) {
    const uint8x16_t q = vld1q_u8(b.qs);
    return {vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F))), vreinterpretq_s8_u8(vshrq_n_u8(q, 4))};
  }
};
struct Q5_1A {
  using Block = quant::BlockQ5_1;
  using XBlock = quant::BlockQ8_1;
  static constexpr bool kMin = true;
  static Quants32 Decode(const Block& b) {
    const uint8x16_t q = vld1q_u8(b.qs);
    const uint8x16x2_t h = SpreadBits(quant::LoadU32(b.qh), 0x10);
    return {vreinterpretq_s8_u8(vorrq_u8(vandq_u8(q, vdupq_n_u8(0x0F)), h.val[0])),
            vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(q, 4), h.val[1]))};
  }
};

// A k-quant super-block decoded: x[e] = d·scale[e / 16]·q[e] - dmin·min[e / 16].
struct KDecoded {
  alignas(16) int8_t q[quant::kQKK];
  alignas(16) int16_t min[16];
  int32_t scale[16];
  float d, dmin;
};

inline void StoreU8(int8_t* dst, uint8x16_t v) { vst1q_s8(dst, vreinterpretq_s8_u8(v)); }
inline void StoreBiased(int8_t* dst, uint8x16_t v, int8_t offset) {
  vst1q_s8(dst, vsubq_s8(vreinterpretq_s8_u8(v), vdupq_n_s8(offset)));
}

// Q4_K / Q5_K scales and mins of the groups of 32, spread over the groups of 16.
inline void ScalesK4(const uint8_t* packed, KDecoded* o) {
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    quant::ScaleMinK4(j, packed, &sc, &m);
    o->scale[2 * j] = o->scale[2 * j + 1] = sc;
    o->min[2 * j] = o->min[2 * j + 1] = m;
  }
}

// Q4_K / Q5_K quants: 32 bytes of qs per 64 elements, low nibbles first; Q5_K's fifth bit of
// element 32j + l is bit j of qh[l].
template <bool kFifthBit>
inline void NibblesK(const uint8_t* qs, const uint8_t* qh, int8_t* q) {
  const uint8x16_t m4 = vdupq_n_u8(0x0F), b16 = vdupq_n_u8(16);
  uint8x16_t h[2] = {vdupq_n_u8(0), vdupq_n_u8(0)};
  if constexpr (kFifthBit) h[0] = vld1q_u8(qh), h[1] = vld1q_u8(qh + 16);
  for (int j = 0; j < 4; ++j) {
    for (int half = 0; half < 2; ++half) {
      const uint8x16_t v = vld1q_u8(qs + 32 * j + 16 * half);
      uint8x16_t lo = vandq_u8(v, m4), hi = vshrq_n_u8(v, 4);
      if constexpr (kFifthBit) {
        lo = vorrq_u8(lo, vandq_u8(vtstq_u8(h[half], vdupq_n_u8(static_cast<uint8_t>(1 << (2 * j)))), b16));
        hi = vorrq_u8(hi, vandq_u8(vtstq_u8(h[half], vdupq_n_u8(static_cast<uint8_t>(2 << (2 * j)))), b16));
      }
      StoreU8(q + 64 * j + 16 * half, lo);
      StoreU8(q + 64 * j + 32 + 16 * half, hi);
    }
  }
}

// Q2_K / Q3_K 2-bit fields: 32 bytes of qs per 128 elements, element 128n + 32s + l in bits
// 2s..2s+1 of qs[32n + l]; Q3_K's third bit of that element is bit 4n + s of hmask[l], and
// its quant is the three bits minus 4.
template <bool kThirdBit>
inline void CrumbsK(const uint8_t* qs, const uint8_t* hmask, int8_t* q) {
  const uint8x16_t m3 = vdupq_n_u8(3), b4 = vdupq_n_u8(4);
  for (int n = 0; n < 2; ++n) {
    for (int half = 0; half < 2; ++half) {
      const uint8x16_t v = vld1q_u8(qs + 32 * n + 16 * half);
      const uint8x16_t crumbs[4] = {vandq_u8(v, m3), vandq_u8(vshrq_n_u8(v, 2), m3),
                                    vandq_u8(vshrq_n_u8(v, 4), m3), vshrq_n_u8(v, 6)};
      for (int s = 0; s < 4; ++s) {
        int8_t* dst = q + 128 * n + 32 * s + 16 * half;
        if constexpr (kThirdBit) {
          const uint8x16_t hm = vld1q_u8(hmask + 16 * half);
          const uint8x16_t bit = vdupq_n_u8(static_cast<uint8_t>(1 << (4 * n + s)));
          StoreBiased(dst, vorrq_u8(crumbs[s], vandq_u8(vtstq_u8(hm, bit), b4)), 4);
        } else {
          StoreU8(dst, crumbs[s]);
        }
      }
    }
  }
}

inline void DecodeK(const quant::BlockQ4_K& b, KDecoded* o) {
  NibblesK<false>(b.qs, nullptr, o->q);
  ScalesK4(b.scales, o);
  o->d = F16(b.d);
  o->dmin = F16(b.dmin);
}
inline void DecodeK(const quant::BlockQ5_K& b, KDecoded* o) {
  NibblesK<true>(b.qs, b.qh, o->q);
  ScalesK4(b.scales, o);
  o->d = F16(b.d);
  o->dmin = F16(b.dmin);
}
inline void DecodeK(const quant::BlockQ2_K& b, KDecoded* o) {
  CrumbsK<false>(b.qs, nullptr, o->q);
  for (int g = 0; g < 16; ++g) {
    o->scale[g] = b.scales[g] & 0xF;
    o->min[g] = static_cast<int16_t>(b.scales[g] >> 4);
  }
  o->d = F16(b.d);
  o->dmin = F16(b.dmin);
}
inline void DecodeK(const quant::BlockQ3_K& b, KDecoded* o) {
  CrumbsK<true>(b.qs, b.hmask, o->q);
  for (int g = 0; g < 16; ++g) {
    o->scale[g] = quant::ScaleQ3K(g, b.scales);
    o->min[g] = 0;
  }
  o->d = F16(b.d);
  o->dmin = 0.0f;
}
// Q6_K: elements 128n + 32p + l take the low nibble (p < 2) or high nibble of
// ql[64n + 32(p & 1) + l] and bits 2p..2p+1 of qh[32n + l], minus 32.
inline void DecodeK(const quant::BlockQ6_K& b, KDecoded* o) {
  const uint8x16_t m4 = vdupq_n_u8(0x0F), m30 = vdupq_n_u8(0x30);
  for (int n = 0; n < 2; ++n) {
    for (int half = 0; half < 2; ++half) {
      const uint8x16_t l0 = vld1q_u8(b.ql + 64 * n + 16 * half);
      const uint8x16_t l1 = vld1q_u8(b.ql + 64 * n + 32 + 16 * half);
      const uint8x16_t h = vld1q_u8(b.qh + 32 * n + 16 * half);
      int8_t* dst = o->q + 128 * n + 16 * half;
      StoreBiased(dst, vorrq_u8(vandq_u8(l0, m4), vandq_u8(vshlq_n_u8(h, 4), m30)), 32);
      StoreBiased(dst + 32, vorrq_u8(vandq_u8(l1, m4), vandq_u8(vshlq_n_u8(h, 2), m30)), 32);
      StoreBiased(dst + 64, vorrq_u8(vshrq_n_u8(l0, 4), vandq_u8(h, m30)), 32);
      StoreBiased(dst + 96, vorrq_u8(vshrq_n_u8(l1, 4), vandq_u8(vshrq_n_u8(h, 2), m30)), 32);
    }
  }
  for (int g = 0; g < 16; ++g) {
    o->scale[g] = b.scales[g];
    o->min[g] = 0;
  }
  o->d = F16(b.d);
  o->dmin = 0.0f;
}

template <class B>
struct KType {
  using Block = B;
  static constexpr bool kMin = !std::is_same_v<B, quant::BlockQ3_K> && !std::is_same_v<B, quant::BlockQ6_K>;
  static void Decode(const Block& b, KDecoded* o) { DecodeK(b, o); }
};

// Σ_g min[g]·bsum[g] of a decoded weight block against an activation super-block.
inline int32_t MinSum(const KDecoded& w, const quant::BlockQ8_K& x) {
  const int16x8_t b0 = vld1q_s16(reinterpret_cast<const int16_t*>(x.bsums));
  const int16x8_t b1 = vld1q_s16(reinterpret_cast<const int16_t*>(x.bsums) + 8);
  const int16x8_t m0 = vld1q_s16(w.min), m1 = vld1q_s16(w.min + 8);
  int32x4_t s = vmull_s16(vget_low_s16(b0), vget_low_s16(m0));
  s = vmlal_high_s16(s, b0, m0);
  s = vmlal_s16(s, vget_low_s16(b1), vget_low_s16(m1));
  s = vmlal_high_s16(s, b1, m1);
  return vaddvq_s32(s);
}

// A family's tile for weight type w: Family::Legacy<W>() and Family::KQuant<K>() give its tiles.
template <class Family>
MatTileFn ArmTileFor(DType w) {
  switch (w) {
    case DType::kQ8_0: return Family::template Legacy<Q8_0A>();
    case DType::kQ4_0: return Family::template Legacy<Q4_0A>();
    case DType::kQ5_0: return Family::template Legacy<Q5_0A>();
    case DType::kQ4_1: return Family::template Legacy<Q4_1A>();
    case DType::kQ5_1: return Family::template Legacy<Q5_1A>();
    case DType::kQ2_K: return Family::template KQuant<KType<quant::BlockQ2_K>>();
    case DType::kQ3_K: return Family::template KQuant<KType<quant::BlockQ3_K>>();
    case DType::kQ4_K: return Family::template KQuant<KType<quant::BlockQ4_K>>();
    case DType::kQ5_K: return Family::template KQuant<KType<quant::BlockQ5_K>>();
    case DType::kQ6_K: return Family::template KQuant<KType<quant::BlockQ6_K>>();
    default: return nullptr;
  }
}

}  // namespace
}  // namespace densing

#endif  // __aarch64__
