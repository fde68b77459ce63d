// The thread pool runs every task exactly once, on valid worker ids, many times over.
#include "threading/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace densing {
namespace {

TEST(ThreadPool, EveryTaskOnceWithValidWorkers) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 3, 100, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      std::atomic<bool> bad_worker{false};
      pool.ParallelFor(n, [&](int64_t task, int worker) {
        hits[static_cast<size_t>(task)].fetch_add(1);
        if (worker < 0 || worker >= threads) bad_worker = true;
      });
      for (auto& h : hits) EXPECT_EQ(h.load(), 1);
      EXPECT_FALSE(bad_worker.load());
    }
  }
}

TEST(ThreadPool, ManyShortRounds) {
  ThreadPool pool(3);
  std::atomic<int64_t> sum{0};
  for (int round = 0; round < 2000; ++round) {
    pool.ParallelFor(4, [&](int64_t task, int) { sum += task; });
  }
  EXPECT_EQ(sum.load(), 2000 * 6);
}

}  // namespace
}  // namespace densing
