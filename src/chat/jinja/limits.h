// Limits that keep a hostile template from hanging or exhausting memory, and the budget that
// enforces them during one render.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/error.h"

namespace densing::jinja {

struct Limits {
  size_t max_output_bytes = 8 << 20;       // the rendered text, and any one string built on the way
  uint64_t max_loop_iterations = 1 << 18;  // all for-loop iterations of a render together
  uint64_t max_work = 1 << 26;             // evaluation steps plus bytes of strings and lists built
  int max_call_depth = 64;                 // nested macro calls
  int max_eval_depth = 400;                // nested statements and expressions while rendering
};

class Budget {
 public:
  explicit Budget(const Limits& limits) : limits_(limits) {}

  const Limits& limits() const { return limits_; }

  // Counts work for one evaluation step or for building `bytes` of data.
  void Charge(uint64_t amount) {
    work_ += amount;
    if (work_ > limits_.max_work) {
      Fail("template exceeds its work limit of {} steps", limits_.max_work);
    }
  }

  void CheckStringSize(size_t size) const {
    if (size > limits_.max_output_bytes) {
      Fail("template builds a string of {} bytes, over the limit of {}", size,
           limits_.max_output_bytes);
    }
  }

  void CountIteration() {
    if (++iterations_ > limits_.max_loop_iterations) {
      Fail("template exceeds its limit of {} loop iterations", limits_.max_loop_iterations);
    }
  }

 private:
  Limits limits_;
  uint64_t work_ = 0;
  uint64_t iterations_ = 0;
};

}  // namespace densing::jinja
