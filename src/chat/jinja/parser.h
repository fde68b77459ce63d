// Parser: tokens to a syntax tree, following Jinja2's grammar and operator precedence.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/lexer.h"

namespace densing::jinja {

// Nesting limits of the syntax tree; deeper templates are an Error, not a stack overflow.
inline constexpr int kMaxParseDepth = 128;
inline constexpr int kMaxExprDepth = 256;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  // Throws Error naming the line for any syntax error.
  Body ParseTemplate();

 private:
  // Counts the parser's own recursion for as long as it lives.
  class Nesting {
   public:
    explicit Nesting(Parser& parser) : parser_(parser) { parser_.EnterNesting(); }
    ~Nesting() { parser_.LeaveNesting(); }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& parser_;
  };

  // Token access.
  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  bool IsOp(std::string_view op, size_t ahead = 0) const;
  bool IsName(std::string_view name, size_t ahead = 0) const;
  bool AcceptOp(std::string_view op);
  bool AcceptName(std::string_view name);
  void ExpectOp(std::string_view op);
  std::string ExpectIdentifier();
  void Expect(TokenKind kind, std::string_view what);
  [[noreturn]] void SyntaxError(const std::string& message) const;
  void EnterNesting();
  void LeaveNesting() { --nesting_; }

  // Statements (parser_stmt.cc).
  Body Subparse(std::initializer_list<std::string_view> end_names);
  Body ParseStatements(std::initializer_list<std::string_view> end_names, bool drop_needle);
  StmtPtr ParseStatement();
  StmtPtr ParseIf();
  StmtPtr ParseFor();
  StmtPtr ParseSet();
  StmtPtr ParseMacro();
  StmtPtr ParseCallBlock();
  StmtPtr ParseFilterBlock();
  StmtPtr ParseWith();
  std::vector<std::string> ParseTargets();
  std::vector<Param> ParseParams();

  // Expressions (parser_expr.cc).
  ExprPtr ParseTuple(bool with_condition);
  ExprPtr ParseExpression(bool with_condition = true);
  ExprPtr ParseOr();
  ExprPtr ParseAnd();
  ExprPtr ParseNot();
  ExprPtr ParseCompare();
  ExprPtr ParseBinary(const std::function<ExprPtr()>& operand,
                      std::initializer_list<std::pair<std::string_view, BinaryOp>> ops);
  ExprPtr ParseMath1();
  ExprPtr ParseConcat();
  ExprPtr ParseMath2();
  ExprPtr ParsePow();
  ExprPtr ParseUnary(bool with_filter);
  ExprPtr ParsePrimary();
  ExprPtr ParsePostfix(ExprPtr node);
  ExprPtr ParseSubscript(ExprPtr node);
  ExprPtr ParseFilterExpr(ExprPtr node);
  ExprPtr ParseFilter(ExprPtr node);
  ExprPtr ParseTest(ExprPtr node);
  ExprPtr ParseList();
  ExprPtr ParseDict();
  void ParseCallArgs(CallArgs& args);
  ExprPtr Make(ExprKind kind, int line, std::vector<ExprPtr> children);

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int nesting_ = 0;
};

// Parses a template after lexing it.
Body ParseTemplateSource(std::string_view source, const LexOptions& options);

}  // namespace densing::jinja
