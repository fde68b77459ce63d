// Prometheus exposition: # HELP, # TYPE, then the samples.
#include "server/metrics.h"

#include <fmt/format.h>

namespace densing::server {

void Metrics::CountRequest(int status) {
  std::lock_guard lock(mu_);
  ++by_status_[status];
}

std::string Metrics::Prometheus(const SchedulerStats& s, int n_slots) const {
  std::string out;
  const auto metric = [&](const char* name, const char* type, const char* help, auto value) {
    out += fmt::format("# HELP densing_{0} {1}\n# TYPE densing_{0} {2}\ndensing_{0} {3}\n", name,
                       help, type, value);
  };
  out +=
      "# HELP densing_requests_total Requests answered, by HTTP status.\n"
      "# TYPE densing_requests_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [status, count] : by_status_) {
      out += fmt::format("densing_requests_total{{status=\"{}\"}} {}\n", status, count);
    }
  }
  metric("prompt_tokens_total", "counter", "Prompt tokens evaluated.", s.prompt_tokens);
  metric("prompt_tokens_cached_total", "counter", "Prompt tokens reused from a slot's cache.",
         s.cached_tokens);
  metric("generated_tokens_total", "counter", "Tokens generated.", s.generated_tokens);
  metric("forward_steps_total", "counter", "Forward steps run.", s.steps);
  metric("busy_seconds_total", "counter", "Seconds spent in forward steps.", s.busy_seconds);
  const double rate =
      s.busy_seconds > 0 ? static_cast<double>(s.generated_tokens) / s.busy_seconds : 0.0;
  metric("generated_tokens_per_second", "gauge",
         "Tokens generated per busy second, all slots together.", rate);
  metric("context_shifts_total", "counter", "Times a full slot shifted its context.",
         s.context_shifts);
  metric("context_shifted_tokens_total", "counter", "Tokens dropped from contexts by shifts.",
         s.shifted_tokens);
  metric("draft_tokens_total", "counter", "Tokens proposed by speculative decoding.",
         s.drafted_tokens);
  metric("draft_accepted_tokens_total", "counter", "Proposed tokens the model kept.",
         s.accepted_tokens);
  metric("draft_acceptance_rate", "gauge", "Kept over proposed tokens (0 before any).",
         s.drafted_tokens > 0
             ? static_cast<double>(s.accepted_tokens) / static_cast<double>(s.drafted_tokens)
             : 0.0);
  metric("queue_length", "gauge", "Requests waiting for a slot.", s.queued);
  metric("busy_slots", "gauge", "Slots serving a request.", s.busy_slots);
  metric("slots", "gauge", "Slots in all.", n_slots);
  return out;
}

}  // namespace densing::server
