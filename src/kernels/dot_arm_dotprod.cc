// aarch64 tiles with the int8 dot-product instruction (SDOT, vdotq_s32: 16 int8 products into
// 4 int32 lanes), for the legacy types against Q8_0/Q8_1 and the k-quants against Q8_K. This
// file is compiled for armv8.2-a+dotprod (src/kernels/CMakeLists.txt) and only called where the
// CPU path allows it (FindSimdMatTile). One weight row against up to 4 tokens: the block is
// decoded once, and every token's sum takes the same steps whatever the batch, so a batch gives
// decoding's results bit for bit.
//
// Sizing (not measured on ARM hardware: see docs/bench.md): a Q4_0 block is one 16-byte load,
// two ANDs/shifts and two subtracts, then per token two 16-byte activation loads, two SDOTs, a
// convert and an FMA; four tokens keep 4 float accumulators, 2 weight and 8 activation
// registers live of AArch64's 32.
#if defined(__aarch64__)

#include "kernels/dot_arm-inl.h"
#include "kernels/dot_simd.h"

namespace densing {
namespace {

template <class W, int NT>
void LegacyRow(const MatTile& m, int64_t r, int64_t t0) {
  using XBlock = typename W::XBlock;
  const auto* wb = reinterpret_cast<const typename W::Block*>(m.w + r * m.w_row_bytes);
  const XBlock* xb[NT];
  float32x4_t acc[NT];
  float min_sum[NT];
  for (int t = 0; t < NT; ++t) {
    xb[t] = reinterpret_cast<const XBlock*>(m.x + (t0 + t) * m.x_row_bytes);
    acc[t] = vdupq_n_f32(0.0f);
    min_sum[t] = 0.0f;
  }
  const int32x4_t zero = vdupq_n_s32(0);
  const int64_t nb = m.k / quant::kQK;
  for (int64_t i = 0; i < nb; ++i) {
    const Quants32 w = W::Decode(wb[i]);
    const float dw = F16(wb[i].d);
    for (int t = 0; t < NT; ++t) {
      const XBlock& x = xb[t][i];
      const int32x4_t p = vdotq_s32(vdotq_s32(zero, w.lo, vld1q_s8(x.qs)), w.hi, vld1q_s8(x.qs + 16));
      acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(p), dw * F16(x.d));
      if constexpr (W::kMin) min_sum[t] += F16(wb[i].m) * F16(x.s);
    }
  }
  for (int t = 0; t < NT; ++t) m.y[(t0 + t) * m.y_stride + r] = vaddvq_f32(acc[t]) + min_sum[t];
}

template <class K, int NT>
void KQuantRow(const MatTile& m, int64_t r, int64_t t0) {
  const auto* wb = reinterpret_cast<const typename K::Block*>(m.w + r * m.w_row_bytes);
  const quant::BlockQ8_K* xb[NT];
  float32x4_t acc[NT];
  float min_sum[NT];
  for (int t = 0; t < NT; ++t) {
    xb[t] = reinterpret_cast<const quant::BlockQ8_K*>(m.x + (t0 + t) * m.x_row_bytes);
    acc[t] = vdupq_n_f32(0.0f);
    min_sum[t] = 0.0f;
  }
  const int32x4_t zero = vdupq_n_s32(0);
  const int64_t nb = m.k / quant::kQKK;
  KDecoded w;
  for (int64_t i = 0; i < nb; ++i) {
    K::Decode(wb[i], &w);
    for (int t = 0; t < NT; ++t) {
      const quant::BlockQ8_K& x = xb[t][i];
      int32x4_t s0 = zero, s1 = zero;  // two chains
      for (int g = 0; g < 16; g += 2) {
        const int32x4_t p0 = vdotq_s32(zero, vld1q_s8(w.q + 16 * g), vld1q_s8(x.qs + 16 * g));
        const int32x4_t p1 = vdotq_s32(zero, vld1q_s8(w.q + 16 * g + 16), vld1q_s8(x.qs + 16 * g + 16));
        s0 = vmlaq_n_s32(s0, p0, w.scale[g]);
        s1 = vmlaq_n_s32(s1, p1, w.scale[g + 1]);
      }
      const float dx = quant::LoadF32(x.d);
      acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(vaddq_s32(s0, s1)), w.d * dx);
      if constexpr (K::kMin) min_sum[t] += (w.dmin * dx) * static_cast<float>(MinSum(w, x));
    }
  }
  for (int t = 0; t < NT; ++t) m.y[(t0 + t) * m.y_stride + r] = vaddvq_f32(acc[t]) - min_sum[t];
}

// Rows × tokens with Row<NT> = LegacyRow or KQuantRow: four tokens at a time, then two, then
// one with the rows prefetched ahead (decoding reads each row once).
template <void (*Row4)(const MatTile&, int64_t, int64_t), void (*Row2)(const MatTile&, int64_t, int64_t),
          void (*Row1)(const MatTile&, int64_t, int64_t)>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  constexpr int64_t kAhead = 2;
  int64_t t = t0;
  for (; t + 4 <= t1; t += 4) {
    for (int64_t r = r0; r < r1; ++r) Row4(m, r, t);
  }
  for (; t + 2 <= t1; t += 2) {
    for (int64_t r = r0; r < r1; ++r) Row2(m, r, t);
  }
  for (; t < t1; ++t) {
    for (int64_t r = r0; r < r1; ++r) {
      if (r + kAhead < r1) PrefetchRow(m, r + kAhead);
      Row1(m, r, t);
    }
  }
}

struct Dotprod {
  template <class W>
  static MatTileFn Legacy() { return &Tile<&LegacyRow<W, 4>, &LegacyRow<W, 2>, &LegacyRow<W, 1>>; }
  template <class K>
  static MatTileFn KQuant() { return &Tile<&KQuantRow<K, 4>, &KQuantRow<K, 2>, &KQuantRow<K, 1>>; }
};

}  // namespace

MatTileFn ArmDotprodTile(DType w) { return ArmTileFor<Dotprod>(w); }

}  // namespace densing

#endif  // __aarch64__
