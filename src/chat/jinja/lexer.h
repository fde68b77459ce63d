// Lexer: template source to tokens, with Jinja's whitespace control ({%- -%}, trim_blocks,
// lstrip_blocks), comments and {% raw %} blocks resolved here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace densing::jinja {

enum class TokenKind : uint8_t {
  kText,        // literal template text
  kVarBegin,    // {{
  kVarEnd,      // }}
  kBlockBegin,  // {%
  kBlockEnd,    // %}
  kName,
  kString,
  kInt,
  kFloat,
  kOperator,
  kEnd,  // end of the source
};

struct Token {
  TokenKind kind;
  std::string text;  // text, name, operator, or the decoded string literal
  int64_t int_value = 0;
  double float_value = 0;
  int line = 0;
};

struct LexOptions {
  bool trim_blocks = false;    // drop the first newline after a block tag
  bool lstrip_blocks = false;  // drop spaces and tabs before a block tag at the start of a line
};

// Throws Error naming the line for an unterminated tag, comment or string, or a stray character.
std::vector<Token> Lex(std::string_view source, const LexOptions& options);

}  // namespace densing::jinja
