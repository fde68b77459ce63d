// SIMD tiles for the legacy block types against 8-bit activations: Q8_0, Q4_0 and Q5_0 with
// Q8_0, Q4_1 and Q5_1 with Q8_1. Each block's integer dot product is exact; the f32 block
// scales are applied per block as in the scalar references (tensor/quant_legacy.cc).
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_legacy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// Highway before our headers: foreach_target re-includes this file once per target.
#include "hwy/highway.h"
#include "kernels/cpu_path.h"
#include "kernels/dot_int8-inl.h"
#include "kernels/dot_simd.h"
#include "tensor/quant_blocks.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {

#if DENSING_X86_256

// Weight decoders: block → 32 int8 quants in element order. Q8_0's are signed; the others stay
// unsigned, and the offset of the types without a min (Q4_0's q - 8, Q5_0's q - 16) comes back
// through the activation's sums: Σ(q - o)·x = Σq·x - o·Σx, with o·Σx once per block and token.
struct Q8_0W {
  using Block = quant::BlockQ8_0;
  using XBlock = quant::BlockQ8_0;
  static constexpr bool kSigned = true, kMin = false;
  static constexpr int kOffset = 0;
  static HWY_INLINE V8 Decode(const Block& b) { return hn::LoadU(D8(), b.qs); }
};
struct Q4_0W {
  using Block = quant::BlockQ4_0;
  using XBlock = quant::BlockQ8_0;
  static constexpr bool kSigned = false, kMin = false;
  static constexpr int kOffset = 8;
  static HWY_INLINE VU8 Decode(const Block& b) { return Nibbles32(b.qs); }
};
struct Q5_0W {
  using Block = quant::BlockQ5_0;
  using XBlock = quant::BlockQ8_0;
  static constexpr bool kSigned = false, kMin = false;
  static constexpr int kOffset = 16;
  static HWY_INLINE VU8 Decode(const Block& b) {
    return hn::Or(Nibbles32(b.qs), SpreadBits(quant::LoadU32(b.qh), 0x10));
  }
};
struct Q4_1W {
  using Block = quant::BlockQ4_1;
  using XBlock = quant::BlockQ8_1;
  static constexpr bool kSigned = false, kMin = true;
  static constexpr int kOffset = 0;
  static HWY_INLINE VU8 Decode(const Block& b) { return Nibbles32(b.qs); }
};
struct Q5_1W {
  using Block = quant::BlockQ5_1;
  using XBlock = quant::BlockQ8_1;
  static constexpr bool kSigned = false, kMin = true;
  static constexpr int kOffset = 0;
  static HWY_INLINE VU8 Decode(const Block& b) {
    return hn::Or(Nibbles32(b.qs), SpreadBits(quant::LoadU32(b.qh), 0x10));
  }
};

// One activation block as the weight blocks meet it: its quants, its scale, the int32 lanes the
// block's products start from (-kOffset · the sum of each lane's four quants), and (Q8_1) the
// d·Σq its weights' min multiplies.
struct XPrep {
  V8 q;
  V32 init;
  float d;
  float s;
};
template <class W>
HWY_INLINE XPrep Prepare(const typename W::XBlock& xb) {
  XPrep p{hn::LoadU(D8(), xb.qs), hn::Zero(D32()), LoadF16Fast(xb.d), 0.0f};
  if constexpr (W::kMin) p.s = LoadF16Fast(xb.s);
  if constexpr (W::kOffset != 0) {
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_set1_epi8(1), p.q.raw);
    p.init = V32{_mm256_madd_epi16(pairs, _mm256_set1_epi16(-W::kOffset))};
  }
  return p;
}

// One block of a weight row against NT prepared activation blocks: the block is decoded once for
// all NT tokens; each token's scaled block sum goes into acc[t] (its min term into min_sum[t]).
template <class W, int NT>
HWY_INLINE void Block(const typename W::Block& wb, const XPrep* x, VF* acc, float* min_sum) {
  const float dw = LoadF16Fast(wb.d);
  const auto w = W::Decode(wb);
  for (int t = 0; t < NT; ++t) {
    V32 p;
    if constexpr (W::kSigned) {
      p = DotS8S8(hn::Zero(D32()), w, x[t].q);
    } else {
      p = DotU8S8(x[t].init, w, x[t].q);
    }
    acc[t] = hn::MulAdd(hn::ConvertTo(DF(), p), hn::Set(DF(), dw * x[t].d), acc[t]);
    if constexpr (W::kMin) min_sum[t] += LoadF16Fast(wb.m) * x[t].s;
  }
}

// One weight row against NT activation rows: every token's sum takes the same steps (one FMA
// chain over the blocks, as the reference engine's AVX2 dot products do) whatever NT is, so a
// batch's results are decoding's, bit for bit (speculative decoding verifies drafts in batches).
// Out-of-order execution overlaps the chains of consecutive rows.
template <class W, int NT>
HWY_INLINE void RowTokens(const MatTile& m, int64_t r, int64_t t0) {
  using XBlock = typename W::XBlock;
  const auto* wb = reinterpret_cast<const typename W::Block*>(m.w + r * m.w_row_bytes);
  const XBlock* xb[NT];
  VF acc[NT];
  float min_sum[NT];
  for (int t = 0; t < NT; ++t) {
    xb[t] = reinterpret_cast<const XBlock*>(m.x + (t0 + t) * m.x_row_bytes);
    acc[t] = hn::Zero(DF());
    min_sum[t] = 0.0f;
  }
  const int64_t nb = m.k / quant::kQK;
  for (int64_t i = 0; i < nb; ++i) {
    XPrep x[NT];
    for (int t = 0; t < NT; ++t) x[t] = Prepare<W>(xb[t][i]);
    Block<W, NT>(wb[i], x, acc, min_sum);
  }
  for (int t = 0; t < NT; ++t) m.y[(t0 + t) * m.y_stride + r] = SumLanes(acc[t]) + min_sum[t];
}

// One token against R rows a fraction 1/R of a task apart (decode): R sequential memory streams
// in flight instead of one, as one core's DRAM bandwidth grows with the streams it keeps open,
// and R independent FMA chains. Each row's sum takes RowTokens' steps, bit for bit.
template <class W, int R>
HWY_INLINE void RowStreams(const MatTile& m, int64_t r, int64_t spacing, int64_t t) {
  const typename W::Block* wb[R];
  VF acc[R];
  float min_sum[R];
  for (int i = 0; i < R; ++i) {
    wb[i] = reinterpret_cast<const typename W::Block*>(m.w + (r + i * spacing) * m.w_row_bytes);
    acc[i] = hn::Zero(DF());
    min_sum[i] = 0.0f;
  }
  const auto* xb = reinterpret_cast<const typename W::XBlock*>(m.x + t * m.x_row_bytes);
  const int64_t nb = m.k / quant::kQK;
  constexpr int64_t kEvery = 64 / sizeof(typename W::Block);  // blocks per prefetch: ≤ a line apart
  for (int64_t b = 0; b < nb; ++b) {
    const XPrep x = Prepare<W>(xb[b]);  // once for the R rows
    for (int i = 0; i < R; ++i) {
      if (b % kEvery == 0) hwy::Prefetch(reinterpret_cast<const uint8_t*>(wb[i] + b) + kStreamPrefetch);
      Block<W, 1>(wb[i][b], &x, &acc[i], &min_sum[i]);
    }
  }
  for (int i = 0; i < R; ++i) m.y[t * m.y_stride + r + i * spacing] = SumLanes(acc[i]) + min_sum[i];
}

template <class W>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  int64_t t = t0;
  for (; t + 4 <= t1; t += 4) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<W, 4>(m, r, t);
  }
  for (; t + 2 <= t1; t += 2) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<W, 2>(m, r, t);
  }
  for (; t < t1; ++t) {  // decode: kStreams streams, then the rows left over
    const int64_t spacing = (r1 - r0) / kStreams;
    for (int64_t r = r0; r < r0 + spacing; ++r) RowStreams<W, kStreams>(m, r, spacing, t);
    for (int64_t r = r0 + kStreams * spacing; r < r1; ++r) RowTokens<W, 1>(m, r, t);
  }
}

MatTileFn SelectLegacyTile(DType w) {
  switch (w) {
    case DType::kQ8_0:
      return &Tile<Q8_0W>;
    case DType::kQ4_0:
      return &Tile<Q4_0W>;
    case DType::kQ5_0:
      return &Tile<Q5_0W>;
    case DType::kQ4_1:
      return &Tile<Q4_1W>;
    case DType::kQ5_1:
      return &Tile<Q5_1W>;
    default:
      return nullptr;
  }
}

#else  // no SIMD kernels for this target: the scalar reference tiles serve

MatTileFn SelectLegacyTile(DType) { return nullptr; }

#endif  // DENSING_X86_256

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace densing {

HWY_EXPORT(SelectLegacyTile);

MatTileFn LegacySimdTile(DType w) { return DENSING_DISPATCH(SelectLegacyTile)(w); }

}  // namespace densing
#endif  // HWY_ONCE
