// MatMul: pick a kernel family per weight type, convert the activations once into the layout it
// reads, then hand (rows × tokens) tiles of every matrix to the thread pool in one ParallelFor.
// One kernel dispatch per call; nothing allocated.
#include "kernels/matmul.h"

#include <algorithm>

#include "base/error.h"
#include "kernels/act_lanes.h"
#include "kernels/amx_matmul.h"
#include "kernels/dot_panel.h"
#include "kernels/dot_simd.h"
#include "kernels/dot_tile.h"
#include "kernels/quantize_simd.h"

namespace densing {
namespace {

constexpr int64_t kTokChunk = 32;  // tokens per task: each weight tile is reused this often
constexpr int kMaxShared = 4;      // matrices one MatMulShared call takes together

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

enum class Layout : uint8_t {
  kVecDot,  // rows of the weight type's vec_dot_type (F32: the input itself)
  kLanes,   // act_lanes.h
  kAmx,     // amx_matmul.h
  kPanel,   // dot_panel.h's XBlock rows
};

struct Plan {
  Layout layout = Layout::kVecDot;
  DType act = DType::kF32;  // kVecDot: the activation type
  MatTileFn tile = nullptr;
  AmxTileFn amx = nullptr;
  bool all_tokens = false;  // a task takes every token of its rows (the panels: decode once)

  bool SameActivations(const Plan& o) const { return layout == o.layout && act == o.act; }
  bool Converts() const { return layout != Layout::kVecDot || act != DType::kF32; }
  int64_t XBytes(int64_t k, int64_t n_tok) const {
    switch (layout) {
      case Layout::kLanes:
        return lanes::RowBytes(k) * n_tok;
      case Layout::kAmx:
        return AmxActivationBytes(act, k, n_tok);
      case Layout::kPanel:
        return panel::RowBytes(k) * n_tok;
      case Layout::kVecDot:
        break;
    }
    return act == DType::kF32 ? 0 : RowBytes(act, k) * n_tok;
  }
  // Bytes from one activation row to the next as the kernel reads them (AMX: unused).
  int64_t XRowStride(int64_t k) const {
    return layout == Layout::kVecDot ? RowBytes(act, k) : XBytes(k, 1);
  }
};

// Best: AMX tiles for large batches, int8 panels for batches of a few tokens on, the VNNI lanes
// tiles (else the native ones) for decoding.
Plan MakePlan(MatMulKernel kernel, DType w, int64_t n_tok) {
  if (kernel == MatMulKernel::kDecode) return MakePlan(MatMulKernel::kBest, w, 1);
  Plan p;
  p.act = Traits(w).vec_dot_type;
  const bool best = kernel == MatMulKernel::kBest;
  if ((best && n_tok >= kAmxMinTokens) || kernel == MatMulKernel::kAmx) {
    if (const AmxTileFn f = FindAmxTile(w)) {
      p.layout = Layout::kAmx;
      p.amx = f;
      return p;
    }
  }
  if ((best && n_tok >= panel::kMinTokens) || kernel == MatMulKernel::kPanel) {
    bool packed = false;
    if (const MatTileFn f = PanelSimdTile(w, &packed)) {
      if (packed) p.layout = Layout::kPanel;
      p.tile = f;
      p.all_tokens = true;
      return p;
    }
  }
  if (best || kernel == MatMulKernel::kAmx || kernel == MatMulKernel::kLanes) {
    if (const MatTileFn f = LanesSimdTile(w)) {
      p.layout = Layout::kLanes;
      p.tile = f;
      return p;
    }
  }
  if (kernel != MatMulKernel::kReference) p.tile = FindSimdMatTile(w);
  if (p.tile == nullptr) p.tile = &ReferenceMatTile;
  return p;
}

void CheckMatrix(const TensorView& w) {
  if (w.ne[2] != 1 || w.ne[3] != 1) {
    Fail("MatMul: {} is not a matrix ({}x{}x{}x{})", w.name, w.ne[0], w.ne[1], w.ne[2], w.ne[3]);
  }
}

// Converts n_tok rows of k floats into the plan's layout; returns where the kernel reads them.
const uint8_t* Convert(const Plan& p, const float* x, int64_t k, int64_t n_tok, uint8_t* scratch,
                       ThreadPool& pool) {
  if (!p.Converts()) return reinterpret_cast<const uint8_t*>(x);
  DENSING_CHECK(scratch != nullptr);
  if (p.layout == Layout::kAmx) {
    const int64_t n_tiles = CeilDiv(n_tok, kAmxTokens);
    pool.ParallelFor(n_tiles, [&](int64_t tile, int) { AmxPackActivations(p.act, x, k, n_tok, tile, scratch); });
    return scratch;
  }
  const int64_t row = p.XRowStride(k);
  auto convert = [&](int64_t t, int) {
    if (p.layout == Layout::kLanes) {
      lanes::PackRow(x + t * k, k, scratch + t * row);
    } else if (p.layout == Layout::kPanel) {
      panel::PackRow(x + t * k, k, scratch + t * row);
    } else if (p.act == DType::kQ8_K) {
      QuantizeQ8_K(x + t * k, k / 256, scratch + t * row);
    } else {
      Traits(p.act).from_float(x + t * k, scratch + t * row, k);
    }
  };
  if (n_tok == 1) {
    convert(0, 0);
  } else {
    pool.ParallelFor(n_tok, convert);
  }
  return scratch;
}

// The matrices of one call, split into row ranges × token ranges.
struct Job {
  MatTile m[kMaxShared];
  MatTileFn tile[kMaxShared];
  AmxTileFn amx[kMaxShared];
  int64_t rows[kMaxShared];        // rows per task
  int64_t first_task[kMaxShared + 1];
  int n = 0;
};

void Run(const Plan* plans, std::span<const MatMulOut> outs, const float* x, int64_t n_tok,
         uint8_t* scratch, ThreadPool& pool) {
  const int64_t k = outs[0].w->ne[0];
  const Plan& p = plans[0];
  const uint8_t* xa = Convert(p, x, k, n_tok, scratch, pool);

  Job job;
  job.n = static_cast<int>(outs.size());
  int64_t total_rows = 0;
  for (const MatMulOut& o : outs) total_rows += o.w->ne[1];
  const bool amx = p.layout == Layout::kAmx;
  const bool all_tokens = amx || p.all_tokens;
  const int64_t n_tok_tasks = all_tokens ? 1 : CeilDiv(n_tok, kTokChunk);
  // Rows per task: ~8 tasks per worker (handed out from a shared counter, so the workers finish
  // within one small task of each other), large enough that handing one out costs little next
  // to streaming its weights. AMX tasks take whole panels of kAmxRows rows.
  const int64_t want_tasks = 8 * static_cast<int64_t>(pool.n_threads());
  const int64_t row_tasks = std::max<int64_t>(1, CeilDiv(want_tasks, n_tok_tasks));
  int64_t rows = std::clamp<int64_t>(CeilDiv(CeilDiv(total_rows, row_tasks), 4) * 4, 4, 256);
  if (amx) rows = kAmxRows;
  if (p.all_tokens) {
    constexpr int64_t kMul = panel::kRowMultiple;
    rows = std::clamp<int64_t>(CeilDiv(CeilDiv(total_rows, want_tasks), kMul) * kMul, kMul, 256);
  }
  job.first_task[0] = 0;
  for (int i = 0; i < job.n; ++i) {
    const TensorView& w = *outs[static_cast<size_t>(i)].w;
    MatTile& m = job.m[i];
    m.w_type = w.type;
    m.w = w.data;
    m.w_row_bytes = w.row_bytes();
    m.x = xa;
    m.x_row_bytes = p.XRowStride(k);
    m.k = k;
    m.y = outs[static_cast<size_t>(i)].y;
    m.y_stride = w.ne[1];
    job.tile[i] = plans[i].tile;
    job.amx[i] = plans[i].amx;
    job.rows[i] = rows;
    job.first_task[i + 1] = job.first_task[i] + CeilDiv(w.ne[1], rows) * n_tok_tasks;
  }
  pool.ParallelFor(job.first_task[job.n], [&](int64_t task, int) {
    int i = 0;
    while (task >= job.first_task[i + 1]) ++i;
    const int64_t local = task - job.first_task[i];
    const int64_t n_row_tasks = (job.first_task[i + 1] - job.first_task[i]) / n_tok_tasks;
    const int64_t r0 = (local % n_row_tasks) * job.rows[i];
    const int64_t r1 = std::min(job.m[i].y_stride, r0 + job.rows[i]);
    if (amx) {
      job.amx[i](job.m[i], r0, r1, n_tok);
      return;
    }
    if (all_tokens) {
      job.tile[i](job.m[i], r0, r1, 0, n_tok);
      return;
    }
    const int64_t t0 = (local / n_row_tasks) * kTokChunk;
    job.tile[i](job.m[i], r0, r1, t0, std::min(n_tok, t0 + kTokChunk));
  });
}

}  // namespace

int64_t MatMulScratchBytes(DType w, int64_t k, int64_t n_tok) {
  int64_t need = 0;
  for (MatMulKernel kernel : {MatMulKernel::kReference, MatMulKernel::kLanes, MatMulKernel::kAmx,
                              MatMulKernel::kPanel}) {
    need = std::max(need, MakePlan(kernel, w, n_tok).XBytes(k, n_tok));
  }
  return need;
}

bool HasMatMulKernel(MatMulKernel kernel, DType w) {
  switch (kernel) {
    case MatMulKernel::kBest:
    case MatMulKernel::kReference:
    case MatMulKernel::kDecode:
      return true;
    case MatMulKernel::kNative:
      return FindSimdMatTile(w) != nullptr;
    case MatMulKernel::kLanes:
      return LanesSimdTile(w) != nullptr;
    case MatMulKernel::kAmx:
      return FindAmxTile(w) != nullptr;
    case MatMulKernel::kPanel:
      return PanelSimdTile(w, nullptr) != nullptr;
  }
  return false;
}

void MatMulUsing(MatMulKernel kernel, std::span<const MatMulOut> outs, const float* x,
                 int64_t n_tok, uint8_t* scratch, ThreadPool& pool) {
  if (outs.empty() || n_tok <= 0) return;
  for (const MatMulOut& o : outs) CheckMatrix(*o.w);
  // Matrices share one conversion and one ParallelFor when they read the same activations.
  Plan plans[kMaxShared];
  size_t begin = 0;
  while (begin < outs.size()) {
    size_t end = begin;
    const int64_t k = outs[begin].w->ne[0];
    while (end < outs.size() && end - begin < kMaxShared) {
      const Plan p = MakePlan(kernel, outs[end].w->type, n_tok);
      if (end > begin && (!p.SameActivations(plans[0]) || outs[end].w->ne[0] != k)) break;
      plans[end - begin] = p;
      ++end;
    }
    Run(plans, outs.subspan(begin, end - begin), x, n_tok, scratch, pool);
    begin = end;
  }
}

void MatMulShared(std::span<const MatMulOut> outs, const float* x, int64_t n_tok, uint8_t* scratch,
                  ThreadPool& pool) {
  MatMulUsing(MatMulKernel::kBest, outs, x, n_tok, scratch, pool);
}

void MatMul(const TensorView& w, const float* x, int64_t n_tok, float* y, uint8_t* scratch,
            ThreadPool& pool) {
  const MatMulOut out{&w, y};
  MatMulUsing(MatMulKernel::kBest, std::span<const MatMulOut>(&out, 1), x, n_tok, scratch, pool);
}

}  // namespace densing
