// Metrics: request counts by status and the scheduler's counters in Prometheus' text format.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "server/scheduler.h"

namespace densing::server {

class Metrics {
 public:
  void CountRequest(int status);
  // The text /metrics serves.
  std::string Prometheus(const SchedulerStats& s, int n_slots) const;

 private:
  mutable std::mutex mu_;
  std::map<int, int64_t> by_status_;
};

}  // namespace densing::server
