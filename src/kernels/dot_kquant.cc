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
// quant::ScaleMinK4); then the mins widened so int16 lanes 2g and 2g + 1 hold min g.
HWY_INLINE V16 ScalesK4(const uint8_t* packed, uint8_t* sc) {
  uint32_t w[3];
  std::memcpy(w, packed, 12);
  const uint32_t sc_lo = w[0] & 0x3F3F3F3Fu;
  const uint32_t sc_hi = (w[2] & 0x0F0F0F0Fu) | ((w[0] >> 2) & 0x30303030u);
  const uint32_t mn_lo = w[1] & 0x3F3F3F3Fu;
  const uint32_t mn_hi = ((w[2] >> 4) & 0x0F0F0F0Fu) | ((w[1] >> 2) & 0x30303030u);
  std::memcpy(sc, &sc_lo, 4);
  std::memcpy(sc + 4, &sc_hi, 4);
  uint8_t mn[8];
  std::memcpy(mn, &mn_lo, 4);
  std::memcpy(mn + 4, &mn_hi, 4);
  const V32 m32 = hn::PromoteTo(D32(), hn::LoadU(hn::Rebind<uint8_t, D32>(), mn));
  return hn::BitCast(D16(), hn::Or(m32, hn::ShiftLeft<16>(m32)));
}

struct Q4_KW {
  using Block = quant::BlockQ4_K;
  static constexpr bool kHasMin = true;
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

// The 2-bit fields of Q2_K/Q3_K: 32 bytes of qs hold 4 chunks of 32 consecutive elements.
HWY_INLINE void Crumbs(const uint8_t* qs, VU8* c) {
  const VU8 q = hn::LoadU(DU8(), qs), m3 = hn::Set(DU8(), 3);
  c[0] = hn::And(q, m3);
  c[1] = hn::And(hn::ShiftRight<2>(q), m3);
  c[2] = hn::And(hn::ShiftRight<4>(q), m3);
  c[3] = hn::ShiftRight<6>(q);
}

struct Q2_KW {
  using Block = quant::BlockQ2_K;
  static constexpr bool kHasMin = true;
  template <int NT>
  static HWY_INLINE void Dot(const Block& b, const BlockQ8_K* const* x, V32* isum, V32* msum) {
    const V16 packed = hn::PromoteTo(D16(), hn::LoadU(hn::Full128<uint8_t>(), b.scales));
    const V16 mins = hn::ShiftRight<4>(packed);
    for (int n = 0; n < 2; ++n) {
      VU8 c[4];
      Crumbs(b.qs + 32 * n, c);
      for (int s = 0; s < 4; ++s) {
        const int g = 8 * n + 2 * s;
        const V16 sc = PairScale(b.scales[g] & 0xF, b.scales[g + 1] & 0xF);
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
  template <int NT>
  static HWY_INLINE void Dot(const Block& b, const BlockQ8_K* const* x, V32* isum, V32*) {
    alignas(32) int16_t sc[16];
    for (int g = 0; g < 16; ++g) sc[g] = static_cast<int16_t>(quant::ScaleQ3K(g, b.scales));
    const VU8 h = hn::LoadU(DU8(), b.hmask);
    for (int n = 0; n < 2; ++n) {
      VU8 c[4];
      Crumbs(b.qs + 32 * n, c);
      for (int s = 0; s < 4; ++s) {
        const int g = 8 * n + 2 * s;
        const VU8 q = hn::Or(c[s], BitTo(h, static_cast<uint8_t>(1 << (4 * n + s)), 4));
        const V16 scale = PairScale(sc[g], sc[g + 1]);
        V32* sum = isum + (s & 1) * NT;
        for (int t = 0; t < NT; ++t) sum[t] = ScaledDotU8S8(sum[t], q, LoadX(*x[t], 16 * g), scale);
      }
    }
    const V16 scales = hn::Load(D16(), sc);
    for (int t = 0; t < NT; ++t) {
      isum[t] = hn::Sub(isum[t], hn::ShiftLeft<2>(MulPairs(LoadBsums(*x[t]), scales)));
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
      acc[t] = hn::MulAdd(hn::ConvertTo(DF(), isum[t]), hn::Set(DF(), d * dx), acc[t]);
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

template <class K>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  int64_t t = t0;
  for (; t + 4 <= t1; t += 4) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<K, 4>(m, r, t);
  }
  for (; t + 2 <= t1; t += 2) {
    for (int64_t r = r0; r < r1; ++r) RowTokens<K, 2>(m, r, t);
  }
  for (; t < t1; ++t) {
    for (int64_t r = r0; r < r1; ++r) {
      if (r + kPrefetchRows < r1) PrefetchRow(m, r + kPrefetchRows);
      RowTokens<K, 1>(m, r, t);
    }
  }
}

MatTileFn SelectKQuantTile(DType w) {
  switch (w) {
    case DType::kQ2_K:
      return &Tile<Q2_KW>;
    case DType::kQ3_K:
      return &Tile<Q3_KW>;
    case DType::kQ4_K:
      return &Tile<Q4_KW>;
    case DType::kQ5_K:
      return &Tile<Q5_KW>;
    case DType::kQ6_K:
      return &Tile<Q6_KW>;
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

MatTileFn KQuantSimdTile(DType w) { return HWY_DYNAMIC_DISPATCH(SelectKQuantTile)(w); }

}  // namespace densing
#endif  // HWY_ONCE
