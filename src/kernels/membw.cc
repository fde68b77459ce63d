// The read-bandwidth probe: a multi-threaded streaming sum, with Highway vector loads so the
// loop is bound by memory, not by instructions.
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/membw.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// Highway before our headers: foreach_target re-includes this file once per target.
#include "hwy/highway.h"
#include "kernels/cpu_path.h"
#include "kernels/membw.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Σ of the lanes, wrapping: through memory, as the intrinsic reductions add as signed integers
// (undefined on overflow).
template <class D, class V>
HWY_INLINE uint64_t WrappingSum(D d, V v) {
  HWY_ALIGN uint64_t lanes[HWY_MAX_BYTES / sizeof(uint64_t)];
  hn::Store(v, d, lanes);
  uint64_t sum = 0;
  for (size_t i = 0; i < hn::Lanes(d); ++i) sum += lanes[i];
  return sum;
}

// Four independent accumulators so the adds never wait on each other; the tail in scalars.
uint64_t SumWordsSimd(const uint8_t* p, int64_t n) {
  const hn::ScalableTag<uint64_t> d;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  const auto* w = reinterpret_cast<const uint64_t*>(p);
  const int64_t n_words = n / 8;
  auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
  int64_t i = 0;
  for (; i + 4 * lanes <= n_words; i += 4 * lanes) {
    a0 = hn::Add(a0, hn::LoadU(d, w + i));
    a1 = hn::Add(a1, hn::LoadU(d, w + i + lanes));
    a2 = hn::Add(a2, hn::LoadU(d, w + i + 2 * lanes));
    a3 = hn::Add(a3, hn::LoadU(d, w + i + 3 * lanes));
  }
  uint64_t sum = WrappingSum(d, hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)));
  for (; i < n_words; ++i) sum += w[i];
  return sum;
}

// The same sum over `streams` equal parts of [p, p + n) read side by side, one vector of each
// per step: several sequential streams per core keep more cache-line fills in flight than one.
uint64_t SumWordsStreamsSimd(const uint8_t* p, int64_t n, int streams) {
  const hn::ScalableTag<uint64_t> d;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  const int64_t part = n / 8 / streams / (2 * lanes) * (2 * lanes);  // words per stream
  const auto* w = reinterpret_cast<const uint64_t*>(p);
  auto a0 = hn::Zero(d), a1 = hn::Zero(d);
  for (int64_t i = 0; i < part; i += 2 * lanes) {
    for (int s = 0; s < streams; ++s) {
      a0 = hn::Add(a0, hn::LoadU(d, w + s * part + i));
      a1 = hn::Add(a1, hn::LoadU(d, w + s * part + i + lanes));
    }
  }
  uint64_t sum = WrappingSum(d, hn::Add(a0, a1));
  for (int64_t i = streams * part; i < n / 8; ++i) sum += w[i];
  return sum;
}

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unistd.h>

#include "base/error.h"

namespace densing {

HWY_EXPORT(SumWordsSimd);
HWY_EXPORT(SumWordsStreamsSimd);

uint64_t SumWords(const uint8_t* p, int64_t n) { return DENSING_DISPATCH(SumWordsSimd)(p, n); }

uint64_t SumWordsStreams(const uint8_t* p, int64_t n, int streams) {
  return DENSING_DISPATCH(SumWordsStreamsSimd)(p, n, streams);
}

uint64_t SumWordsReference(const uint8_t* p, int64_t n) {
  uint64_t sum = 0;
  for (int64_t i = 0; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    sum += w;
  }
  return sum;
}

namespace {

int64_t DefaultBufferBytes() {
  int64_t bytes = int64_t{1} << 30;
#ifdef _SC_LEVEL3_CACHE_SIZE
  const long llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (llc > 0) bytes = std::max<int64_t>(bytes, 4 * static_cast<int64_t>(llc));
#endif
  return std::min<int64_t>(bytes, int64_t{4} << 30);
}

struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};

}  // namespace

ReadBandwidth MeasureReadBandwidth(ThreadPool& pool, int64_t buffer_bytes, int passes) {
  if (buffer_bytes <= 0) buffer_bytes = DefaultBufferBytes();
  if (passes < 1) Fail("read bandwidth: {} passes; at least 1 is needed", passes);
  constexpr int64_t kAlign = 4096;
  buffer_bytes = (buffer_bytes + kAlign - 1) / kAlign * kAlign;
  std::unique_ptr<uint8_t, FreeDeleter> buffer(
      static_cast<uint8_t*>(std::aligned_alloc(kAlign, static_cast<size_t>(buffer_bytes))));
  if (!buffer) Fail("read bandwidth: cannot allocate a buffer of {} bytes", buffer_bytes);

  // One contiguous slice per worker, so each core streams sequentially as a forward pass does.
  const int n = pool.n_threads();
  const int64_t slice = (buffer_bytes / n) / kAlign * kAlign;
  std::vector<uint64_t> sums(static_cast<size_t>(n));
  uint8_t* base = buffer.get();
  pool.ParallelFor(n, [&](int64_t task, int) {  // every worker touches (faults in) its own pages
    const int64_t begin = task * slice;
    const int64_t end = task == n - 1 ? buffer_bytes : begin + slice;
    std::memset(base + begin, static_cast<int>(task + 1), static_cast<size_t>(end - begin));
  });

  ReadBandwidth r;
  r.buffer_bytes = buffer_bytes;
  r.passes = passes;
  for (int pass = 0; pass < passes; ++pass) {
    for (int streams : {1, 2, 4}) {  // the best access pattern counts
      const auto t0 = std::chrono::steady_clock::now();
      pool.ParallelFor(n, [&](int64_t task, int) {
        const int64_t begin = task * slice;
        const int64_t end = task == n - 1 ? buffer_bytes : begin + slice;
        sums[static_cast<size_t>(task)] += SumWordsStreams(base + begin, end - begin, streams);
      });
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s > 0) r.gb_per_s = std::max(r.gb_per_s, static_cast<double>(buffer_bytes) * 1e-9 / s);
    }
  }
  return r;
}

}  // namespace densing
#endif  // HWY_ONCE
