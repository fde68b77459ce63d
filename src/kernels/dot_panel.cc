// Panel tiles (kernels/dot_panel.h) for Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K and Q6_K on the x86 targets:
// raw AVX2 intrinsics inside those targets only (the byte products and the 8×8 transposes have
// no Highway 1.0.3 op of their own). Per 32-element block and token: eight broadcasts of four
// activation bytes, eight vpmaddubsw summed in int16 (the unsigned 4- and 5-bit quants cannot
// overflow it), one vpmaddwd into int32 lanes, one convert and one FMA for all eight rows.
// With VNNI (AVX3_DL) vpdpbusd adds every chunk's products straight into the int32 lanes, and the
// k-quants' group scales apply by one vpmulld per group.
// The scalar reference is the traits' vec_dot on the same activations (kernel_families_test).
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_panel.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include <algorithm>
#include <cstring>
// Highway before our headers: foreach_target re-includes this file once per target.
#include "hwy/highway.h"
#include "kernels/cpu_path.h"
#include "kernels/dot_int8-inl.h"
#include "kernels/dot_panel.h"
#include "tensor/quant_blocks.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {

#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL

using panel::XBlock;

// A panel's rows are one vector's int32 lanes: 16 in a zmm with VNNI (AVX3_DL), else 8 in a ymm
// (AVX2; AVX3 keeps 256 bits, as AVX-512BW has no vpsignb for Q8_0's signed bytes).
#if HWY_TARGET == HWY_AVX3_DL
constexpr bool kVnni = true;
using DRow = hn::Full512<int32_t>;
using DRowF = hn::Full512<float>;
#else
constexpr bool kVnni = false;
using DRow = hn::Full256<int32_t>;
using DRowF = hn::Full256<float>;
#endif
using VRow = hn::Vec<DRow>;
using VRowF = hn::Vec<DRowF>;
constexpr int64_t kRows = static_cast<int64_t>(hn::MaxLanes(DRow()));
static_assert(kRows % 8 == 0 && panel::kRowMultiple % kRows == 0);

constexpr int64_t kChunkBlocks = 8;  // 32-element blocks per decoded panel chunk
constexpr int64_t kTokens = 256;     // tokens one decoded panel chunk serves (MatMul hands a
                                     // task all tokens of its rows)

// v[r]: row r's 8 lanes (chunk j in lane j) → v[j]: chunk j of every row (row r in lane r).
HWY_INLINE void Transpose8x8(__m256i* v) {
  const __m256i t0 = _mm256_unpacklo_epi32(v[0], v[1]), t1 = _mm256_unpackhi_epi32(v[0], v[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(v[2], v[3]), t3 = _mm256_unpackhi_epi32(v[2], v[3]);
  const __m256i t4 = _mm256_unpacklo_epi32(v[4], v[5]), t5 = _mm256_unpackhi_epi32(v[4], v[5]);
  const __m256i t6 = _mm256_unpacklo_epi32(v[6], v[7]), t7 = _mm256_unpackhi_epi32(v[6], v[7]);
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
  const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
  const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
  v[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
  v[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
  v[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
  v[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
  v[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
  v[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
  v[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
  v[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

// Four bytes at p in every 32-bit lane.
HWY_INLINE __m256i Broadcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// Four bytes at p in every int32 lane of a row vector.
HWY_INLINE VRow BroadcastRow(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return hn::Set(DRow(), v);
}

// A row vector of a panel's int8 chunk (4 bytes of each row).
HWY_INLINE VRow LoadChunk(const uint8_t* p) { return hn::BitCast(DRow(), hn::Load(hn::Repartition<uint8_t, DRow>(), p)); }

#if HWY_TARGET == HWY_AVX3_DL
// acc + Σ over each 4 bytes of a·b (a unsigned, b signed), all kRows lanes. Inline asm, as
// Highway's AVX3_DL target attributes leave out avx512vnni (see dot_int8-inl.h).
HWY_INLINE VRow DotRow(VRow acc, VRow a, VRow b) {
  __m512i r = acc.raw;
  asm("vpdpbusd %[b], %[a], %[r]" : [r] "+v"(r) : [a] "v"(a.raw), [b] "v"(b.raw));
  return VRow{r};
}
// Σ over pairs of int16 lanes a·b, into int32 lanes.
HWY_INLINE VRow MulPairsRow(VRow a, VRow b) { return VRow{_mm512_madd_epi16(a.raw, b.raw)}; }
#else
HWY_INLINE VRow MulPairsRow(VRow a, VRow b) { return VRow{_mm256_madd_epi16(a.raw, b.raw)}; }
#endif

// Eight rows' 8 lanes of 4 bytes each (v[i]: row i) into a panel's chunks: chunk j of row
// 8·h + i at q[j] + 32·h + 4·i. Called once per group of eight rows h.
HWY_INLINE void StoreRows8(__m256i* v, int64_t h, uint8_t (*q)[4 * kRows]) {
  Transpose8x8(v);
  for (int j = 0; j < 8; ++j) _mm256_store_si256(reinterpret_cast<__m256i*>(q[j] + 32 * h), v[j]);
}

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

// The offset-corrected int32 sums of block b for NT tokens against a decoded chunk. With VNNI,
// vpdpbusd adds each chunk's products straight into the int32 lanes; without, vpmaddubsw pairs
// are summed in int16 and widened by vpmaddwd (the same integers either way).
template <class W, int NT>
HWY_INLINE void LegacySums(const LegacyPanel& p, int64_t b, const typename W::X* const* x, VRow* s) {
#if HWY_TARGET == HWY_AVX3_DL
  static_assert(!W::kSigned);
  for (int t = 0; t < NT; ++t) s[t] = hn::Zero(DRow());
#pragma GCC unroll 2
  for (int j = 0; j < 8; ++j) {
    const VRow w = LoadChunk(p.q[b][j]);
    for (int t = 0; t < NT; ++t) s[t] = DotRow(s[t], w, BroadcastRow(x[t][b].qs + 4 * j));
  }
#else
  const __m256i ones = _mm256_set1_epi16(1);
  if constexpr (W::kSigned) {
    __m256i a[NT];
    for (int t = 0; t < NT; ++t) a[t] = _mm256_setzero_si256();
#pragma GCC unroll 2
    for (int j = 0; j < 8; ++j) {
      const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(p.q[b][j]));
      const __m256i aw = _mm256_abs_epi8(w);
      for (int t = 0; t < NT; ++t) {
        const __m256i xs = _mm256_sign_epi8(Broadcast4(x[t][b].qs + 4 * j), w);
        a[t] = _mm256_add_epi32(a[t], _mm256_madd_epi16(_mm256_maddubs_epi16(aw, xs), ones));
      }
    }
    for (int t = 0; t < NT; ++t) s[t] = VRow{a[t]};
  } else {
    for (int g = 0; g < 8; g += W::kGroup) {
      __m256i h[NT];
      for (int t = 0; t < NT; ++t) h[t] = _mm256_setzero_si256();
#pragma GCC unroll 2
      for (int j = g; j < g + W::kGroup; ++j) {
        const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(p.q[b][j]));
        for (int t = 0; t < NT; ++t) {
          h[t] = _mm256_add_epi16(h[t], _mm256_maddubs_epi16(w, Broadcast4(x[t][b].qs + 4 * j)));
        }
      }
      for (int t = 0; t < NT; ++t) {
        const VRow wide{_mm256_madd_epi16(h[t], ones)};
        s[t] = g == 0 ? wide : hn::Add(s[t], wide);
      }
    }
  }
#endif
  if constexpr (!W::kSigned && !W::kMin) {
    for (int t = 0; t < NT; ++t) s[t] = hn::Sub(s[t], hn::Set(DRow(), x[t][b].sum << W::kShift));
  }
}

// NT tokens (x[t] at the chunk's first block) against a decoded chunk; acc[t]: the rows' sums.
// With two int16 groups per block (Q5_0 without VNNI) the f32 sums stay in memory, as registers
// run out.
template <class W, int NT>
HWY_INLINE void LegacyTokens(const LegacyPanel& p, int64_t nbc, const typename W::X* const* x,
                             float (*acc)[kRows]) {
  const DRowF df;
  constexpr bool kInRegs = kVnni || W::kSigned || W::kGroup == 8;
  VRowF f[NT];
  if constexpr (kInRegs) {
    for (int t = 0; t < NT; ++t) f[t] = hn::Load(df, acc[t]);
  }
  for (int64_t b = 0; b < nbc; ++b) {
    VRow s[NT];
    LegacySums<W, NT>(p, b, x, s);
    const VRowF d = hn::Load(df, p.d[b]);
    for (int t = 0; t < NT; ++t) {
      const VRowF scale = hn::Mul(d, hn::Set(df, XScale(x[t][b])));
      VRowF sum = kInRegs ? f[t] : hn::Load(df, acc[t]);
      sum = hn::MulAdd(hn::ConvertTo(df, s[t]), scale, sum);
      if constexpr (W::kMin) sum = hn::MulAdd(hn::Load(df, p.m[b]), hn::Set(df, XMinSum(x[t][b])), sum);
      if constexpr (kInRegs) {
        f[t] = sum;
      } else {
        hn::Store(sum, df, acc[t]);
      }
    }
  }
  if constexpr (kInRegs) {
    for (int t = 0; t < NT; ++t) hn::Store(f[t], df, acc[t]);
  }
}

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
  VRow isum[NT];
  for (int t = 0; t < NT; ++t) isum[t] = hn::Zero(DRow());
  for (int g = 0; g < 8; ++g) {
    const VRow sc = hn::Load(DRow(), reinterpret_cast<const int32_t*>(p.sc[g]));
#if HWY_TARGET == HWY_AVX3_DL
    // VNNI: every chunk's products straight into int32 lanes, the group's scale (the int16
    // pair's high half) by one multiply.
    VRow gs[NT];
    for (int t = 0; t < NT; ++t) gs[t] = hn::Zero(DRow());
#pragma GCC unroll 2
    for (int j = 0; j < 8; ++j) {
      const VRow w = LoadChunk(p.q[g][j]);
      for (int t = 0; t < NT; ++t) gs[t] = DotRow(gs[t], w, BroadcastRow(x[t]->qs + 32 * g + 4 * j));
    }
    const VRow sc32 = hn::ShiftRight<16>(sc);
    for (int t = 0; t < NT; ++t) isum[t] = hn::Add(isum[t], hn::Mul(gs[t], sc32));
#else
    __m256i h[NT];
    for (int t = 0; t < NT; ++t) h[t] = _mm256_setzero_si256();
#pragma GCC unroll 2
    for (int j = 0; j < 8; ++j) {
      const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(p.q[g][j]));
      for (int t = 0; t < NT; ++t) {
        h[t] = _mm256_add_epi16(h[t], _mm256_maddubs_epi16(w, Broadcast4(x[t]->qs + 32 * g + 4 * j)));
      }
    }
    for (int t = 0; t < NT; ++t) isum[t] = hn::Add(isum[t], MulPairsRow(VRow{h[t]}, sc));
#endif
  }
  const VRowF d = hn::Load(df, p.d), dmin = hn::Load(df, p.dmin);
  for (int t = 0; t < NT; ++t) {
    // Σ_g min_g · (the activation sums of the group's two halves).
    VRow msum = hn::Zero(DRow());
    for (int g = 0; g < 8; ++g) {
      const VRow mn = hn::Load(DRow(), reinterpret_cast<const int32_t*>(p.mn[g]));
      int32_t pair;
      std::memcpy(&pair, x[t]->bsums + 4 * g, 4);
      msum = hn::Add(msum, MulPairsRow(mn, hn::Set(DRow(), pair)));
    }
    const VRowF dx = hn::Set(df, LoadF32(x[t]->d));
    VRowF f = hn::Load(df, acc[t]);
    f = hn::MulAdd(hn::ConvertTo(df, isum[t]), hn::Mul(d, dx), f);
    f = hn::NegMulAdd(hn::ConvertTo(df, msum), hn::Mul(dmin, dx), f);
    hn::Store(f, df, acc[t]);
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
  VRow isum[NT];
  for (int t = 0; t < NT; ++t) isum[t] = hn::Zero(DRow());
  for (int g = 0; g < 16; ++g) {  // two chunks at a time stay below 2^15 in int16 (63·128·4)
    const int s = g / 2, j0 = 4 * (g % 2);
    const VRow sc = hn::Load(DRow(), reinterpret_cast<const int32_t*>(p.sc[g]));
#if HWY_TARGET == HWY_AVX3_DL
    // VNNI: the group's four chunks into int32 lanes, then its scale by one multiply.
    VRow gs[NT];
    for (int t = 0; t < NT; ++t) gs[t] = hn::Zero(DRow());
    for (int j = j0; j < j0 + 4; ++j) {
      const VRow w = LoadChunk(p.q[s][j]);
      for (int t = 0; t < NT; ++t) gs[t] = DotRow(gs[t], w, BroadcastRow(x[t]->qs + 32 * s + 4 * j));
    }
    const VRow sc32 = hn::ShiftRight<16>(sc);
    for (int t = 0; t < NT; ++t) isum[t] = hn::Add(isum[t], hn::Mul(gs[t], sc32));
#else
    for (int half = 0; half < 2; ++half) {
      __m256i h[NT];
      for (int j = j0 + 2 * half; j < j0 + 2 * half + 2; ++j) {
        const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(p.q[s][j]));
        for (int t = 0; t < NT; ++t) {
          const __m256i prod = _mm256_maddubs_epi16(w, Broadcast4(x[t]->qs + 32 * s + 4 * j));
          h[t] = j == j0 + 2 * half ? prod : _mm256_add_epi16(h[t], prod);
        }
      }
      for (int t = 0; t < NT; ++t) isum[t] = hn::Add(isum[t], MulPairsRow(VRow{h[t]}, sc));
    }
#endif
  }
  const VRowF d = hn::Load(df, p.d);
  for (int t = 0; t < NT; ++t) {
    // The -32 offset: 32 · Σ_g scale_g · (the activation sum of group g).
    VRow osum = hn::Zero(DRow());
    for (int pr = 0; pr < 8; ++pr) {
      const VRow sc2 = hn::Load(DRow(), reinterpret_cast<const int32_t*>(p.sc2[pr]));
      int32_t pair;
      std::memcpy(&pair, x[t]->bsums + 4 * pr, 4);
      osum = hn::Add(osum, MulPairsRow(sc2, hn::Set(DRow(), pair)));
    }
    const VRow total = hn::Sub(isum[t], hn::ShiftLeft<5>(osum));
    const VRowF dx = hn::Set(df, LoadF32(x[t]->d));
    hn::Store(hn::MulAdd(hn::ConvertTo(df, total), hn::Mul(d, dx), hn::Load(df, acc[t])), df, acc[t]);
  }
}

// ---- The tile: row groups of kRows × chunks of the row × tokens in fours. ----

template <class X_>
struct LegacyKind {
  using Panel = LegacyPanel;
  using X = X_;
  static constexpr int64_t kBlock = 32, kPanelBlocks = kChunkBlocks;
};
struct Q6KKind {
  using Panel = Q6Panel;
  using X = quant::BlockQ8_K;
  static constexpr int64_t kBlock = 256, kPanelBlocks = 1;
};
struct Q4KKind {
  using Panel = KPanel;
  using X = quant::BlockQ8_K;
  static constexpr int64_t kBlock = 256, kPanelBlocks = 1;
};

template <class W>
struct Ops {  // the legacy types
  using Kind = LegacyKind<typename W::X>;
  static HWY_INLINE void Decode(const MatTile& m, int64_t r, int64_t nr, int64_t b0, int64_t nbc,
                                LegacyPanel& p) {
    DecodeLegacy<W>(m, r, nr, b0, nbc, p);
  }
  template <int NT>
  static HWY_INLINE void Tokens(const LegacyPanel& p, int64_t nbc, const typename W::X* const* x,
                                float (*acc)[kRows]) {
    LegacyTokens<W, NT>(p, nbc, x, acc);
  }
};
struct Q4KOps {
  using Kind = Q4KKind;
  static HWY_INLINE void Decode(const MatTile& m, int64_t r, int64_t nr, int64_t b0, int64_t,
                                KPanel& p) {
    DecodeQ4K(m, r, nr, b0, p);
  }
  template <int NT>
  static HWY_INLINE void Tokens(const KPanel& p, int64_t, const quant::BlockQ8_K* const* x,
                                float (*acc)[kRows]) {
    Q4KTokens<NT>(p, x, acc);
  }
};

struct Q6KOps {
  using Kind = Q6KKind;
  static HWY_INLINE void Decode(const MatTile& m, int64_t r, int64_t nr, int64_t b0, int64_t,
                                Q6Panel& p) {
    DecodeQ6K(m, r, nr, b0, p);
  }
  template <int NT>
  static HWY_INLINE void Tokens(const Q6Panel& p, int64_t, const quant::BlockQ8_K* const* x,
                                float (*acc)[kRows]) {
    Q6KTokens<NT>(p, x, acc);
  }
};

// Tokens per pass over a decoded chunk: their sums stay in registers (zmm: 32 of them).
constexpr int kTokenStep = kVnni ? 8 : 4;

template <class O, int NT>
HWY_INLINE void RunTokens(const MatTile& m, const typename O::Kind::Panel& p, int64_t nbc,
                          int64_t t, int64_t b0, float (*acc)[kRows]) {
  using X = typename O::Kind::X;
  const X* x[NT];
  for (int i = 0; i < NT; ++i) x[i] = reinterpret_cast<const X*>(m.x + (t + i) * m.x_row_bytes) + b0;
  O::template Tokens<NT>(p, nbc, x, acc);
}

template <class O>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  using Kind = typename O::Kind;
  const int64_t nb = m.k / Kind::kBlock;
  typename Kind::Panel p;
  alignas(64) float acc[kTokens][kRows];
  for (int64_t tc = t0; tc < t1; tc += kTokens) {
    const int64_t nt = std::min(kTokens, t1 - tc);
    for (int64_t r = r0; r < r1; r += kRows) {
      const int64_t nr = std::min(kRows, r1 - r);
      for (int64_t t = 0; t < nt; ++t) hn::Store(hn::Zero(DRowF()), DRowF(), acc[t]);
      for (int64_t b0 = 0; b0 < nb; b0 += Kind::kPanelBlocks) {
        const int64_t nbc = std::min(Kind::kPanelBlocks, nb - b0);
        O::Decode(m, r, nr, b0, nbc, p);
        int64_t t = 0;
        for (; t + kTokenStep <= nt; t += kTokenStep) RunTokens<O, kTokenStep>(m, p, nbc, tc + t, b0, acc + t);
        if (kTokenStep > 4 && t + 4 <= nt) {
          RunTokens<O, 4>(m, p, nbc, tc + t, b0, acc + t);
          t += 4;
        }
        switch (nt - t) {
          case 3:
            RunTokens<O, 3>(m, p, nbc, tc + t, b0, acc + t);
            break;
          case 2:
            RunTokens<O, 2>(m, p, nbc, tc + t, b0, acc + t);
            break;
          case 1:
            RunTokens<O, 1>(m, p, nbc, tc + t, b0, acc + t);
            break;
          default:
            break;
        }
      }
      for (int64_t t = 0; t < nt; ++t) {
        float* y = m.y + (tc + t) * m.y_stride + r;
        if (nr == kRows) {
          hn::StoreU(hn::Load(DRowF(), acc[t]), DRowF(), y);
        } else {
          for (int64_t i = 0; i < nr; ++i) y[i] = acc[t][i];
        }
      }
    }
  }
}

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
    case DType::kQ4_K:
      return &Tile<Q4KOps>;
    case DType::kQ6_K:
      return &Tile<Q6KOps>;
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
  MatTileFn f = DENSING_DISPATCH(SelectPanelTile)(w);
  if (packed != nullptr) *packed = w == DType::kQ4_0 || w == DType::kQ5_0 || w == DType::kQ8_0;
  return f;
#endif
}

}  // namespace densing
#endif  // HWY_ONCE
