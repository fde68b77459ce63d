// Tile selection and the scalar reference tile.
#include "kernels/dot_tile.h"

#define HWY_WANT_AVX3_DL  // before any Highway header, as in the kernel files
#include "hwy/targets.h"
#include "kernels/cpu_path.h"
#include "kernels/dot_simd.h"

namespace densing {

void ReferenceMatTile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1) {
  const auto vec_dot = Traits(m.w_type).vec_dot;
  for (int64_t t = t0; t < t1; ++t) {
    const uint8_t* x = m.x + t * m.x_row_bytes;
    for (int64_t r = r0; r < r1; ++r) {
      m.y[t * m.y_stride + r] = vec_dot(m.k, m.w + r * m.w_row_bytes, x);
    }
  }
}

MatTileFn FindSimdMatTile(DType w) {
  if (MatTileFn f = FloatSimdTile(w)) return f;
#if defined(__aarch64__)
  if (ActiveCpuPath() >= CpuPath::kDotprod) {
    if (MatTileFn f = ArmDotprodTile(w)) return f;
  }
#endif
  if (MatTileFn f = LegacySimdTile(w)) return f;
  return KQuantSimdTile(w);
}

MatTileFn FindMatTile(DType w) {
  MatTileFn f = FindSimdMatTile(w);
  return f != nullptr ? f : &ReferenceMatTile;
}

}  // namespace densing
