// Per-target decoders of four 32-element weight blocks (Q4_0, Q5_0, Q8_0) into 512-bit vectors
// in the lanes order (kernels/act_lanes.h), shared by the VNNI tiles (dot_lanes.cc) and the AMX
// tiles (amx_matmul.cc). AVX3_DL only: the gathers are VBMI byte permutes.
#if defined(DENSING_KERNELS_DECODE_LANES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef DENSING_KERNELS_DECODE_LANES_INL_H_
#undef DENSING_KERNELS_DECODE_LANES_INL_H_
#else
#define DENSING_KERNELS_DECODE_LANES_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"
#include "tensor/quant_blocks.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {

#if HWY_TARGET == HWY_AVX3_DL

// acc + Σ over each 4 bytes of a·b, a unsigned, b signed. Inline asm: Highway 1.0.3's AVX3_DL
// target string does not enable avx512vnni.
HWY_INLINE __m512i Dpbusd(__m512i acc, __m512i a, __m512i b) {
  asm("vpdpbusd %[b], %[a], %[r]" : [r] "+v"(acc) : [a] "v"(a), [b] "v"(b));
  return acc;
}

// Byte-permute indices into the 128 bytes (first, second) of two loads: `first` starts at the
// group, `second` at `second_at` bytes into it.
struct Perm {
  alignas(64) uint8_t idx[64];
};
constexpr uint8_t PermIndex(int src, int second_at) {
  return static_cast<uint8_t>(src < 64 ? src : 64 + src - second_at);
}
// Element order: output byte o = 16j + i takes byte `first_byte + stride·j + i`.
constexpr Perm QuantPerm(int stride, int first_byte, int second_at) {
  Perm p{};
  for (int o = 0; o < 64; ++o) p.idx[o] = PermIndex(first_byte + stride * (o / 16) + o % 16, second_at);
  return p;
}
// Output half h (bytes 2h, 2h+1) takes the f16 at `stride·(h / 4)`: four lanes per block.
constexpr Perm ScalePerm(int stride, int second_at) {
  Perm p{};
  for (int o = 0; o < 64; ++o) {
    const int h = (o / 2) % 16;
    p.idx[o] = PermIndex(stride * (h / 4) + o % 2, second_at);
  }
  return p;
}
// Q5_0's fifth bits: output byte o = 16j + i takes the qh byte holding bit i (+16 for `high`).
constexpr Perm HighBitPerm(bool high, int second_at) {
  Perm p{};
  for (int o = 0; o < 64; ++o) {
    p.idx[o] = PermIndex(22 * (o / 16) + 2 + (high ? 2 : 0) + (o % 16) / 8, second_at);
  }
  return p;
}

HWY_INLINE __m512i LoadPerm(const Perm& p) { return _mm512_load_si512(p.idx); }
HWY_INLINE __m512i Load(const uint8_t* p) { return _mm512_loadu_si512(p); }
HWY_INLINE __m512 ScalesFromHalfs(__m512i h) { return _mm512_cvtph_ps(_mm512_castsi512_si256(h)); }

// A group of four weight blocks in lane order: unsigned quants lo (elements 0..15 of each block)
// and hi (16..31), the f16 scales as four lanes per block, and the offset that turns the
// unsigned quants back into the signed ones (as a shift of the activation sums).
struct WGroup {
  __m512i lo, hi;
  __m512 d;
};

struct Q4_0L {
  static constexpr int64_t kGroupBytes = 4 * sizeof(quant::BlockQ4_0);
  static constexpr int kOffsetShift = 3;  // q - 8
  static HWY_INLINE WGroup Decode(const uint8_t* p) {
    static constexpr Perm kQs = QuantPerm(18, 2, 8), kD = ScalePerm(18, 8);
    const __m512i a = Load(p), b = Load(p + 8);
    const __m512i q = _mm512_permutex2var_epi8(a, LoadPerm(kQs), b);
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    return {_mm512_and_si512(q, m4), _mm512_and_si512(_mm512_srli_epi16(q, 4), m4),
            ScalesFromHalfs(_mm512_permutexvar_epi8(LoadPerm(kD), a))};
  }
};

struct Q5_0L {
  static constexpr int64_t kGroupBytes = 4 * sizeof(quant::BlockQ5_0);
  static constexpr int kOffsetShift = 4;  // q - 16
  static HWY_INLINE WGroup Decode(const uint8_t* p) {
    static constexpr Perm kQs = QuantPerm(22, 6, 24), kD = ScalePerm(22, 24);
    static constexpr Perm kHighLo = HighBitPerm(false, 24), kHighHi = HighBitPerm(true, 24);
    alignas(64) static constexpr uint8_t kBit[64] = {
        1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32,
        64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8,
        16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const __m512i a = Load(p), b = Load(p + 24);
    const __m512i q = _mm512_permutex2var_epi8(a, LoadPerm(kQs), b);
    const __m512i m4 = _mm512_set1_epi8(0x0F), bit = _mm512_load_si512(kBit);
    const __m512i x10 = _mm512_set1_epi8(0x10);
    const __mmask64 h_lo =
        _mm512_test_epi8_mask(_mm512_permutex2var_epi8(a, LoadPerm(kHighLo), b), bit);
    const __mmask64 h_hi =
        _mm512_test_epi8_mask(_mm512_permutex2var_epi8(a, LoadPerm(kHighHi), b), bit);
    const __m512i lo = _mm512_and_si512(q, m4);
    const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m4);
    return {_mm512_mask_add_epi8(lo, h_lo, lo, x10), _mm512_mask_add_epi8(hi, h_hi, hi, x10),
            ScalesFromHalfs(_mm512_permutex2var_epi8(a, LoadPerm(kD), b))};
  }
};

struct Q8_0L {
  static constexpr int64_t kGroupBytes = 4 * sizeof(quant::BlockQ8_0);
  static constexpr int kOffsetShift = 7;  // (q + 128) - 128
  static HWY_INLINE WGroup Decode(const uint8_t* p) {
    // Quants 0..15 of the four blocks from bytes [0, 64) and [56, 120); 16..31 from [18, 82)
    // and [72, 136); the group is 136 bytes, so no load reads past it.
    static constexpr Perm kLo = QuantPerm(34, 2, 56), kHi = QuantPerm(34, 0, 72 - 18);
    static constexpr Perm kD = ScalePerm(34, 56);
    const __m512i a = Load(p), b = Load(p + 56), c = Load(p + 18), e = Load(p + 72);
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    return {_mm512_xor_si512(_mm512_permutex2var_epi8(a, LoadPerm(kLo), b), flip),
            _mm512_xor_si512(_mm512_permutex2var_epi8(c, LoadPerm(kHi), e), flip),
            ScalesFromHalfs(_mm512_permutex2var_epi8(a, LoadPerm(kD), b))};
  }
};

#endif  // HWY_TARGET == HWY_AVX3_DL

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#endif  // DENSING_KERNELS_DECODE_LANES_INL_H_
