// Workers spin briefly on the shared generation (a decode step is a few hundred microseconds, too
// short to sleep through) and block on a condition variable when idle longer. Completion is
// counted per task, so the caller never waits for a worker that took no task.
#include "threading/thread_pool.h"

#include <sched.h>

#include <chrono>

#include "base/error.h"

namespace densing {
namespace {
// An idle worker spins this long before it sleeps: long enough to catch the next ParallelFor
// of a forward pass even across the sampling between two decoded tokens (waking a sleeping
// worker costs tens of microseconds, during which the caller streams the weights alone: 30 µs
// here decoded Llama-3.2-1B Q4_0 ~3% slower), short enough that an idle pool gives its cores
// back at once on a human scale.
constexpr auto kSpinTime = std::chrono::microseconds(1000);
// Waiting for tasks that other workers run: spin this long, then yield the core between checks,
// so that on a busy machine the worker being waited for (or any other) can run instead.
constexpr auto kWaitSpinTime = std::chrono::microseconds(10);
constexpr uint64_t kClosed = 0xFFFFFFFFu;  // a task index no call reaches
constexpr int64_t kMaxTasks = int64_t{kClosed};

inline void Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
inline uint32_t Generation(uint64_t state) { return static_cast<uint32_t>(state >> 32); }
}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  if (n_threads <= 0) n_threads = static_cast<int>(std::thread::hardware_concurrency());
  n_threads_ = n_threads < 1 ? 1 : n_threads;
  for (int w = 1; w < n_threads_; ++w) threads_.emplace_back([this, w] { WorkerLoop(w); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mu_);
    const uint64_t s = state_.load(std::memory_order_relaxed);
    state_.store((static_cast<uint64_t>(Generation(s) + 1) << 32) | kClosed,
                 std::memory_order_seq_cst);
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void ThreadPool::Drain(uint32_t gen, int worker) {
  uint64_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (Generation(s) != gen) return;
    const int64_t task = static_cast<int64_t>(s & 0xFFFFFFFFu);
    if (task >= n_tasks_.load(std::memory_order_acquire)) return;
    // A failed exchange reloads s: another thread took the task, or a new generation began.
    if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
      continue;
    }
    (*fn_)(task, worker);
    done_.fetch_add(1, std::memory_order_acq_rel);
    s = state_.load(std::memory_order_acquire);
  }
}

void ThreadPool::Run(int64_t n_tasks, TaskFn fn) {
  if (n_tasks <= 0) return;
  if (n_threads_ == 1 || n_tasks == 1) {
    for (int64_t t = 0; t < n_tasks; ++t) fn(t, 0);
    return;
  }
  DENSING_CHECK(n_tasks < kMaxTasks);
  // Close the previous generation first: a late worker that sees the new task count below also
  // sees this, so its compare-and-swap on the old generation fails.
  const uint32_t gen = Generation(state_.load(std::memory_order_relaxed)) + 1;
  state_.store((static_cast<uint64_t>(gen) << 32) | kClosed, std::memory_order_seq_cst);
  fn_ = &fn;
  n_tasks_.store(n_tasks, std::memory_order_release);
  done_.store(0, std::memory_order_relaxed);
  state_.store(static_cast<uint64_t>(gen) << 32, std::memory_order_seq_cst);  // opens it
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    { std::lock_guard<std::mutex> lock(mu_); }  // a worker between its check and its wait
    wake_.notify_all();
  }
  Drain(gen, 0);
  if (done_.load(std::memory_order_acquire) != n_tasks) {
    const auto yield_after = std::chrono::steady_clock::now() + kWaitSpinTime;
    for (int spins = 0; done_.load(std::memory_order_acquire) != n_tasks; ++spins) {
      if (spins < 64 || std::chrono::steady_clock::now() < yield_after) {
        Pause();
      } else {
        sched_yield();
      }
    }
  }
  fn_ = nullptr;
}

void ThreadPool::WorkerLoop(int worker) {
  uint32_t seen = 0;
  for (;;) {
    uint32_t gen = Generation(state_.load(std::memory_order_acquire));
    const auto sleep_after = std::chrono::steady_clock::now() + kSpinTime;
    for (int spins = 1; gen == seen; ++spins) {
      if (spins % 64 == 0 && std::chrono::steady_clock::now() >= sleep_after) break;
      Pause();
      gen = Generation(state_.load(std::memory_order_acquire));
    }
    if (gen == seen) {
      std::unique_lock<std::mutex> lock(mu_);
      // Announce the sleep before the last look (both sequentially consistent): Run either sees
      // the sleeper and notifies, or published its generation before this look.
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      wake_.wait(lock, [&] { return Generation(state_.load(std::memory_order_seq_cst)) != seen; });
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      gen = Generation(state_.load(std::memory_order_acquire));
    }
    seen = gen;
    if (stop_.load(std::memory_order_acquire)) return;
    Drain(gen, worker);
  }
}

}  // namespace densing
