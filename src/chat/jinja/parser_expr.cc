// Expression parsing: Jinja2's precedence from the conditional expression down to primaries.
#include <algorithm>
#include <functional>

#include "base/error.h"
#include "chat/jinja/parser.h"

namespace densing::jinja {

namespace {

std::vector<ExprPtr> Children(ExprPtr a, ExprPtr b = nullptr, ExprPtr c = nullptr,
                              ExprPtr d = nullptr) {
  std::vector<ExprPtr> children;
  children.push_back(std::move(a));
  if (b || c || d) children.push_back(std::move(b));
  if (c || d) children.push_back(std::move(c));
  if (d) children.push_back(std::move(d));
  return children;
}

}  // namespace

ExprPtr Parser::ParseTuple(bool with_condition) {
  const int line = Peek().line;
  std::vector<ExprPtr> items;
  bool is_tuple = false;
  while (true) {
    if (!items.empty()) ExpectOp(",");
    const TokenKind kind = Peek().kind;
    if (!items.empty() && (kind == TokenKind::kVarEnd || kind == TokenKind::kBlockEnd ||
                           IsOp(")") || IsName("in") || IsName("recursive"))) {
      break;
    }
    items.push_back(ParseExpression(with_condition));
    if (!IsOp(",")) break;
    is_tuple = true;
  }
  if (!is_tuple) return std::move(items[0]);
  return Make(ExprKind::kTuple, line, std::move(items));
}

ExprPtr Parser::ParseExpression(bool with_condition) {
  Nesting nesting(*this);
  ExprPtr expr = ParseOr();
  if (!with_condition) return expr;
  while (IsName("if")) {
    const int line = Next().line;
    ExprPtr test = ParseOr();
    ExprPtr otherwise = AcceptName("else") ? ParseExpression(true) : nullptr;
    expr = Make(ExprKind::kCond, line,
                Children(std::move(test), std::move(expr), std::move(otherwise)));
    if (expr->children.size() == 2) expr->children.push_back(nullptr);
  }
  return expr;
}

ExprPtr Parser::ParseOr() {
  ExprPtr left = ParseAnd();
  while (IsName("or")) {
    const int line = Next().line;
    left = Make(ExprKind::kOr, line, Children(std::move(left), ParseAnd()));
  }
  return left;
}

ExprPtr Parser::ParseAnd() {
  ExprPtr left = ParseNot();
  while (IsName("and")) {
    const int line = Next().line;
    left = Make(ExprKind::kAnd, line, Children(std::move(left), ParseNot()));
  }
  return left;
}

ExprPtr Parser::ParseNot() {
  if (IsName("not")) {
    Nesting nesting(*this);
    const int line = Next().line;
    return Make(ExprKind::kNot, line, Children(ParseNot()));
  }
  return ParseCompare();
}

ExprPtr Parser::ParseCompare() {
  const int line = Peek().line;
  std::vector<ExprPtr> operands;
  std::vector<BinaryOp> ops;
  operands.push_back(ParseMath1());
  while (true) {
    static constexpr std::pair<std::string_view, BinaryOp> kOps[] = {
        {"==", BinaryOp::kEq}, {"!=", BinaryOp::kNe}, {"<", BinaryOp::kLt},
        {"<=", BinaryOp::kLe}, {">", BinaryOp::kGt},  {">=", BinaryOp::kGe}};
    auto it = std::find_if(std::begin(kOps), std::end(kOps),
                           [&](const auto& op) { return IsOp(op.first); });
    if (it != std::end(kOps)) {
      Next();
      ops.push_back(it->second);
    } else if (IsName("in")) {
      Next();
      ops.push_back(BinaryOp::kIn);
    } else if (IsName("not") && IsName("in", 1)) {
      Next();
      Next();
      ops.push_back(BinaryOp::kNotIn);
    } else {
      break;
    }
    operands.push_back(ParseMath1());
  }
  if (ops.empty()) return std::move(operands[0]);
  ExprPtr expr = Make(ExprKind::kCompare, line, std::move(operands));
  expr->ops = std::move(ops);
  return expr;
}

ExprPtr Parser::ParseBinary(const std::function<ExprPtr()>& operand,
                            std::initializer_list<std::pair<std::string_view, BinaryOp>> ops) {
  ExprPtr left = operand();
  while (true) {
    const auto* it =
        std::find_if(ops.begin(), ops.end(), [&](const auto& op) { return IsOp(op.first); });
    if (it == ops.end()) return left;
    const int line = Next().line;
    ExprPtr right = operand();
    ExprPtr expr = Make(ExprKind::kBinary, line, Children(std::move(left), std::move(right)));
    expr->op = it->second;
    left = std::move(expr);
  }
}

ExprPtr Parser::ParseMath1() {
  return ParseBinary([this] { return ParseConcat(); },
                     {{"+", BinaryOp::kAdd}, {"-", BinaryOp::kSub}});
}

ExprPtr Parser::ParseConcat() {
  return ParseBinary([this] { return ParseMath2(); }, {{"~", BinaryOp::kConcat}});
}

ExprPtr Parser::ParseMath2() {
  return ParseBinary([this] { return ParsePow(); }, {{"*", BinaryOp::kMul},
                                                     {"/", BinaryOp::kDiv},
                                                     {"//", BinaryOp::kFloorDiv},
                                                     {"%", BinaryOp::kMod}});
}

ExprPtr Parser::ParsePow() {
  return ParseBinary([this] { return ParseUnary(true); }, {{"**", BinaryOp::kPow}});
}

ExprPtr Parser::ParseUnary(bool with_filter) {
  Nesting nesting(*this);
  ExprPtr node;
  if (IsOp("-") || IsOp("+")) {
    const Token& token = Next();
    const ExprKind kind = token.text == "-" ? ExprKind::kNeg : ExprKind::kPos;
    node = Make(kind, token.line, Children(ParseUnary(false)));
  } else {
    node = ParsePrimary();
  }
  node = ParsePostfix(std::move(node));
  if (with_filter) node = ParseFilterExpr(std::move(node));
  return node;
}

ExprPtr Parser::ParsePrimary() {
  const Token& token = Peek();
  const int line = token.line;
  auto constant = [&](Value value) {
    ExprPtr expr = Make(ExprKind::kConst, line, {});
    expr->value = std::move(value);
    return expr;
  };
  switch (token.kind) {
    case TokenKind::kName: {
      const std::string name = Next().text;
      if (name == "true" || name == "True") return constant(Value(true));
      if (name == "false" || name == "False") return constant(Value(false));
      if (name == "none" || name == "None") return constant(Value::None());
      ExprPtr expr = Make(ExprKind::kName, line, {});
      expr->name = name;
      return expr;
    }
    case TokenKind::kString: {
      std::string text;
      while (Peek().kind == TokenKind::kString) text += Next().text;
      return constant(Value(std::move(text)));
    }
    case TokenKind::kInt:
      return constant(Value(Next().int_value));
    case TokenKind::kFloat:
      return constant(Value(Next().float_value));
    default:
      break;
  }
  if (IsOp("(")) {
    Next();
    if (AcceptOp(")")) {
      ExprPtr expr = Make(ExprKind::kTuple, line, {});
      return expr;
    }
    ExprPtr expr = ParseTuple(true);
    ExpectOp(")");
    return expr;
  }
  if (IsOp("[")) return ParseList();
  if (IsOp("{")) return ParseDict();
  SyntaxError("expected an expression");
}

ExprPtr Parser::ParseList() {
  const int line = Next().line;
  std::vector<ExprPtr> items;
  while (!IsOp("]")) {
    if (!items.empty()) ExpectOp(",");
    if (IsOp("]")) break;
    items.push_back(ParseExpression());
  }
  ExpectOp("]");
  return Make(ExprKind::kList, line, std::move(items));
}

ExprPtr Parser::ParseDict() {
  const int line = Next().line;
  std::vector<ExprPtr> items;
  while (!IsOp("}")) {
    if (!items.empty()) ExpectOp(",");
    if (IsOp("}")) break;
    items.push_back(ParseExpression());
    ExpectOp(":");
    items.push_back(ParseExpression());
  }
  ExpectOp("}");
  return Make(ExprKind::kDict, line, std::move(items));
}

ExprPtr Parser::ParsePostfix(ExprPtr node) {
  while (true) {
    if (IsOp(".") || IsOp("[")) {
      node = ParseSubscript(std::move(node));
    } else if (IsOp("(")) {
      const int line = Next().line;
      node = Make(ExprKind::kCall, line, Children(std::move(node)));
      ParseCallArgs(node->args);
    } else {
      return node;
    }
  }
}

ExprPtr Parser::ParseSubscript(ExprPtr node) {
  const Token& token = Next();
  const int line = token.line;
  if (token.text == ".") {
    const Token& attr = Next();
    if (attr.kind == TokenKind::kName) {
      ExprPtr expr = Make(ExprKind::kAttr, line, Children(std::move(node)));
      expr->name = attr.text;
      return expr;
    }
    if (attr.kind != TokenKind::kInt) SyntaxError("expected a name or number after '.'");
    ExprPtr index = Make(ExprKind::kConst, line, {});
    index->value = Value(attr.int_value);
    return Make(ExprKind::kItem, line, Children(std::move(node), std::move(index)));
  }
  // "[" index "]" or "[" start? ":" stop? (":" step?)? "]"
  ExprPtr bounds[3];
  bool slice = false;
  if (!IsOp(":")) bounds[0] = ParseExpression();
  if (AcceptOp(":")) {
    slice = true;
    if (!IsOp("]") && !IsOp(":")) bounds[1] = ParseExpression();
    if (AcceptOp(":") && !IsOp("]")) bounds[2] = ParseExpression();
  }
  ExpectOp("]");
  if (!slice) return Make(ExprKind::kItem, line, Children(std::move(node), std::move(bounds[0])));
  std::vector<ExprPtr> children;
  children.push_back(std::move(node));
  for (ExprPtr& bound : bounds) children.push_back(std::move(bound));
  return Make(ExprKind::kSlice, line, std::move(children));
}

void Parser::ParseCallArgs(CallArgs& args) {
  // "(" already consumed.
  while (!IsOp(")")) {
    if (!args.positional.empty() || !args.keyword.empty()) ExpectOp(",");
    if (IsOp(")")) break;
    if (IsOp("*") || IsOp("**")) SyntaxError("*args and **kwargs are not supported");
    if (Peek().kind == TokenKind::kName && IsOp("=", 1)) {
      std::string key = Next().text;
      Next();
      args.keyword.emplace_back(std::move(key), ParseExpression());
    } else {
      if (!args.keyword.empty()) SyntaxError("positional argument after keyword argument");
      args.positional.push_back(ParseExpression());
    }
  }
  ExpectOp(")");
}

ExprPtr Parser::ParseFilterExpr(ExprPtr node) {
  while (true) {
    if (IsOp("|")) {
      Next();
      node = ParseFilter(std::move(node));
    } else if (IsName("is")) {
      node = ParseTest(std::move(node));
    } else if (IsOp("(")) {
      const int line = Next().line;
      node = Make(ExprKind::kCall, line, Children(std::move(node)));
      ParseCallArgs(node->args);
    } else {
      return node;
    }
  }
}

ExprPtr Parser::ParseFilter(ExprPtr node) {
  // "|" already consumed; the filter's name (dotted names are not supported) and its arguments.
  const int line = Peek().line;
  ExprPtr expr = Make(ExprKind::kFilter, line, Children(std::move(node)));
  expr->name = ExpectIdentifier();
  if (AcceptOp("(")) ParseCallArgs(expr->args);
  return expr;
}

ExprPtr Parser::ParseTest(ExprPtr node) {
  const int line = Next().line;  // "is"
  const bool negated = AcceptName("not");
  ExprPtr expr = Make(ExprKind::kTest, line, Children(std::move(node)));
  expr->negated = negated;
  expr->name = ExpectIdentifier();
  if (AcceptOp("(")) {
    ParseCallArgs(expr->args);
  } else {
    const Token& token = Peek();
    const bool argument_follows =
        (token.kind == TokenKind::kName && !IsName("else") && !IsName("or") && !IsName("and")) ||
        token.kind == TokenKind::kString || token.kind == TokenKind::kInt ||
        token.kind == TokenKind::kFloat || IsOp("(") || IsOp("[") || IsOp("{");
    if (argument_follows) {
      if (IsName("is")) SyntaxError("tests cannot be chained with 'is'");
      expr->args.positional.push_back(ParsePostfix(ParsePrimary()));
    }
  }
  return expr;
}

}  // namespace densing::jinja
