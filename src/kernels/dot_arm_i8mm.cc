// aarch64 tiles for prompt batches with the int8 matrix multiply (I8MM's SMMLA, vmmlaq_s32: a
// 2×8 by 8×2 int8 product into a 2×2 int32 block, twice SDOT's work per instruction). Two weight
// rows have their 8-byte chunks interleaved in one register, two tokens theirs in another, and
// one SMMLA adds all four row·token sums; the block scales then apply to the 2×2 lanes at once.
// Compiled for armv8.2-a+dotprod+i8mm (src/kernels/CMakeLists.txt); MatMul uses it for batches
// of panel::kMinTokens tokens on where the CPU path allows it. Rows or a token left over from
// the pairs go to the SDOT tile.
//
// Sizing (not measured on ARM hardware: see docs/bench.md): two rows × four tokens per step;
// per legacy block 4 interleaved weight registers, 8 activation registers and 4 SMMLAs per
// token pair, 4 float accumulators — about 20 of AArch64's 32 vector registers.
#if defined(__aarch64__)

#include <algorithm>

#include "kernels/dot_arm-inl.h"
#include "kernels/dot_simd.h"

namespace densing {
namespace {

// [a's 8 bytes at chunk c | b's 8 bytes at chunk c] for c = 0 (Zip1) and 1 (Zip2).
inline int8x16_t Zip1(int8x16_t a, int8x16_t b) {
  return vreinterpretq_s8_s64(vzip1q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}
inline int8x16_t Zip2(int8x16_t a, int8x16_t b) {
  return vreinterpretq_s8_s64(vzip2q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}
// {a, a, b, b} and {a, b, a, b}: a row pair's and a token pair's factors over the 2×2 lanes.
inline float32x4_t RowLanes(float a, float b) { return vcombine_f32(vdup_n_f32(a), vdup_n_f32(b)); }
inline float32x4_t TokenLanes(float a, float b) {
  const float32x2_t v = vset_lane_f32(b, vdup_n_f32(a), 1);
  return vcombine_f32(v, v);
}

// y for one 2×2 block: lanes (row r, token t), (r, t + 1), (r + 1, t), (r + 1, t + 1).
inline void Store2x2(const MatTile& m, int64_t r, int64_t t, float32x4_t v) {
  m.y[t * m.y_stride + r] = vgetq_lane_f32(v, 0);
  m.y[(t + 1) * m.y_stride + r] = vgetq_lane_f32(v, 1);
  m.y[t * m.y_stride + r + 1] = vgetq_lane_f32(v, 2);
  m.y[(t + 1) * m.y_stride + r + 1] = vgetq_lane_f32(v, 3);
}

// Rows r, r + 1 against TP token pairs from t0.
template <class W, int TP>
void LegacyPairs(const MatTile& m, int64_t r, int64_t t0) {
  using XBlock = typename W::XBlock;
  const auto* w0 = reinterpret_cast<const typename W::Block*>(m.w + r * m.w_row_bytes);
  const auto* w1 = reinterpret_cast<const typename W::Block*>(m.w + (r + 1) * m.w_row_bytes);
  const XBlock* xb[2 * TP];
  float32x4_t acc[TP], mins[TP];
  for (int t = 0; t < 2 * TP; ++t) xb[t] = reinterpret_cast<const XBlock*>(m.x + (t0 + t) * m.x_row_bytes);
  for (int p = 0; p < TP; ++p) acc[p] = mins[p] = vdupq_n_f32(0.0f);
  const int32x4_t zero = vdupq_n_s32(0);
  const int64_t nb = m.k / quant::kQK;
  for (int64_t i = 0; i < nb; ++i) {
    const Quants32 a = W::Decode(w0[i]), b = W::Decode(w1[i]);
    const int8x16_t w[4] = {Zip1(a.lo, b.lo), Zip2(a.lo, b.lo), Zip1(a.hi, b.hi), Zip2(a.hi, b.hi)};
    const float32x4_t dw = RowLanes(F16(w0[i].d), F16(w1[i].d));
    for (int p = 0; p < TP; ++p) {
      const XBlock& x0 = xb[2 * p][i];
      const XBlock& x1 = xb[2 * p + 1][i];
      const int8x16_t lo0 = vld1q_s8(x0.qs), lo1 = vld1q_s8(x1.qs);
      const int8x16_t hi0 = vld1q_s8(x0.qs + 16), hi1 = vld1q_s8(x1.qs + 16);
      int32x4_t s = vmmlaq_s32(zero, w[0], Zip1(lo0, lo1));
      s = vmmlaq_s32(s, w[1], Zip2(lo0, lo1));
      s = vmmlaq_s32(s, w[2], Zip1(hi0, hi1));
      s = vmmlaq_s32(s, w[3], Zip2(hi0, hi1));
      acc[p] = vfmaq_f32(acc[p], vcvtq_f32_s32(s), vmulq_f32(dw, TokenLanes(F16(x0.d), F16(x1.d))));
      if constexpr (W::kMin) {
        const float32x4_t mw = RowLanes(F16(w0[i].m), F16(w1[i].m));
        mins[p] = vaddq_f32(mins[p], vmulq_f32(mw, TokenLanes(F16(x0.s), F16(x1.s))));
      }
    }
  }
  for (int p = 0; p < TP; ++p) Store2x2(m, r, t0 + 2 * p, vaddq_f32(acc[p], mins[p]));
}

template <class K, int TP>
void KQuantPairs(const MatTile& m, int64_t r, int64_t t0) {
  const auto* w0 = reinterpret_cast<const typename K::Block*>(m.w + r * m.w_row_bytes);
  const auto* w1 = reinterpret_cast<const typename K::Block*>(m.w + (r + 1) * m.w_row_bytes);
  const quant::BlockQ8_K* xb[2 * TP];
  float32x4_t acc[TP], mins[TP];
  for (int t = 0; t < 2 * TP; ++t) {
    xb[t] = reinterpret_cast<const quant::BlockQ8_K*>(m.x + (t0 + t) * m.x_row_bytes);
  }
  for (int p = 0; p < TP; ++p) acc[p] = mins[p] = vdupq_n_f32(0.0f);
  const int32x4_t zero = vdupq_n_s32(0);
  const int64_t nb = m.k / quant::kQKK;
  KDecoded a, b;
  for (int64_t i = 0; i < nb; ++i) {
    K::Decode(w0[i], &a);
    K::Decode(w1[i], &b);
    int32x4_t s[TP];
    for (int p = 0; p < TP; ++p) s[p] = zero;
    for (int g = 0; g < 16; ++g) {
      const int8x16_t qa = vld1q_s8(a.q + 16 * g), qb = vld1q_s8(b.q + 16 * g);
      const int8x16_t c0 = Zip1(qa, qb), c1 = Zip2(qa, qb);
      const int32x4_t scale = vcombine_s32(vdup_n_s32(a.scale[g]), vdup_n_s32(b.scale[g]));
      for (int p = 0; p < TP; ++p) {
        const int8x16_t x0 = vld1q_s8(xb[2 * p][i].qs + 16 * g);
        const int8x16_t x1 = vld1q_s8(xb[2 * p + 1][i].qs + 16 * g);
        const int32x4_t sum = vmmlaq_s32(vmmlaq_s32(zero, c0, Zip1(x0, x1)), c1, Zip2(x0, x1));
        s[p] = vmlaq_s32(s[p], sum, scale);
      }
    }
    const float32x4_t d = RowLanes(a.d, b.d);
    for (int p = 0; p < TP; ++p) {
      const quant::BlockQ8_K& x0 = xb[2 * p][i];
      const quant::BlockQ8_K& x1 = xb[2 * p + 1][i];
      const float32x4_t dx = TokenLanes(quant::LoadF32(x0.d), quant::LoadF32(x1.d));
      acc[p] = vfmaq_f32(acc[p], vcvtq_f32_s32(s[p]), vmulq_f32(d, dx));
      if constexpr (K::kMin) {
        const int32_t ms[4] = {MinSum(a, x0), MinSum(a, x1), MinSum(b, x0), MinSum(b, x1)};
        const float32x4_t dmin = vmulq_f32(RowLanes(a.dmin, b.dmin), dx);
        mins[p] = vaddq_f32(mins[p], vmulq_f32(dmin, vcvtq_f32_s32(vld1q_s32(ms))));
      }
    }
  }
  for (int p = 0; p < TP; ++p) Store2x2(m, r, t0 + 2 * p, vsubq_f32(acc[p], mins[p]));
}

using PairsFn = void (*)(const MatTile&, int64_t, int64_t);

// Row pairs × token pairs, the tokens in chunks whose activations stay in L1/L2 while every row
// pair of the task passes over them; the odd row and token go to the SDOT tile.
template <PairsFn Pairs2, PairsFn Pairs1>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  constexpr int64_t kTokenChunk = 16;
  const int64_t r_even = r0 + (r1 - r0) / 2 * 2, t_even = t0 + (t1 - t0) / 2 * 2;
  for (int64_t tc = t0; tc < t_even; tc += kTokenChunk) {
    const int64_t te = std::min(t_even, tc + kTokenChunk);
    for (int64_t r = r0; r < r_even; r += 2) {
      int64_t t = tc;
      for (; t + 4 <= te; t += 4) Pairs2(m, r, t);
      for (; t < te; t += 2) Pairs1(m, r, t);
    }
  }
  if (r_even == r1 && t_even == t1) return;
  const MatTileFn single = ArmDotprodTile(m.w_type);
  if (r_even < r1) single(m, r_even, r1, t0, t_even);
  if (t_even < t1) single(m, r0, r1, t_even, t1);
}

struct I8mm {
  template <class W>
  static MatTileFn Legacy() { return &Tile<&LegacyPairs<W, 2>, &LegacyPairs<W, 1>>; }
  template <class K>
  static MatTileFn KQuant() { return &Tile<&KQuantPairs<K, 2>, &KQuantPairs<K, 1>>; }
};

}  // namespace

MatTileFn ArmI8mmTile(DType w) { return ArmTileFor<I8mm>(w); }

}  // namespace densing

#endif  // __aarch64__
