// The bytes each token stands for, as llama.cpp's token_to_piece renders them.
#pragma once

#include <string>
#include <vector>

#include "tokenizer/vocab.h"

namespace densing::tokenizer {

// Per token: control, unknown and user-defined tokens give their text; normal tokens their text
// with "▁" -> ' ' (SPM) or through the GPT-2 byte table (BPE); SPM byte tokens <0xNN> the byte;
// unused and undefined tokens nothing.
std::vector<std::string> BuildPieces(const Vocab& vocab);

}  // namespace densing::tokenizer
