// MatMul speed per weight type at model-like shapes, reported as GB/s of weights read.
//   BM_MatVec/<type>/<shape>/<threads>/<stream>/<kernel>: one token (decode). stream=0 reuses
//     one matrix (it stays in cache: kernel throughput); stream=1 cycles through copies totalling
//     1 GiB so the weights come from DRAM, as in a real forward pass.
//   BM_Prompt/<type>/<shape>/<threads>/<kernel>: 256 tokens at once (prefill), weights reused
//     across tokens.
// Shapes: 0 = 2048 rows × 2048 (a 1B model's attention), 1 = 896 rows × 4864 (Qwen2.5-0.5B's
// ffn_down). Kernels: 0 = best (what MatMul picks), 1 = native Highway tiles, 2 = lanes (AVX-512
// VNNI), 3 = AMX, 4 = panels (AVX2 / AVX-512 without VNNI, prompt only); a family without a
// kernel for the type is skipped. Compare the scalar
// reference with --benchmark_filter=Ref.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <vector>

#include "kernels/cpu_path.h"
#include "kernels/dot_tile.h"
#include "kernels/matmul.h"

namespace densing {
namespace {

const DType kTypes[] = {DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ8_0, DType::kQ4_0,
                        DType::kQ4_1, DType::kQ5_0, DType::kQ5_1, DType::kQ2_K, DType::kQ3_K,
                        DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};
constexpr int64_t kShapes[][2] = {{2048, 2048}, {896, 4864}};  // {rows, k}

struct Weights {
  std::vector<uint8_t> bytes;
  int64_t matrix_bytes = 0;
  int64_t n_copies = 1;
  TensorView View(int64_t copy, DType type, int64_t rows, int64_t k) const {
    TensorView w;
    w.name = "bench";
    w.type = type;
    w.ne = {k, rows, 1, 1};
    w.n_dims = 2;
    w.data = bytes.data() + copy * matrix_bytes;
    w.n_bytes = matrix_bytes;
    return w;
  }
};

Weights MakeWeights(DType type, int64_t rows, int64_t k, bool stream) {
  Weights w;
  w.matrix_bytes = RowBytes(type, k) * rows;
  w.n_copies = stream ? std::max<int64_t>(2, (int64_t{1} << 30) / w.matrix_bytes) : 1;
  w.bytes.resize(static_cast<size_t>(w.matrix_bytes * w.n_copies));
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> row(static_cast<size_t>(k));
  for (int64_t r = 0; r < rows; ++r) {
    for (float& v : row) v = dist(rng);
    Traits(type).from_float(row.data(), w.bytes.data() + r * RowBytes(type, k), k);
  }
  for (int64_t c = 1; c < w.n_copies; ++c) {
    std::memcpy(w.bytes.data() + c * w.matrix_bytes, w.bytes.data(),
                static_cast<size_t>(w.matrix_bytes));
  }
  return w;
}

constexpr MatMulKernel kKernels[] = {MatMulKernel::kBest, MatMulKernel::kNative,
                                     MatMulKernel::kLanes, MatMulKernel::kAmx,
                                     MatMulKernel::kPanel};
constexpr const char* kKernelNames[] = {"best", "native", "lanes", "amx", "panel"};

void Run(benchmark::State& state, int64_t n_tok, bool stream, int64_t kernel_arg) {
  const DType type = kTypes[state.range(0)];
  const int64_t rows = kShapes[state.range(1)][0], k = kShapes[state.range(1)][1];
  const MatMulKernel kernel = kKernels[kernel_arg];
  if (!HasMatMulKernel(kernel, type)) {
    state.SkipWithError("no kernel of this family for the type");
    return;
  }
  ThreadPool pool(static_cast<int>(state.range(2)));
  const Weights w = MakeWeights(type, rows, k, stream);
  std::vector<float> x(static_cast<size_t>(k * n_tok), 0.5f), y(static_cast<size_t>(rows * n_tok));
  std::vector<uint8_t> scratch(static_cast<size_t>(MatMulScratchBytes(type, k, n_tok)));
  int64_t copy = 0;
  for (auto _ : state) {
    const TensorView view = w.View(copy, type, rows, k);
    const MatMulOut out{&view, y.data()};
    MatMulUsing(kernel, std::span<const MatMulOut>(&out, 1), x.data(), n_tok, scratch.data(), pool);
    benchmark::DoNotOptimize(y.data());
    copy = (copy + 1) % w.n_copies;
  }
  state.SetLabel(std::string(Traits(type).name) + " " + DescribeCpuPath() + " " +
                 kKernelNames[kernel_arg]);
  state.counters["weight_GB/s"] = benchmark::Counter(static_cast<double>(w.matrix_bytes) * 1e-9,
                                                     benchmark::Counter::kIsIterationInvariantRate);
  if (n_tok > 1) {
    state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * double(rows) * double(k) * double(n_tok),
                                                   benchmark::Counter::kIsIterationInvariantRate);
  }
}

void BM_MatVec(benchmark::State& state) { Run(state, 1, state.range(3) != 0, state.range(4)); }
void BM_Prompt(benchmark::State& state) { Run(state, 256, false, state.range(3)); }

// The scalar reference tile on one thread, for the speed-up ratio.
void BM_RefMatVec(benchmark::State& state) {
  const DType type = kTypes[state.range(0)];
  const int64_t rows = kShapes[state.range(1)][0], k = kShapes[state.range(1)][1];
  const Weights w = MakeWeights(type, rows, k, false);
  const DTypeTraits& at = Traits(Traits(type).vec_dot_type);
  std::vector<float> xf(static_cast<size_t>(k), 0.5f), y(static_cast<size_t>(rows));
  std::vector<uint8_t> xa(static_cast<size_t>(RowBytes(at.type, k)));
  at.from_float(xf.data(), xa.data(), k);
  MatTile m{type, w.bytes.data(), RowBytes(type, k), xa.data(), RowBytes(at.type, k), k, y.data(),
            rows};
  for (auto _ : state) {
    ReferenceMatTile(m, 0, rows, 0, 1);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetLabel(Traits(type).name);
  state.counters["weight_GB/s"] = benchmark::Counter(static_cast<double>(w.matrix_bytes) * 1e-9,
                                                     benchmark::Counter::kIsIterationInvariantRate);
}

// kernels: the families to run (empty: no kernel argument, for the reference).
void TypesAndShapes(benchmark::internal::Benchmark* b, bool threads, bool stream,
                    std::vector<int64_t> kernels) {
  for (int64_t t = 0; t < static_cast<int64_t>(std::size(kTypes)); ++t) {
    for (int64_t s = 0; s < 2; ++s) {
      for (int64_t n : threads ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{1}) {
        if (kernels.empty()) {
          b->Args({t, s, n});
          continue;
        }
        for (int64_t kernel : kernels) {
          if (stream) {
            b->Args({t, s, n, 0, kernel});
            b->Args({t, s, n, 1, kernel});
          } else {
            b->Args({t, s, n, kernel});
          }
        }
      }
    }
  }
}

BENCHMARK(BM_MatVec)
    ->Apply([](benchmark::internal::Benchmark* b) { TypesAndShapes(b, true, true, {0, 1, 2}); })
    ->UseRealTime();
BENCHMARK(BM_Prompt)
    ->Apply([](benchmark::internal::Benchmark* b) { TypesAndShapes(b, true, false, {0, 1, 2, 3, 4}); })
    ->UseRealTime();
BENCHMARK(BM_RefMatVec)->Apply([](benchmark::internal::Benchmark* b) {
  TypesAndShapes(b, false, false, {});
});

}  // namespace
}  // namespace densing

BENCHMARK_MAIN();
