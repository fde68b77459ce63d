// The syntax tree of a parsed template: expressions and statements.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja/value.h"

namespace densing::jinja {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

enum class ExprKind : uint8_t {
  kConst,       // value
  kName,        // name
  kList,        // children: items
  kTuple,       // children: items
  kDict,        // children: key, value, key, value, ...
  kAttr,        // children[0].name
  kItem,        // children[0][children[1]]
  kSlice,       // children[0][children[1]:children[2]:children[3]], each bound may be null
  kCall,        // children[0](args)
  kFilter,      // children[0] | name(args)
  kTest,        // children[0] is [not] name(args)
  kNeg,         // -children[0]
  kPos,         // +children[0]
  kNot,         // not children[0]
  kAnd,         // children[0] and children[1]
  kOr,          // children[0] or children[1]
  kBinary,      // children[0] op children[1]
  kCompare,     // children[0] ops[0] children[1] ops[1] children[2] ...
  kCond,        // children[1] if children[0] else children[2] (children[2] may be null)
  kBlockInput,  // the rendered body of a {% filter %} or {% set x | f %} block
};

enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kFloorDiv,
  kMod,
  kPow,
  kConcat,  // ~
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kNotIn,
};

struct CallArgs {
  std::vector<ExprPtr> positional;
  std::vector<std::pair<std::string, ExprPtr>> keyword;
};

struct Expr {
  ExprKind kind;
  int line = 0;
  int depth = 1;  // height of this subtree; bounded so that evaluating it cannot recurse too far
  Value value;
  std::string name;
  std::vector<ExprPtr> children;
  CallArgs args;
  BinaryOp op = BinaryOp::kAdd;
  std::vector<BinaryOp> ops;
  bool negated = false;  // kTest: "is not"
};

enum class StmtKind : uint8_t {
  kText,         // text
  kPrint,        // {{ expr }}
  kIf,           // branches
  kFor,          // for targets in expr [if cond]: body [else: else_body]
  kSet,          // set targets = expr, or set target.attr = expr
  kSetBlock,     // set targets [| filters]: body (expr holds the filters over kBlockInput, or null)
  kMacro,        // macro name(params): body
  kCallBlock,    // call(params) expr: body
  kFilterBlock,  // filter (expr over kBlockInput): body
  kWith,         // with name = value, ...: body
  kBreak,
  kContinue,
  kScope,  // a block rendered as-is, e.g. transformers' {% generation %}
};

struct Param {
  std::string name;
  ExprPtr default_value;  // may be null
};

struct Stmt {
  StmtKind kind;
  int line = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr condition;                               // kFor: the "if" filter
  std::vector<std::pair<ExprPtr, Body>> branches;  // kIf: condition (null for else) and body
  std::vector<std::string> targets;                // kFor, kSet: names bound (several unpack)
  std::string attribute;                           // kSet: "ns.attr" sets attribute of targets[0]
  std::vector<std::pair<std::string, ExprPtr>> assignments;  // kWith
  std::string name;                                          // kMacro
  std::vector<Param> params;                                 // kMacro, kCallBlock
  Body body;
  Body else_body;
};

}  // namespace densing::jinja
