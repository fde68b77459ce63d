// The k-quant reference quantizers (no importance matrix), following the reference engine's
// quantize_row_q*_K_ref step for step: a least-squares search for each group's scale (and min),
// the group scales quantized to 4, 6 or 8 bits, then every weight re-rounded with the scale it
// will actually be multiplied by. Also Q8_K, the activation type of the k-quant dot products.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "tensor/quant_blocks.h"
#include "tensor/quant_k.h"
#include "tensor/quant_k_search.h"

namespace densing {
namespace {

using quant::kGroupMaxEps;
using quant::kQKK;
using quant::MakeQ3Quants;
using quant::MakeQkx2Quants;
using quant::MakeQxQuants;
using quant::NearestInt;

// Packs four 2-bit planes: L[j + l + 32·s] goes to bits 2·s of qs[j / 4 + l].
void PackCrumbs(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < kQKK; j += 128) {
    for (int l = 0; l < 32; ++l) {
      qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) |
                                           (L[j + l + 96] << 6));
    }
  }
}

// Q4_K/Q5_K: 6-bit scales and mins of 8 groups of 32, quantized against their maxima; then the
// weights re-rounded into L with the stored scales. Returns nothing; fills d, dmin, scales.
void QuantizeK4Scales(const float* x, int nmax, float rmin, float rdelta, int nstep, uint8_t* L,
                      uint8_t* d, uint8_t* dmin, uint8_t* packed) {
  float scales[8], mins[8];
  float max_scale = 0.0f, max_min = 0.0f;
  for (int j = 0; j < 8; ++j) {
    const float* xj = x + 32 * j;
    float sum_x2 = 0.0f;
    for (int l = 0; l < 32; ++l) sum_x2 += xj[l] * xj[l];
    const float av_x = std::sqrt(sum_x2 / 32);
    float weights[32];
    for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(xj[l]);
    scales[j] =
        MakeQkx2Quants(32, nmax, xj, weights, L + 32 * j, &mins[j], rmin, rdelta, nstep, false);
    max_scale = std::max(max_scale, scales[j]);
    max_min = std::max(max_min, mins[j]);
  }
  const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
  const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
  std::memset(packed, 0, 12);
  for (int j = 0; j < 8; ++j) {
    const uint8_t ls =
        std::min<uint8_t>(63, static_cast<uint8_t>(NearestInt(inv_scale * scales[j])));
    const uint8_t lm = std::min<uint8_t>(63, static_cast<uint8_t>(NearestInt(inv_min * mins[j])));
    if (j < 4) {
      packed[j] = ls;
      packed[j + 4] = lm;
    } else {
      packed[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
      packed[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
      packed[j] |= static_cast<uint8_t>((lm >> 4) << 6);
    }
  }
  quant::StoreF16(d, max_scale / 63.0f);
  quant::StoreF16(dmin, max_min / 63.0f);
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    quant::ScaleMinK4(j, packed, &sc, &m);
    const float dj = quant::LoadF16(d) * sc;
    if (dj == 0.0f) continue;
    const float dm = quant::LoadF16(dmin) * m;
    for (int l = 0; l < 32; ++l) {
      L[32 * j + l] =
          static_cast<uint8_t>(std::clamp(NearestInt((x[32 * j + l] + dm) / dj), 0, nmax));
    }
  }
}

}  // namespace

void Q2_KFromFloat(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<quant::BlockQ2_K*>(dst);
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    uint8_t L[kQKK];
    float scales[16], mins[16];
    float max_scale = 0.0f, max_min = 0.0f;
    for (int j = 0; j < 16; ++j) {
      float weights[16];
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(src[16 * j + l]);
      scales[j] =
          MakeQkx2Quants(16, 3, src + 16 * j, weights, L + 16 * j, &mins[j], -0.5f, 0.1f, 15, true);
      max_scale = std::max(max_scale, scales[j]);
      max_min = std::max(max_min, mins[j]);
    }
    std::memset(b[i].scales, 0, sizeof(b[i].scales));
    quant::StoreF16(b[i].d, max_scale > 0 ? max_scale / 15.0f : 0.0f);
    quant::StoreF16(b[i].dmin, max_min > 0 ? max_min / 15.0f : 0.0f);
    for (int j = 0; j < 16; ++j) {
      int sc = max_scale > 0 ? NearestInt(15.0f / max_scale * scales[j]) : 0;
      int m = max_min > 0 ? NearestInt(15.0f / max_min * mins[j]) : 0;
      b[i].scales[j] = static_cast<uint8_t>(sc | (m << 4));
    }
    for (int j = 0; j < 16; ++j) {
      const float d = quant::LoadF16(b[i].d) * static_cast<float>(b[i].scales[j] & 0xF);
      if (d == 0.0f) continue;
      const float dm = quant::LoadF16(b[i].dmin) * static_cast<float>(b[i].scales[j] >> 4);
      for (int l = 0; l < 16; ++l) {
        L[16 * j + l] =
            static_cast<uint8_t>(std::clamp(NearestInt((src[16 * j + l] + dm) / d), 0, 3));
      }
    }
    PackCrumbs(L, b[i].qs);
  }
}

void Q3_KFromFloat(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<quant::BlockQ3_K*>(dst);
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    int8_t L[kQKK];
    float scales[16];
    float max_scale = 0.0f, amax = 0.0f;
    for (int j = 0; j < 16; ++j) {
      scales[j] = MakeQ3Quants(16, 4, src + 16 * j, L + 16 * j);
      if (std::fabs(scales[j]) > amax) {
        amax = std::fabs(scales[j]);
        max_scale = scales[j];
      }
    }
    std::memset(b[i].scales, 0, 12);
    if (max_scale != 0.0f) {
      const float iscale = -32.0f / max_scale;
      for (int j = 0; j < 16; ++j) {
        const int l =
            std::clamp<int>(static_cast<int8_t>(NearestInt(iscale * scales[j])), -32, 31) + 32;
        b[i].scales[j % 8] |= static_cast<uint8_t>((l & 0xF) << (j < 8 ? 0 : 4));
        b[i].scales[8 + j % 4] |= static_cast<uint8_t>((l >> 4) << (2 * (j / 4)));
      }
      quant::StoreF16(b[i].d, 1 / iscale);
    } else {
      quant::StoreF16(b[i].d, 0.0f);
    }
    for (int j = 0; j < 16; ++j) {
      const float d = quant::LoadF16(b[i].d) * static_cast<float>(quant::ScaleQ3K(j, b[i].scales));
      if (d == 0.0f) continue;
      for (int l = 0; l < 16; ++l) {
        L[16 * j + l] = static_cast<int8_t>(std::clamp(NearestInt(src[16 * j + l] / d), -4, 3) + 4);
      }
    }
    // The high bit of element e goes to bit e / 32 of hmask[e % 32].
    std::memset(b[i].hmask, 0, sizeof(b[i].hmask));
    uint8_t low[kQKK];
    for (int e = 0; e < kQKK; ++e) {
      if (L[e] > 3) b[i].hmask[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
      low[e] = static_cast<uint8_t>(L[e] > 3 ? L[e] - 4 : L[e]);
    }
    PackCrumbs(low, b[i].qs);
  }
}

void Q4_KFromFloat(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<quant::BlockQ4_K*>(dst);
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    uint8_t L[kQKK];
    QuantizeK4Scales(src, 15, -1.0f, 0.1f, 20, L, b[i].d, b[i].dmin, b[i].scales);
    for (int j = 0; j < kQKK; j += 64) {
      for (int l = 0; l < 32; ++l) {
        b[i].qs[j / 2 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
      }
    }
  }
}

void Q5_KFromFloat(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<quant::BlockQ5_K*>(dst);
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    uint8_t L[kQKK];
    QuantizeK4Scales(src, 31, -0.5f, 0.1f, 15, L, b[i].d, b[i].dmin, b[i].scales);
    std::memset(b[i].qh, 0, sizeof(b[i].qh));
    for (int e = 0; e < kQKK; ++e) {
      if (L[e] > 15) b[i].qh[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
    }
    for (int j = 0; j < kQKK; j += 64) {
      for (int l = 0; l < 32; ++l) {
        b[i].qs[j / 2 + l] = static_cast<uint8_t>((L[j + l] & 0xF) | ((L[j + l + 32] & 0xF) << 4));
      }
    }
  }
}

void Q6_KFromFloat(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<quant::BlockQ6_K*>(dst);
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    int8_t L[kQKK];
    float scales[16];
    float max_scale = 0.0f, max_abs_scale = 0.0f;
    for (int g = 0; g < 16; ++g) {
      scales[g] = MakeQxQuants(16, 32, src + 16 * g, L + 16 * g);
      if (std::fabs(scales[g]) > max_abs_scale) {
        max_abs_scale = std::fabs(scales[g]);
        max_scale = scales[g];
      }
    }
    std::memset(&b[i], 0, sizeof(b[i]));
    if (max_abs_scale < kGroupMaxEps) continue;  // an all-zero block
    const float iscale = -128.0f / max_scale;
    quant::StoreF16(b[i].d, 1 / iscale);
    for (int g = 0; g < 16; ++g) {
      b[i].scales[g] = static_cast<int8_t>(std::min(127, NearestInt(iscale * scales[g])));
    }
    for (int g = 0; g < 16; ++g) {
      const float d = quant::LoadF16(b[i].d) * static_cast<float>(b[i].scales[g]);
      if (d == 0.0f) continue;
      for (int l = 0; l < 16; ++l) {
        L[16 * g + l] =
            static_cast<int8_t>(std::clamp(NearestInt(src[16 * g + l] / d), -32, 31) + 32);
      }
    }
    for (int e = 0; e < kQKK; ++e) {
      const int n128 = e / 128, l = e % 32, p = (e % 128) / 32;
      const int q = static_cast<uint8_t>(L[e]);
      b[i].ql[64 * n128 + l + 32 * (p & 1)] |= static_cast<uint8_t>((q & 0xF) << (p < 2 ? 0 : 4));
      b[i].qh[32 * n128 + l] |= static_cast<uint8_t>((q >> 4) << (2 * p));
    }
  }
}

void Q8_KFromFloat(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<quant::BlockQ8_K*>(dst);
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    float max = 0.0f, amax = 0.0f;
    for (int j = 0; j < kQKK; ++j) {
      if (std::fabs(src[j]) > amax) {
        amax = std::fabs(src[j]);
        max = src[j];
      }
    }
    std::memset(&b[i], 0, sizeof(b[i]));
    if (amax == 0.0f) continue;
    const float iscale = -127.0f / max;
    for (int j = 0; j < kQKK; ++j) {
      b[i].qs[j] = static_cast<int8_t>(std::min(127, NearestInt(iscale * src[j])));
    }
    for (int g = 0; g < kQKK / 16; ++g) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += b[i].qs[16 * g + l];
      quant::StoreI16(b[i].bsums + 2 * g, static_cast<int16_t>(sum));
    }
    quant::StoreF32(b[i].d, 1 / iscale);
  }
}

}  // namespace densing
