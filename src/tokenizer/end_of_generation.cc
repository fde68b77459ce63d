// BuildEndOfGeneration: which tokens end a generation, as llama.cpp decides it from the ids and
// the texts of a vocabulary, and the token types it overrides on the way.
#include <algorithm>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace densing::tokenizer {
namespace {

// Texts that end a generation wherever they appear in a vocabulary, whatever the file types them.
constexpr std::string_view kEogTexts[] = {
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",  // o200k_harmony (gpt-oss)
    "<|call|>",    // o200k_harmony
    "<|flush|>",   // solar-open
    "<|calls|>",   // solar-open
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<eos>",
    "<turn|>",
    "<|tool_response>",
    "<\uff5cend\u2581of\u2581sentence\uff5c>",
    "[e~[",
};

// gpt-oss's channel markup is always rendered and always matched in text.
constexpr std::string_view kAlwaysUserDefined[] = {"<|channel|>", "<|message|>", "<|start|>",
                                                   "<|constrain|>"};

// The end-of-generation ids (ascending) whose text is `text`.
std::vector<int32_t> EogWithText(const Vocab& v, std::string_view text) {
  std::vector<int32_t> ids;
  for (int32_t id : v.eog) {
    if (v.texts[id] == text) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool HasEog(const Vocab& v, std::string_view text) { return !EogWithText(v, text).empty(); }

}  // namespace

void BuildEndOfGeneration(Vocab* v) {
  v->eog.clear();
  for (int32_t id : {v->fim_pad, v->fim_rep, v->fim_sep}) {
    if (id >= 0) v->eog.insert(id);
  }
  for (std::string_view text : kEogTexts) {
    const int32_t id = v->Find(text);
    if (id < 0) continue;
    v->eog.insert(id);
    v->types[id] = TokenType::kControl;
  }
  for (std::string_view text : kAlwaysUserDefined) {
    const int32_t id = v->Find(text);
    if (id >= 0) v->types[id] = TokenType::kUserDefined;
  }
  for (int32_t id : {v->eos, v->eot, v->eom}) {
    if (id >= 0) v->eog.insert(id);
  }

  // In o200k_harmony and solar-open, <|end|> ends a message, not the generation: the model goes
  // on with the next one. llama.cpp knows these vocabularies by their other end markers.
  const std::vector<int32_t> end = EogWithText(*v, "<|end|>");
  const bool has_call = HasEog(*v, "<|call|>") || HasEog(*v, "<|calls|>");
  if (!end.empty() && has_call && (HasEog(*v, "<|return|>") || HasEog(*v, "<|flush|>"))) {
    v->eog.erase(end.back());
    v->types[end.back()] = TokenType::kUserDefined;
  }

  // Gemma 4 and PLaMo spell "</s>" as ordinary text; llama.cpp tells them by these markers.
  const std::vector<int32_t> s = EogWithText(*v, "</s>");
  if (!s.empty() && (HasEog(*v, "<|tool_response>") || HasEog(*v, "<|plamo:eos|>"))) {
    v->eog.erase(s.back());
    v->types[s.back()] = TokenType::kNormal;
  }
}

}  // namespace densing::tokenizer
