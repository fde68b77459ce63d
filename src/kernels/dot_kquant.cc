// SIMD tiles for the k-quants against Q8_K activations. Per super-block, each type's Dot adds
// Σ_g scale_g·Σ q·x into int32 lanes (isum: two sets of NT, alternating between chunks so the
// VNNI latency chains stay short) and Σ_g min_g·bsum_g (msum); the row then gets
// d·dx·isum - dmin·dx·msum, as the scalar references in tensor/quant_k.cc. Quants stay unsigned
// (0..63) for the byte products; offsets (Q3_K's 4, Q6_K's 32) come back through bsums.
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_kquant.cc"
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

using quant::BlockQ8_K;

HWY_INLINE V8 LoadX(const BlockQ8_K& x, int offset) { return hn::LoadU(D8(), x.qs + offset); }
HWY_INLINE V16 LoadBsums(const BlockQ8_K& x) {
  return hn::LoadU(D16(), reinterpret_cast<const int16_t*>(x.bsums));
}
// Bytes where `bit` is set in h become `value`, others 0.
HWY_INLINE VU8 BitTo(VU8 h, uint8_t bit, uint8_t value) {
  const DU8 du8;
  const VU8 b = hn::Set(du8, bit);
  return hn::And(hn::VecFromMask(du8, hn::Eq(hn::And(h, b), b)), hn::Set(du8, value));
}

// Q4_K/Q5_K scales and mins of the 8 groups of 32, unpacked from 12 bytes four at a time (see
// quant::ScaleMinK4): the scales as the bytes of `scales` (byte g: group g), the mins widened so
// int16 lanes 2g and 2g + 1 hold min g. All in registers: going through small arrays on the
// stack costs a failed store-to-load forward per super-block.
HWY_INLINE V16 ScalesK4(const uint8_t* packed, uint64_t* scales) {
  uint32_t w[3];
  std::memcpy(w, packed, 12);
  const uint64_t sc_lo = w[0] & 0x3F3F3F3Fu;
  const uint64_t sc_hi = (w[2] & 0x0F0F0F0Fu) | ((w[0] >> 2) & 0x30303030u);
  const uint64_t mn_lo = w[1] & 0x3F3F3F3Fu;
  const uint64_t mn_hi = ((w[2] >> 4) & 0x0F0F0F0Fu) | ((w[1] >> 2) & 0x30303030u);
  *scales = sc_lo | sc_hi << 32;
  const __m256i m32 = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(mn_lo | mn_hi << 32)));
  return V16{_mm256_or_si256(m32, _mm256_slli_epi32(m32, 16))};
}
// The same with the scales as bytes.
HWY_INLINE V16 ScalesK4(const uint8_t* packed, uint8_t* sc) {
  uint64_t scales;
  const V16 mins = ScalesK4(packed, &scales);
  std::memcpy(sc, &scales, 8);
  return mins;
}

struct Q4_KW {
  using Block = quant::BlockQ4_K;
  static constexpr bool kHasMin = true;
  static constexpr float kUnit = 1.0f;  // of the sums in isum
  template <int NT>
  static HWY_INLINE void Dot(const Block& b, const BlockQ8_K* const* x, V32* isum, V32* msum) {
    uint8_t sc[8];
    const V16 mins = ScalesK4(b.scales, sc);
    const VU8 m4 = hn::Set(DU8(), 0x0F);
    for (int j = 0; j < 4; ++j) {
      const VU8 q = hn::LoadU(DU8(), b.qs + 32 * j);
      const VU8 lo = hn::And(q, m4), hi = hn::ShiftRight<4>(q);
      const V16 s_lo = hn::Set(D16(), sc[2 * j]), s_hi = hn::Set(D16(), sc[2 * j + 1]);
      for (int t = 0; t < NT; ++t) {
        isum[t] = ScaledDotU8S8(isum[t], lo, LoadX(*x[t], 64 * j), s_lo);
        isum[NT + t] = ScaledDotU8S8(isum[NT + t], hi, LoadX(*x[t], 64 * j + 32), s_hi);
      }
    }
    for (int t = 0; t < NT; ++t) msum[t] = MulPairs(LoadBsums(*x[t]), mins);
  }
};

struct Q5_KW {
  using Block = quant::BlockQ5_K;
  static constexpr bool kHasMin = true;
  static constexpr float kUnit = 1.0f;  // of the sums in isum
  template <int NT>
  static HWY_INLINE void Dot(const Block& b, const BlockQ8_K* const* x, V32* isum, V32* msum) {
    uint8_t sc[8];
    const V16 mins = ScalesK4(b.scales, sc);
    const VU8 m4 = hn::Set(DU8(), 0x0F);
    const VU8 h = hn::LoadU(DU8(), b.qh);
    for (int j = 0; j < 4; ++j) {
      const VU8 q = hn::LoadU(DU8(), b.qs + 32 * j);
      const VU8 lo = hn::Or(hn::And(q, m4), BitTo(h, static_cast<uint8_t>(1 << (2 * j)), 16));
      const VU8 hi = hn::Or(hn::ShiftRight<4>(q), BitTo(h, static_cast<uint8_t>(2 << (2 * j)), 16));
      const V16 s_lo = hn::Set(D16(), sc[2 * j]), s_hi = hn::Set(D16(), sc[2 * j + 1]);
      for (int t = 0; t < NT; ++t) {
        isum[t] = ScaledDotU8S8(isum[t], lo, LoadX(*x[t], 64 * j), s_lo);
        isum[NT + t] = ScaledDotU8S8(isum[NT + t], hi, LoadX(*x[t], 64 * j + 32), s_hi);
      }
    }
    for (int t = 0; t < NT; ++t) msum[t] = MulPairs(LoadBsums(*x[t]), mins);
  }
};

struct Q6_KW {
  using Block = quant::BlockQ6_K;
  static constexpr bool kHasMin = false;
  static constexpr float kUnit = 1.0f;  // of the sums in isum
  template <int NT>
  static HWY_INLINE void Dot(const Block& b, const BlockQ8_K* const* x, V32* isum, V32*) {
    const V16 scales = hn::PromoteTo(D16(), hn::LoadU(hn::Full128<int8_t>(), b.scales));
    const VU8 m4 = hn::Set(DU8(), 0x0F), m30 = hn::Set(DU8(), 0x30);
    for (int n = 0; n < 2; ++n) {
      const VU8 l0 = hn::LoadU(DU8(), b.ql + 64 * n);
      const VU8 l1 = hn::LoadU(DU8(), b.ql + 64 * n + 32);
      const VU8 h = hn::LoadU(DU8(), b.qh + 32 * n);
      const VU8 q[4] = {
          hn::Or(hn::And(l0, m4), hn::And(hn::ShiftLeft<4>(h), m30)),
          hn::Or(hn::And(l1, m4), hn::And(hn::ShiftLeft<2>(h), m30)),
          hn::Or(hn::ShiftRight<4>(l0), hn::And(h, m30)),
          hn::Or(hn::ShiftRight<4>(l1), hn::And(hn::ShiftRight<2>(h), m30)),
      };
      for (int p = 0; p < 4; ++p) {
        const int g = 8 * n + 2 * p;
        const V16 s = PairScale(b.scales[g], b.scales[g + 1]);
        V32* sum = isum + (p & 1) * NT;
        for (int t = 0; t < NT; ++t) sum[t] = ScaledDotU8S8(sum[t], q[p], LoadX(*x[t], 16 * g), s);
      }
    }
    for (int t = 0; t < NT; ++t) {
      isum[t] = hn::Sub(isum[t], hn::ShiftLeft<5>(MulPairs(LoadBsums(*x[t]), scales)));
    }
  }
};

// The 2-bit fields of Q2_K/Q3_K: 32 bytes of qs hold 4 chunks of 32 consecutive elements, chunk
// s in bits 2s and 2s + 1. Chunks 0-2 stay where they are, 4^s times the field (the scales below
// carry the rest of a common factor 16, and the row's d a 1/16); chunk 3 is shifted down, as 64
// times it would overflow the byte products. One AND each instead of a shift and an AND. (A sum
// 16 times as large can pass 2^24 for extreme blocks, where its conversion to float rounds it
// by up to 1 part in 2^24.)
constexpr float kInPlaceUnit = 1.0f / 16;
HWY_INLINE void CrumbsInPlace(const uint8_t* qs, VU8* c) {
  const VU8 q = hn::LoadU(DU8(), qs);
  c[0] = hn::And(q, hn::Set(DU8(), 0x03));
  c[1] = hn::And(q, hn::Set(DU8(), 0x0C));
  c[2] = hn::And(q, hn::Set(DU8(), 0x30));
  c[3] = hn::ShiftRight<6>(q);
}
// The factor chunk s's scales take so that every chunk's sum is 16 times its value.
HWY_INLINE __m256i InPlaceScales(__m256i scales, int s) {
  switch (s) {
    case 1: return _mm256_slli_epi16(scales, 2);
    case 2: return scales;
    default: return _mm256_slli_epi16(scales, 4);
  }
}

// Q3_K's sixteen 6-bit scales, minus 32, as signed bytes (see quant::ScaleQ3K), computed in
// registers: low nibbles from bytes 0-7, the top two bits from bytes 8-11.
HWY_INLINE __m128i ScalesQ3K(const uint8_t* s) {
  uint64_t a;
  uint32_t b;
  std::memcpy(&a, s, 8);
  std::memcpy(&b, s + 8, 4);
  constexpr uint64_t kNibbles = 0x0F0F0F0F0F0F0F0Full;
  constexpr uint32_t kCrumbs = 0x03030303u;
  const uint64_t top_lo = (b & kCrumbs) | static_cast<uint64_t>((b >> 2) & kCrumbs) << 32;  // groups 0-7
  const uint64_t top_hi = ((b >> 4) & kCrumbs) | static_cast<uint64_t>((b >> 6) & kCrumbs) << 32;  // 8-15
  const uint64_t lo = (a & kNibbles) | top_lo << 4, hi = ((a >> 4) & kNibbles) | top_hi << 4;
  return _mm_sub_epi8(_mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo)), _mm_set1_epi8(32));
}
// Sixteen scale bytes (group g in byte g) as int16 lanes, the even groups in the low 128 bits and
// the odd ones in the high 128, so that one byte shuffle gives a chunk's pair of groups.
template <bool kSigned>
HWY_INLINE __m256i EvenOddScales(__m128i sc) {
  const __m128i even_odd = _mm_shuffle_epi8(sc, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
  return kSigned ? _mm256_cvtepi8_epi16(even_odd) : _mm256_cvtepu8_epi16(even_odd);
}
// The int16 lanes of groups 2p (low half) and 2p + 1 (high half) from EvenOddScales.
HWY_INLINE V16 PairScaleOf(__m256i even_odd, int p) {
  return V16{_mm256_shuffle_epi8(even_odd, _mm256_set1_epi16(static_cast<int16_t>((2 * p + 1) << 8 | 2 * p)))};
}

struct Q2_KW {
  using Block = quant::BlockQ2_K;
  static constexpr bool kHasMin = true;
  static constexpr float kUnit = kInPlaceUnit;
  template <int NT>
  static HWY_INLINE void Dot(const Block& b, const BlockQ8_K* const* x, V32* isum, V32* msum) {
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
    const V16 mins{_mm256_srli_epi16(_mm256_cvtepu8_epi16(packed), 4)};
    const __m256i scales = EvenOddScales<false>(_mm_and_si128(packed, _mm_set1_epi8(0x0F)));
    const __m256i scaled[3] = {InPlaceScales(scales, 0), InPlaceScales(scales, 1), scales};
    for (int n = 0; n < 2; ++n) {
      VU8 c[4];
      CrumbsInPlace(b.qs + 32 * n, c);
      for (int s = 0; s < 4; ++s) {
        const int g = 8 * n + 2 * s;
        const V16 sc = PairScaleOf(scaled[s % 3], 4 * n + s);
        V32* sum = isum + (s & 1) * NT;
        for (int t = 0; t < NT; ++t) sum[t] = ScaledDotU8S8(sum[t], c[s], LoadX(*x[t], 16 * g), sc);
      }
    }
    for (int t = 0; t < NT; ++t) msum[t] = MulPairs(LoadBsums(*x[t]), mins);
  }
};

struct Q3_KW {
  using Block = quant::BlockQ3_K;
  static constexpr bool kHasMin = false;
  static constexpr float kUnit = kInPlaceUnit;
  template <int NT>
  static HWY_INLINE void Dot(const Block& b, const BlockQ8_K* const* x, V32* isum, V32*) {
    const __m128i sc = ScalesQ3K(b.scales);
    const __m256i scales = EvenOddScales<true>(sc);
    const __m256i scaled[3] = {InPlaceScales(scales, 0), InPlaceScales(scales, 1), scales};
    const VU8 h = hn::LoadU(DU8(), b.hmask);
    for (int n = 0; n < 2; ++n) {
      VU8 c[4];
      CrumbsInPlace(b.qs + 32 * n, c);
      for (int s = 0; s < 4; ++s) {
        const int g = 8 * n + 2 * s;
        // The high bit joins the field at its place: 4 · 4^s (chunk 3: 4).
        const uint8_t high = static_cast<uint8_t>(s == 3 ? 4 : 4 << (2 * s));
        const VU8 q = hn::Or(c[s], BitTo(h, static_cast<uint8_t>(1 << (4 * n + s)), high));
        const V16 scale = PairScaleOf(scaled[s % 3], 4 * n + s);
        V32* sum = isum + (s & 1) * NT;
        for (int t = 0; t < NT; ++t) sum[t] = ScaledDotU8S8(sum[t], q, LoadX(*x[t], 16 * g), scale);
      }
    }
    // The offset 4 of every quant, at the common factor 16.
    const V16 scales_in_order{_mm256_cvtepi8_epi16(sc)};
    for (int t = 0; t < NT; ++t) {
      isum[t] = hn::Sub(isum[t], hn::ShiftLeft<6>(MulPairs(LoadBsums(*x[t]), scales_in_order)));
    }
  }
};

template <class K, int NT>
HWY_INLINE void RowTokens(const MatTile& m, int64_t r, int64_t t0) {
  using Block = typename K::Block;
  const auto* wb = reinterpret_cast<const Block*>(m.w + r * m.w_row_bytes);
  const BlockQ8_K* xrow[NT];
  VF acc[NT], acc_min[NT];
  for (int t = 0; t < NT; ++t) {
    xrow[t] = reinterpret_cast<const BlockQ8_K*>(m.x + (t0 + t) * m.x_row_bytes);
    acc[t] = acc_min[t] = hn::Zero(DF());
  }
  const int64_t nb = m.k / quant::kQKK;
  for (int64_t i = 0; i < nb; ++i) {
    const BlockQ8_K* x[NT];
    V32 isum[2 * NT], msum[NT];  // two sets of partial sums: shorter dependency chains
    for (int t = 0; t < NT; ++t) {
      x[t] = xrow[t] + i;
      isum[t] = isum[NT + t] = msum[t] = hn::Zero(D32());
    }
    K::template Dot<NT>(wb[i], x, isum, msum);
    for (int t = 0; t < NT; ++t) isum[t] = hn::Add(isum[t], isum[NT + t]);
    const float d = LoadF16Fast(wb[i].d);
    for (int t = 0; t < NT; ++t) {
      const float dx = LoadF32(x[t]->d);
      acc[t] = hn::MulAdd(hn::ConvertTo(DF(), isum[t]), hn::Set(DF(), d * dx * K::kUnit), acc[t]);
      if constexpr (K::kHasMin) {
        const VF dmin = hn::Set(DF(), LoadF16Fast(wb[i].dmin) * dx);
        acc_min[t] = hn::MulAdd(hn::ConvertTo(DF(), msum[t]), dmin, acc_min[t]);
      }
    }
  }
  for (int t = 0; t < NT; ++t) {
    m.y[(t0 + t) * m.y_stride + r] = SumLanes(acc[t]) - SumLanes(acc_min[t]);
  }
}

// One token against R rows a fraction 1/R of a task apart (decode): R sequential memory streams
// in flight instead of one, as one core's DRAM bandwidth grows with the streams it keeps open.
// Each row's sum takes RowTokens' steps, bit for bit.
template <class K, int R>
HWY_INLINE void RowStreams(const MatTile& m, int64_t r, int64_t spacing, int64_t t) {
  using Block = typename K::Block;
  const Block* wb[R];
  VF acc[R], acc_min[R];
  for (int i = 0; i < R; ++i) {
    wb[i] = reinterpret_cast<const Block*>(m.w + (r + i * spacing) * m.w_row_bytes);
    acc[i] = acc_min[i] = hn::Zero(DF());
  }
  const auto* xrow = reinterpret_cast<const BlockQ8_K*>(m.x + t * m.x_row_bytes);
  const int64_t nb = m.k / quant::kQKK;
  for (int64_t b = 0; b < nb; ++b) {
    const BlockQ8_K* x = xrow + b;
    const float dx = LoadF32(x->d);
    for (int i = 0; i < R; ++i) {
      for (int64_t o = 0; o < static_cast<int64_t>(sizeof(Block)); o += 64) {
        hwy::Prefetch(reinterpret_cast<const uint8_t*>(wb[i] + b) + kStreamPrefetch + o);
      }
      V32 isum[2] = {hn::Zero(D32()), hn::Zero(D32())}, msum[1] = {hn::Zero(D32())};
      K::template Dot<1>(wb[i][b], &x, isum, msum);
      acc[i] = hn::MulAdd(hn::ConvertTo(DF(), hn::Add(isum[0], isum[1])),
                          hn::Set(DF(), LoadF16Fast(wb[i][b].d) * dx * K::kUnit), acc[i]);
      if constexpr (K::kHasMin) {
        acc_min[i] = hn::MulAdd(hn::ConvertTo(DF(), msum[0]),
                                hn::Set(DF(), LoadF16Fast(wb[i][b].dmin) * dx), acc_min[i]);
      }
    }
  }
  for (int i = 0; i < R; ++i) {
    m.y[t * m.y_stride + r + i * spacing] = SumLanes(acc[i]) - SumLanes(acc_min[i]);
  }
}

template <class K>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  int64_t t = t0;
  for (; t + 4 <= t1; t += 4) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<K, 4>(m, r, t);
  }
  for (; t + 2 <= t1; t += 2) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<K, 2>(m, r, t);
  }
  for (; t < t1; ++t) {  // decode: kStreams streams, then the rows left over
    const int64_t spacing = (r1 - r0) / kStreams;
    for (int64_t r = r0; r < r0 + spacing; ++r) RowStreams<K, kStreams>(m, r, spacing, t);
    for (int64_t r = r0 + kStreams * spacing; r < r1; ++r) RowTokens<K, 1>(m, r, t);
  }
}

#if HWY_TARGET == HWY_AVX3_DL
// AVX-512 tiles for Q4_K and Q6_K, the k-quants of the _M mixes: 64 quants per vpmaddubsw, the
// group scales applied by vpdpwssd in int32 (as the reference sums sc·Σq·x exactly), one convert
// and FMA per super-block; the offsets and mins through the activations' group sums.
namespace k512 {

HWY_INLINE __m512i Dpwssd(__m512i acc, __m512i a, __m512i b) {
  asm("vpdpwssd %[b], %[a], %[r]" : [r] "+v"(acc) : [a] "v"(a), [b] "v"(b));
  return acc;
}
// 32 bytes at p and 32 at q as one vector.
HWY_INLINE __m512i Load2x256(const void* p, const void* q) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(static_cast<const __m256i*>(p))),
                            _mm256_loadu_si256(static_cast<const __m256i*>(q)), 1);
}
// Word lanes from bytes: output word w takes byte idx[w] of v (zero-extended).
HWY_INLINE __m512i SpreadBytesToWords(__m512i v, __m512i idx) {
  return _mm512_maskz_permutexvar_epi8(0x5555555555555555ull, idx, v);
}

struct Q4_K512 {
  using Block = quant::BlockQ4_K;
  // Weights decoded once per super-block: quants as [g0|g2], [g1|g3], [g4|g6], [g5|g7] (32 each),
  // the matching word scales, the mins spread over the activations' 16-element sums.
  struct W {
    __m512i q[4], s[4];
    __m256i mins;
  };
  static HWY_INLINE float MinFactor(const Block& b) { return LoadF16Fast(b.dmin); }
  static HWY_INLINE W Decode(const Block& b) {
    alignas(64) static constexpr uint8_t kIdx[4][64] = {
#define DENSING_SC(lo, hi)                                                                      \
  {2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0,      \
   2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0, 2 * lo, 0,      \
   2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0,      \
   2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0, 2 * hi, 0}
        DENSING_SC(0, 2), DENSING_SC(1, 3), DENSING_SC(4, 6), DENSING_SC(5, 7)
#undef DENSING_SC
    };
    uint64_t sc64;
    const V16 mins = ScalesK4(b.scales, &sc64);
    W w;
    w.mins = mins.raw;
    // Scales as words in a vector (byte 2g = sc[g]), then spread to each group's word lanes.
    const __m512i scw = _mm512_cvtepu8_epi16(_mm256_castsi128_si256(_mm_cvtsi64_si128(static_cast<long long>(sc64))));
    for (int i = 0; i < 4; ++i) w.s[i] = SpreadBytesToWords(scw, _mm512_load_si512(kIdx[i]));
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    for (int h = 0; h < 2; ++h) {
      const __m512i v = _mm512_loadu_si512(b.qs + 64 * h);
      w.q[2 * h] = _mm512_and_si512(v, m4);
      w.q[2 * h + 1] = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
    }
    return w;
  }
  // An activation super-block in the quants' order, loaded once for every row that uses it.
  struct X {
    __m512i q[4];
    __m256i bsums;
  };
  static HWY_INLINE X LoadX(const quant::BlockQ8_K& x) {
    const int8_t* q = x.qs;
    return {{Load2x256(q, q + 64), Load2x256(q + 32, q + 96), Load2x256(q + 128, q + 192),
             Load2x256(q + 160, q + 224)},
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.bsums))};
  }
  // int32 lanes of Σ sc·q·x over the super-block, and the 8 lanes of Σ m·bsum.
  static HWY_INLINE __m512i Dot(const W& w, const X& x, __m256i* msum) {
    __m512i acc = _mm512_setzero_si512();
    for (int i = 0; i < 4; ++i) acc = Dpwssd(acc, _mm512_maddubs_epi16(w.q[i], x.q[i]), w.s[i]);
    *msum = _mm256_madd_epi16(x.bsums, w.mins);
    return acc;
  }
};

struct Q6_K512 {
  using Block = quant::BlockQ6_K;
  // The -32 offset goes through msum, scaled by d like the rest.
  // Quants 0..63 of elements [0, 64), [64, 128), [128, 192), [192, 256); word scales of their
  // four groups of 16 each; the scales as words for the offset term.
  struct W {
    __m512i q[4], s[4];
    __m256i scales;
  };
  static HWY_INLINE float MinFactor(const Block& b) { return LoadF16Fast(b.d); }
  static HWY_INLINE W Decode(const Block& b) {
    alignas(64) static constexpr uint16_t kIdx[4][32] = {
#define DENSING_SC(g) g, g, g, g, g, g, g, g, g + 1, g + 1, g + 1, g + 1, g + 1, g + 1, g + 1, g + 1, \
                      g + 2, g + 2, g + 2, g + 2, g + 2, g + 2, g + 2, g + 2, g + 3, g + 3, g + 3, \
                      g + 3, g + 3, g + 3, g + 3, g + 3
        {DENSING_SC(0)}, {DENSING_SC(4)}, {DENSING_SC(8)}, {DENSING_SC(12)}
#undef DENSING_SC
    };
    W w;
    const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
    w.scales = sc16;
    const __m512i scw = _mm512_castsi256_si512(sc16);
    for (int i = 0; i < 4; ++i) w.s[i] = _mm512_permutexvar_epi16(_mm512_load_si512(kIdx[i]), scw);
    const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
    const __m512i shl = _mm512_setr_epi64(4, 4, 4, 4, 2, 2, 2, 2);  // q0 | q1 high bits
    const __m512i shr = _mm512_setr_epi64(0, 0, 0, 0, 2, 2, 2, 2);  // q2 | q3 high bits
    for (int n = 0; n < 2; ++n) {
      const __m512i l = _mm512_loadu_si512(b.ql + 64 * n);  // l0 | l1
      const __m512i h = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * n)));
      const __m512i lo = _mm512_and_si512(l, m4), hi = _mm512_and_si512(_mm512_srli_epi16(l, 4), m4);
      // Shifting whole qwords moves bits across bytes; the 0x30 mask keeps only each byte's own.
      w.q[2 * n] = _mm512_or_si512(lo, _mm512_and_si512(_mm512_sllv_epi64(h, shl), m30));
      w.q[2 * n + 1] = _mm512_or_si512(hi, _mm512_and_si512(_mm512_srlv_epi64(h, shr), m30));
    }
    return w;
  }
  struct X {
    __m512i q[4];
    __m256i bsums;
  };
  static HWY_INLINE X LoadX(const quant::BlockQ8_K& x) {
    X v;
    for (int i = 0; i < 4; ++i) v.q[i] = _mm512_loadu_si512(x.qs + 64 * i);
    v.bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.bsums));
    return v;
  }
  static HWY_INLINE __m512i Dot(const W& w, const X& x, __m256i* msum) {
    __m512i acc = _mm512_setzero_si512();
    for (int i = 0; i < 4; ++i) acc = Dpwssd(acc, _mm512_maddubs_epi16(w.q[i], x.q[i]), w.s[i]);
    // Σ sc·(q - 32)·x = Σ sc·q·x - 32·Σ_g sc_g·bsum_g
    *msum = _mm256_slli_epi32(_mm256_madd_epi16(x.bsums, w.scales), 5);
    return acc;
  }
};

template <class K, int NT>
HWY_INLINE void RowTokens(const MatTile& m, int64_t r, int64_t t0) {
  using Block = typename K::Block;
  const auto* wb = reinterpret_cast<const Block*>(m.w + r * m.w_row_bytes);
  const quant::BlockQ8_K* xrow[NT];
  __m512 acc[NT];
  __m256 acc_min[NT];
  for (int t = 0; t < NT; ++t) {
    xrow[t] = reinterpret_cast<const quant::BlockQ8_K*>(m.x + (t0 + t) * m.x_row_bytes);
    acc[t] = _mm512_setzero_ps();
    acc_min[t] = _mm256_setzero_ps();
  }
  const int64_t nb = m.k / quant::kQKK;
  for (int64_t i = 0; i < nb; ++i) {
    if constexpr (NT == 1) {
      for (int64_t o = 0; o < static_cast<int64_t>(sizeof(Block)); o += 64) {
        hwy::Prefetch(reinterpret_cast<const uint8_t*>(wb + i) + kStreamPrefetch + o);
      }
    }
    const typename K::W w = K::Decode(wb[i]);
    const float d = LoadF16Fast(wb[i].d);
    const float dmin = K::MinFactor(wb[i]);
    for (int t = 0; t < NT; ++t) {
      const quant::BlockQ8_K& x = xrow[t][i];
      __m256i msum;
      const __m512i isum = K::Dot(w, K::LoadX(x), &msum);
      const float dx = LoadF32(x.d);
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(d * dx), acc[t]);
      acc_min[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(dmin * dx), acc_min[t]);
    }
  }
  for (int t = 0; t < NT; ++t) {
    const __m256 am = acc_min[t];
    const __m128 m4 = _mm_add_ps(_mm256_castps256_ps128(am), _mm256_extractf128_ps(am, 1));
    const __m128 m2 = _mm_add_ps(m4, _mm_movehl_ps(m4, m4));
    const float min_sum = _mm_cvtss_f32(_mm_add_ss(m2, _mm_movehdup_ps(m2)));
    m.y[(t0 + t) * m.y_stride + r] = _mm512_reduce_add_ps(acc[t]) - min_sum;
  }
}

// One token against R rows a fraction 1/R of a task apart: R sequential memory streams in
// flight (one core's DRAM bandwidth grows with the streams it keeps open).
template <class K, int R>
HWY_INLINE void RowStreams(const MatTile& m, int64_t r, int64_t spacing, int64_t t) {
  using Block = typename K::Block;
  const Block* wb[R];
  __m512 acc[R];
  __m256 acc_min[R];
  for (int i = 0; i < R; ++i) {
    wb[i] = reinterpret_cast<const Block*>(m.w + (r + i * spacing) * m.w_row_bytes);
    acc[i] = _mm512_setzero_ps();
    acc_min[i] = _mm256_setzero_ps();
  }
  const auto* x = reinterpret_cast<const quant::BlockQ8_K*>(m.x + t * m.x_row_bytes);
  const int64_t nb = m.k / quant::kQKK;
  for (int64_t b = 0; b < nb; ++b) {
    const float dx = LoadF32(x[b].d);
    const typename K::X xb = K::LoadX(x[b]);
    for (int i = 0; i < R; ++i) {
      for (int64_t o = 0; o < static_cast<int64_t>(sizeof(Block)); o += 64) {
        hwy::Prefetch(reinterpret_cast<const uint8_t*>(wb[i] + b) + kStreamPrefetch + o);
      }
      const typename K::W w = K::Decode(wb[i][b]);
      __m256i msum;
      const __m512i isum = K::Dot(w, xb, &msum);
      acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(LoadF16Fast(wb[i][b].d) * dx), acc[i]);
      acc_min[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(K::MinFactor(wb[i][b]) * dx),
                                   acc_min[i]);
    }
  }
  for (int i = 0; i < R; ++i) {
    const __m256 am = acc_min[i];
    const __m128 m4 = _mm_add_ps(_mm256_castps256_ps128(am), _mm256_extractf128_ps(am, 1));
    const __m128 m2 = _mm_add_ps(m4, _mm_movehl_ps(m4, m4));
    const float min_sum = _mm_cvtss_f32(_mm_add_ss(m2, _mm_movehdup_ps(m2)));
    m.y[t * m.y_stride + r + i * spacing] = _mm512_reduce_add_ps(acc[i]) - min_sum;
  }
}

template <class K>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  int64_t t = t0;
  for (; t + 4 <= t1; t += 4) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<K, 4>(m, r, t);
  }
  for (; t + 2 <= t1; t += 2) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<K, 2>(m, r, t);
  }
  for (; t < t1; ++t) {  // decode: kStreams streams, then the rows left over
    const int64_t spacing = (r1 - r0) / kStreams;
    for (int64_t r = r0; r < r0 + spacing; ++r) RowStreams<K, kStreams>(m, r, spacing, t);
    for (int64_t r = r0 + kStreams * spacing; r < r1; ++r) RowTokens<K, 1>(m, r, t);
  }
}

}  // namespace k512
#endif  // HWY_TARGET == HWY_AVX3_DL

MatTileFn SelectKQuantTile(DType w) {
  switch (w) {
    case DType::kQ2_K:
      return &Tile<Q2_KW>;
    case DType::kQ3_K:
      return &Tile<Q3_KW>;
    case DType::kQ4_K:
#if HWY_TARGET == HWY_AVX3_DL
      return &k512::Tile<k512::Q4_K512>;
#else
      return &Tile<Q4_KW>;
#endif
    case DType::kQ5_K:
      return &Tile<Q5_KW>;
    case DType::kQ6_K:
#if HWY_TARGET == HWY_AVX3_DL
      return &k512::Tile<k512::Q6_K512>;
#else
      return &Tile<Q6_KW>;
#endif
    default:
      return nullptr;
  }
}

#else  // no SIMD kernels for this target: the scalar reference tiles serve

MatTileFn SelectKQuantTile(DType) { return nullptr; }

#endif  // DENSING_X86_256

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace densing {

HWY_EXPORT(SelectKQuantTile);

MatTileFn KQuantSimdTile(DType w) { return DENSING_DISPATCH(SelectKQuantTile)(w); }

}  // namespace densing
#endif  // HWY_ONCE
