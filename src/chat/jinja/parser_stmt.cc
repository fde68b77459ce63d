// Statement parsing: text, {{ }} and the {% %} tags chat templates use.
#include <algorithm>

#include "base/error.h"
#include "chat/jinja/parser.h"

namespace densing::jinja {

namespace {

StmtPtr MakeStmt(StmtKind kind, int line) {
  auto stmt = std::make_unique<Stmt>();
  stmt->kind = kind;
  stmt->line = line;
  return stmt;
}

bool Contains(std::initializer_list<std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Body Parser::ParseTemplate() {
  Body body = Subparse({});
  if (Peek().kind != TokenKind::kEnd) SyntaxError("unexpected tag");
  return body;
}

Body Parser::Subparse(std::initializer_list<std::string_view> end_names) {
  Nesting nesting(*this);
  Body body;
  while (true) {
    const Token& token = Peek();
    switch (token.kind) {
      case TokenKind::kEnd:
        if (end_names.size() != 0) {
          SyntaxError(fmt::format("missing '{{% {} %}}'", *end_names.begin()));
        }
        return body;
      case TokenKind::kText: {
        StmtPtr stmt = MakeStmt(StmtKind::kText, token.line);
        stmt->text = Next().text;
        body.push_back(std::move(stmt));
        break;
      }
      case TokenKind::kVarBegin: {
        StmtPtr stmt = MakeStmt(StmtKind::kPrint, Next().line);
        stmt->expr = ParseTuple(true);
        Expect(TokenKind::kVarEnd, "'}}'");
        body.push_back(std::move(stmt));
        break;
      }
      case TokenKind::kBlockBegin: {
        Next();
        if (Peek().kind == TokenKind::kName && Contains(end_names, Peek().text)) return body;
        body.push_back(ParseStatement());
        Expect(TokenKind::kBlockEnd, "'%}'");
        break;
      }
      default:
        SyntaxError("unexpected token");
    }
  }
}

Body Parser::ParseStatements(std::initializer_list<std::string_view> end_names, bool drop_needle) {
  Expect(TokenKind::kBlockEnd, "'%}'");
  Body body = Subparse(end_names);
  if (drop_needle) Next();
  return body;
}

StmtPtr Parser::ParseStatement() {
  if (Peek().kind != TokenKind::kName) SyntaxError("expected a tag name");
  const std::string name = Peek().text;
  const int line = Peek().line;
  if (name == "if") return ParseIf();
  if (name == "for") return ParseFor();
  if (name == "set") return ParseSet();
  if (name == "macro") return ParseMacro();
  if (name == "call") return ParseCallBlock();
  if (name == "filter") return ParseFilterBlock();
  if (name == "with") return ParseWith();
  if (name == "break" || name == "continue") {
    Next();
    return MakeStmt(name == "break" ? StmtKind::kBreak : StmtKind::kContinue, line);
  }
  if (name == "generation") {  // transformers' marker of assistant text: rendered as-is
    Next();
    StmtPtr stmt = MakeStmt(StmtKind::kScope, line);
    stmt->body = ParseStatements({"endgeneration"}, true);
    return stmt;
  }
  SyntaxError(fmt::format("unknown or unsupported tag '{}'", name));
}

StmtPtr Parser::ParseIf() {
  StmtPtr stmt = MakeStmt(StmtKind::kIf, Next().line);
  ExprPtr condition = ParseTuple(false);
  Body body = ParseStatements({"elif", "else", "endif"}, false);
  stmt->branches.emplace_back(std::move(condition), std::move(body));
  while (true) {
    const std::string tag = Next().text;
    if (tag == "elif") {
      condition = ParseTuple(false);
      body = ParseStatements({"elif", "else", "endif"}, false);
      stmt->branches.emplace_back(std::move(condition), std::move(body));
    } else if (tag == "else") {
      stmt->branches.emplace_back(nullptr, ParseStatements({"endif"}, true));
      return stmt;
    } else {
      return stmt;
    }
  }
}

std::vector<std::string> Parser::ParseTargets() {
  const bool parenthesized = AcceptOp("(");
  std::vector<std::string> names;
  do {
    if (parenthesized && IsOp(")")) break;
    names.push_back(ExpectIdentifier());
  } while (AcceptOp(","));
  if (parenthesized) ExpectOp(")");
  return names;
}

StmtPtr Parser::ParseFor() {
  StmtPtr stmt = MakeStmt(StmtKind::kFor, Next().line);
  stmt->targets = ParseTargets();
  if (!AcceptName("in")) SyntaxError("expected 'in'");
  stmt->expr = ParseTuple(false);
  if (AcceptName("if")) stmt->condition = ParseExpression();
  if (IsName("recursive")) SyntaxError("recursive loops are not supported");
  stmt->body = ParseStatements({"endfor", "else"}, false);
  if (Next().text == "else") stmt->else_body = ParseStatements({"endfor"}, true);
  return stmt;
}

StmtPtr Parser::ParseSet() {
  const int line = Next().line;
  std::vector<std::string> targets;
  std::string attribute;
  if (Peek().kind == TokenKind::kName && IsOp(".", 1)) {  // set ns.attr = value
    targets.push_back(Next().text);
    Next();
    attribute = ExpectIdentifier();
  } else {
    targets = ParseTargets();
  }
  if (AcceptOp("=")) {
    StmtPtr stmt = MakeStmt(StmtKind::kSet, line);
    stmt->targets = std::move(targets);
    stmt->attribute = std::move(attribute);
    stmt->expr = ParseTuple(true);
    return stmt;
  }
  if (!attribute.empty()) SyntaxError("expected '='");
  StmtPtr stmt = MakeStmt(StmtKind::kSetBlock, line);
  stmt->targets = std::move(targets);
  if (IsOp("|")) {
    ExprPtr filtered = Make(ExprKind::kBlockInput, line, {});
    while (AcceptOp("|")) filtered = ParseFilter(std::move(filtered));
    stmt->expr = std::move(filtered);
  }
  stmt->body = ParseStatements({"endset"}, true);
  return stmt;
}

std::vector<Param> Parser::ParseParams() {
  ExpectOp("(");
  std::vector<Param> params;
  while (!IsOp(")")) {
    if (!params.empty()) ExpectOp(",");
    if (IsOp(")")) break;
    Param param;
    param.name = ExpectIdentifier();
    if (AcceptOp("=")) {
      param.default_value = ParseExpression();
    } else if (!params.empty() && params.back().default_value) {
      SyntaxError("parameter without a default after one with a default");
    }
    params.push_back(std::move(param));
  }
  ExpectOp(")");
  return params;
}

StmtPtr Parser::ParseMacro() {
  StmtPtr stmt = MakeStmt(StmtKind::kMacro, Next().line);
  stmt->name = ExpectIdentifier();
  stmt->params = ParseParams();
  stmt->body = ParseStatements({"endmacro"}, true);
  return stmt;
}

StmtPtr Parser::ParseCallBlock() {
  StmtPtr stmt = MakeStmt(StmtKind::kCallBlock, Next().line);
  if (IsOp("(")) stmt->params = ParseParams();
  stmt->expr = ParseExpression();
  if (stmt->expr->kind != ExprKind::kCall) SyntaxError("expected a call");
  stmt->body = ParseStatements({"endcall"}, true);
  return stmt;
}

StmtPtr Parser::ParseFilterBlock() {
  StmtPtr stmt = MakeStmt(StmtKind::kFilterBlock, Next().line);
  ExprPtr filtered = ParseFilter(Make(ExprKind::kBlockInput, stmt->line, {}));
  while (AcceptOp("|")) filtered = ParseFilter(std::move(filtered));
  stmt->expr = std::move(filtered);
  stmt->body = ParseStatements({"endfilter"}, true);
  return stmt;
}

StmtPtr Parser::ParseWith() {
  StmtPtr stmt = MakeStmt(StmtKind::kWith, Next().line);
  while (Peek().kind != TokenKind::kBlockEnd) {
    if (!stmt->assignments.empty()) ExpectOp(",");
    std::string name = ExpectIdentifier();
    ExpectOp("=");
    stmt->assignments.emplace_back(std::move(name), ParseExpression());
  }
  stmt->body = ParseStatements({"endwith"}, true);
  return stmt;
}

Body ParseTemplateSource(std::string_view source, const LexOptions& options) {
  return Parser(Lex(source, options)).ParseTemplate();
}

}  // namespace densing::jinja
