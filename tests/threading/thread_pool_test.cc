// The thread pool runs every task exactly once, on valid worker ids, many times over.
#include "threading/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
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

// More threads than cores, short rounds of uneven tasks: workers that wake late must never take
// a task of a round they did not see start, and every round must see each task exactly once.
TEST(ThreadPool, LateWorkersNeverRunAnotherRoundsTasks) {
  ThreadPool pool(8);
  std::vector<std::atomic<int>> hits(64);
  for (int round = 0; round < 3000; ++round) {
    const int64_t n = 1 + round % 64;
    pool.ParallelFor(n, [&](int64_t task, int) {
      ASSERT_LT(task, n);
      hits[static_cast<size_t>(task)].fetch_add(1);
      if (task % 7 == 0) std::this_thread::yield();
    });
    for (int64_t t = 0; t < 64; ++t) {
      ASSERT_EQ(hits[static_cast<size_t>(t)].exchange(0), t < n ? 1 : 0) << "round " << round;
    }
  }
}

// A pool whose workers are asleep (idle longer than their spin) still runs every task.
TEST(ThreadPool, WakesSleepingWorkers) {
  ThreadPool pool(3);
  for (int round = 0; round < 20; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    std::atomic<int64_t> sum{0};
    pool.ParallelFor(100, [&](int64_t task, int) { sum += task; });
    EXPECT_EQ(sum.load(), 99 * 100 / 2);
  }
}

}  // namespace
}  // namespace densing
