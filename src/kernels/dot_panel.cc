// Panel tiles (kernels/dot_panel.h) for the legacy types Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 on the
// x86 targets; the k-quants are in dot_panel_kquant.cc, the shared parts in panel-inl.h. Raw
// AVX2 and AVX-512 intrinsics inside those targets only (the byte products and the 8×8
// transposes have no Highway 1.0.3 op of their own). Per 32-element block and token: eight
// broadcasts of four activation bytes, each serving the panel's two ymm of rows by a vpmaddubsw
// summed in int16 (the unsigned 4- and 5-bit quants cannot overflow it), then per ymm one
// vpmaddwd into int32 lanes, one convert and one FMA. With VNNI (AVX3_DL) vpdpbusd adds every
// chunk's products straight into the int32 lanes of a zmm, 16 rows at once.
// The scalar reference is the traits' vec_dot on the same activations (kernel_families_test).
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_panel.cc"
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

// ---- Legacy types: 32-element blocks with one f16 scale. ----

// Decoders: a block's 32 quants in element order. kSigned: int8 (Q8_0, through |w| and the
// activation's sign); else unsigned with kShift the log2 of the offset the activation sum undoes,
// kGroup chunks summed in int16 before widening (Σ of kGroup·8 products of at most
// max_q·128 stays below 2^15).
struct Q4_0P {
  using Block = quant::BlockQ4_0;
  using X = XBlock;
  static constexpr bool kSigned = false, kMin = false;
  static constexpr int kShift = 3, kGroup = 8;
  static HWY_INLINE __m256i Decode(const Block& b) { return Nibbles32(b.qs).raw; }
};
struct Q5_0P {
  using Block = quant::BlockQ5_0;
  using X = XBlock;
  static constexpr bool kSigned = false, kMin = false;
  static constexpr int kShift = 4, kGroup = 4;
  static HWY_INLINE __m256i Decode(const Block& b) {
    return hn::Or(Nibbles32(b.qs), SpreadBits(quant::LoadU32(b.qh), 0x10)).raw;
  }
};
// With VNNI, Q8_0's quants are stored as q + 128 (unsigned, the offset undone as Q4_0's is);
// without, they stay signed and pass through |w| and the activation's sign.
struct Q8_0P {
  using Block = quant::BlockQ8_0;
  using X = XBlock;
  static constexpr bool kSigned = !kVnni, kMin = false;
  static constexpr int kShift = kVnni ? 7 : 0, kGroup = 1;
  static HWY_INLINE __m256i Decode(const Block& b) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs));
    return kVnni ? _mm256_xor_si256(q, _mm256_set1_epi8(static_cast<char>(0x80))) : q;
  }
};
// The types with a min (x = d·q + m) take the reference's Q8_1 activations, whose f16 s = d·Σq
// the min multiplies, as the reference's dot product does.
struct Q4_1P {
  using Block = quant::BlockQ4_1;
  using X = quant::BlockQ8_1;
  static constexpr bool kSigned = false, kMin = true;
  static constexpr int kShift = 0, kGroup = 8;
  static HWY_INLINE __m256i Decode(const Block& b) { return Nibbles32(b.qs).raw; }
};
struct Q5_1P {
  using Block = quant::BlockQ5_1;
  using X = quant::BlockQ8_1;
  static constexpr bool kSigned = false, kMin = true;
  static constexpr int kShift = 0, kGroup = 4;
  static HWY_INLINE __m256i Decode(const Block& b) {
    return hn::Or(Nibbles32(b.qs), SpreadBits(quant::LoadU32(b.qh), 0x10)).raw;
  }
};

// An activation block's scale, and (Q8_1) the s its weights' min multiplies.
HWY_INLINE float XScale(const XBlock& x) { return x.d; }
HWY_INLINE float XScale(const quant::BlockQ8_1& x) { return LoadF16Fast(x.d); }
HWY_INLINE float XMinSum(const quant::BlockQ8_1& x) { return LoadF16Fast(x.s); }

struct LegacyPanel {
  alignas(64) uint8_t q[kChunkBlocks][8][4 * kRows];  // [block][chunk j][4·row + e]
  alignas(64) float d[kChunkBlocks][kRows];
  alignas(64) float m[kChunkBlocks][kRows];  // the types with a min
};

// Rows [r, r + nr) (nr ≤ kRows; the rest repeat the last row, whose sums the tile never writes),
// blocks [b0, b0 + nbc) into p.
template <class W>
HWY_INLINE void DecodeLegacy(const MatTile& m, int64_t r, int64_t nr, int64_t b0, int64_t nbc,
                             LegacyPanel& p) {
  using Block = typename W::Block;
  const Block* rows[kRows];
  for (int64_t i = 0; i < kRows; ++i) {
    rows[i] = reinterpret_cast<const Block*>(m.w + (r + std::min(i, nr - 1)) * m.w_row_bytes) + b0;
  }
  for (int64_t b = 0; b < nbc; ++b) {
    for (int64_t h = 0; h < kRows / 8; ++h) {
      __m256i v[8];
      for (int64_t i = 0; i < 8; ++i) {
        const Block& blk = rows[8 * h + i][b];
        v[i] = W::Decode(blk);
        p.d[b][8 * h + i] = LoadF16Fast(blk.d);
        if constexpr (W::kMin) p.m[b][8 * h + i] = LoadF16Fast(blk.m);
      }
      StoreRows8(v, h, p.q[b]);
    }
  }
}

// The offset-corrected int32 sums of block b for NT tokens against a decoded chunk, s[t][v] for
// vector v of the panel's rows. With VNNI, vpdpbusd adds each chunk's products straight into the
// int32 lanes; without, vpmaddubsw pairs are summed in int16 and widened by vpmaddwd (the same
// integers either way). Each activation broadcast serves every vector of rows.
template <class W, int NT>
HWY_INLINE void LegacySums(const LegacyPanel& p, int64_t b, const typename W::X* const* x, VRow (*s)[kVecs]) {
#if HWY_TARGET == HWY_AVX3_DL
  static_assert(!W::kSigned);
  for (int t = 0; t < NT; ++t) {
    for (int v = 0; v < kVecs; ++v) s[t][v] = hn::Zero(DRow());
  }
#pragma GCC unroll 2
  for (int j = 0; j < 8; ++j) {
    VRow w[kVecs];
    for (int v = 0; v < kVecs; ++v) w[v] = LoadChunk(p.q[b][j], v);
    for (int t = 0; t < NT; ++t) {
      const VRow xb = BroadcastRow(x[t][b].qs + 4 * j);
      for (int v = 0; v < kVecs; ++v) s[t][v] = DotRow(s[t][v], w[v], xb);
    }
  }
#else
  const __m256i ones = _mm256_set1_epi16(1);
  if constexpr (W::kSigned) {
    __m256i a[NT][kVecs];
    for (int t = 0; t < NT; ++t) {
      for (int v = 0; v < kVecs; ++v) a[t][v] = _mm256_setzero_si256();
    }
#pragma GCC unroll 1
    for (int j = 0; j < 8; ++j) {
      __m256i w[kVecs], aw[kVecs];
      for (int v = 0; v < kVecs; ++v) {
        w[v] = LoadChunk(p.q[b][j], v).raw;
        aw[v] = _mm256_abs_epi8(w[v]);
      }
      for (int t = 0; t < NT; ++t) {
        const __m256i xb = BroadcastRow(x[t][b].qs + 4 * j).raw;
        for (int v = 0; v < kVecs; ++v) {
          a[t][v] = AddSigned32(a[t][v], w[v], aw[v], xb, ones);
        }
      }
    }
    for (int t = 0; t < NT; ++t) {
      for (int v = 0; v < kVecs; ++v) s[t][v] = VRow{a[t][v]};
    }
  } else {
    for (int g = 0; g < 8; g += W::kGroup) {
      __m256i h[NT][kVecs];
      for (int t = 0; t < NT; ++t) {
        for (int v = 0; v < kVecs; ++v) h[t][v] = _mm256_setzero_si256();
      }
#pragma GCC unroll 4
      for (int j = g; j < g + W::kGroup; ++j) {
        __m256i w[kVecs];
        for (int v = 0; v < kVecs; ++v) w[v] = LoadChunk(p.q[b][j], v).raw;
        for (int t = 0; t < NT; ++t) {
          const __m256i xb = BroadcastRow(x[t][b].qs + 4 * j).raw;
          for (int v = 0; v < kVecs; ++v) h[t][v] = AddPairs16(h[t][v], w[v], xb);
        }
      }
      for (int t = 0; t < NT; ++t) {
        for (int v = 0; v < kVecs; ++v) {
          const VRow wide{_mm256_madd_epi16(h[t][v], ones)};
          s[t][v] = g == 0 ? wide : hn::Add(s[t][v], wide);
        }
      }
    }
  }
#endif
  if constexpr (!W::kSigned && !W::kMin) {
    for (int t = 0; t < NT; ++t) {
      const VRow offset = hn::Set(DRow(), x[t][b].sum << W::kShift);
      for (int v = 0; v < kVecs; ++v) s[t][v] = hn::Sub(s[t][v], offset);
    }
  }
}

// NT tokens (x[t] at the chunk's first block) against a decoded chunk; acc[t]: the rows' sums,
// kept in registers with VNNI (a zmm per token) and in memory without (two ymm per token would
// crowd out the int sums).
template <class W, int NT>
HWY_INLINE void LegacyTokens(const LegacyPanel& p, int64_t nbc, const typename W::X* const* x,
                             float (*acc)[kRows]) {
  const DRowF df;
  VRowF f[NT][kVecs];
  if constexpr (kVnni) {
    for (int t = 0; t < NT; ++t) f[t][0] = hn::Load(df, acc[t]);
  }
  for (int64_t b = 0; b < nbc; ++b) {
    VRow s[NT][kVecs];
    LegacySums<W, NT>(p, b, x, s);
    VRowF d[kVecs];
    for (int v = 0; v < kVecs; ++v) d[v] = hn::Load(df, p.d[b] + kLanes * v);
    for (int t = 0; t < NT; ++t) {
      const VRowF dx = hn::Set(df, XScale(x[t][b]));
      for (int v = 0; v < kVecs; ++v) {
        if constexpr (!kVnni) f[t][v] = hn::Load(df, acc[t] + kLanes * v);
        f[t][v] = hn::MulAdd(hn::ConvertTo(df, s[t][v]), hn::Mul(d[v], dx), f[t][v]);
        if constexpr (W::kMin) {
          f[t][v] = hn::MulAdd(hn::Load(df, p.m[b] + kLanes * v), hn::Set(df, XMinSum(x[t][b])), f[t][v]);
        }
        if constexpr (!kVnni) hn::Store(f[t][v], df, acc[t] + kLanes * v);
      }
    }
  }
  if constexpr (kVnni) {
    for (int t = 0; t < NT; ++t) hn::Store(f[t][0], df, acc[t]);
  }
}
template <class W>
struct Ops {  // the tile's view of a legacy type (panel-inl.h)
  using Panel = LegacyPanel;
  using X = typename W::X;
  static constexpr int64_t kBlock = 32, kPanelBlocks = kChunkBlocks;
  // Without VNNI a token's int sums take 2 ymm (Q4_0, Q4_1, Q8_0), or 4 where a block has two
  // int16 groups (Q5_0, Q5_1).
  static constexpr int kTokenStep = kVnni ? 8 : W::kGroup == 4 ? 2 : 4;
  static HWY_INLINE void Decode(const MatTile& m, int64_t r, int64_t nr, int64_t b0, int64_t nbc,
                                LegacyPanel& p) {
    DecodeLegacy<W>(m, r, nr, b0, nbc, p);
  }
  template <int NT>
  static HWY_INLINE void Tokens(const LegacyPanel& p, int64_t nbc, const X* const* x, float (*acc)[kRows]) {
    LegacyTokens<W, NT>(p, nbc, x, acc);
  }
};

MatTileFn SelectPanelTile(DType w) {
  switch (w) {
    case DType::kQ4_0:
      return &Tile<Ops<Q4_0P>>;
    case DType::kQ5_0:
      return &Tile<Ops<Q5_0P>>;
    case DType::kQ8_0:
      return &Tile<Ops<Q8_0P>>;
    case DType::kQ4_1:
      return &Tile<Ops<Q4_1P>>;
    case DType::kQ5_1:
      return &Tile<Ops<Q5_1P>>;
    default:
      return nullptr;
  }
}

#else  // the other targets have their own prompt kernels (VNNI lanes, AMX) or none

MatTileFn SelectPanelTile(DType) { return nullptr; }

#endif  // HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "kernels/dot_simd.h"

namespace densing {

HWY_EXPORT(SelectPanelTile);

MatTileFn PanelSimdTile(DType w, bool* packed) {
#if defined(__aarch64__)
  if (packed != nullptr) *packed = false;
  return ActiveCpuPath() >= CpuPath::kI8mm ? ArmI8mmTile(w) : nullptr;
#else
  if (packed != nullptr) *packed = w == DType::kQ4_0 || w == DType::kQ5_0 || w == DType::kQ8_0;
  if (MatTileFn f = DENSING_DISPATCH(SelectPanelTile)(w)) return f;
  return PanelKQuantTile(w);
#endif
}

}  // namespace densing
#endif  // HWY_ONCE
