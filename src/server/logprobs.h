// Log-probabilities of tokens under the model's raw distribution, for "logprobs" in responses.
#pragma once

#include <cstdint>
#include <span>

#include "server/task.h"

namespace densing::server {

// log_softmax(logits)[id] and the n_top most likely tokens (ties to the lower id).
TokenLogprob ComputeLogprob(std::span<const float> logits, int32_t id, int n_top);

}  // namespace densing::server
