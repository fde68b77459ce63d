// Tokenizer: construction from GGUF metadata, pieces, decoding and vocabulary queries.
#include "tokenizer/tokenizer.h"

#include "base/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/bpe.h"
#include "tokenizer/pieces.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/vocab.h"

namespace densing {

using tokenizer::ModelKind;

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::FromGguf(const gguf::File& file) {
  try {
    std::unique_ptr<Tokenizer> t(new Tokenizer());
    t->vocab_ = std::make_unique<tokenizer::Vocab>(tokenizer::LoadVocab(file));
    const tokenizer::Vocab& vocab = *t->vocab_;
    t->specials_ = std::make_unique<tokenizer::SpecialTokenSplitter>(vocab);
    if (vocab.kind == ModelKind::kBpe) {
      const tokenizer::PreTokenizerSpec& spec = tokenizer::FindPreTokenizerSpec(vocab.pre);
      t->pretokenizer_ = std::make_unique<tokenizer::PreTokenizer>(vocab.pre, spec);
      t->ignore_merges_ = spec.ignore_merges;
      t->merges_ = std::make_unique<tokenizer::BpeMerges>(tokenizer::BpeMerges::Load(file, vocab));
    }
    t->pieces_ = tokenizer::BuildPieces(vocab);
    return t;
  } catch (const Error& e) {
    // The reader's own errors already start with the path; ours name only the key.
    const std::string message = e.what();
    if (message.rfind(file.path(), 0) == 0) throw;
    throw Error(file.path() + ": " + message);
  }
}

void Tokenizer::CheckId(int32_t id) const {
  if (!vocab_->Contains(id)) {
    Fail("tokenizer: token id {} is out of range (the vocabulary has {} tokens)", id,
         vocab_->size());
  }
}

std::string Tokenizer::TokenToPiece(int32_t id, bool render_special) const {
  CheckId(id);
  if (!render_special && IsControl(id)) return {};
  return pieces_[id];
}

std::string Tokenizer::Decode(std::span<const int32_t> ids, bool render_special) const {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    CheckId(ids[i]);
    if (!render_special && IsControl(ids[i])) continue;
    std::string_view piece = pieces_[ids[i]];
    // llama.cpp strips the first token's leading space (the SPM prefix) once.
    if (i == 0 && vocab_->add_space_prefix && !piece.empty() && piece[0] == ' ') {
      piece.remove_prefix(1);
    }
    out += piece;
  }
  return out;
}

int32_t Tokenizer::n_vocab() const { return vocab_->size(); }
int32_t Tokenizer::bos() const { return vocab_->bos; }
int32_t Tokenizer::eos() const { return vocab_->eos; }
int32_t Tokenizer::eot() const { return vocab_->eot; }
int32_t Tokenizer::unk() const { return vocab_->unk; }
bool Tokenizer::add_bos() const { return vocab_->add_bos; }
bool Tokenizer::add_eos() const { return vocab_->add_eos; }
const std::string& Tokenizer::model() const { return vocab_->model; }
const std::string& Tokenizer::pre() const { return vocab_->pre; }

bool Tokenizer::IsEndOfGeneration(int32_t id) const { return vocab_->eog.count(id) > 0; }

bool Tokenizer::IsControl(int32_t id) const {
  if (!vocab_->Contains(id)) return false;
  const tokenizer::TokenType t = vocab_->types[id];
  return t == tokenizer::TokenType::kControl || t == tokenizer::TokenType::kUnknown;
}

const std::string& Tokenizer::TokenText(int32_t id) const {
  CheckId(id);
  return vocab_->texts[id];
}

int32_t Tokenizer::TokenType(int32_t id) const {
  CheckId(id);
  return static_cast<int32_t>(vocab_->types[id]);
}

}  // namespace densing
