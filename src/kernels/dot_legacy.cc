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

// Weight decoders: block → 32 int8 quants in element order, signed (q - offset) for the types
// without a min, unsigned for those with one.
struct Q8_0W {
  using Block = quant::BlockQ8_0;
  using XBlock = quant::BlockQ8_0;
  static constexpr bool kSigned = true;
  static HWY_INLINE V8 Decode(const Block& b) { return hn::LoadU(D8(), b.qs); }
};
struct Q4_0W {
  using Block = quant::BlockQ4_0;
  using XBlock = quant::BlockQ8_0;
  static constexpr bool kSigned = true;
  static HWY_INLINE V8 Decode(const Block& b) {
    return hn::Sub(hn::BitCast(D8(), Nibbles32(b.qs)), hn::Set(D8(), 8));
  }
};
struct Q5_0W {
  using Block = quant::BlockQ5_0;
  using XBlock = quant::BlockQ8_0;
  static constexpr bool kSigned = true;
  static HWY_INLINE V8 Decode(const Block& b) {
    const VU8 q = hn::Or(Nibbles32(b.qs), SpreadBits(quant::LoadU32(b.qh), 0x10));
    return hn::Sub(hn::BitCast(D8(), q), hn::Set(D8(), 16));
  }
};
struct Q4_1W {
  using Block = quant::BlockQ4_1;
  using XBlock = quant::BlockQ8_1;
  static constexpr bool kSigned = false;
  static HWY_INLINE VU8 Decode(const Block& b) { return Nibbles32(b.qs); }
};
struct Q5_1W {
  using Block = quant::BlockQ5_1;
  using XBlock = quant::BlockQ8_1;
  static constexpr bool kSigned = false;
  static HWY_INLINE VU8 Decode(const Block& b) {
    return hn::Or(Nibbles32(b.qs), SpreadBits(quant::LoadU32(b.qh), 0x10));
  }
};

// Block i of one weight row against NT activation rows: the block is decoded once for all NT
// tokens; each token's scaled block sum goes into acc[t] (its min term into min_sum[t]).
template <class W, int NT>
HWY_INLINE void Block(const typename W::Block& wb, const typename W::XBlock* const* xb, int64_t i,
                      VF* acc, float* min_sum) {
  const float dw = LoadF16Fast(wb.d);
  if constexpr (W::kSigned) {
    const V8 w = W::Decode(wb);
    const VU8 abs_w = hn::BitCast(DU8(), hn::Abs(w));
    for (int t = 0; t < NT; ++t) {
      const V8 x = hn::LoadU(D8(), xb[t][i].qs);
      const V32 p = DotU8S8(hn::Zero(D32()), abs_w, V8{_mm256_sign_epi8(x.raw, w.raw)});
      const VF scale = hn::Set(DF(), dw * LoadF16Fast(xb[t][i].d));
      acc[t] = hn::MulAdd(hn::ConvertTo(DF(), p), scale, acc[t]);
    }
  } else {
    const VU8 w = W::Decode(wb);
    const float mw = LoadF16Fast(wb.m);
    for (int t = 0; t < NT; ++t) {
      const V32 p = DotU8S8(hn::Zero(D32()), w, hn::LoadU(D8(), xb[t][i].qs));
      const VF scale = hn::Set(DF(), dw * LoadF16Fast(xb[t][i].d));
      acc[t] = hn::MulAdd(hn::ConvertTo(DF(), p), scale, acc[t]);
      min_sum[t] += mw * LoadF16Fast(xb[t][i].s);
    }
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
  for (int64_t i = 0; i < nb; ++i) Block<W, NT>(wb[i], xb, i, acc, min_sum);
  for (int t = 0; t < NT; ++t) m.y[(t0 + t) * m.y_stride + r] = SumLanes(acc[t]) + min_sum[t];
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
  for (; t < t1; ++t) {
    for (int64_t r = r0; r < r1; ++r) {
      if (r + kPrefetchRows < r1) PrefetchRow(m, r + kPrefetchRows);
      RowTokens<W, 1>(m, r, t);
    }
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
