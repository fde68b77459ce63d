// LoadSpecialTokens: BOS/EOS/EOT/EOM/FIM ids from their keys or, where no key names them,
// llama.cpp's text heuristics (the token found is forced to control type), then the
// end-of-generation set and the per-model strip attributes of special tokens.
#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/vocab.h"

namespace densing::tokenizer {
namespace {

struct Role {
  int32_t Vocab::*id;
  std::vector<std::string_view> keys;   // tokenizer.ggml.<key>; later keys win, as in llama.cpp
  std::vector<std::string_view> texts;  // looked for when no key names the token
};

// The texts are llama.cpp's. Where a vocabulary holds two texts of one role, llama.cpp takes
// whichever its hash map yields first; densing takes the first in this list.
const std::vector<Role>& Roles() {
  static const std::vector<Role> roles = {
      {&Vocab::bos, {"bos_token_id"}, {}},
      {&Vocab::eos, {"eos_token_id"}, {}},
      {&Vocab::unk, {"unknown_token_id"}, {}},
      {&Vocab::sep, {"seperator_token_id"}, {}},  // sic: the GGUF key is spelled this way
      {&Vocab::pad, {"padding_token_id"}, {}},
      {&Vocab::mask, {"mask_token_id"}, {}},
      {&Vocab::eot,
       {"eot_token_id"},
       {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
        "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<\uff5cend\u2581of\u2581sentence\uff5c>",
        "<end_of_utterance>"}},
      {&Vocab::eom, {"eom_token_id"}, {"<|eom_id|>"}},
      {&Vocab::fim_pre,
       {"fim_pre_token_id", "prefix_token_id"},
       {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\uff5cfim\u2581begin\uff5c>", "<PRE>",
        "\u2581<PRE>", "<|code_prefix|>", "<|prefix|>"}},
      {&Vocab::fim_suf,
       {"fim_suf_token_id", "suffix_token_id"},
       {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\uff5cfim\u2581hole\uff5c>", "<SUF>",
        "\u2581<SUF>", "<|code_suffix|>", "<|suffix|>"}},
      {&Vocab::fim_mid,
       {"fim_mid_token_id", "middle_token_id"},
       {"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\uff5cfim\u2581end\uff5c>", "<MID>",
        "\u2581<MID>", "<|code_middle|>", "<|middle|>"}},
      {&Vocab::fim_pad,
       {"fim_pad_token_id"},
       {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}},
      {&Vocab::fim_rep,
       {"fim_rep_token_id"},
       {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}},
      {&Vocab::fim_sep, {"fim_sep_token_id"}, {"<|file_sep|>"}},
  };
  return roles;
}

// Reads a special id key. Absent, or the "none" markers -1 / 0xFFFFFFFF: the default stays
// (llama.cpp keeps it too); any other id outside the vocabulary is an error.
void ReadId(const gguf::File& file, std::string_view key, Vocab* v, int32_t* id) {
  const std::string full = "tokenizer.ggml." + std::string(key);
  if (!file.Has(full)) return;
  const int64_t value = file.GetInt(full);
  if (value == -1 || value == 0xFFFFFFFFll) return;
  if (value < 0 || value >= v->size()) {
    Fail("{}: token id {} is out of range (the vocabulary has {} tokens)", full, value, v->size());
  }
  *id = static_cast<int32_t>(value);
}

bool Contains(const std::string& haystack, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return haystack.find(n) != std::string::npos; });
}

std::string Lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// llama.cpp sets these by model name, since GGUF files do not carry them.
void ApplyStripRules(const gguf::File& file, Vocab* v) {
  const std::string name = Lowercase(file.GetStringOr("general.name", ""));
  auto set = [v](std::string_view text, uint8_t flag, bool on) {
    const int32_t id = v->Find(text);
    if (id < 0) return;
    v->strip[id] = on ? (v->strip[id] | flag) : (v->strip[id] & ~flag);
  };
  if (Contains(v->pre, {"jina-v2-de", "jina-v2-es", "jina-v2-code"})) {
    set("<mask>", kLstrip, true);
  } else if (Contains(name, {"phi-3", "phi3"})) {
    for (int32_t id = 0; id < v->size(); ++id) {
      const TokenType t = v->types[id];
      if (t == TokenType::kControl || t == TokenType::kUserDefined || t == TokenType::kUnknown) {
        v->strip[id] |= kRstrip;
      }
    }
    set("</s>", kRstrip, true);
    for (std::string_view text : {"<unk>", "<s>", "<|endoftext|>"}) set(text, kRstrip, false);
  } else if (Contains(name, {"modern-bert"})) {
    set("[MASK]", kLstrip, true);
  }
}

}  // namespace

void LoadSpecialTokens(const gguf::File& file, Vocab* v) {
  const bool spm = v->kind == ModelKind::kSpm;
  auto in_range = [v](int32_t id) { return v->Contains(id) ? id : -1; };
  v->bos = in_range(spm ? 1 : 11);  // llama.cpp's defaults
  v->eos = in_range(spm ? 2 : 11);
  v->unk = spm ? in_range(0) : -1;

  for (const Role& role : Roles()) {
    int32_t& id = v->*role.id;
    for (std::string_view key : role.keys) ReadId(file, key, v, &id);
    if (id >= 0) continue;
    for (std::string_view text : role.texts) {
      id = v->Find(text);
      if (id >= 0) {
        // llama.cpp: "control-looking token ... its type will be overridden".
        v->types[id] = TokenType::kControl;
        break;
      }
    }
  }
  BuildEndOfGeneration(v);
  ApplyStripRules(file, v);
}

}  // namespace densing::tokenizer
