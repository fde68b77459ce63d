// Tensors are generated row by row from a counter-based generator, so each row's values depend
// only on (seed, tensor, row), then converted with the quantizer's row functions and streamed.
#include "synth/synth.h"

#include <chrono>
#include <cmath>

#include "base/error.h"
#include "base/progress.h"
#include "gguf/gguf_writer.h"

namespace densing {
namespace {

enum class Fill : uint8_t { kWeight, kOnes, kBias, kRopeFactors, kShortRope, kLongRope };

struct Planned {
  gguf::TensorInfo info;
  Fill fill;
};

uint64_t SplitMix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Normal(0, sd) values by Box–Muller.
void Gaussian(uint64_t state, float sd, float* out, int64_t n) {
  for (int64_t i = 0; i < n; i += 2) {
    const double u1 = (static_cast<double>(SplitMix(state) >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = static_cast<double>(SplitMix(state) >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1)) * sd;
    out[i] = static_cast<float>(r * std::cos(2 * M_PI * u2));
    if (i + 1 < n) out[i + 1] = static_cast<float>(r * std::sin(2 * M_PI * u2));
  }
}

// LongRoPE-like divisors: 1 for the fastest-turning pair rising to 1 + top for the slowest, as
// the published Phi-3.5 / Phi-4-mini factors do (their short ones reach about 3, long ones 40+).
void LongRopeFactors(const SynthShape& s, double top, float* out) {
  const int64_t n = s.n_rot() / 2;
  for (int64_t i = 0; i < n; ++i) {
    const double x = n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 0.0;
    out[i] = static_cast<float>(1.0 + top * x * x);
  }
}

// Llama 3.1's long-context frequency divisors (factor 32, original context 8192).
void Llama3RopeFactors(const SynthShape& s, float* out) {
  const double factor = 32, low = 1, high = 4, original = 8192;
  const int64_t hd = s.hd();
  for (int64_t i = 0; i < hd / 2; ++i) {
    const double freq = std::pow(s.rope_base, -2.0 * i / hd);
    const double wavelen = 2 * M_PI / freq;
    if (wavelen < original / high) {
      out[i] = 1.0f;
    } else if (wavelen > original / low) {
      out[i] = static_cast<float>(factor);
    } else {
      const double smooth = (original / wavelen - low) / (high - low);
      out[i] = static_cast<float>(1.0 / ((1 - smooth) / factor + smooth));
    }
  }
}

constexpr int64_t kConvTaps = 3;  // LFM2's shortconv.l_cache

std::vector<Planned> Tensors(const SynthShape& s) {
  std::vector<Planned> v;
  auto add = [&](std::string name, std::vector<int64_t> ne, Fill fill) {
    gguf::TensorInfo t;
    t.name = std::move(name);
    t.n_dims = static_cast<int>(ne.size());
    for (size_t i = 0; i < ne.size(); ++i) t.ne[i] = ne[i];
    v.push_back({t, fill});
  };
  const int64_t d = s.n_embd, hd = s.hd(), q = s.n_head * hd, kv = s.n_head_kv * hd;
  add("token_embd.weight", {d, s.n_vocab}, Fill::kWeight);
  add(s.arch == "lfm2" ? "token_embd_norm.weight" : "output_norm.weight", {d}, Fill::kOnes);
  if (!s.tied) add("output.weight", {d, s.n_vocab}, Fill::kWeight);
  if (s.llama3_rope) add("rope_freqs.weight", {hd / 2}, Fill::kRopeFactors);
  if (s.n_ctx_orig > 0) {
    add("rope_factors_long.weight", {s.n_rot() / 2}, Fill::kLongRope);
    add("rope_factors_short.weight", {s.n_rot() / 2}, Fill::kShortRope);
  }
  for (int64_t i = 0; i < s.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    add(p + "attn_norm.weight", {d}, Fill::kOnes);
    if (s.conv(i)) {
      add(p + "shortconv.in_proj.weight", {d, 3 * d}, Fill::kWeight);
      add(p + "shortconv.conv.weight", {kConvTaps, d}, Fill::kWeight);
      add(p + "shortconv.out_proj.weight", {d, d}, Fill::kWeight);
    } else if (s.arch == "phi3") {
      add(p + "attn_qkv.weight", {d, q + 2 * kv}, Fill::kWeight);
    } else {
      add(p + "attn_q.weight", {d, q}, Fill::kWeight);
      add(p + "attn_k.weight", {d, kv}, Fill::kWeight);
      add(p + "attn_v.weight", {d, kv}, Fill::kWeight);
    }
    if (s.arch == "qwen2") {
      add(p + "attn_q.bias", {q}, Fill::kBias);
      add(p + "attn_k.bias", {kv}, Fill::kBias);
      add(p + "attn_v.bias", {kv}, Fill::kBias);
    }
    if (s.qk_norm() && !s.conv(i)) {
      add(p + "attn_q_norm.weight", {hd}, Fill::kOnes);
      add(p + "attn_k_norm.weight", {hd}, Fill::kOnes);
    }
    if (!s.conv(i)) add(p + "attn_output.weight", {q, d}, Fill::kWeight);
    if (s.sandwich_norms()) add(p + "post_attention_norm.weight", {d}, Fill::kOnes);
    add(p + "ffn_norm.weight", {d}, Fill::kOnes);
    if (s.n_expert > 0) {
      add(p + "ffn_gate_inp.weight", {d, s.n_expert}, Fill::kWeight);
      add(p + "ffn_gate_exps.weight", {d, s.n_ff, s.n_expert}, Fill::kWeight);
      add(p + "ffn_down_exps.weight", {s.n_ff, d, s.n_expert}, Fill::kWeight);
      add(p + "ffn_up_exps.weight", {d, s.n_ff, s.n_expert}, Fill::kWeight);
    } else if (s.arch == "phi3") {
      add(p + "ffn_up.weight", {d, 2 * s.n_ff}, Fill::kWeight);
      add(p + "ffn_down.weight", {s.n_ff, d}, Fill::kWeight);
    } else {
      add(p + "ffn_gate.weight", {d, s.n_ff}, Fill::kWeight);
      add(p + "ffn_up.weight", {d, s.n_ff}, Fill::kWeight);
      add(p + "ffn_down.weight", {s.n_ff, d}, Fill::kWeight);
    }
    if (s.sandwich_norms()) add(p + "post_ffw_norm.weight", {d}, Fill::kOnes);
  }
  return v;
}

void AddVocab(gguf::Writer& w, const SynthShape& shape) {
  const int64_t n_vocab = shape.n_vocab;
  gguf::Array tokens{gguf::ValueType::kString, {}}, scores{gguf::ValueType::kF32, {}},
      types{gguf::ValueType::kI32, {}};
  auto add = [&](std::string text, float score, int32_t type) {
    tokens.items.push_back(gguf::Value::Str(std::move(text)));
    scores.items.push_back(gguf::Value::F32(score));
    types.items.push_back(gguf::Value::I32(type));
  };
  add("<unk>", 0, 2);
  add("<s>", 0, 3);
  add("</s>", 0, 3);
  // The reference engine looks this one up in every model whose name says Phi-3.
  if (shape.arch == "phi3") add("<|endoftext|>", 0, 3);
  for (int b = 0; b < 256; ++b) add(fmt::format("<0x{:02X}>", b), 0, 6);
  // Then pieces "a".."z", "aa".., alternately with the word-start mark ▁, best scores first.
  for (int64_t i = 0; static_cast<int64_t>(tokens.items.size()) < n_vocab; ++i) {
    std::string piece;
    for (int64_t k = i / 2 + 1; k > 0; k = (k - 1) / 26) piece.insert(piece.begin(), static_cast<char>('a' + (k - 1) % 26));
    add((i % 2 == 0 ? "\xE2\x96\x81" : "") + piece, -static_cast<float>(i), 1);
  }
  w.AddKeyValue("tokenizer.ggml.model", gguf::Value::Str("llama"));
  w.AddKeyValue("tokenizer.ggml.tokens", gguf::Value::Arr(std::move(tokens)));
  w.AddKeyValue("tokenizer.ggml.scores", gguf::Value::Arr(std::move(scores)));
  w.AddKeyValue("tokenizer.ggml.token_type", gguf::Value::Arr(std::move(types)));
  w.AddKeyValue("tokenizer.ggml.bos_token_id", gguf::Value::U32(1));
  w.AddKeyValue("tokenizer.ggml.eos_token_id", gguf::Value::U32(2));
  w.AddKeyValue("tokenizer.ggml.unknown_token_id", gguf::Value::U32(0));
}

void AddHyperparameters(gguf::Writer& w, const SynthShape& s) {
  const std::string a = s.arch + ".";
  w.AddKeyValue("general.architecture", gguf::Value::Str(s.arch));
  w.AddKeyValue("general.name", gguf::Value::Str("densing synth " + s.name));
  w.AddKeyValue(a + "context_length", gguf::Value::U32(static_cast<uint32_t>(s.n_ctx)));
  w.AddKeyValue(a + "embedding_length", gguf::Value::U32(static_cast<uint32_t>(s.n_embd)));
  w.AddKeyValue(a + "block_count", gguf::Value::U32(static_cast<uint32_t>(s.n_layer)));
  w.AddKeyValue(a + "feed_forward_length", gguf::Value::U32(static_cast<uint32_t>(s.n_ff)));
  w.AddKeyValue(a + "attention.head_count", gguf::Value::U32(static_cast<uint32_t>(s.n_head)));
  if (s.arch == "lfm2") {  // per layer: 0 marks a convolution layer
    gguf::Array kv{gguf::ValueType::kI32, {}};
    for (int64_t i = 0; i < s.n_layer; ++i) {
      kv.items.push_back(gguf::Value::I32(s.conv(i) ? 0 : static_cast<int32_t>(s.n_head_kv)));
    }
    w.AddKeyValue(a + "attention.head_count_kv", gguf::Value::Arr(std::move(kv)));
    w.AddKeyValue(a + "shortconv.l_cache", gguf::Value::U32(static_cast<uint32_t>(kConvTaps)));
  } else {
    w.AddKeyValue(a + "attention.head_count_kv", gguf::Value::U32(static_cast<uint32_t>(s.n_head_kv)));
  }
  if (s.head_dim) {
    w.AddKeyValue(a + "attention.key_length", gguf::Value::U32(static_cast<uint32_t>(s.head_dim)));
    w.AddKeyValue(a + "attention.value_length", gguf::Value::U32(static_cast<uint32_t>(s.head_dim)));
  }
  w.AddKeyValue(a + "rope.dimension_count", gguf::Value::U32(static_cast<uint32_t>(s.n_rot())));
  if (s.n_ctx_orig > 0) {  // the attention factor as Phi-3's conversion computes it
    const double scale = static_cast<double>(s.n_ctx) / static_cast<double>(s.n_ctx_orig);
    w.AddKeyValue(a + "rope.scaling.original_context_length", gguf::Value::U32(static_cast<uint32_t>(s.n_ctx_orig)));
    w.AddKeyValue(a + "rope.scaling.attn_factor",
                  gguf::Value::F32(static_cast<float>(std::sqrt(1 + std::log(scale) / std::log(static_cast<double>(s.n_ctx_orig))))));
  }
  w.AddKeyValue(a + "rope.freq_base", gguf::Value::F32(s.rope_base));
  w.AddKeyValue(a + "attention.layer_norm_rms_epsilon", gguf::Value::F32(s.norm_eps));
  if (s.sliding_window) {
    w.AddKeyValue(a + "attention.sliding_window", gguf::Value::U32(static_cast<uint32_t>(s.sliding_window)));
  }
  if (s.n_expert) {
    w.AddKeyValue(a + "expert_count", gguf::Value::U32(static_cast<uint32_t>(s.n_expert)));
    w.AddKeyValue(a + "expert_used_count", gguf::Value::U32(static_cast<uint32_t>(s.n_expert_used)));
    w.AddKeyValue(a + "expert_feed_forward_length", gguf::Value::U32(static_cast<uint32_t>(s.n_ff)));
  }
  if (s.arch == "minicpm") {
    w.AddKeyValue(a + "embedding_scale", gguf::Value::F32(12.0f));
    w.AddKeyValue(a + "residual_scale", gguf::Value::F32(1.4f / std::sqrt(static_cast<float>(s.n_layer))));
    w.AddKeyValue(a + "logit_scale", gguf::Value::F32(static_cast<float>(s.n_embd) / 256.0f));
  }
  if (s.arch == "gemma2") {
    w.AddKeyValue(a + "attn_logit_softcapping", gguf::Value::F32(50.0f));
    w.AddKeyValue(a + "final_logit_softcapping", gguf::Value::F32(30.0f));
  }
}

}  // namespace

void ValidateShape(const SynthShape& s) {
  auto in = [](const char* what, int64_t v, int64_t lo, int64_t hi) {
    if (v < lo || v > hi) Fail("{} is {} (expected {} to {})", what, v, lo, hi);
  };
  in("--d", s.n_embd, 1, 65536);
  in("--layers", s.n_layer, 1, 1024);
  in("--heads", s.n_head, 1, 1024);
  in("--kv-heads", s.n_head_kv, 1, s.n_head);
  in("--ff", s.n_ff, 1, 1 << 20);
  in("--vocab", s.n_vocab, 260, 1 << 22);
  if (s.n_head % s.n_head_kv != 0) Fail("--heads {} is not a multiple of --kv-heads {}", s.n_head, s.n_head_kv);
  if (s.hd() < 2 || s.hd() % 2 != 0) Fail("the head size {} must be even", s.hd());
  if (s.n_expert > 0) in("experts used", s.n_expert_used, 1, s.n_expert);
}

SynthStats Synthesize(const SynthShape& s, const QuantTarget& target,
                      const std::vector<TypeOverride>& overrides, uint64_t seed,
                      const std::string& path, ThreadPool& pool) {
  ValidateShape(s);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Planned> planned = Tensors(s);
  std::vector<gguf::TensorInfo> infos;
  for (const Planned& p : planned) infos.push_back(p.info);
  const std::vector<DType> types = PlanTypes(infos, s.n_layer, s.n_expert, target, overrides);

  gguf::Writer w(path);
  AddHyperparameters(w, s);
  AddVocab(w, s);
  w.AddKeyValue("general.quantization_version", gguf::Value::U32(2));
  w.AddKeyValue("general.file_type", gguf::Value::U32(target.file_type));
  for (size_t i = 0; i < infos.size(); ++i) {
    w.AddTensor(infos[i].name, types[i], std::span(infos[i].ne.data(), static_cast<size_t>(infos[i].n_dims)));
  }

  SynthStats stats;
  for (const auto& t : infos) stats.n_params += t.ne[0] * t.ne[1] * t.ne[2];
  ProgressBar bar("synth", stats.n_params);
  int64_t done = 0;
  std::vector<uint8_t> out;
  std::vector<std::vector<float>> rows(static_cast<size_t>(pool.n_threads()));
  for (size_t i = 0; i < planned.size(); ++i) {
    const gguf::TensorInfo& t = infos[i];
    const int64_t k = t.ne[0], n_rows = t.ne[1] * t.ne[2];
    const DTypeTraits& to = Traits(types[i]);
    const int64_t row_bytes = RowBytes(types[i], k);
    const int64_t batch = std::max<int64_t>(1, (int64_t{32} << 20) / row_bytes);
    const float sd = 1.0f / std::sqrt(static_cast<float>(k));
    for (int64_t r0 = 0; r0 < n_rows; r0 += batch) {
      const int64_t n = std::min(batch, n_rows - r0);
      out.resize(static_cast<size_t>(n * row_bytes));
      pool.ParallelFor(n, [&](int64_t r, int worker) {
        std::vector<float>& f = rows[static_cast<size_t>(worker)];
        f.resize(static_cast<size_t>(k));
        switch (planned[i].fill) {
          case Fill::kOnes: std::fill(f.begin(), f.end(), 1.0f); break;
          case Fill::kRopeFactors: Llama3RopeFactors(s, f.data()); break;
          case Fill::kShortRope: LongRopeFactors(s, 2, f.data()); break;
          case Fill::kLongRope: LongRopeFactors(s, 40, f.data()); break;
          case Fill::kBias:
          case Fill::kWeight: {
            uint64_t state = seed ^ (uint64_t{i} << 40) ^ static_cast<uint64_t>(r0 + r);
            SplitMix(state);
            Gaussian(state, planned[i].fill == Fill::kBias ? 0.02f : sd, f.data(), k);
            break;
          }
        }
        to.from_float(f.data(), out.data() + r * row_bytes, k);
      });
      w.WriteTensorData(out);
      stats.bytes += n * row_bytes;
      done += n * k;
      bar.Update(done);
    }
  }
  w.Finish();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace densing
