// Highway grouped-query attention and SwiGLU: vector dot products, exp from Highway's
// contrib/math, the softmax online over blocks of keys (flash-attention style); the reference
// versions beside them use ops.h one element at a time.
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/ops_simd.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// Highway before our headers: foreach_target re-includes this file once per target.
#include <algorithm>
#include <cmath>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"
#include "kernels/cpu_path.h"
#include "kernels/ops.h"
#include "kernels/ops_simd.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;

// Σ a·b with two accumulators; scalar tail.
HWY_INLINE float DotF(const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, int64_t n) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  auto s0 = hn::Zero(d), s1 = hn::Zero(d);
  int64_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    s0 = hn::MulAdd(hn::LoadU(d, a + i), hn::LoadU(d, b + i), s0);
    s1 = hn::MulAdd(hn::LoadU(d, a + i + N), hn::LoadU(d, b + i + N), s1);
  }
  for (; i + N <= n; i += N) s0 = hn::MulAdd(hn::LoadU(d, a + i), hn::LoadU(d, b + i), s0);
  float sum = hn::GetLane(hn::SumOfLanes(d, hn::Add(s0, s1)));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
// The four horizontal sums of a, b, c, e as lanes 0..3: the reductions share their shuffles.
HWY_INLINE __m128 Sum4(__m512 a, __m512 b, __m512 c, __m512 e) {
  const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
  const __m512 ce = _mm512_add_ps(_mm512_unpacklo_ps(c, e), _mm512_unpackhi_ps(c, e));
  // Per 128-bit block: [a0+a2, b0+b2, a1+a3, b1+b3] and the same for c, e.
  const __m512 abce = _mm512_add_ps(
      _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(ab), _mm512_castps_pd(ce))),
      _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(ab), _mm512_castps_pd(ce))));
  // Per block: [a, b, c, e] partial sums; add the four blocks.
  const __m256 half = _mm256_add_ps(_mm512_castps512_ps256(abce), _mm512_extractf32x8_ps(abce, 1));
  return _mm_add_ps(_mm256_castps256_ps128(half), _mm256_extractf128_ps(half, 1));
}

// s[j] = q·k_j for j < n, eight keys at a time when the head size is a multiple of 16: eight
// independent FMA chains keep both FMA ports busy, and the reductions share their shuffles.
HWY_INLINE void DotRows(const float* HWY_RESTRICT q, const float* HWY_RESTRICT k, int64_t stride,
                        int64_t n, int64_t hd, float* HWY_RESTRICT s) {
  int64_t j = 0;
  if (hd % 16 == 0) {
    for (; j + 8 <= n; j += 8) {
      const float* kj = k + j * stride;
      __m512 acc[8];
      for (int u = 0; u < 8; ++u) acc[u] = _mm512_setzero_ps();
      for (int64_t i = 0; i < hd; i += 16) {
        const __m512 qi = _mm512_loadu_ps(q + i);
        for (int u = 0; u < 8; ++u) acc[u] = _mm512_fmadd_ps(qi, _mm512_loadu_ps(kj + u * stride + i), acc[u]);
      }
      _mm_storeu_ps(s + j, Sum4(acc[0], acc[1], acc[2], acc[3]));
      _mm_storeu_ps(s + j + 4, Sum4(acc[4], acc[5], acc[6], acc[7]));
    }
  }
  for (; j < n; ++j) s[j] = DotF(q, k + j * stride, hd);
}
#else
HWY_INLINE void DotRows(const float* HWY_RESTRICT q, const float* HWY_RESTRICT k, int64_t stride,
                        int64_t n, int64_t hd, float* HWY_RESTRICT s) {
  for (int64_t j = 0; j < n; ++j) s[j] = DotF(q, k + j * stride, hd);
}
#endif

constexpr int64_t kKeyBlock = 64;  // keys per step of the online softmax
constexpr int kHeadChunk = 4;      // query heads that share each key and value row read
constexpr int64_t kMaxHeadDim = 512;

// Up to kHeadChunk heads over all keys: per block of keys, the scores, the running max and sum,
// the rescaled outputs, then p·V with each value row loaded once for every head.
void AttendChunk(const GroupAttention& g, int64_t h0, int n_heads) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const HeadAttention& a = g.head;
  const int64_t hd = a.head_dim;
  HWY_ALIGN float s[kHeadChunk][kKeyBlock];
  HWY_ALIGN float o[kHeadChunk][kMaxHeadDim];
  float m[kHeadChunk], l[kHeadChunk];
  for (int h = 0; h < n_heads; ++h) {
    m[h] = -INFINITY;
    l[h] = 0.0f;
    std::fill(o[h], o[h] + hd, 0.0f);
  }
  for (int64_t j0 = 0; j0 < a.n_keys; j0 += kKeyBlock) {
    const int64_t nb = std::min(kKeyBlock, a.n_keys - j0);
    const float* kb = static_cast<const float*>(a.k) + j0 * a.stride;
    const float* vb = static_cast<const float*>(a.v) + j0 * a.stride;
    for (int h = 0; h < n_heads; ++h) {
      float* sh = s[h];
      DotRows(a.q + (h0 + h) * g.q_stride, kb, a.stride, nb, hd, sh);
      const auto vscale = hn::Set(d, a.scale);
      int64_t j = 0;
      for (; j + N <= nb; j += N) hn::StoreU(hn::Mul(hn::LoadU(d, sh + j), vscale), d, sh + j);
      for (; j < nb; ++j) sh[j] *= a.scale;
      if (a.softcap > 0) SoftCap(sh, nb, a.softcap);
      auto vmax = hn::Set(d, -INFINITY);
      for (j = 0; j + N <= nb; j += N) vmax = hn::Max(vmax, hn::LoadU(d, sh + j));
      float bmax = hn::GetLane(hn::MaxOfLanes(d, vmax));
      for (; j < nb; ++j) bmax = std::max(bmax, sh[j]);
      const float m_new = std::max(m[h], bmax);
      const float corr = std::exp(m[h] - m_new);  // 0 for the first block
      m[h] = m_new;
      const auto vm = hn::Set(d, m_new);
      auto vsum = hn::Zero(d);
      for (j = 0; j + N <= nb; j += N) {
        const auto e = hn::Exp(d, hn::Sub(hn::LoadU(d, sh + j), vm));
        hn::StoreU(e, d, sh + j);
        vsum = hn::Add(vsum, e);
      }
      float sum = hn::GetLane(hn::SumOfLanes(d, vsum));
      for (; j < nb; ++j) {
        sh[j] = std::exp(sh[j] - m_new);
        sum += sh[j];
      }
      l[h] = l[h] * corr + sum;
      if (corr != 1.0f) {
        const auto vc = hn::Set(d, corr);
        int64_t i = 0;
        for (; i + N <= hd; i += N) hn::Store(hn::Mul(hn::Load(d, o[h] + i), vc), d, o[h] + i);
        for (; i < hd; ++i) o[h][i] *= corr;
      }
    }
    // o[h] += Σ_j p[h][j] v_j, four columns of vectors at a time held in registers (not on SVE,
    // whose vectors cannot be array elements: there a column at a time, the same sums).
    int64_t i = 0;
#if !HWY_HAVE_SCALABLE
    for (; i + 4 * N <= hd; i += 4 * N) {
      using V = decltype(hn::Zero(d));
      V acc[kHeadChunk][4];
      for (int h = 0; h < n_heads; ++h) {
        for (int c = 0; c < 4; ++c) acc[h][c] = hn::Load(d, o[h] + i + c * N);
      }
      for (int64_t j = 0; j < nb; ++j) {
        const float* vj = vb + j * a.stride + i;
        const V v0 = hn::LoadU(d, vj), v1 = hn::LoadU(d, vj + N), v2 = hn::LoadU(d, vj + 2 * N),
                v3 = hn::LoadU(d, vj + 3 * N);
        for (int h = 0; h < n_heads; ++h) {
          const V p = hn::Set(d, s[h][j]);
          acc[h][0] = hn::MulAdd(p, v0, acc[h][0]);
          acc[h][1] = hn::MulAdd(p, v1, acc[h][1]);
          acc[h][2] = hn::MulAdd(p, v2, acc[h][2]);
          acc[h][3] = hn::MulAdd(p, v3, acc[h][3]);
        }
      }
      for (int h = 0; h < n_heads; ++h) {
        for (int c = 0; c < 4; ++c) hn::Store(acc[h][c], d, o[h] + i + c * N);
      }
    }
#endif
    for (; i + N <= hd; i += N) {
      for (int h = 0; h < n_heads; ++h) {
        auto acc = hn::Load(d, o[h] + i);
        for (int64_t j = 0; j < nb; ++j) {
          acc = hn::MulAdd(hn::Set(d, s[h][j]), hn::LoadU(d, vb + j * a.stride + i), acc);
        }
        hn::Store(acc, d, o[h] + i);
      }
    }
    for (; i < hd; ++i) {
      for (int h = 0; h < n_heads; ++h) {
        float acc = o[h][i];
        for (int64_t j = 0; j < nb; ++j) acc += s[h][j] * vb[j * a.stride + i];
        o[h][i] = acc;
      }
    }
  }
  for (int h = 0; h < n_heads; ++h) {
    const float inv = 1.0f / l[h];
    float* out = g.out + (h0 + h) * g.out_stride;
    for (int64_t i = 0; i < hd; ++i) out[i] = o[h][i] * inv;
  }
}

// x rounded to F16 (to nearest even, as the reference's F16C does) and back, lane by lane.
template <class V>
HWY_INLINE V RoundHalf(V x) {
  const DF d;
#if HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128
  // Highway 1.0.3's portable demotion to F16 flushes subnormal results to zero.
  HWY_ALIGN float t[hn::MaxLanes(d)];
  hn::Store(x, d, t);
  for (size_t i = 0; i < hn::Lanes(d); ++i) t[i] = F16ToF32(F32ToF16(t[i]));
  return hn::Load(d, t);
#else
  const hn::Rebind<hwy::float16_t, DF> dh;
  return hn::PromoteTo(d, hn::DemoteTo(dh, x));
#endif
}

// Element i of a row of F32 or F16, as float; n lanes from i as a vector.
template <bool kHalf>
HWY_INLINE float ElementAt(const void* row, int64_t i) {
  if constexpr (kHalf) return F16ToF32(static_cast<const uint16_t*>(row)[i]);
  return static_cast<const float*>(row)[i];
}
template <bool kHalf>
HWY_INLINE auto LoadRow(const void* row, int64_t i) {
  const DF d;
  if constexpr (kHalf) {
    const hn::Rebind<hwy::float16_t, DF> dh;
    return hn::PromoteTo(d, hn::LoadU(dh, static_cast<const hwy::float16_t*>(row) + i));
  } else {
    return hn::LoadU(d, static_cast<const float*>(row) + i);
  }
}

// acc[i, i + N) += a block of value rows (F32, `stride` apart), each step as the reference takes
// it: the sum rescaled by ms[j] when the running max moved, then v_j·vs[j] added; both rounded to
// F16 when the cache holds F16 values.
template <bool kHalfV>
HWY_INLINE void AddValues(const float* v, int64_t stride, int64_t nb, const float* ms,
                          const float* vs, int64_t i, float* acc) {
  const DF d;
  auto x = hn::Load(d, acc + i);
  for (int64_t j = 0; j < nb; ++j) {
    if (ms[j] != 1.0f) x = kHalfV ? RoundHalf(hn::Mul(x, hn::Set(d, ms[j]))) : hn::Mul(x, hn::Set(d, ms[j]));
    const auto y = hn::MulAdd(hn::Load(d, v + j * stride + i), hn::Set(d, vs[j]), x);
    x = kHalfV ? RoundHalf(y) : y;
  }
  hn::Store(x, d, acc + i);
}

constexpr int64_t kHalfBlock = 16;  // keys converted to F32 at a time

#if !HWY_HAVE_SCALABLE  // SVE's vector types cannot be array elements
// AddValues for H heads at once over the same value rows, four vectors each: the per-key
// rounding makes each head's sum a chain of dependent steps, and H·4 chains side by side keep
// the vector units busy while each waits.
template <bool kHalfV, int H>
HWY_INLINE void AddValuesHeads(const float* v, int64_t stride, int64_t nb,
                               const float (*ms)[kHalfBlock], const float (*vs)[kHalfBlock],
                               int64_t i, float (*acc)[kMaxHeadDim]) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  using V = decltype(hn::Zero(d));
  V x[H][4];
  for (int h = 0; h < H; ++h) {
    for (int c = 0; c < 4; ++c) x[h][c] = hn::Load(d, acc[h] + i + c * N);
  }
  for (int64_t j = 0; j < nb; ++j) {
    V vj[4];
    for (int c = 0; c < 4; ++c) vj[c] = hn::Load(d, v + j * stride + i + c * N);
    for (int h = 0; h < H; ++h) {
      if (ms[h][j] != 1.0f) {
        const V vms = hn::Set(d, ms[h][j]);
        for (int c = 0; c < 4; ++c) x[h][c] = kHalfV ? RoundHalf(hn::Mul(x[h][c], vms)) : hn::Mul(x[h][c], vms);
      }
      const V vvs = hn::Set(d, vs[h][j]);
      for (int c = 0; c < 4; ++c) {
        const V y = hn::MulAdd(vj[c], vvs, x[h][c]);
        x[h][c] = kHalfV ? RoundHalf(y) : y;
      }
    }
  }
  for (int h = 0; h < H; ++h) {
    for (int c = 0; c < 4; ++c) hn::Store(x[h][c], d, acc[h] + i + c * N);
  }
}
#endif

// Rows [j0, j0 + nb) of a cached F32 or F16 matrix (`stride` elements apart, hd used) as F32
// rows of `row` floats: F16 → F32 is exact.
template <bool kHalf>
HWY_INLINE void RowsToF32(const void* m, int64_t stride, int64_t j0, int64_t nb, int64_t hd,
                          int64_t row, float* out) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  for (int64_t j = 0; j < nb; ++j) {
    const void* src = static_cast<const uint8_t*>(m) + (j0 + j) * stride * (kHalf ? 2 : 4);
    int64_t i = 0;
    for (; i + N <= hd; i += N) hn::Store(LoadRow<kHalf>(src, i), d, out + j * row + i);
    for (; i < hd; ++i) out[j * row + i] = ElementAt<kHalf>(src, i);
  }
}

// Heads over keys and values of which at least one is F16: the reference engine's flash
// attention, key by key (see AttendHeadReference). Per block of keys, their rows are converted
// to F32 once for up to kHeadChunk heads; per head, the scores, then the running max with the
// rescalings and weights, then the values with the sum held in registers.
template <bool kHalfK, bool kHalfV>
void AttendChunkHalf(const GroupAttention& g, int64_t h0, int n_heads) {
  const HeadAttention& a = g.head;
  const int64_t hd = a.head_dim;
  const int64_t row = (hd + 15) / 16 * 16;  // whole vectors per converted row
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  HWY_ALIGN float kf[kHalfBlock * kMaxHeadDim];
  HWY_ALIGN float vf[kHalfBlock * kMaxHeadDim];
  HWY_ALIGN float qr[kHeadChunk][kMaxHeadDim];
  HWY_ALIGN float acc[kHeadChunk][kMaxHeadDim];
  HWY_ALIGN float s[kHalfBlock], ms[kHeadChunk][kHalfBlock], vs[kHeadChunk][kHalfBlock];
  float m[kHeadChunk], sum[kHeadChunk];
  for (int h = 0; h < n_heads; ++h) {
    const float* q = a.q + (h0 + h) * g.q_stride;
    for (int64_t i = 0; i < hd; ++i) {
      qr[h][i] = kHalfK ? F16ToF32(F32ToF16(q[i])) : q[i];
      acc[h][i] = 0.0f;
    }
    for (int64_t i = hd; i < row; ++i) qr[h][i] = acc[h][i] = 0.0f;
    m[h] = -INFINITY;
    sum[h] = 0.0f;
  }
  for (int64_t j0 = 0; j0 < a.n_keys; j0 += kHalfBlock) {
    const int64_t nb = std::min(kHalfBlock, a.n_keys - j0);
    RowsToF32<kHalfK>(a.k, a.stride, j0, nb, hd, row, kf);
    RowsToF32<kHalfV>(a.v, a.stride, j0, nb, hd, row, vf);
    for (int h = 0; h < n_heads; ++h) {
      DotRows(qr[h], kf, row, nb, hd, s);
      for (int64_t j = 0; j < nb; ++j) s[j] *= a.scale;
      if (a.softcap > 0) SoftCap(s, nb, a.softcap);
      // Key j moves the max to m_j = max(m_{j-1}, s_j): the sum is rescaled by exp(m_{j-1} − m_j)
      // (1 when the max stays) and the key weighs exp(s_j − m_j) (1 when it set the max). The
      // exponents first, then their exps over the whole block at once.
      for (int64_t j = 0; j < nb; ++j) {
        const float prev = m[h];
        m[h] = std::max(prev, s[j]);
        ms[h][j] = prev == -INFINITY ? -INFINITY : prev - m[h];
        vs[h][j] = s[j] - m[h];
      }
      int64_t j = 0;
      const auto zero = hn::Zero(d), one = hn::Set(d, 1.0f);
      for (; j + N <= nb; j += N) {
        const auto em = hn::Load(d, ms[h] + j), ev = hn::Load(d, vs[h] + j);
        hn::Store(hn::IfThenElse(hn::Eq(em, zero), one,
                                 hn::IfThenZeroElse(hn::Eq(em, hn::Set(d, -INFINITY)), hn::Exp(d, em))),
                  d, ms[h] + j);
        hn::Store(hn::IfThenElse(hn::Eq(ev, zero), one, hn::Exp(d, ev)), d, vs[h] + j);
      }
      for (; j < nb; ++j) {
        ms[h][j] = ms[h][j] == 0.0f ? 1.0f : ms[h][j] == -INFINITY ? 0.0f : std::exp(ms[h][j]);
        vs[h][j] = vs[h][j] == 0.0f ? 1.0f : std::exp(vs[h][j]);
      }
      for (j = 0; j < nb; ++j) sum[h] = sum[h] * ms[h][j] + vs[h][j];
    }
    int64_t i = 0;
#if !HWY_HAVE_SCALABLE
    for (; i + 4 * N <= hd; i += 4 * N) {
      switch (n_heads) {
        case 4: AddValuesHeads<kHalfV, 4>(vf, row, nb, ms, vs, i, acc); break;
        case 3: AddValuesHeads<kHalfV, 3>(vf, row, nb, ms, vs, i, acc); break;
        case 2: AddValuesHeads<kHalfV, 2>(vf, row, nb, ms, vs, i, acc); break;
        default: AddValuesHeads<kHalfV, 1>(vf, row, nb, ms, vs, i, acc); break;
      }
    }
#endif
    for (int h = 0; h < n_heads; ++h) {
      int64_t ih = i;
      for (; ih + N <= hd; ih += N) AddValues<kHalfV>(vf, row, nb, ms[h], vs[h], ih, acc[h]);
      for (; ih < hd; ++ih) {
        float x = acc[h][ih];
        for (int64_t j = 0; j < nb; ++j) {
          if (ms[h][j] != 1.0f) x = kHalfV ? F16ToF32(F32ToF16(x * ms[h][j])) : x * ms[h][j];
          x = std::fma(vf[j * row + ih], vs[h][j], x);
          if (kHalfV) x = F16ToF32(F32ToF16(x));
        }
        acc[h][ih] = x;
      }
    }
  }
  for (int h = 0; h < n_heads; ++h) {
    const float inv = 1.0f / sum[h];
    float* out = g.out + (h0 + h) * g.out_stride;
    for (int64_t i = 0; i < hd; ++i) out[i] = acc[h][i] * inv;
  }
}

void AttendGroupSimd(const GroupAttention& g) {
  const HeadAttention& a = g.head;
  const bool half_k = a.k_type == DType::kF16, half_v = a.v_type == DType::kF16;
  if (!half_k && !half_v) {
    for (int64_t h0 = 0; h0 < g.n_heads; h0 += kHeadChunk) {
      AttendChunk(g, h0, static_cast<int>(std::min<int64_t>(kHeadChunk, g.n_heads - h0)));
    }
    return;
  }
  auto* chunk = half_k ? (half_v ? &AttendChunkHalf<true, true> : &AttendChunkHalf<true, false>)
                       : &AttendChunkHalf<false, true>;
  for (int64_t h0 = 0; h0 < g.n_heads; h0 += kHeadChunk) {
    chunk(g, h0, static_cast<int>(std::min<int64_t>(kHeadChunk, g.n_heads - h0)));
  }
}

void SwiGluSimdImpl(const float* HWY_RESTRICT gate, const float* up, int64_t n, float* y) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const auto one = hn::Set(d, 1.0f);
  int64_t i = 0;
  for (; i + N <= n; i += N) {
    const auto g = hn::LoadU(d, gate + i);
    const auto silu = hn::Div(g, hn::Add(one, hn::Exp(d, hn::Neg(g))));
    hn::StoreU(hn::Mul(silu, hn::LoadU(d, up + i)), d, y + i);
  }
  if (i < n) SwiGlu(gate + i, up + i, n - i, y + i);
}

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "base/error.h"

namespace densing {

HWY_EXPORT(AttendGroupSimd);
HWY_EXPORT(SwiGluSimdImpl);

void AttendGroup(const GroupAttention& a) {
  DENSING_CHECK(a.head.head_dim <= 512 && a.head.n_keys >= 1);
  for (DType t : {a.head.k_type, a.head.v_type}) DENSING_CHECK(t == DType::kF32 || t == DType::kF16);
  DENSING_DISPATCH(AttendGroupSimd)(a);
}

namespace {

// Element i of row j of a cached F32 or F16 matrix.
float CachedAt(const void* m, DType t, int64_t stride, int64_t j, int64_t i) {
  if (t == DType::kF16) return F16ToF32(static_cast<const uint16_t*>(m)[j * stride + i]);
  return static_cast<const float*>(m)[j * stride + i];
}

float RoundHalf(float x) { return F16ToF32(F32ToF16(x)); }

// The reference engine's flash attention over an F16 cache, one key at a time.
void AttendHeadHalfReference(const HeadAttention& a, float* out) {
  const bool half_k = a.k_type == DType::kF16, half_v = a.v_type == DType::kF16;
  const int64_t hd = a.head_dim;
  std::fill(out, out + hd, 0.0f);
  float m = -INFINITY, sum = 0.0f;
  for (int64_t j = 0; j < a.n_keys; ++j) {
    float s = 0.0f;
    for (int64_t i = 0; i < hd; ++i) {
      s += (half_k ? RoundHalf(a.q[i]) : a.q[i]) * CachedAt(a.k, a.k_type, a.stride, j, i);
    }
    s *= a.scale;
    if (a.softcap > 0) SoftCap(&s, 1, a.softcap);
    float ms = 1.0f, vs = 1.0f;
    if (s > m) {
      ms = std::exp(m - s);
      m = s;
    } else {
      vs = std::exp(s - m);
    }
    sum = sum * ms + vs;
    for (int64_t i = 0; i < hd; ++i) {
      float x = out[i] * ms;
      if (half_v) x = RoundHalf(x);
      x = std::fma(CachedAt(a.v, a.v_type, a.stride, j, i), vs, x);
      out[i] = half_v ? RoundHalf(x) : x;
    }
  }
  for (int64_t i = 0; i < hd; ++i) out[i] *= 1.0f / sum;
}

}  // namespace

void AttendHeadReference(const HeadAttention& a, float* scores, float* out) {
  if (a.k_type != DType::kF32 || a.v_type != DType::kF32) {
    AttendHeadHalfReference(a, out);
    return;
  }
  const auto* k = static_cast<const float*>(a.k);
  const auto* v = static_cast<const float*>(a.v);
  for (int64_t j = 0; j < a.n_keys; ++j) scores[j] = Dot(a.q, k + j * a.stride, a.head_dim) * a.scale;
  if (a.softcap > 0) SoftCap(scores, a.n_keys, a.softcap);
  Softmax(scores, a.n_keys);
  std::fill(out, out + a.head_dim, 0.0f);
  for (int64_t j = 0; j < a.n_keys; ++j) AddScaled(v + j * a.stride, scores[j], a.head_dim, out);
}

void SwiGluSimd(const float* gate, const float* up, int64_t n, float* y) {
  DENSING_DISPATCH(SwiGluSimdImpl)(gate, up, n, y);
}

}  // namespace densing
#endif  // HWY_ONCE
