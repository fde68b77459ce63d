// Per-target building blocks of the quantized dot products: 32 int8 weights against 32 int8
// activations into int32 lanes. x86 targets with 256-bit vectors (AVX2, AVX3, AVX3_DL) get these;
// other targets fall back to the scalar reference tiles.
//
// AVX3_DL uses the VNNI instructions through inline asm with an explicit EVEX encoding: Highway
// 1.0.3's AVX3_DL target string enables "avxvnni", so GCC would emit the VEX (AVX-VNNI) form of
// _mm256_dpbusd_epi32, which CPUs that pass Highway's AVX3_DL check (Ice Lake) lack.
#if defined(DENSING_KERNELS_DOT_INT8_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef DENSING_KERNELS_DOT_INT8_INL_H_
#undef DENSING_KERNELS_DOT_INT8_INL_H_
#else
#define DENSING_KERNELS_DOT_INT8_INL_H_
#endif

#include <cstdint>
#include <cstring>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "kernels/dot_tile.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// One token at a time (decode), a weight row is used once: ask for the row kPrefetchRows ahead
// while this one computes, as the hardware prefetcher alone leaves one core well short of DRAM
// bandwidth on these short rows.
constexpr int64_t kPrefetchRows = 2;
// Decoding kStreams rows at once (the RowStreams of the tiles): each stream asks for its bytes
// this far ahead, enough to cover DRAM latency at one core's share of the bandwidth.
constexpr int kStreams = 4;
constexpr int64_t kStreamPrefetch = 1536;
HWY_INLINE void PrefetchRow(const MatTile& m, int64_t r) {
  const uint8_t* p = m.w + r * m.w_row_bytes;
  for (int64_t off = 0; off < m.w_row_bytes; off += 64) hwy::Prefetch(p + off);
}

#undef DENSING_X86_256
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
#define DENSING_X86_256 1

using D8 = hn::Full256<int8_t>;
using DU8 = hn::Full256<uint8_t>;
using D16 = hn::Full256<int16_t>;
using D32 = hn::Full256<int32_t>;
using DF = hn::Full256<float>;
using V8 = hn::Vec256<int8_t>;
using VU8 = hn::Vec256<uint8_t>;
using V16 = hn::Vec256<int16_t>;
using V32 = hn::Vec256<int32_t>;
using VF = hn::Vec256<float>;

// An f16 field of a block (F16C is part of every target here).
HWY_INLINE float LoadF16Fast(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return _cvtsh_ss(h);
}
HWY_INLINE float LoadF32(const uint8_t* p) {
  float f;
  std::memcpy(&f, p, 4);
  return f;
}

// acc + Σ over each 4 bytes of a·b (a unsigned, b signed). Without VNNI the products pass through
// saturating int16 pair sums: callers keep a ≤ 128 with |b| ≤ 127 (or a ≤ 63).
HWY_INLINE V32 DotU8S8(V32 acc, VU8 a, V8 b) {
#if HWY_TARGET == HWY_AVX3_DL
  __m256i r = acc.raw;
  asm("%{evex%} vpdpbusd %[b], %[a], %[r]" : [r] "+v"(r) : [a] "v"(a.raw), [b] "v"(b.raw));
  return V32{r};
#else
  const __m256i pairs = _mm256_maddubs_epi16(a.raw, b.raw);
  return hn::Add(acc, V32{_mm256_madd_epi16(pairs, _mm256_set1_epi16(1))});
#endif
}

// acc + Σ a·b for signed a and b, through |a| and b with a's sign.
HWY_INLINE V32 DotS8S8(V32 acc, V8 a, V8 b) {
  const VU8 abs_a = hn::BitCast(DU8(), hn::Abs(a));
  return DotU8S8(acc, abs_a, V8{_mm256_sign_epi8(b.raw, a.raw)});
}

// acc + Σ over each pair of int16 lanes p of (a·b summed over the byte pair)·scale[p]: a group
// scale applied while widening (a unsigned ≤ 63, b signed).
HWY_INLINE V32 ScaledDotU8S8(V32 acc, VU8 a, V8 b, V16 scale) {
  const __m256i pairs = _mm256_maddubs_epi16(a.raw, b.raw);
#if HWY_TARGET == HWY_AVX3_DL
  __m256i r = acc.raw;
  asm("%{evex%} vpdpwssd %[s], %[p], %[r]" : [r] "+v"(r) : [p] "v"(pairs), [s] "v"(scale.raw));
  return V32{r};
#else
  return hn::Add(acc, V32{_mm256_madd_epi16(pairs, scale.raw)});
#endif
}

// Σ over pairs of int16 lanes a·b, into int32 lanes.
HWY_INLINE V32 MulPairs(V16 a, V16 b) { return V32{_mm256_madd_epi16(a.raw, b.raw)}; }

// Scale vector for 32 bytes covering two groups of 16: s0 on the first 8 int16 pair lanes,
// s1 on the last 8.
HWY_INLINE V16 PairScale(int16_t s0, int16_t s1) {
  const hn::Full128<int16_t> dh;
  return hn::Combine(D16(), hn::Set(dh, s1), hn::Set(dh, s0));
}

HWY_INLINE float SumLanes(VF v) { return hn::GetLane(hn::SumOfLanes(DF(), v)); }

// 16 nibbles-pairs to 32 bytes: low nibbles first, then high nibbles (the legacy block order):
// the 16 bytes in both halves, the upper half shifted, then one mask.
HWY_INLINE VU8 Nibbles32(const uint8_t* qs) {
  const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
  const __m256i halves = _mm256_blend_epi32(both, _mm256_srli_epi16(both, 4), 0xF0);
  return VU8{_mm256_and_si256(halves, _mm256_set1_epi8(0x0F))};
}

// 32 bits to 32 bytes: byte j is `value` where bit j of `bits` is set, else 0.
HWY_INLINE VU8 SpreadBits(uint32_t bits, uint8_t value) {
  alignas(32) static constexpr uint8_t kByteOf[32] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1,
                                                      1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2,
                                                      2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
  alignas(32) static constexpr uint8_t kBit[32] = {1,  2,   4,  8,  16,  32, 64, 128, 1,  2,  4,
                                                   8,  16,  32, 64, 128, 1,  2,  4,   8,  16, 32,
                                                   64, 128, 1,  2,  4,   8,  16, 32,  64, 128};
  const DU8 du8;
  const VU8 word = hn::BitCast(du8, hn::Set(hn::Full256<uint32_t>(), bits));
  const VU8 spread = hn::TableLookupBytes(word, hn::Load(du8, kByteOf));
  const VU8 bit = hn::Load(du8, kBit);
  return hn::And(hn::VecFromMask(du8, hn::Eq(hn::And(spread, bit), bit)), hn::Set(du8, value));
}

#else
#define DENSING_X86_256 0
#endif  // x86 with 256-bit vectors

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#endif  // DENSING_KERNELS_DOT_INT8_INL_H_
