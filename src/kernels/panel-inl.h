// The panel tiles' shared parts (kernels/dot_panel.h), per x86 target: the row vectors (a panel's
// 16 rows as the int32 lanes of a zmm with VNNI, else of two ymm), decoding eight rows at a time
// into a panel's chunks, and the tile that walks rows × the row's chunks × tokens for one weight type.
// dot_panel.cc (the legacy types) and dot_panel_kquant.cc (the k-quants) include it once per target.
#if defined(DENSING_KERNELS_PANEL_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef DENSING_KERNELS_PANEL_INL_H_
#undef DENSING_KERNELS_PANEL_INL_H_
#else
#define DENSING_KERNELS_PANEL_INL_H_
#endif

#include <algorithm>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/dot_int8-inl.h"
#include "kernels/dot_panel.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {

#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL

using panel::XBlock;

// A panel holds 16 rows: the int32 lanes of one zmm with VNNI (AVX3_DL), else of two ymm (AVX2;
// AVX3 keeps 256 bits, as AVX-512BW has no vpsignb for Q8_0's signed bytes). Each activation
// broadcast serves all 16 rows.
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
constexpr int64_t kRows = 16;
constexpr int64_t kLanes = static_cast<int64_t>(hn::MaxLanes(DRow()));  // rows per vector
constexpr int kVecs = static_cast<int>(kRows / kLanes);                  // vectors per panel
static_assert(kRows % kLanes == 0 && panel::kRowMultiple % kRows == 0);

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

// Four bytes at p in every int32 lane of a row vector.
HWY_INLINE VRow BroadcastRow(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return hn::Set(DRow(), v);
}

// Vector v of a panel's int8 chunk (4 bytes of each of its rows).
HWY_INLINE VRow LoadChunk(const uint8_t* p, int v) {
  return hn::BitCast(DRow(), hn::Load(hn::Repartition<uint8_t, DRow>(), p + 4 * kLanes * v));
}

#if HWY_TARGET == HWY_AVX3_DL
// acc + Σ over each 4 bytes of a·b (a unsigned, b signed), all lanes. Inline asm, as
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
// h + the int16 pair sums of a·b (a unsigned, b signed), in h's own register: inline asm, as GCC
// otherwise renames the sums of an unrolled loop through extra moves and spills.
HWY_INLINE __m256i AddPairs16(__m256i h, __m256i a, __m256i b) {
  __m256i prod;
  asm("vpmaddubsw %[b], %[a], %[p]\n\tvpaddw %[p], %[h], %[h]"
      : [h] "+x"(h), [p] "=&x"(prod)
      : [a] "x"(a), [b] "x"(b));
  return h;
}
// a + the int32 sums of w·x over each 4 bytes, both signed: |w| times x with w's sign (aw: |w|),
// widened by one vpmaddwd with ones. Inline asm for the same reason.
HWY_INLINE __m256i AddSigned32(__m256i a, __m256i w, __m256i aw, __m256i x, __m256i ones) {
  __m256i t;
  asm("vpsignb %[w], %[x], %[t]\n\tvpmaddubsw %[t], %[aw], %[t]\n\tvpmaddwd %[ones], %[t], %[t]\n\t"
      "vpaddd %[t], %[a], %[a]"
      : [a] "+x"(a), [t] "=&x"(t)
      : [w] "x"(w), [aw] "x"(aw), [x] "x"(x), [ones] "x"(ones));
  return a;
}
#endif

// Eight rows' 8 lanes of 4 bytes each (v[i]: row i) into a panel's chunks: chunk j of row
// 8·h + i at q[j] + 32·h + 4·i. Called once per group of eight rows h.
HWY_INLINE void StoreRows8(__m256i* v, int64_t h, uint8_t (*q)[4 * kRows]) {
  Transpose8x8(v);
  for (int j = 0; j < 8; ++j) _mm256_store_si256(reinterpret_cast<__m256i*>(q[j] + 32 * h), v[j]);
}

template <class O, int NT>
HWY_INLINE void RunTokens(const MatTile& m, const typename O::Panel& p, int64_t nbc, int64_t t,
                          int64_t b0, float (*acc)[kRows]) {
  using X = typename O::X;
  const X* x[NT];
  for (int i = 0; i < NT; ++i) x[i] = reinterpret_cast<const X*>(m.x + (t + i) * m.x_row_bytes) + b0;
  O::template Tokens<NT>(p, nbc, x, acc);
}

// The n < 2·NT tokens from t on, in passes of NT, NT/2, ..., 1 where they fit (every token's sums
// take the same steps in any pass).
template <class O, int NT>
HWY_INLINE void RunRest(const MatTile& m, const typename O::Panel& p, int64_t nbc, int64_t t, int64_t n,
                        int64_t b0, float (*acc)[kRows]) {
  if (n >= NT) {
    RunTokens<O, NT>(m, p, nbc, t, b0, acc);
    t += NT;
    n -= NT;
    acc += NT;
  }
  if constexpr (NT > 1) RunRest<O, NT / 2>(m, p, nbc, t, n, b0, acc);
}

// The tile for the type of O: rows [r0, r1) in panels of kRows × the row in chunks of
// O::kPanelBlocks blocks, each decoded once for up to kTokens tokens, which pass over it
// O::kTokenStep at a time (as many as keep their sums in registers). O: Panel, X (the activation
// block), kBlock, kPanelBlocks, kTokenStep, Decode, Tokens.
template <class O>
void Tile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  const int64_t nb = m.k / O::kBlock;
  typename O::Panel p;
  alignas(64) float acc[kTokens][kRows];
  for (int64_t tc = t0; tc < t1; tc += kTokens) {
    const int64_t nt = std::min(kTokens, t1 - tc);
    for (int64_t r = r0; r < r1; r += kRows) {
      const int64_t nr = std::min(kRows, r1 - r);
      for (int64_t t = 0; t < nt; ++t) {
        for (int v = 0; v < kVecs; ++v) hn::Store(hn::Zero(DRowF()), DRowF(), acc[t] + kLanes * v);
      }
      for (int64_t b0 = 0; b0 < nb; b0 += O::kPanelBlocks) {
        const int64_t nbc = std::min(O::kPanelBlocks, nb - b0);
        O::Decode(m, r, nr, b0, nbc, p);
        int64_t t = 0;
        constexpr int kStep = O::kTokenStep;
        for (; t + kStep <= nt; t += kStep) RunTokens<O, kStep>(m, p, nbc, tc + t, b0, acc + t);
        RunRest<O, kStep / 2>(m, p, nbc, tc + t, nt - t, b0, acc + t);
      }
      for (int64_t t = 0; t < nt; ++t) {
        float* y = m.y + (tc + t) * m.y_stride + r;
        if (nr == kRows) {
          for (int v = 0; v < kVecs; ++v) hn::StoreU(hn::Load(DRowF(), acc[t] + kLanes * v), DRowF(), y + kLanes * v);
        } else {
          for (int64_t i = 0; i < nr; ++i) y[i] = acc[t][i];
        }
      }
    }
  }
}
#endif  // HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#endif  // DENSING_KERNELS_PANEL_INL_H_
