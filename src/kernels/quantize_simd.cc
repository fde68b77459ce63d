// Highway activation quantizers: per block the max |x| as a vector reduction, then the
// reference's scalar scale arithmetic, then every element with the reference's rounding
// (half away from zero for Q8_0, the 1.5·2^23 trick for Q8_K) in vector lanes.
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/quantize_simd.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// Highway before our headers: foreach_target re-includes this file once per target.
#include <cmath>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/cpu_path.h"
#include "kernels/quantize_simd.h"
#include "tensor/half.h"
#include "tensor/quant_blocks.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using D8 = hn::Rebind<int8_t, DF>;

HWY_INLINE float MaxAbs(const float* x, int64_t n) {
  const DF df;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  auto m = hn::Zero(df);
  for (int64_t i = 0; i < n; i += N) m = hn::Max(m, hn::Abs(hn::LoadU(df, x + i)));
  return hn::GetLane(hn::MaxOfLanes(df, m));
}

void QuantizeQ8_0Simd(const float* HWY_RESTRICT x, int64_t n_blocks, int8_t* HWY_RESTRICT q,
                      float* HWY_RESTRICT d) {
  const DF df;
  const DI di;
  const D8 d8;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  const auto half = hn::Set(df, 0.5f), neg_half = hn::Set(df, -0.5f);
  const auto one = hn::Set(di, 1);
  for (int64_t b = 0; b < n_blocks; ++b, x += 32, q += 32) {
    const float amax = MaxAbs(x, 32);
    const float scale = amax / 127;
    const float id = scale != 0.0f ? 1.0f / scale : 0.0f;
    d[b] = F16ToF32(F32ToF16(scale));  // the scale as the block stores it
    const auto vid = hn::Set(df, id);
    for (int64_t i = 0; i < 32; i += N) {
      const auto v = hn::Mul(hn::LoadU(df, x + i), vid);
      auto r = hn::ConvertTo(di, v);  // truncates toward zero
      const auto frac = hn::Sub(v, hn::ConvertTo(df, r));
      r = hn::IfThenElse(hn::RebindMask(di, hn::Ge(frac, half)), hn::Add(r, one), r);
      r = hn::IfThenElse(hn::RebindMask(di, hn::Le(frac, neg_half)), hn::Sub(r, one), r);
      hn::StoreU(hn::DemoteTo(d8, r), d8, q + i);
    }
  }
}

void QuantizeQ8_KSimd(const float* HWY_RESTRICT x, int64_t n_blocks, void* HWY_RESTRICT blocks) {
  const DF df;
  const DI di;
  const D8 d8;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  auto* out = static_cast<quant::BlockQ8_K*>(blocks);
  const auto magic = hn::Set(df, 12582912.0f);
  const auto mant = hn::Set(di, 0x007fffff), bias = hn::Set(di, 0x00400000);
  const auto max_q = hn::Set(di, 127);
  for (int64_t b = 0; b < n_blocks; ++b, x += 256) {
    quant::BlockQ8_K& o = out[b];
    std::memset(&o, 0, sizeof(o));
    const float amax = MaxAbs(x, 256);
    if (amax == 0.0f) continue;
    float max = 0.0f;  // the first element of largest magnitude, with its sign
    for (int j = 0; j < 256; ++j) {
      if (std::fabs(x[j]) == amax) {
        max = x[j];
        break;
      }
    }
    const float iscale = -127.0f / max;
    const auto vs = hn::Set(df, iscale);
    for (int64_t i = 0; i < 256; i += N) {
      const auto shifted = hn::Add(hn::Mul(vs, hn::LoadU(df, x + i)), magic);
      const auto r = hn::Sub(hn::And(hn::BitCast(di, shifted), mant), bias);
      hn::StoreU(hn::DemoteTo(d8, hn::Min(r, max_q)), d8, o.qs + i);
    }
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += o.qs[16 * g + l];
      quant::StoreI16(o.bsums + 2 * g, static_cast<int16_t>(sum));
    }
    quant::StoreF32(o.d, 1 / iscale);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "tensor/quant_legacy.h"

namespace densing {

HWY_EXPORT(QuantizeQ8_0Simd);
HWY_EXPORT(QuantizeQ8_KSimd);

void QuantizeQ8_0(const float* x, int64_t n_blocks, int8_t* q, float* d) {
  DENSING_DISPATCH(QuantizeQ8_0Simd)(x, n_blocks, q, d);
}

void QuantizeQ8_0Reference(const float* x, int64_t n_blocks, int8_t* q, float* d) {
  for (int64_t b = 0; b < n_blocks; ++b) {
    quant::BlockQ8_0 block;
    Q8_0FromFloat(x + 32 * b, &block, 32);
    std::memcpy(q + 32 * b, block.qs, 32);
    d[b] = quant::LoadF16(block.d);
  }
}

void QuantizeQ8_K(const float* x, int64_t n_blocks, void* blocks) {
  DENSING_DISPATCH(QuantizeQ8_KSimd)(x, n_blocks, blocks);
}

}  // namespace densing
#endif  // HWY_ONCE
