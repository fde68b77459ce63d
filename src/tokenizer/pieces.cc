// BuildPieces: token id -> bytes, computed once per vocabulary.
#include "tokenizer/pieces.h"

#include <cstdlib>

#include "tokenizer/byte_unicode.h"

namespace densing::tokenizer {
namespace {

std::string Unescape(const std::string& text) {
  static constexpr std::string_view kSpace = "\xE2\x96\x81";
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    if (text.compare(pos, kSpace.size(), kSpace) == 0) {
      out.push_back(' ');
      pos += kSpace.size();
    } else {
      out.push_back(text[pos++]);
    }
  }
  return out;
}

std::string Piece(const Vocab& vocab, int32_t id) {
  const std::string& text = vocab.texts[id];
  switch (vocab.types[id]) {
    case TokenType::kControl:
    case TokenType::kUnknown:
    case TokenType::kUserDefined:
      return text;
    case TokenType::kNormal:
      return vocab.kind == ModelKind::kSpm ? Unescape(text) : UnicodeToBytes(text);
    case TokenType::kByte:
      // LoadVocab checked the <0xNN> form of SPM byte tokens; BPE has none in practice and
      // llama.cpp renders them as nothing.
      if (vocab.kind != ModelKind::kSpm) return {};
      return std::string(1, static_cast<char>(std::strtol(text.substr(3, 2).c_str(), nullptr, 16)));
    case TokenType::kUnused:
    case TokenType::kUndefined:
      return {};
  }
  return {};
}

}  // namespace

std::vector<std::string> BuildPieces(const Vocab& vocab) {
  std::vector<std::string> pieces(vocab.texts.size());
  for (int32_t id = 0; id < vocab.size(); ++id) pieces[id] = Piece(vocab, id);
  return pieces;
}

}  // namespace densing::tokenizer
