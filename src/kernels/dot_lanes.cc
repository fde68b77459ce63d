// AVX-512 VNNI tiles for Q4_0, Q5_0 and Q8_0 weights against activations in the lanes layout
// (kernels/act_lanes.h). Per group of four weight blocks: one or two byte permutes gather the
// quants into element order (VBMI), one more the four f16 scales; two vpdpbusd add the four
// block sums into int32 lanes, starting from the activation's precomputed offset correction
// (quants stay unsigned: Q4_0's q - 8 is q·x - 8·Σx); then one convert and one FMA per group.
// Only the AVX3_DL target has these; elsewhere SelectLanesTile returns nullptr and MatMul keeps
// the tiles of dot_legacy.cc. The scalar reference is the traits' vec_dot on the same Q8_0
// activations (lanes::UnpackBlock), which also serves a row's last blocks when they do not fill
// a group.
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_lanes.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include <cstring>
// Highway before our headers: foreach_target re-includes this file once per target.
#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "kernels/cpu_path.h"
#include "kernels/act_lanes.h"
#include "kernels/decode_lanes-inl.h"
#include "kernels/dot_int8-inl.h"
#include "kernels/dot_simd.h"
#include "tensor/quant_blocks.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {

#if HWY_TARGET == HWY_AVX3_DL

// acc + one group of a weight row against the same group of an activation row.
template <class W>
HWY_INLINE __m512 GroupDot(const WGroup& wg, const lanes::Group& xg, __m512 acc) {
  const __m512i init = _mm512_slli_epi32(_mm512_loadu_si512(xg.neg_sum), W::kOffsetShift);
  const __m512i sum = Dpbusd(Dpbusd(init, wg.lo, _mm512_loadu_si512(xg.lo)), wg.hi,
                             _mm512_loadu_si512(xg.hi));
  return _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), _mm512_mul_ps(wg.d, _mm512_loadu_ps(xg.d)), acc);
}

// A row's last group when its blocks do not fill one: copied into a zeroed group, whose absent
// blocks have zero scales and quants (and zero activations), so they add nothing.
template <class W>
HWY_INLINE WGroup DecodePartial(const uint8_t* row, int64_t n_groups, int64_t nb) {
  alignas(64) uint8_t pad[W::kGroupBytes + 64] = {};
  const int64_t block_bytes = W::kGroupBytes / lanes::kGroupBlocks;
  std::memcpy(pad, row + n_groups * W::kGroupBytes,
              static_cast<size_t>((nb - n_groups * lanes::kGroupBlocks) * block_bytes));
  return W::Decode(pad);
}

// One weight row against NT activation rows.
template <class W, int NT>
HWY_INLINE void RowTokens(const MatTile& m, int64_t r, int64_t t0) {
  const uint8_t* w = m.w + r * m.w_row_bytes;
  const lanes::Group* x[NT];
  __m512 acc[NT];
  for (int t = 0; t < NT; ++t) {
    x[t] = reinterpret_cast<const lanes::Group*>(m.x + (t0 + t) * m.x_row_bytes);
    acc[t] = _mm512_setzero_ps();
  }
  const int64_t nb = m.k / lanes::kBlock;
  const int64_t n_groups = nb / lanes::kGroupBlocks;
  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* p = w + g * W::kGroupBytes;
    if constexpr (NT == 1) {
      for (int64_t o = 0; o < W::kGroupBytes; o += 64) hwy::Prefetch(p + kStreamPrefetch + o);
    }
    const WGroup wg = W::Decode(p);
    for (int t = 0; t < NT; ++t) acc[t] = GroupDot<W>(wg, x[t][g], acc[t]);
  }
  if (n_groups * lanes::kGroupBlocks < nb) {
    const WGroup wg = DecodePartial<W>(w, n_groups, nb);
    for (int t = 0; t < NT; ++t) acc[t] = GroupDot<W>(wg, x[t][n_groups], acc[t]);
  }
  for (int t = 0; t < NT; ++t) m.y[(t0 + t) * m.y_stride + r] = _mm512_reduce_add_ps(acc[t]);
}

// One token against R rows a fraction 1/R of a task apart: R sequential memory streams in
// flight instead of one (one core's DRAM bandwidth grows with the streams it keeps open), and
// each activation group loaded once for all R rows.
template <class W, int R>
HWY_INLINE void RowStreams(const MatTile& m, int64_t r, int64_t spacing, int64_t t) {
  const uint8_t* w[R];
  __m512 acc[R];
  for (int i = 0; i < R; ++i) {
    w[i] = m.w + (r + i * spacing) * m.w_row_bytes;
    acc[i] = _mm512_setzero_ps();
  }
  const auto* x = reinterpret_cast<const lanes::Group*>(m.x + t * m.x_row_bytes);
  const int64_t nb = m.k / lanes::kBlock;
  const int64_t n_groups = nb / lanes::kGroupBlocks;
  for (int64_t g = 0; g < n_groups; ++g) {
    for (int i = 0; i < R; ++i) {
      const uint8_t* p = w[i] + g * W::kGroupBytes;
      for (int64_t o = 0; o < W::kGroupBytes; o += 64) hwy::Prefetch(p + kStreamPrefetch + o);
      acc[i] = GroupDot<W>(W::Decode(p), x[g], acc[i]);
    }
  }
  if (n_groups * lanes::kGroupBlocks < nb) {
    for (int i = 0; i < R; ++i) acc[i] = GroupDot<W>(DecodePartial<W>(w[i], n_groups, nb), x[n_groups], acc[i]);
  }
  for (int i = 0; i < R; ++i) m.y[t * m.y_stride + r + i * spacing] = _mm512_reduce_add_ps(acc[i]);
}

// Streams for a single token: rows [r0, r1) as kStreams interleaved ranges, then the rest.
template <class W>
HWY_INLINE void DecodeRows(const MatTile& m, int64_t r0, int64_t r1, int64_t t) {
  const int64_t spacing = (r1 - r0) / kStreams;
  for (int64_t r = r0; r < r0 + spacing; ++r) RowStreams<W, kStreams>(m, r, spacing, t);
  for (int64_t r = r0 + kStreams * spacing; r < r1; ++r) RowTokens<W, 1>(m, r, t);
}

// Tokens in groups of eight, so each decoded weight group serves eight activation rows (the
// decode of Q5_0's high bits costs as much as the dot products of four); a single token (decode)
// streams several ranges of the rows at once.
template <class W>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  int64_t t = t0;
  for (; t + 8 <= t1; t += 8) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<W, 8>(m, r, t);
  }
  for (; t + 4 <= t1; t += 4) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<W, 4>(m, r, t);
  }
  for (; t + 2 <= t1; t += 2) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<W, 2>(m, r, t);
  }
  for (; t < t1; ++t) DecodeRows<W>(m, r0, r1, t);
}

MatTileFn SelectLanesTile(DType w) {
  switch (w) {
    case DType::kQ4_0:
      return &Tile<Q4_0L>;
    case DType::kQ5_0:
      return &Tile<Q5_0L>;
    case DType::kQ8_0:
      return &Tile<Q8_0L>;
    default:
      return nullptr;
  }
}

#else  // only AVX3_DL has the permutes and VNNI these tiles are built on

MatTileFn SelectLanesTile(DType) { return nullptr; }

#endif  // HWY_TARGET == HWY_AVX3_DL

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace densing {

HWY_EXPORT(SelectLanesTile);

MatTileFn LanesSimdTile(DType w) { return DENSING_DISPATCH(SelectLanesTile)(w); }

}  // namespace densing
#endif  // HWY_ONCE
