// Parser plumbing: token access, syntax errors and the nesting limits.
#include "chat/jinja/parser.h"

#include <algorithm>

#include "base/error.h"

namespace densing::jinja {

const Token& Parser::Peek(size_t ahead) const {
  return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
}

const Token& Parser::Next() {
  const Token& token = Peek();
  if (pos_ < tokens_.size() - 1) ++pos_;
  return token;
}

bool Parser::IsOp(std::string_view op, size_t ahead) const {
  const Token& token = Peek(ahead);
  return token.kind == TokenKind::kOperator && token.text == op;
}

bool Parser::IsName(std::string_view name, size_t ahead) const {
  const Token& token = Peek(ahead);
  return token.kind == TokenKind::kName && token.text == name;
}

bool Parser::AcceptOp(std::string_view op) {
  if (!IsOp(op)) return false;
  Next();
  return true;
}

bool Parser::AcceptName(std::string_view name) {
  if (!IsName(name)) return false;
  Next();
  return true;
}

void Parser::ExpectOp(std::string_view op) {
  if (!AcceptOp(op)) SyntaxError(fmt::format("expected '{}'", op));
}

std::string Parser::ExpectIdentifier() {
  if (Peek().kind != TokenKind::kName) SyntaxError("expected a name");
  return Next().text;
}

void Parser::Expect(TokenKind kind, std::string_view what) {
  if (Peek().kind != kind) SyntaxError(fmt::format("expected {}", what));
  Next();
}

void Parser::SyntaxError(const std::string& message) const {
  const Token& token = Peek();
  std::string found;
  switch (token.kind) {
    case TokenKind::kEnd:
      found = "end of template";
      break;
    case TokenKind::kText:
      found = "template text";
      break;
    case TokenKind::kString:
      found = "a string";
      break;
    default:
      found = "'" + token.text + "'";
  }
  Fail("template line {}: syntax error: {}, found {}", token.line, message, found);
}

void Parser::EnterNesting() {
  if (++nesting_ > kMaxParseDepth) {
    Fail("template line {}: nested deeper than {} levels", Peek().line, kMaxParseDepth);
  }
}

ExprPtr Parser::Make(ExprKind kind, int line, std::vector<ExprPtr> children) {
  auto expr = std::make_unique<Expr>();
  expr->kind = kind;
  expr->line = line;
  int depth = 0;
  for (const ExprPtr& child : children) {
    if (child) depth = std::max(depth, child->depth);
  }
  expr->depth = depth + 1;
  if (expr->depth > kMaxExprDepth) {
    Fail("template line {}: expression nested deeper than {} levels", line, kMaxExprDepth);
  }
  expr->children = std::move(children);
  return expr;
}

}  // namespace densing::jinja
