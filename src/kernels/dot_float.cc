// Float weight tiles: F32, F16 and BF16 rows against activations of the same type, f32
// accumulation, on every Highway target. The scalar references are F32Dot/F16Dot/BF16Dot in
// tensor/dtype.cc.
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_float.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// Highway before our headers: foreach_target re-includes this file once per target.
#include <cstring>
#include <type_traits>

#include "hwy/highway.h"
#include "kernels/cpu_path.h"
#include "kernels/dot_int8-inl.h"
#include "kernels/dot_simd.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Element types as stored, with their vector and scalar conversions to f32.
struct F32Row {
  template <class DF>
  static HWY_INLINE hn::Vec<DF> Load(DF df, const uint8_t* p) {
    return hn::LoadU(df, reinterpret_cast<const float*>(p));
  }
  static float At(const uint8_t* p, int64_t i) {
    float v;
    std::memcpy(&v, p + 4 * i, 4);
    return v;
  }
};
struct F16Row {
  template <class DF>
  static HWY_INLINE hn::Vec<DF> Load(DF df, const uint8_t* p) {
    const hn::Rebind<hwy::float16_t, DF> dh;
    return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(p)));
  }
  static float At(const uint8_t* p, int64_t i) {
    uint16_t h;
    std::memcpy(&h, p + 2 * i, 2);
    return F16ToF32(h);
  }
};
struct BF16Row {
  template <class DF>
  static HWY_INLINE hn::Vec<DF> Load(DF df, const uint8_t* p) {
    const hn::Rebind<hwy::bfloat16_t, DF> dh;
    return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::bfloat16_t*>(p)));
  }
  static float At(const uint8_t* p, int64_t i) {
    uint16_t h;
    std::memcpy(&h, p + 2 * i, 2);
    return BF16ToF32(h);
  }
};

template <class Row>
constexpr int64_t kElemBytes = std::is_same_v<Row, F32Row> ? 4 : 2;

// One weight row against NT activation rows. Each token's sum is one FMA chain over the row
// whatever NT is, so a batch's results are decoding's, bit for bit (speculative decoding
// verifies drafts in batches); at one token, out-of-order execution overlaps the chains of
// consecutive rows.
template <class Row, int NT>
HWY_INLINE void RowTokens(const MatTile& m, int64_t r, int64_t t0) {
  const hn::ScalableTag<float> df;
  const int64_t n = static_cast<int64_t>(hn::Lanes(df));
  constexpr int64_t eb = kElemBytes<Row>;
  const uint8_t* w = m.w + r * m.w_row_bytes;
  static_assert(NT >= 1 && NT <= 4);
  const uint8_t* x[NT];
  for (int t = 0; t < NT; ++t) x[t] = m.x + (t0 + t) * m.x_row_bytes;
  // Named accumulators, not an array: SVE's vector types cannot be array elements.
  auto a0 = hn::Zero(df), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + n <= m.k; i += n) {
    const auto wv = Row::Load(df, w + i * eb);
    a0 = hn::MulAdd(wv, Row::Load(df, x[0] + i * eb), a0);
    if constexpr (NT > 1) a1 = hn::MulAdd(wv, Row::Load(df, x[1] + i * eb), a1);
    if constexpr (NT > 2) a2 = hn::MulAdd(wv, Row::Load(df, x[2] + i * eb), a2);
    if constexpr (NT > 3) a3 = hn::MulAdd(wv, Row::Load(df, x[3] + i * eb), a3);
  }
  float sums[NT];
  sums[0] = hn::GetLane(hn::SumOfLanes(df, a0));
  if constexpr (NT > 1) sums[1] = hn::GetLane(hn::SumOfLanes(df, a1));
  if constexpr (NT > 2) sums[2] = hn::GetLane(hn::SumOfLanes(df, a2));
  if constexpr (NT > 3) sums[3] = hn::GetLane(hn::SumOfLanes(df, a3));
  for (int64_t j = i; j < m.k; ++j) {
    const float wj = Row::At(w, j);
    for (int t = 0; t < NT; ++t) sums[t] += wj * Row::At(x[t], j);
  }
  for (int t = 0; t < NT; ++t) m.y[(t0 + t) * m.y_stride + r] = sums[t];
}

// Tokens in groups of four, so each loaded weight vector serves four activation rows.
template <class Row>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  int64_t t = t0;
  for (; t + 4 <= t1; t += 4) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<Row, 4>(m, r, t);
  }
  for (; t + 2 <= t1; t += 2) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<Row, 2>(m, r, t);
  }
  for (; t < t1; ++t) {
    for (int64_t r = r0; r < r1; ++r) {
      if (r + kPrefetchRows < r1) PrefetchRow(m, r + kPrefetchRows);
      RowTokens<Row, 1>(m, r, t);
    }
  }
}

MatTileFn SelectFloatTile(DType w) {
  switch (w) {
    case DType::kF32:
      return &Tile<F32Row>;
    case DType::kF16:
      return &Tile<F16Row>;
    case DType::kBF16:
      return &Tile<BF16Row>;
    default:
      return nullptr;
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace densing {

HWY_EXPORT(SelectFloatTile);

MatTileFn FloatSimdTile(DType w) { return DENSING_DISPATCH(SelectFloatTile)(w); }

}  // namespace densing
#endif  // HWY_ONCE
