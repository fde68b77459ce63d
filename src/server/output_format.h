// The request fields that shape the output: response_format (json_object, json_schema),
// llama.cpp's `grammar` and `json_schema`, and logit_bias.
#pragma once

#include <nlohmann/json.hpp>

#include "sampling/sampler.h"

namespace densing::server {

// Sets s.grammar from response_format / grammar / json_schema (at most one of them); a grammar or
// schema that does not compile is a 400 naming the field and the problem. `ordered`, when given,
// is the same body with its keys in written order (a schema's properties are generated in it).
void ParseOutputFormat(const nlohmann::json& body, const nlohmann::ordered_json* ordered,
                       SamplerParams& s);

// logit_bias: {"token id": bias in [-100, 100]}; the ids are checked against the vocabulary
// by CheckLogitBias once the model is known.
void ParseLogitBias(const nlohmann::json& body, SamplerParams& s);
void CheckLogitBias(const SamplerParams& s, int32_t n_vocab);

}  // namespace densing::server
