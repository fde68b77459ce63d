// Panel tiles (kernels/dot_panel.h) for the k-quants Q4_K and Q6_K on the x86 targets: a
// 256-element super-block of kRows rows is decoded into one panel (quants unsigned, group scales
// and mins as int16 pairs per row), and each group's chunks are summed per token as the legacy
// panels' are (dot_panel.cc), then scaled by the group's scale: vpmaddwd on the int16 sums
// without VNNI, one vpmulld on the int32 sums with it. The mins (Q4_K) and the -32 offset (Q6_K)
// come from the activations' per-16 sums (bsums). Shared parts: panel-inl.h.
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

// ---- Q4_K: super-blocks of 256 = 8 groups of 32 with 6-bit scales and mins. ----

struct KPanel {
  alignas(64) uint8_t q[8][8][4 * kRows];  // [group][chunk j][4·row + e]
  alignas(64) int16_t sc[8][2 * kRows];    // [group]: int16 lanes 2·row and 2·row + 1 hold its scale
  alignas(64) int16_t mn[8][2 * kRows];    // the same for the mins
  alignas(64) float d[kRows], dmin[kRows];
};

HWY_INLINE void DecodeQ4K(const MatTile& m, int64_t r, int64_t nr, int64_t sb, KPanel& p) {
  const quant::BlockQ4_K* rows[kRows];
  for (int64_t i = 0; i < kRows; ++i) {
    rows[i] = reinterpret_cast<const quant::BlockQ4_K*>(
                  m.w + (r + std::min(i, nr - 1)) * m.w_row_bytes) + sb;
  }
  for (int64_t i = 0; i < kRows; ++i) {
    for (int g = 0; g < 8; ++g) {
      uint8_t sc = 0, mn = 0;
      quant::ScaleMinK4(g, rows[i]->scales, &sc, &mn);
      p.sc[g][2 * i] = p.sc[g][2 * i + 1] = sc;
      p.mn[g][2 * i] = p.mn[g][2 * i + 1] = mn;
    }
    p.d[i] = LoadF16Fast(rows[i]->d);
    p.dmin[i] = LoadF16Fast(rows[i]->dmin);
  }
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  for (int g = 0; g < 8; ++g) {
    for (int64_t h = 0; h < kRows / 8; ++h) {
      __m256i v[8];
      for (int64_t i = 0; i < 8; ++i) {
        const __m256i q =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[8 * h + i]->qs + 32 * (g / 2)));
        v[i] = g % 2 == 0 ? _mm256_and_si256(q, m4) : _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
      }
      StoreRows8(v, h, p.q[g]);
    }
  }
}

template <int NT>
HWY_INLINE void Q4KTokens(const KPanel& p, const quant::BlockQ8_K* const* x, float (*acc)[kRows]) {
  const DRowF df;
  VRow isum[NT][kVecs];
  for (int t = 0; t < NT; ++t) {
    for (int v = 0; v < kVecs; ++v) isum[t][v] = hn::Zero(DRow());
  }
  for (int g = 0; g < 8; ++g) {
    const int32_t* sc = reinterpret_cast<const int32_t*>(p.sc[g]);
#if HWY_TARGET == HWY_AVX3_DL
    // VNNI: every chunk's products straight into int32 lanes, the group's scale (the int16
    // pair's high half) by one multiply.
    VRow gs[NT];
    for (int t = 0; t < NT; ++t) gs[t] = hn::Zero(DRow());
#pragma GCC unroll 2
    for (int j = 0; j < 8; ++j) {
      const VRow w = LoadChunk(p.q[g][j], 0);
      for (int t = 0; t < NT; ++t) gs[t] = DotRow(gs[t], w, BroadcastRow(x[t]->qs + 32 * g + 4 * j));
    }
    const VRow sc32 = hn::ShiftRight<16>(hn::Load(DRow(), sc));
    for (int t = 0; t < NT; ++t) isum[t][0] = hn::Add(isum[t][0], hn::Mul(gs[t], sc32));
#else
    __m256i h[NT][kVecs];
    for (int t = 0; t < NT; ++t) {
      for (int v = 0; v < kVecs; ++v) h[t][v] = _mm256_setzero_si256();
    }
#pragma GCC unroll 1
    for (int j = 0; j < 8; ++j) {
      __m256i w[kVecs];
      for (int v = 0; v < kVecs; ++v) w[v] = LoadChunk(p.q[g][j], v).raw;
      for (int t = 0; t < NT; ++t) {
        const __m256i xb = BroadcastRow(x[t]->qs + 32 * g + 4 * j).raw;
        for (int v = 0; v < kVecs; ++v) h[t][v] = AddPairs16(h[t][v], w[v], xb);
      }
    }
    for (int v = 0; v < kVecs; ++v) {
      const VRow scv = hn::Load(DRow(), sc + kLanes * v);
      for (int t = 0; t < NT; ++t) isum[t][v] = hn::Add(isum[t][v], MulPairsRow(VRow{h[t][v]}, scv));
    }
#endif
  }
  for (int t = 0; t < NT; ++t) {
    const VRowF dx = hn::Set(df, LoadF32(x[t]->d));
    for (int v = 0; v < kVecs; ++v) {
      // Σ_g min_g · (the activation sums of the group's two halves).
      VRow msum = hn::Zero(DRow());
      for (int g = 0; g < 8; ++g) {
        const VRow mn = hn::Load(DRow(), reinterpret_cast<const int32_t*>(p.mn[g]) + kLanes * v);
        int32_t pair;
        std::memcpy(&pair, x[t]->bsums + 4 * g, 4);
        msum = hn::Add(msum, MulPairsRow(mn, hn::Set(DRow(), pair)));
      }
      float* a = acc[t] + kLanes * v;
      VRowF f = hn::Load(df, a);
      f = hn::MulAdd(hn::ConvertTo(df, isum[t][v]), hn::Mul(hn::Load(df, p.d + kLanes * v), dx), f);
      f = hn::NegMulAdd(hn::ConvertTo(df, msum), hn::Mul(hn::Load(df, p.dmin + kLanes * v), dx), f);
      hn::Store(f, df, a);
    }
  }
}

// ---- Q6_K: super-blocks of 256 = 16 groups of 16 with int8 scales, quants q - 32. ----

struct Q6Panel {
  alignas(64) uint8_t q[8][8][4 * kRows];  // [32 elements][chunk j][4·row + e], q unsigned (0..63)
  alignas(64) int16_t sc[16][2 * kRows];   // [group]: int16 lanes 2·row and 2·row + 1 hold its scale
  alignas(64) int16_t sc2[8][2 * kRows];   // [pair p]: lane 2·row the scale of group 2p, 2·row + 1 of 2p + 1
  alignas(64) float d[kRows];
};

HWY_INLINE void DecodeQ6K(const MatTile& m, int64_t r, int64_t nr, int64_t sb, Q6Panel& p) {
  const quant::BlockQ6_K* rows[kRows];
  for (int64_t i = 0; i < kRows; ++i) {
    rows[i] = reinterpret_cast<const quant::BlockQ6_K*>(
                  m.w + (r + std::min(i, nr - 1)) * m.w_row_bytes) + sb;
  }
  for (int64_t i = 0; i < kRows; ++i) {
    for (int g = 0; g < 16; ++g) {
      const int16_t sc = rows[i]->scales[g];
      p.sc[g][2 * i] = p.sc[g][2 * i + 1] = sc;
      p.sc2[g / 2][2 * i + g % 2] = sc;
    }
    p.d[i] = LoadF16Fast(rows[i]->d);
  }
  const __m256i m4 = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
  for (int s = 0; s < 8; ++s) {  // elements 32s .. 32s + 31: half n, part pt (see dot_kquant.cc)
    const int n = s / 4, pt = s % 4;
    for (int64_t h8 = 0; h8 < kRows / 8; ++h8) {
      __m256i v[8];
      for (int64_t i = 0; i < 8; ++i) {
        const quant::BlockQ6_K* row = rows[8 * h8 + i];
        const __m256i l =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row->ql + 64 * n + 32 * (pt % 2)));
        const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row->qh + 32 * n));
        const __m256i lo = pt < 2 ? _mm256_and_si256(l, m4) : _mm256_and_si256(_mm256_srli_epi16(l, 4), m4);
        __m256i hi;
        switch (pt) {
          case 0:
            hi = _mm256_slli_epi16(h, 4);
            break;
          case 1:
            hi = _mm256_slli_epi16(h, 2);
            break;
          case 2:
            hi = h;
            break;
          default:
            hi = _mm256_srli_epi16(h, 2);
            break;
        }
        v[i] = _mm256_or_si256(lo, _mm256_and_si256(hi, m30));
      }
      StoreRows8(v, h8, p.q[s]);
    }
  }
}

template <int NT>
HWY_INLINE void Q6KTokens(const Q6Panel& p, const quant::BlockQ8_K* const* x, float (*acc)[kRows]) {
  const DRowF df;
  VRow isum[NT][kVecs];
  for (int t = 0; t < NT; ++t) {
    for (int v = 0; v < kVecs; ++v) isum[t][v] = hn::Zero(DRow());
  }
  for (int g = 0; g < 16; ++g) {  // two chunks at a time stay below 2^15 in int16 (63·128·4)
    const int s = g / 2, j0 = 4 * (g % 2);
    const int32_t* sc = reinterpret_cast<const int32_t*>(p.sc[g]);
#if HWY_TARGET == HWY_AVX3_DL
    // VNNI: the group's four chunks into int32 lanes, then its scale by one multiply.
    VRow gs[NT];
    for (int t = 0; t < NT; ++t) gs[t] = hn::Zero(DRow());
    for (int j = j0; j < j0 + 4; ++j) {
      const VRow w = LoadChunk(p.q[s][j], 0);
      for (int t = 0; t < NT; ++t) gs[t] = DotRow(gs[t], w, BroadcastRow(x[t]->qs + 32 * s + 4 * j));
    }
    const VRow sc32 = hn::ShiftRight<16>(hn::Load(DRow(), sc));
    for (int t = 0; t < NT; ++t) isum[t][0] = hn::Add(isum[t][0], hn::Mul(gs[t], sc32));
#else
    for (int half = 0; half < 2; ++half) {
      __m256i h[NT][kVecs];
      for (int j = j0 + 2 * half; j < j0 + 2 * half + 2; ++j) {
        __m256i w[kVecs];
        for (int v = 0; v < kVecs; ++v) w[v] = LoadChunk(p.q[s][j], v).raw;
        for (int t = 0; t < NT; ++t) {
          const __m256i xb = BroadcastRow(x[t]->qs + 32 * s + 4 * j).raw;
          for (int v = 0; v < kVecs; ++v) {
            const __m256i prod = _mm256_maddubs_epi16(w[v], xb);
            h[t][v] = j == j0 + 2 * half ? prod : _mm256_add_epi16(h[t][v], prod);
          }
        }
      }
      for (int v = 0; v < kVecs; ++v) {
        const VRow scv = hn::Load(DRow(), sc + kLanes * v);
        for (int t = 0; t < NT; ++t) isum[t][v] = hn::Add(isum[t][v], MulPairsRow(VRow{h[t][v]}, scv));
      }
    }
#endif
  }
  for (int t = 0; t < NT; ++t) {
    const VRowF dx = hn::Set(df, LoadF32(x[t]->d));
    for (int v = 0; v < kVecs; ++v) {
      // The -32 offset: 32 · Σ_g scale_g · (the activation sum of group g).
      VRow osum = hn::Zero(DRow());
      for (int pr = 0; pr < 8; ++pr) {
        const VRow sc2 = hn::Load(DRow(), reinterpret_cast<const int32_t*>(p.sc2[pr]) + kLanes * v);
        int32_t pair;
        std::memcpy(&pair, x[t]->bsums + 4 * pr, 4);
        osum = hn::Add(osum, MulPairsRow(sc2, hn::Set(DRow(), pair)));
      }
      const VRow total = hn::Sub(isum[t][v], hn::ShiftLeft<5>(osum));
      float* a = acc[t] + kLanes * v;
      hn::Store(hn::MulAdd(hn::ConvertTo(df, total), hn::Mul(hn::Load(df, p.d + kLanes * v), dx), hn::Load(df, a)), df, a);
    }
  }
}
struct Q4KOps {  // the tile's view of Q4_K (panel-inl.h)
  using Panel = KPanel;
  using X = quant::BlockQ8_K;
  static constexpr int64_t kBlock = 256, kPanelBlocks = 1;
  static constexpr int kTokenStep = kVnni ? 8 : 2;  // without VNNI 4 ymm of int sums per token
  static HWY_INLINE void Decode(const MatTile& m, int64_t r, int64_t nr, int64_t b0, int64_t, KPanel& p) {
    DecodeQ4K(m, r, nr, b0, p);
  }
  template <int NT>
  static HWY_INLINE void Tokens(const KPanel& p, int64_t, const X* const* x, float (*acc)[kRows]) {
    Q4KTokens<NT>(p, x, acc);
  }
};

struct Q6KOps {
  using Panel = Q6Panel;
  using X = quant::BlockQ8_K;
  static constexpr int64_t kBlock = 256, kPanelBlocks = 1;
  static constexpr int kTokenStep = kVnni ? 8 : 2;
  static HWY_INLINE void Decode(const MatTile& m, int64_t r, int64_t nr, int64_t b0, int64_t, Q6Panel& p) {
    DecodeQ6K(m, r, nr, b0, p);
  }
  template <int NT>
  static HWY_INLINE void Tokens(const Q6Panel& p, int64_t, const X* const* x, float (*acc)[kRows]) {
    Q6KTokens<NT>(p, x, acc);
  }
};

MatTileFn SelectPanelKTile(DType w) {
  switch (w) {
    case DType::kQ4_K:
      return &Tile<Q4KOps>;
    case DType::kQ6_K:
      return &Tile<Q6KOps>;
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
