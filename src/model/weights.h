// Weights: every tensor of a decoder-only transformer, as views into the mapped GGUF file.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "tensor/tensor_view.h"

namespace densing {

// A small F32 vector (norm weight, bias): points into the file, or into a converted copy.
struct Vec {
  const float* data = nullptr;
  int64_t n = 0;
  explicit operator bool() const { return data != nullptr; }
};

// Absent optional tensors have data == nullptr.
struct LayerWeights {
  Vec attn_norm;                                       // [n_embd]
  TensorView attn_q, attn_k, attn_v;                   // [n_embd, n_head·hd], [n_embd, n_kv·hd] ×2
  TensorView attn_qkv;                                 // fused: [n_embd, (n_head + 2·n_kv)·hd]
  Vec attn_q_bias, attn_k_bias, attn_v_bias;
  Vec attn_q_norm, attn_k_norm;                        // [hd]: RMS norm of each head (Qwen3, Gemma 3)
  TensorView attn_output;                              // [n_head·hd, n_embd]
  Vec post_attn_norm;                                  // [n_embd]
  Vec ffn_norm;                                        // [n_embd]
  TensorView ffn_gate, ffn_up, ffn_down;               // [n_embd, n_ff] ×2, [n_ff, n_embd]
                                                       // fused gate+up: ffn_up [n_embd, 2·n_ff]
  Vec post_ffn_norm;                                   // [n_embd]
  TensorView ffn_gate_inp;                             // router: [n_embd, n_expert]
  TensorView ffn_gate_exps, ffn_up_exps, ffn_down_exps;  // [n_embd, n_ff_exp, n_expert], ...
  TensorView ffn_gate_inp_shexp;                       // [n_embd, 1]
  TensorView ffn_gate_shexp, ffn_up_shexp, ffn_down_shexp;

  TensorView conv_in;                                  // short convolution: [n_embd, 3·n_embd] → B | C | x
  Vec conv_taps;                                       // [n_taps, n_embd]: tap j of channel i at [i·n_taps + j]
  TensorView conv_out;                                 // [n_embd, n_embd]

  bool is_moe() const { return ffn_gate_inp.data != nullptr; }
};

struct Weights {
  TensorView token_embd;  // [n_embd, n_vocab]
  Vec output_norm;        // [n_embd]
  TensorView output;      // [n_embd, n_vocab]; token_embd when tied
  Vec rope_freqs;         // [n_rot / 2] frequency divisors, if the file has them
  Vec rope_factors_long;  // [n_rot / 2] LongRoPE's divisors past ModelConfig::n_ctx_orig, if any
  Vec rope_factors_short; // [n_rot / 2] and within it
  std::vector<LayerWeights> layers;
  std::deque<std::vector<float>> converted;  // backing store of Vecs not stored as F32
};

}  // namespace densing
