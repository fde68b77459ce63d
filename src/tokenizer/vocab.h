// Vocab: the tokenizer.ggml.* metadata of a GGUF file, validated and indexed for the tokenizers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace densing::gguf {
class File;
}

namespace densing::tokenizer {

// tokenizer.ggml.token_type values (on disk).
enum class TokenType : int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

enum class ModelKind : uint8_t { kSpm, kBpe };

// Lets a std::string-keyed map be searched with a std::string_view, without a copy.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringIdMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

inline constexpr uint8_t kLstrip = 1;  // a special token eats the whitespace before it
inline constexpr uint8_t kRstrip = 2;  // ... and after it

struct Vocab {
  ModelKind kind = ModelKind::kSpm;
  std::string model;  // tokenizer.ggml.model
  std::string pre;    // tokenizer.ggml.pre ("default" when absent)

  std::vector<std::string> texts;
  std::vector<float> scores;
  std::vector<TokenType> types;  // as in the file, except where llama.cpp overrides (see eog)
  std::vector<uint8_t> strip;    // kLstrip | kRstrip per token
  StringIdMap text_to_id;        // a duplicated text maps to its last id, as in llama.cpp

  // Special ids; -1 = none.
  int32_t bos = -1, eos = -1, unk = -1, sep = -1, pad = -1, mask = -1;
  int32_t eot = -1, eom = -1;
  int32_t fim_pre = -1, fim_suf = -1, fim_mid = -1, fim_pad = -1, fim_rep = -1, fim_sep = -1;
  std::unordered_set<int32_t> eog;  // tokens that end a generation

  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;  // SPM: prefix the first text fragment with a space

  // SPM: the token for each byte (<0xNN>, else the one-byte text), -1 if none.
  std::array<int32_t, 256> byte_tokens{};

  int32_t size() const { return static_cast<int32_t>(texts.size()); }
  bool Contains(int32_t id) const { return id >= 0 && id < size(); }
  int32_t Find(std::string_view text) const {
    auto it = text_to_id.find(text);
    return it == text_to_id.end() ? -1 : it->second;
  }
};

// Reads and validates the vocabulary; any inconsistency throws Error naming the key.
Vocab LoadVocab(const gguf::File& file);

// Special ids from their keys and llama.cpp's text heuristics; EOG set; strip attributes.
void LoadSpecialTokens(const gguf::File& file, Vocab* vocab);

// Fills vocab->eog from the special ids and the end-of-turn texts, forcing the types llama.cpp
// forces (end-of-turn texts become control; gpt-oss markup becomes user-defined).
void BuildEndOfGeneration(Vocab* vocab);

}  // namespace densing::tokenizer
