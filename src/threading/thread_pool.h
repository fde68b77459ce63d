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
  // all are done. Tasks are handed out in order from a shared counter. Not reentrant.
  template <typename F>
  void ParallelFor(int64_t n_tasks, F&& fn) {
    auto& f = fn;
    Run(n_tasks, TaskFn(f));
  }

 private:
  void Run(int64_t n_tasks, TaskFn fn);
  void WorkerLoop(int worker);
  void Drain(int worker);

  int n_threads_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> next_task_{0};
  std::atomic<int> busy_{0};
  int64_t n_tasks_ = 0;
  const TaskFn* fn_ = nullptr;
  bool stop_ = false;
};

}  // namespace densing
