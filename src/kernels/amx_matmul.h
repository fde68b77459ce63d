// AMX tiles for prompt batches: weights decoded to int8 panels once per task, activations packed
// into 16-token tiles once per MatMul, and one tile multiply (TDPBSSD) per weight block of 16
// rows × 16 tokens, whose int32 sums AVX-512 scales into f32 accumulators (the block scales
// stop the integer sums from running past one block).
#pragma once

#include <cstdint>

#include "kernels/dot_tile.h"
#include "tensor/dtype.h"

namespace densing {

inline constexpr int64_t kAmxTokens = 16;     // tokens per activation tile
inline constexpr int64_t kAmxRows = 32;       // weight rows per MatMul task
inline constexpr int64_t kAmxMinTokens = 32;  // MatMul uses AMX from this many tokens on

// Computes y for rows [r0, r1) (r1 - r0 ≤ kAmxRows) and all n_tok tokens; m.x holds the
// activations packed by AmxPackActivations.
using AmxTileFn = void (*)(const MatTile& m, int64_t r0, int64_t r1, int64_t n_tok);

// The AMX tile for weight type w, or nullptr where the CPU, the OS or the chosen Highway target
// cannot run one, or w has none (Q4_0, Q5_0, Q8_0, Q4_K and Q6_K do).
AmxTileFn FindAmxTile(DType w);

// Bytes the packed activations of n_tok rows of k take; act is the weight's vec_dot_type.
int64_t AmxActivationBytes(DType act, int64_t k, int64_t n_tok);
// Packs token tile `tile` (tokens 16·tile .. 16·tile + 15, zeros past n_tok) of x [n_tok, k].
void AmxPackActivations(DType act, const float* x, int64_t k, int64_t n_tok, int64_t tile,
                        uint8_t* out);

}  // namespace densing
