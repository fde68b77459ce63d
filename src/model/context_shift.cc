// Context shift: the cache of a sequence that reached its context keeps its first tokens and its
// most recent ones, as if the middle had never been there.
#include <algorithm>
#include <cstring>
#include <vector>

#include "base/error.h"
#include "model/forward.h"

namespace densing {

void ShiftCache(const Model& model, KvCache& kv, int64_t n_keep, int64_t n_discard, int64_t n_past) {
  const ModelConfig& c = model.config();
  DENSING_CHECK(n_keep >= 0 && n_discard > 0 && n_keep + n_discard <= n_past && n_past <= kv.n_ctx);
  const int64_t first = n_keep + n_discard;  // the first position that stays, moving to n_keep
  std::vector<float> key(static_cast<size_t>(kv.kv_dim));
  for (int64_t layer = 0; layer < c.n_layer; ++layer) {
    const auto l = static_cast<size_t>(layer);
    if (c.conv(layer)) continue;
    RopeParams rope = LayerRope(model, layer, kv.n_ctx);
    rope.attn_factor = 1.0f;  // the keys carry it already: a shift only turns them
    const int64_t k_row = RowBytes(kv.types.k, kv.kv_dim), v_row = RowBytes(kv.types.v, kv.kv_dim);
    for (int64_t p = first; p < n_past; ++p) {
      uint8_t* k_from = kv.k[l].data() + p * k_row;
      Traits(kv.types.k).to_float(k_from, key.data(), kv.kv_dim);
      if (c.rotates(layer)) Rope(key.data(), c.n_head_kv, -n_discard, rope);  // [n_kv, hd]
      Traits(kv.types.k).from_float(key.data(), kv.k[l].data() + (p - n_discard) * k_row, kv.kv_dim);
      std::memmove(kv.v[l].data() + (p - n_discard) * v_row, kv.v[l].data() + p * v_row,
                   static_cast<size_t>(v_row));
    }
  }
  if (kv.conv_dim == 0) return;
  // The convolution inputs still kept from positions ≥ first, each to its new row.
  const int64_t from = std::max(first, kv.conv_end - KvCache::kConvWindow);
  const int64_t n = n_past - from;
  std::vector<float> rows(static_cast<size_t>(std::max<int64_t>(n, 0) * kv.conv_dim));
  for (int64_t layer = 0; layer < c.n_layer; ++layer) {
    if (!c.conv(layer)) continue;
    for (int64_t i = 0; i < n; ++i) {
      std::memcpy(rows.data() + i * kv.conv_dim, kv.ConvRow(layer, from + i), sizeof(float) * kv.conv_dim);
    }
    for (int64_t i = 0; i < n; ++i) {
      std::memcpy(kv.WriteConvRow(layer, from + i - n_discard), rows.data() + i * kv.conv_dim,
                  sizeof(float) * kv.conv_dim);
    }
  }
  kv.conv_end = n_past - n_discard;
  kv.conv_begin = from - n_discard;
}

}  // namespace densing
