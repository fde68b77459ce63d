// AMX tiles for prompt batches. A task takes up to 32 weight rows (two row tiles) and every
// token. Per chunk of 256 weight elements it decodes the rows into an int8 panel (signed quants,
// as the reference dequantizes them) with one f32 factor per group of 32 (16 for Q6_K); then
// for each 16-token activation tile and each group one TDPBSSD gives the 16×16 int32 group
// sums, which AVX-512 converts, scales by weight × activation factor and adds to f32
// accumulators — as the reference does per block, so the sums never mix scales. The k-quants'
// min terms come from the activations' group sums. The scalar reference is the traits' vec_dot
// (matmul_test and amx_test compare against it).
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/amx_matmul.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// Highway before our headers: foreach_target re-includes this file once per target.
#include <algorithm>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/amx_matmul.h"
#include "kernels/cpu_path.h"
#include "kernels/decode_lanes-inl.h"
#include "tensor/quant_blocks.h"

#ifndef DENSING_KERNELS_AMX_LAYOUT_
#define DENSING_KERNELS_AMX_LAYOUT_
namespace densing::amx {
// Activation layout, per 16-token tile. Legacy types (Q8_0 activations): per block of 32, a
// B tile (8 rows of 16 tokens × 4 bytes: row i holds elements 4i .. 4i+3 of every token) and the
// 16 tokens' f32 block scales. K-quants (Q8_K activations): per super-block of 256, eight such
// B tiles, the 16 tokens' f32 scales, and per group of 32 the 16 tokens' Σq·scale (min terms).
inline constexpr int64_t kTileBytes = 512;
inline constexpr int64_t kBlockBytes = kTileBytes + 64;              // per block of 32
inline constexpr int64_t kSuperBytes = 8 * kTileBytes + 64 + 8 * 64;  // per super-block
inline constexpr int64_t kChunk = 256;  // weight elements per panel chunk
}  // namespace densing::amx
#endif

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {

#if HWY_TARGET == HWY_AVX3_DL

// Tile registers: C0/C1 sums, A0/A1 weights, B0/B1 activations; even groups use the 0s and odd
// groups the 1s, so one group's multiply overlaps the previous group's scaling.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

// group_k: 32, or 16 for Q6_K.
HWY_INLINE void ConfigureTiles(int group_k) {
  TileConfig c;
  for (int t : {0, 1}) {
    c.colsb[t] = 64, c.rows[t] = 16;                                             // C: 16 × 16 int32
    c.colsb[2 + t] = static_cast<uint16_t>(group_k), c.rows[2 + t] = 16;         // A: 16 rows × K
    c.colsb[4 + t] = 64, c.rows[4 + t] = static_cast<uint8_t>(group_k / 4);      // B: K/4 × 64
  }
  asm volatile("ldtilecfg %0" : : "m"(c));
}
HWY_INLINE void ReleaseTiles() { asm volatile("tilerelease" ::: "memory"); }

// C = A·B for a weight tile a (16 rows, stride a_stride) and an activation tile b; stores the
// 16×16 int32 sums at c.
HWY_INLINE void TileMul0(const int8_t* a, int64_t a_stride, const uint8_t* b, int32_t* c) {
  asm volatile(
      "tilezero %%tmm0\n\t"
      "tileloadd (%[a],%[as],1), %%tmm2\n\t"
      "tileloadd (%[b],%[s64],1), %%tmm4\n\t"
      "tdpbssd %%tmm4, %%tmm2, %%tmm0\n\t"
      "tilestored %%tmm0, (%[c],%[s64],1)"
      :
      : [a] "r"(a), [as] "r"(a_stride), [b] "r"(b), [s64] "r"(int64_t{64}), [c] "r"(c)
      : "memory");
}
HWY_INLINE void TileMul1(const int8_t* a, int64_t a_stride, const uint8_t* b, int32_t* c) {
  asm volatile(
      "tilezero %%tmm1\n\t"
      "tileloadd (%[a],%[as],1), %%tmm3\n\t"
      "tileloadd (%[b],%[s64],1), %%tmm5\n\t"
      "tdpbssd %%tmm5, %%tmm3, %%tmm1\n\t"
      "tilestored %%tmm1, (%[c],%[s64],1)"
      :
      : [a] "r"(a), [as] "r"(a_stride), [b] "r"(b), [s64] "r"(int64_t{64}), [c] "r"(c)
      : "memory");
}

// The panel of one chunk: rows × 256 int8 weights and their group factors.
struct Panel {
  alignas(64) int8_t q[kAmxRows][amx::kChunk];
  alignas(64) float scale[kAmxRows][16];  // per group (of 32, or of 16 for Q6_K)
  alignas(64) float min[kAmxRows][8];     // Q4_K: dmin·m per group of 32
};

// ---- Panel decoders: one row's chunk `c` into q (256 bytes), scale and min. ----

// Q4_0, Q5_0, Q8_0: four blocks at a time through the lanes decoders, a row's last blocks
// (when they do not fill a group) one at a time.
HWY_INLINE void StoreSigned(const WGroup& g, int offset, int8_t* q, float* scale) {
  const __m512i off = _mm512_set1_epi8(static_cast<char>(offset));
  const __m512i lo = _mm512_sub_epi8(g.lo, off), hi = _mm512_sub_epi8(g.hi, off);
  const __m512i first = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
  const __m512i second = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
  _mm512_storeu_si512(q, _mm512_permutex2var_epi64(lo, first, hi));
  _mm512_storeu_si512(q + 64, _mm512_permutex2var_epi64(lo, second, hi));
  const __m512 d = _mm512_permutexvar_ps(
      _mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), g.d);
  _mm_storeu_ps(scale, _mm512_castps512_ps128(d));
}

void DecodeBlockScalar(DType type, const uint8_t* p, int8_t* q, float* d) {
  switch (type) {
    case DType::kQ4_0: {
      const auto& b = *reinterpret_cast<const quant::BlockQ4_0*>(p);
      for (int i = 0; i < 16; ++i) {
        q[i] = static_cast<int8_t>((b.qs[i] & 0xF) - 8);
        q[i + 16] = static_cast<int8_t>((b.qs[i] >> 4) - 8);
      }
      *d = quant::LoadF16(b.d);
      return;
    }
    case DType::kQ5_0: {
      const auto& b = *reinterpret_cast<const quant::BlockQ5_0*>(p);
      const uint32_t qh = quant::LoadU32(b.qh);
      for (int i = 0; i < 16; ++i) {
        q[i] = static_cast<int8_t>(((b.qs[i] & 0xF) | (((qh >> i) & 1) << 4)) - 16);
        q[i + 16] = static_cast<int8_t>(((b.qs[i] >> 4) | (((qh >> (i + 16)) & 1) << 4)) - 16);
      }
      *d = quant::LoadF16(b.d);
      return;
    }
    default: {  // Q8_0
      const auto& b = *reinterpret_cast<const quant::BlockQ8_0*>(p);
      std::memcpy(q, b.qs, 32);
      *d = quant::LoadF16(b.d);
      return;
    }
  }
}

template <class W, int kOffset>
struct Legacy {
  static constexpr int kGroupK = 32;
  static constexpr bool kHasMin = false;
  static constexpr int64_t kBlockBytes = W::kGroupBytes / 4;
  static int Groups(int64_t k, int64_t c) {
    return static_cast<int>(std::min<int64_t>(8, k / 32 - 8 * c));
  }
  static HWY_INLINE void DecodeRow(DType type, const uint8_t* row, int64_t k, int64_t c, int8_t* q,
                                   float* scale, float*) {
    const int64_t nb = k / 32, b0 = 8 * c, b1 = std::min(nb, b0 + 8);
    int64_t b = b0;
    for (; b + 4 <= b1; b += 4) {
      StoreSigned(W::Decode(row + b * kBlockBytes), kOffset, q + 32 * (b - b0), scale + (b - b0));
    }
    for (; b < b1; ++b) {
      DecodeBlockScalar(type, row + b * kBlockBytes, q + 32 * (b - b0), scale + (b - b0));
    }
  }
  // The activation tile and the 16 tokens' factors of group g of chunk c.
  static HWY_INLINE const uint8_t* XTile(const uint8_t* xt, int64_t k, int64_t c, int g) {
    (void)k;
    return xt + (8 * c + g) * amx::kBlockBytes;
  }
  static HWY_INLINE const float* XScale(const uint8_t* xt, int64_t k, int64_t c, int g) {
    return reinterpret_cast<const float*>(XTile(xt, k, c, g) + amx::kTileBytes);
  }
  static int64_t XTokenTileBytes(int64_t k) { return k / 32 * amx::kBlockBytes; }
};

// Q4_K: 8 groups of 32 per super-block, quants 0..15, x = d·sc·q - dmin·m.
struct Q4_KA {
  static constexpr int kGroupK = 32;
  static constexpr bool kHasMin = true;
  static int Groups(int64_t, int64_t) { return 8; }
  static HWY_INLINE void DecodeRow(DType, const uint8_t* row, int64_t, int64_t c, int8_t* q,
                                   float* scale, float* min) {
    const auto& b = reinterpret_cast<const quant::BlockQ4_K*>(row)[c];
    const float d = quant::LoadF16(b.d), dmin = quant::LoadF16(b.dmin);
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      quant::ScaleMinK4(j, b.scales, &sc, &m);
      scale[j] = d * static_cast<float>(sc);
      min[j] = dmin * static_cast<float>(m);
    }
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m512i first = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11);
    const __m512i second = _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15);
    for (int h = 0; h < 2; ++h) {  // qs bytes 64h .. 64h+63: groups 4h .. 4h+3
      const __m512i v = _mm512_loadu_si512(b.qs + 64 * h);
      const __m512i lo = _mm512_and_si512(v, m4);
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
      _mm512_storeu_si512(q + 128 * h, _mm512_permutex2var_epi64(lo, first, hi));
      _mm512_storeu_si512(q + 128 * h + 64, _mm512_permutex2var_epi64(lo, second, hi));
    }
  }
  static HWY_INLINE const uint8_t* XTile(const uint8_t* xt, int64_t, int64_t c, int g) {
    return xt + c * amx::kSuperBytes + g * amx::kTileBytes;
  }
  static HWY_INLINE const float* XScale(const uint8_t* xt, int64_t, int64_t c, int) {
    return reinterpret_cast<const float*>(xt + c * amx::kSuperBytes + 8 * amx::kTileBytes);
  }
  static HWY_INLINE const float* XMinSums(const uint8_t* xt, int64_t c) {
    return reinterpret_cast<const float*>(xt + c * amx::kSuperBytes + 8 * amx::kTileBytes + 64);
  }
  static int64_t XTokenTileBytes(int64_t k) { return k / 256 * amx::kSuperBytes; }
};

// Q6_K: 16 groups of 16 per super-block, quants q - 32 in -32..31, x = d·sc·(q - 32).
struct Q6_KA {
  static constexpr int kGroupK = 16;
  static constexpr bool kHasMin = false;
  static int Groups(int64_t, int64_t) { return 16; }
  static HWY_INLINE void DecodeRow(DType, const uint8_t* row, int64_t, int64_t c, int8_t* q,
                                   float* scale, float*) {
    const auto& b = reinterpret_cast<const quant::BlockQ6_K*>(row)[c];
    const float d = quant::LoadF16(b.d);
    for (int g = 0; g < 16; ++g) scale[g] = d * static_cast<float>(b.scales[g]);
    const __m256i m4 = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    const __m256i off = _mm256_set1_epi8(32);
    for (int n = 0; n < 2; ++n) {
      const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.ql + 64 * n));
      const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.ql + 64 * n + 32));
      const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * n));
      const __m256i v[4] = {
          _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_and_si256(_mm256_slli_epi16(h, 4), m30)),
          _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(h, 2), m30)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_and_si256(h, m30)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                          _mm256_and_si256(_mm256_srli_epi16(h, 2), m30)),
      };
      for (int p = 0; p < 4; ++p) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + 128 * n + 32 * p), _mm256_sub_epi8(v[p], off));
      }
    }
  }
  // Group h of 16: rows 4·(h % 2) .. of the B tile of group h / 2 of 32.
  static HWY_INLINE const uint8_t* XTile(const uint8_t* xt, int64_t, int64_t c, int h) {
    return xt + c * amx::kSuperBytes + (h / 2) * amx::kTileBytes + (h % 2) * (amx::kTileBytes / 2);
  }
  static HWY_INLINE const float* XScale(const uint8_t* xt, int64_t, int64_t c, int) {
    return reinterpret_cast<const float*>(xt + c * amx::kSuperBytes + 8 * amx::kTileBytes);
  }
  static int64_t XTokenTileBytes(int64_t k) { return k / 256 * amx::kSuperBytes; }
};

// acc[i] += float(c[i]) · (scale[i] · xs) for the 16 rows i of a row tile.
HWY_INLINE void Accumulate(const int32_t* c, const float* scale, int64_t scale_stride,
                           const float* xs, __m512* acc) {
  const __m512 x = _mm512_loadu_ps(xs);
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) {
    const __m512 s = _mm512_mul_ps(x, _mm512_set1_ps(scale[i * scale_stride]));
    acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_load_si512(c + 16 * i)), s, acc[i]);
  }
}

// v[i][j] → v[j][i] for a 16×16 block of floats.
HWY_INLINE void Transpose16(__m512* v) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(v[i], v[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(v[i], v[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    for (int h = 0; h < 2; ++h) {
      const __m512d a = _mm512_castps_pd(t[i + h]), b = _mm512_castps_pd(t[i + 2 + h]);
      v[i + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
      v[i + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    }
  }
  // Now 128-bit block b of v[i + c] holds rows i .. i+3 of column 4b + c: gather each column's
  // four blocks from the four groups of rows.
  for (int i = 0; i < 4; ++i) {
    const __m512 a0 = v[i], a1 = v[4 + i], a2 = v[8 + i], a3 = v[12 + i];
    const __m512 b0 = _mm512_shuffle_f32x4(a0, a1, 0x44), b1 = _mm512_shuffle_f32x4(a0, a1, 0xEE);
    const __m512 b2 = _mm512_shuffle_f32x4(a2, a3, 0x44), b3 = _mm512_shuffle_f32x4(a2, a3, 0xEE);
    t[i] = _mm512_shuffle_f32x4(b0, b2, 0x88);
    t[4 + i] = _mm512_shuffle_f32x4(b0, b2, 0xDD);
    t[8 + i] = _mm512_shuffle_f32x4(b1, b3, 0x88);
    t[12 + i] = _mm512_shuffle_f32x4(b1, b3, 0xDD);
  }
  for (int i = 0; i < 16; ++i) v[i] = t[i];
}

constexpr int64_t kTokenChunkTiles = 16;  // token tiles whose accumulators a task keeps at once

template <class F>
void AmxTile(const MatTile& m, int64_t r0, int64_t r1, int64_t n_tok) {
  const int64_t k = m.k;
  const int64_t n_chunks = k / amx::kChunk + (k % amx::kChunk != 0);
  const int64_t n_rows = r1 - r0;
  const int n_row_tiles = n_rows > 16 ? 2 : 1;
  const int64_t x_tile_bytes = F::XTokenTileBytes(k);
  const int64_t n_tiles = (n_tok + kAmxTokens - 1) / kAmxTokens;

  Panel panel;
  alignas(64) float acc_mem[kTokenChunkTiles][2][16][16];
  alignas(64) int32_t c_buf[2][16 * 16 * 16];  // per unit: up to 16 groups of 16×16 sums
  ConfigureTiles(F::kGroupK);
  for (int64_t tc = 0; tc < n_tiles; tc += kTokenChunkTiles) {
    const int64_t tiles = std::min(kTokenChunkTiles, n_tiles - tc);
    std::memset(acc_mem, 0, sizeof(acc_mem));
    for (int64_t c = 0; c < n_chunks; ++c) {
      const int groups = F::Groups(k, c);
      for (int64_t i = 0; i < 16 * n_row_tiles; ++i) {
        if (i < n_rows) {
          F::DecodeRow(m.w_type, m.w + (r0 + i) * m.w_row_bytes, k, c, panel.q[i], panel.scale[i],
                       panel.min[i]);
        } else {
          std::memset(panel.q[i], 0, sizeof(panel.q[i]));
          std::memset(panel.scale[i], 0, sizeof(panel.scale[i]));
          std::memset(panel.min[i], 0, sizeof(panel.min[i]));
        }
      }
      // Units of (token tile, row tile), software-pipelined: the tile multiplies of the next
      // unit are issued before this unit's scaling reads its sums, so the AMX unit and the
      // AVX-512 ports work at the same time, and no load waits on a tile store just made.
      const int64_t n_units = tiles * n_row_tiles;
      auto multiply = [&](int64_t u) {
        const uint8_t* xt = m.x + (tc + u / n_row_tiles) * x_tile_bytes;
        const int8_t* a = &panel.q[16 * (u % n_row_tiles)][0];
        int32_t* cb = c_buf[u % 2];
        for (int g = 0; g < groups; g += 2) {
          TileMul0(a + g * F::kGroupK, amx::kChunk, F::XTile(xt, k, c, g), cb + 256 * g);
          if (g + 1 < groups) {
            TileMul1(a + (g + 1) * F::kGroupK, amx::kChunk, F::XTile(xt, k, c, g + 1),
                     cb + 256 * (g + 1));
          }
        }
      };
      multiply(0);
      for (int64_t u = 0; u < n_units; ++u) {
        if (u + 1 < n_units) multiply(u + 1);
        const int64_t t = u / n_row_tiles;
        const int rt = static_cast<int>(u % n_row_tiles);
        const uint8_t* xt = m.x + (tc + t) * x_tile_bytes;
        const int32_t* cb = c_buf[u % 2];
        __m512 acc[16];
        float(*mem)[16] = acc_mem[t][rt];
        for (int i = 0; i < 16; ++i) acc[i] = _mm512_load_ps(mem[i]);
        const float* scale = &panel.scale[16 * rt][0];
        for (int g = 0; g < groups; ++g) {
          Accumulate(cb + 256 * g, scale + g, 16, F::XScale(xt, k, c, g), acc);
        }
        if constexpr (F::kHasMin) {  // acc -= Σ_g dmin·m_g · (Σx_g · dx)
          const float* sums = F::XMinSums(xt, c);
          const float* min = &panel.min[16 * rt][0];
          for (int g = 0; g < 8; ++g) {
            const __m512 sv = _mm512_loadu_ps(sums + 16 * g);
#pragma GCC unroll 16
            for (int i = 0; i < 16; ++i) {
              acc[i] = _mm512_fnmadd_ps(_mm512_set1_ps(min[8 * i + g]), sv, acc[i]);
            }
          }
        }
        for (int i = 0; i < 16; ++i) _mm512_store_ps(mem[i], acc[i]);
      }
    }
    // Out: each accumulator tile (16 rows × 16 tokens) transposed, so every token's rows go
    // out as one vector store.
    for (int64_t t = 0; t < tiles; ++t) {
      for (int rt = 0; rt < n_row_tiles; ++rt) {
        const int64_t rows_here = std::min<int64_t>(16, n_rows - 16 * rt);
        const __mmask16 row_mask = static_cast<__mmask16>((1u << rows_here) - 1);
        __m512 v[16];
        for (int i = 0; i < 16; ++i) v[i] = _mm512_load_ps(acc_mem[t][rt][i]);
        Transpose16(v);
        for (int64_t j = 0; j < kAmxTokens; ++j) {
          const int64_t tok = (tc + t) * kAmxTokens + j;
          if (tok >= n_tok) break;
          _mm512_mask_storeu_ps(m.y + tok * m.y_stride + r0 + 16 * rt, row_mask, v[j]);
        }
      }
    }
  }
  ReleaseTiles();
}

AmxTileFn SelectAmxTile(DType w) {
  switch (w) {
    case DType::kQ4_0:
      return &AmxTile<Legacy<Q4_0L, 8>>;
    case DType::kQ5_0:
      return &AmxTile<Legacy<Q5_0L, 16>>;
    case DType::kQ8_0:
      return &AmxTile<Legacy<Q8_0L, 128>>;  // undoes the lanes decoder's flip to unsigned
    case DType::kQ4_K:
      return &AmxTile<Q4_KA>;
    case DType::kQ6_K:
      return &AmxTile<Q6_KA>;
    default:
      return nullptr;
  }
}

#else  // AMX tiles need the AVX-512 of AVX3_DL beside them

AmxTileFn SelectAmxTile(DType) { return nullptr; }

#endif  // HWY_TARGET == HWY_AVX3_DL

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "base/error.h"
#include "kernels/quantize_simd.h"

namespace densing {

HWY_EXPORT(SelectAmxTile);

AmxTileFn FindAmxTile(DType w) {
  if (ActiveCpuPath() < CpuPath::kAmx) return nullptr;  // also when the CPU or Linux says no
  return HWY_DYNAMIC_DISPATCH(SelectAmxTile)(w);
}

int64_t AmxActivationBytes(DType act, int64_t k, int64_t n_tok) {
  const int64_t n_tiles = (n_tok + kAmxTokens - 1) / kAmxTokens;
  if (act == DType::kQ8_0) return n_tiles * (k / 32) * amx::kBlockBytes;
  if (act == DType::kQ8_K) return n_tiles * (k / 256) * amx::kSuperBytes;
  return 0;
}

void AmxPackActivations(DType act, const float* x, int64_t k, int64_t n_tok, int64_t tile,
                        uint8_t* out) {
  const int64_t t0 = tile * kAmxTokens;
  // Row i of a B tile holds elements 4i .. 4i+3 of each token: one dword per token.
  auto scatter = [](const int8_t* q, int64_t n, uint8_t* b_tile) {
    for (int i = 0; i < 8; ++i) std::memcpy(b_tile + 64 * i + 4 * n, q + 4 * i, 4);
  };
  if (act == DType::kQ8_0) {
    const int64_t nb = k / 32;
    uint8_t* base = out + tile * nb * amx::kBlockBytes;
    std::memset(base, 0, static_cast<size_t>(nb * amx::kBlockBytes));
    for (int64_t n = 0; n < kAmxTokens && t0 + n < n_tok; ++n) {
      for (int64_t b0 = 0; b0 < nb; b0 += 8) {  // eight blocks at a time
        const int64_t m = std::min<int64_t>(8, nb - b0);
        int8_t q[8 * 32];
        float d[8];
        QuantizeQ8_0(x + (t0 + n) * k + 32 * b0, m, q, d);
        for (int64_t b = 0; b < m; ++b) {
          uint8_t* blk = base + (b0 + b) * amx::kBlockBytes;
          scatter(q + 32 * b, n, blk);
          quant::StoreF32(blk + amx::kTileBytes + 4 * n, d[b]);
        }
      }
    }
    return;
  }
  DENSING_CHECK(act == DType::kQ8_K);
  const int64_t ns = k / 256;
  uint8_t* base = out + tile * ns * amx::kSuperBytes;
  std::memset(base, 0, static_cast<size_t>(ns * amx::kSuperBytes));
  for (int64_t n = 0; n < kAmxTokens && t0 + n < n_tok; ++n) {
    for (int64_t s = 0; s < ns; ++s) {
      quant::BlockQ8_K q;
      QuantizeQ8_K(x + (t0 + n) * k + 256 * s, 1, &q);
      uint8_t* sb = base + s * amx::kSuperBytes;
      for (int g = 0; g < 8; ++g) scatter(q.qs + 32 * g, n, sb + g * amx::kTileBytes);
      const float d = quant::LoadF32(q.d);
      quant::StoreF32(sb + 8 * amx::kTileBytes + 4 * n, d);
      for (int g = 0; g < 8; ++g) {
        const int sum = quant::LoadI16(q.bsums + 4 * g) + quant::LoadI16(q.bsums + 4 * g + 2);
        quant::StoreF32(sb + 8 * amx::kTileBytes + 64 + 64 * g + 4 * n, d * static_cast<float>(sum));
      }
    }
  }
}

}  // namespace densing
#endif  // HWY_ONCE
