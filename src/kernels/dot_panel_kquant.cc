// Panel tiles (kernels/dot_panel.h) for the k-quants Q2_K … Q6_K on the x86 targets: a
// 256-element super-block of kRows rows is decoded into one panel (quants unsigned, group scales
// and mins as int16 pairs per row), and each group's chunks are summed per token as the legacy
// panels' are (dot_panel.cc), then scaled by the group's scale: vpmaddwd on the int16 sums
// without VNNI, one vpmulld on the int32 sums with it. The mins (Q2_K, Q4_K, Q5_K) and the
// offsets (Q3_K's 4, Q6_K's 32) come from the activations' per-16 sums (bsums). Two panel
// shapes: 8 groups of 32 (Q4_K, Q5_K) and 16 groups of 16 (Q2_K, Q3_K, Q6_K). Shared parts:
// panel-inl.h.
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_panel_kquant.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// Highway before our headers: foreach_target re-includes this file once per target.
#include "hwy/highway.h"
#include "kernels/cpu_path.h"
#include "kernels/panel-inl.h"
#include "tensor/quant_blocks.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {

#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL

// Rows [r, r + nr) of super-block sb (the rest repeat the last row, whose sums the tile never
// writes).
template <class Block>
HWY_INLINE void PanelRows(const MatTile& m, int64_t r, int64_t nr, int64_t sb, const Block** rows) {
  for (int64_t i = 0; i < kRows; ++i) {
    rows[i] = reinterpret_cast<const Block*>(m.w + (r + std::min(i, nr - 1)) * m.w_row_bytes) + sb;
  }
}

// Sets int16 lanes 2·row and 2·row + 1 of a panel's pair array to v.
HWY_INLINE void SetPair(int16_t* pairs, int64_t row, int v) {
  pairs[2 * row] = pairs[2 * row + 1] = static_cast<int16_t>(v);
}

// isum[t][v] += scale · Σ over chunks [j0, j1) of q[j] · x[t] (chunk j against activation
// elements e0 + 4j ..), scale the group's int16 pair per row in sc. With VNNI the products go
// straight into int32 lanes and one multiply applies the scale (the pair's high half); without,
// runs of kSum chunks are summed in int16 and widened by vpmaddwd with the scale pairs.
template <int NT, int kSum>
HWY_INLINE void AddScaledChunks(const uint8_t (*q)[4 * kRows], int j0, int j1, const quant::BlockQ8_K* const* x,
                                int e0, const int32_t* sc, VRow (*isum)[kVecs]) {
#if HWY_TARGET == HWY_AVX3_DL
  VRow gs[NT];
  for (int t = 0; t < NT; ++t) gs[t] = hn::Zero(DRow());
#pragma GCC unroll 4
  for (int j = j0; j < j1; ++j) {
    const VRow w = LoadChunk(q[j], 0);
    for (int t = 0; t < NT; ++t) gs[t] = DotRow(gs[t], w, BroadcastRow(x[t]->qs + e0 + 4 * j));
  }
  const VRow sc32 = hn::ShiftRight<16>(hn::Load(DRow(), sc));
  for (int t = 0; t < NT; ++t) isum[t][0] = hn::Add(isum[t][0], hn::Mul(gs[t], sc32));
#else
  for (int jr = j0; jr < j1; jr += kSum) {
    __m256i h[NT][kVecs];
    for (int t = 0; t < NT; ++t) {
      for (int v = 0; v < kVecs; ++v) h[t][v] = _mm256_setzero_si256();
    }
#pragma GCC unroll 4
    for (int j = jr; j < jr + kSum; ++j) {
      __m256i w[kVecs];
      for (int v = 0; v < kVecs; ++v) w[v] = LoadChunk(q[j], v).raw;
      for (int t = 0; t < NT; ++t) {
        const __m256i xb = BroadcastRow(x[t]->qs + e0 + 4 * j).raw;
        for (int v = 0; v < kVecs; ++v) h[t][v] = AddPairs16(h[t][v], w[v], xb);
      }
    }
    for (int v = 0; v < kVecs; ++v) {
      const VRow scv = hn::Load(DRow(), sc + kLanes * v);
      for (int t = 0; t < NT; ++t) isum[t][v] = hn::Add(isum[t][v], MulPairsRow(VRow{h[t][v]}, scv));
    }
  }
#endif
}

// Σ over k < 8 of the int16 pair pairs[k] (per row of vector v) times the activation's 16-element
// sums 2k and 2k + 1: the mins (Q4_K, Q5_K: a group of 32's two halves) or the per-group factors
// (Q2_K, Q3_K, Q6_K: two groups of 16) against the bsums.
HWY_INLINE VRow BsumsDot(const int16_t (*pairs)[2 * kRows], const quant::BlockQ8_K& x, int v) {
  VRow sum = hn::Zero(DRow());
  for (int k = 0; k < 8; ++k) {
    int32_t xs;
    std::memcpy(&xs, x.bsums + 4 * k, 4);
    const VRow w = hn::Load(DRow(), reinterpret_cast<const int32_t*>(pairs[k]) + kLanes * v);
    sum = hn::Add(sum, MulPairsRow(w, hn::Set(DRow(), xs)));
  }
  return sum;
}

// ---- Q4_K, Q5_K: super-blocks of 256 = 8 groups of 32 with 6-bit scales and mins. ----

struct KPanel {
  alignas(64) uint8_t q[8][8][4 * kRows];  // [group][chunk j][4·row + e]
  alignas(64) int16_t sc[8][2 * kRows];    // [group]: int16 lanes 2·row and 2·row + 1 hold its scale
  alignas(64) int16_t mn[8][2 * kRows];    // the same for the mins
  alignas(64) float d[kRows], dmin[kRows];
};

// Group g's 32 quants of a row: the nibbles, and for Q5_K bit g of qh as 16.
HWY_INLINE __m256i GroupQ4K(const quant::BlockQ4_K& b, int g) {
  const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * (g / 2)));
  return _mm256_and_si256(g % 2 == 0 ? q : _mm256_srli_epi16(q, 4), _mm256_set1_epi8(0x0F));
}
HWY_INLINE __m256i GroupQ5K(const quant::BlockQ5_K& b, int g) {
  const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * (g / 2)));
  const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh));
  const __m256i lo = _mm256_and_si256(g % 2 == 0 ? q : _mm256_srli_epi16(q, 4), _mm256_set1_epi8(0x0F));
  return _mm256_or_si256(lo, _mm256_and_si256(_mm256_slli_epi16(_mm256_srli_epi16(h, g), 4), _mm256_set1_epi8(0x10)));
}
struct Q4KGroups {
  using Block = quant::BlockQ4_K;
  static constexpr int kSumChunks = 8;  // chunks summed in int16 without VNNI: 8·2·15·128 < 2^15
  static HWY_INLINE __m256i Group(const Block& b, int g) { return GroupQ4K(b, g); }
};
struct Q5KGroups {
  using Block = quant::BlockQ5_K;
  static constexpr int kSumChunks = 4;  // 4·2·31·128 < 2^15
  static HWY_INLINE __m256i Group(const Block& b, int g) { return GroupQ5K(b, g); }
};

template <class K>
HWY_INLINE void DecodeK8(const MatTile& m, int64_t r, int64_t nr, int64_t sb, KPanel& p) {
  const typename K::Block* rows[kRows];
  PanelRows(m, r, nr, sb, rows);
  for (int64_t i = 0; i < kRows; ++i) {
    for (int g = 0; g < 8; ++g) {
      uint8_t sc = 0, mn = 0;
      quant::ScaleMinK4(g, rows[i]->scales, &sc, &mn);
      SetPair(p.sc[g], i, sc);
      SetPair(p.mn[g], i, mn);
    }
    p.d[i] = LoadF16Fast(rows[i]->d);
    p.dmin[i] = LoadF16Fast(rows[i]->dmin);
  }
  for (int g = 0; g < 8; ++g) {
    for (int64_t h = 0; h < kRows / 8; ++h) {
      __m256i v[8];
      for (int64_t i = 0; i < 8; ++i) v[i] = K::Group(*rows[8 * h + i], g);
      StoreRows8(v, h, p.q[g]);
    }
  }
}

template <class K, int NT>
HWY_INLINE void K8Tokens(const KPanel& p, const quant::BlockQ8_K* const* x, float (*acc)[kRows]) {
  const DRowF df;
  VRow isum[NT][kVecs];
  for (int t = 0; t < NT; ++t) {
    for (int v = 0; v < kVecs; ++v) isum[t][v] = hn::Zero(DRow());
  }
  for (int g = 0; g < 8; ++g) {
    AddScaledChunks<NT, K::kSumChunks>(p.q[g], 0, 8, x, 32 * g, reinterpret_cast<const int32_t*>(p.sc[g]), isum);
  }
  for (int t = 0; t < NT; ++t) {
    const VRowF dx = hn::Set(df, LoadF32(x[t]->d));
    for (int v = 0; v < kVecs; ++v) {
      const VRow msum = BsumsDot(p.mn, *x[t], v);  // Σ_g min_g · the group's activation sums
      float* a = acc[t] + kLanes * v;
      VRowF f = hn::Load(df, a);
      f = hn::MulAdd(hn::ConvertTo(df, isum[t][v]), hn::Mul(hn::Load(df, p.d + kLanes * v), dx), f);
      f = hn::NegMulAdd(hn::ConvertTo(df, msum), hn::Mul(hn::Load(df, p.dmin + kLanes * v), dx), f);
      hn::Store(f, df, a);
    }
  }
}

// ---- Q2_K, Q3_K, Q6_K: super-blocks of 256 = 16 groups of 16 with a scale each. ----
// The quants are stored unsigned; the activation sums of each group (bsums) times a per-group
// factor undo the offset (Q3_K: 4·scale, Q6_K: 32·scale) or add the min (Q2_K: dmin·min).

struct K16Panel {
  alignas(64) uint8_t q[8][8][4 * kRows];  // [32 elements][chunk j][4·row + e], unsigned (0..63)
  alignas(64) int16_t sc[16][2 * kRows];   // [group]: int16 lanes 2·row and 2·row + 1 hold its scale
  alignas(64) int16_t bs[8][2 * kRows];    // [pair p]: lane 2·row group 2p's bsums factor, 2·row + 1 2p + 1's
  alignas(64) float d[kRows], dmin[kRows];
};

// Elements 32s .. 32s + 31 of a row as unsigned bytes, and group g's scale and bsums factor.
struct Q6KGroups {
  using Block = quant::BlockQ6_K;
  static constexpr bool kMin = false;
  static constexpr int kOffsetShift = 5;  // q - 32
  static constexpr int kSumChunks = 2;    // chunks summed in int16 without VNNI: 2·2·63·128 < 2^15
  static HWY_INLINE __m256i Chunk(const Block& b, int s) {  // half n, part pt (see dot_kquant.cc)
    const int n = s / 4, pt = s % 4;
    const __m256i l = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.ql + 64 * n + 32 * (pt % 2)));
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * n));
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i lo = pt < 2 ? _mm256_and_si256(l, m4) : _mm256_and_si256(_mm256_srli_epi16(l, 4), m4);
    const __m256i hi = pt == 0 ? _mm256_slli_epi16(h, 4) : pt == 1 ? _mm256_slli_epi16(h, 2) : pt == 2 ? h : _mm256_srli_epi16(h, 2);
    return _mm256_or_si256(lo, _mm256_and_si256(hi, _mm256_set1_epi8(0x30)));
  }
  static HWY_INLINE int Scale(const Block& b, int g) { return b.scales[g]; }
  static HWY_INLINE int Factor(const Block& b, int g) { return b.scales[g]; }
};
// The 2-bit field of element 32s + l: bits 2·(s % 4) of qs[32·(s / 4) + l].
HWY_INLINE __m256i Crumbs32(const uint8_t* qs, int s) {
  const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * (s / 4)));
  return _mm256_and_si256(_mm256_srli_epi16(q, 2 * (s % 4)), _mm256_set1_epi8(3));
}
struct Q3KGroups {
  using Block = quant::BlockQ3_K;
  static constexpr bool kMin = false;
  static constexpr int kOffsetShift = 2;  // q + 4·h - 4
  static constexpr int kSumChunks = 4;    // the group's four
  static HWY_INLINE __m256i Chunk(const Block& b, int s) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.hmask));
    const __m256i hb = _mm256_and_si256(_mm256_srli_epi16(h, s), _mm256_set1_epi8(1));
    return _mm256_or_si256(Crumbs32(b.qs, s), _mm256_slli_epi16(hb, 2));
  }
  static HWY_INLINE int Scale(const Block& b, int g) { return quant::ScaleQ3K(g, b.scales); }
  static HWY_INLINE int Factor(const Block& b, int g) { return quant::ScaleQ3K(g, b.scales); }
};
struct Q2KGroups {
  using Block = quant::BlockQ2_K;
  static constexpr bool kMin = true;
  static constexpr int kOffsetShift = 0;
  static constexpr int kSumChunks = 4;
  static HWY_INLINE __m256i Chunk(const Block& b, int s) { return Crumbs32(b.qs, s); }
  static HWY_INLINE int Scale(const Block& b, int g) { return b.scales[g] & 0xF; }
  static HWY_INLINE int Factor(const Block& b, int g) { return b.scales[g] >> 4; }  // the min
};

template <class K>
HWY_INLINE void DecodeK16(const MatTile& m, int64_t r, int64_t nr, int64_t sb, K16Panel& p) {
  const typename K::Block* rows[kRows];
  PanelRows(m, r, nr, sb, rows);
  for (int64_t i = 0; i < kRows; ++i) {
    for (int g = 0; g < 16; ++g) {
      SetPair(p.sc[g], i, K::Scale(*rows[i], g));
      p.bs[g / 2][2 * i + g % 2] = static_cast<int16_t>(K::Factor(*rows[i], g));
    }
    p.d[i] = LoadF16Fast(rows[i]->d);
    if constexpr (K::kMin) p.dmin[i] = LoadF16Fast(rows[i]->dmin);
  }
  for (int s = 0; s < 8; ++s) {
    for (int64_t h = 0; h < kRows / 8; ++h) {
      __m256i v[8];
      for (int64_t i = 0; i < 8; ++i) v[i] = K::Chunk(*rows[8 * h + i], s);
      StoreRows8(v, h, p.q[s]);
    }
  }
}

template <class K, int NT>
HWY_INLINE void K16Tokens(const K16Panel& p, const quant::BlockQ8_K* const* x, float (*acc)[kRows]) {
  const DRowF df;
  VRow isum[NT][kVecs];
  for (int t = 0; t < NT; ++t) {
    for (int v = 0; v < kVecs; ++v) isum[t][v] = hn::Zero(DRow());
  }
  for (int g = 0; g < 16; ++g) {  // elements 16g .. 16g + 15: chunks 4·(g % 2) .. + 3 of q[g / 2]
    const int j0 = 4 * (g % 2);
    AddScaledChunks<NT, K::kSumChunks>(p.q[g / 2], j0, j0 + 4, x, 32 * (g / 2), reinterpret_cast<const int32_t*>(p.sc[g]), isum);
  }
  for (int t = 0; t < NT; ++t) {
    const VRowF dx = hn::Set(df, LoadF32(x[t]->d));
    for (int v = 0; v < kVecs; ++v) {
      const VRow fsum = BsumsDot(p.bs, *x[t], v);  // Σ_g factor_g · the activation sum of group g
      float* a = acc[t] + kLanes * v;
      VRowF f = hn::Load(df, a);
      if constexpr (K::kMin) {
        f = hn::MulAdd(hn::ConvertTo(df, isum[t][v]), hn::Mul(hn::Load(df, p.d + kLanes * v), dx), f);
        f = hn::NegMulAdd(hn::ConvertTo(df, fsum), hn::Mul(hn::Load(df, p.dmin + kLanes * v), dx), f);
      } else {
        const VRow total = hn::Sub(isum[t][v], hn::ShiftLeft<K::kOffsetShift>(fsum));
        f = hn::MulAdd(hn::ConvertTo(df, total), hn::Mul(hn::Load(df, p.d + kLanes * v), dx), f);
      }
      hn::Store(f, df, a);
    }
  }
}

// The tile's views (panel-inl.h) of the two panel shapes; without VNNI a token's int sums take
// 4 ymm, so two tokens pass at a time.
template <class K>
struct K8Ops {
  using Panel = KPanel;
  using X = quant::BlockQ8_K;
  static constexpr int64_t kBlock = 256, kPanelBlocks = 1;
  static constexpr int kTokenStep = kVnni ? 8 : 2;
  static HWY_INLINE void Decode(const MatTile& m, int64_t r, int64_t nr, int64_t b0, int64_t, KPanel& p) {
    DecodeK8<K>(m, r, nr, b0, p);
  }
  template <int NT>
  static HWY_INLINE void Tokens(const KPanel& p, int64_t, const X* const* x, float (*acc)[kRows]) {
    K8Tokens<K, NT>(p, x, acc);
  }
};
template <class K>
struct K16Ops {
  using Panel = K16Panel;
  using X = quant::BlockQ8_K;
  static constexpr int64_t kBlock = 256, kPanelBlocks = 1;
  static constexpr int kTokenStep = kVnni ? 8 : 2;
  static HWY_INLINE void Decode(const MatTile& m, int64_t r, int64_t nr, int64_t b0, int64_t, K16Panel& p) {
    DecodeK16<K>(m, r, nr, b0, p);
  }
  template <int NT>
  static HWY_INLINE void Tokens(const K16Panel& p, int64_t, const X* const* x, float (*acc)[kRows]) {
    K16Tokens<K, NT>(p, x, acc);
  }
};

MatTileFn SelectPanelKTile(DType w) {
  switch (w) {
    case DType::kQ2_K:
      return &Tile<K16Ops<Q2KGroups>>;
    case DType::kQ3_K:
      return &Tile<K16Ops<Q3KGroups>>;
    case DType::kQ4_K:
      return &Tile<K8Ops<Q4KGroups>>;
    case DType::kQ5_K:
      return &Tile<K8Ops<Q5KGroups>>;
    case DType::kQ6_K:
      return &Tile<K16Ops<Q6KGroups>>;
    default:
      return nullptr;
  }
}

#else  // the other targets have their own prompt kernels (VNNI lanes, AMX) or none

MatTileFn SelectPanelKTile(DType) { return nullptr; }

#endif  // HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace densing {

HWY_EXPORT(SelectPanelKTile);

MatTileFn PanelKQuantTile(DType w) { return DENSING_DISPATCH(SelectPanelKTile)(w); }

}  // namespace densing
#endif  // HWY_ONCE
