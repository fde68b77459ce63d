// StopMatcher: cuts generated text at the first stop string, holding back the tail that may
// still turn into one so that a stream never sends part of a stop string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace densing::server {

class StopMatcher {
 public:
  StopMatcher() = default;
  explicit StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {}

  // Appends generated text; returns what is now safe to send. Once a stop string appears,
  // stopped() is true and everything before it has been returned.
  std::string Push(std::string_view text);
  // The text still held back, at the end of generation (empty after a stop).
  std::string Flush();
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace densing::server
