// Memory read bandwidth: what decode speed is measured against (a token reads every weight once).
#pragma once

#include <cstdint>

#include "threading/thread_pool.h"

namespace densing {

struct ReadBandwidth {
  double gb_per_s = 0;     // best pass, 1e9 bytes per second
  int64_t buffer_bytes = 0;
  int passes = 0;
};

// Streams a buffer of `buffer_bytes` (0: 1 GiB, or four times the last-level cache when that is
// larger) through every worker of `pool`, each reading its own contiguous slice with vector
// loads as one, two and four sequential streams, `passes` times; reports the fastest pass. The pages are faulted in by a fill before any
// pass is timed. Allocates the buffer (this is a measurement, not the forward pass).
ReadBandwidth MeasureReadBandwidth(ThreadPool& pool, int64_t buffer_bytes = 0, int passes = 5);

// Σ of the buffer as 64-bit words (wrapping): the kernel MeasureReadBandwidth times, exposed so
// a test can compare it with its scalar reference. `n` is a multiple of 8 bytes.
uint64_t SumWords(const uint8_t* p, int64_t n);
uint64_t SumWordsReference(const uint8_t* p, int64_t n);
// The same sum, reading `streams` equal parts of the buffer side by side.
uint64_t SumWordsStreams(const uint8_t* p, int64_t n, int streams);

}  // namespace densing
