// ThreadPool: one persistent set of workers; ParallelFor(n, fn(task, worker)) splits n tasks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace densing {

// A non-owning reference to a callable, so the hot path never allocates a std::function.
class TaskFn {
 public:
  template <typename F>
  TaskFn(F& f)  // NOLINT: implicit by design
      : object_(&f), call_([](void* o, int64_t task, int worker) {
          (*static_cast<F*>(o))(task, worker);
        }) {}
  void operator()(int64_t task, int worker) const { call_(object_, task, worker); }

 private:
  void* object_;
  void (*call_)(void*, int64_t, int);
};

class ThreadPool {
 public:
  // n_threads counts the calling thread; 0 means the number of hardware threads.
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int n_threads() const { return n_threads_; }

  // Runs fn(task, worker) for task in [0, n_tasks), worker in [0, n_threads()), and returns when
  // all are done. Tasks are handed out in order from a shared counter; the caller takes tasks
  // too, and returns as soon as every task is done, without waiting for workers that took none
  // (on a machine with more runnable threads than cores, a worker may not run for a while).
  // Not reentrant.
  template <typename F>
  void ParallelFor(int64_t n_tasks, F&& fn) {
    auto& f = fn;
    Run(n_tasks, TaskFn(f));
  }

 private:
  void Run(int64_t n_tasks, TaskFn fn);
  void WorkerLoop(int worker);
  // Takes and runs tasks of generation `gen` until none is left (or a later generation began).
  void Drain(uint32_t gen, int worker);

  int n_threads_;
  std::vector<std::thread> threads_;
  std::mutex mu_;  // only for workers going to sleep and waking them
  std::condition_variable wake_;
  std::atomic<int> sleepers_{0};
  // Generation (high 32 bits) and next task index (low 32 bits): a task is taken by a
  // compare-and-swap that fails once a newer generation is published, so a late worker can
  // never take a task of a call it did not see start.
  std::atomic<uint64_t> state_{0};
  std::atomic<int64_t> n_tasks_{0};
  std::atomic<int64_t> done_{0};
  const TaskFn* fn_ = nullptr;
  std::atomic<bool> stop_{false};
};

}  // namespace densing
