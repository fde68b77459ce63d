// Expression evaluation.
#include "base/error.h"
#include "chat/jinja/access.h"
#include "chat/jinja/builtins.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/methods.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {

Interpreter::Depth::Depth(Interpreter& interpreter) : interpreter_(interpreter) {
  if (++interpreter_.eval_depth_ > interpreter_.budget_.limits().max_eval_depth) {
    --interpreter_.eval_depth_;
    Fail("template nests deeper than {} levels while rendering",
         interpreter_.budget_.limits().max_eval_depth);
  }
}

Value Interpreter::Lookup(const std::string& name) {
  for (const Scope* scope = scope_; scope != nullptr; scope = scope->parent) {
    if (const Value* value = scope->Find(name)) return *value;
  }
  if (const Value* value = context_.Find(name)) return *value;
  if (std::optional<Value> builtin = LookupBuiltin(name, *this)) return *std::move(builtin);
  return Value::Undefined(fmt::format("'{}' is undefined", name));
}

Args Interpreter::EvalArgs(const CallArgs& args) {
  Args out;
  out.positional.reserve(args.positional.size());
  for (const ExprPtr& arg : args.positional) out.positional.push_back(Eval(*arg));
  for (const auto& [name, arg] : args.keyword) out.keyword.emplace_back(name, Eval(*arg));
  return out;
}

Value Interpreter::Call(const Value& callee, Args& args) {
  if (callee.is_undefined()) FailUndefined(callee);
  if (!callee.is_function()) Fail("'{}' object is not callable", callee.TypeName());
  return callee.function().call(args);
}

Value Interpreter::EvalCall(const Expr& expr) {
  const Expr& callee = *expr.children[0];
  if (callee.kind == ExprKind::kAttr) {  // obj.method(...) without making a bound method
    const Value obj = Eval(*callee.children[0]);
    if (obj.is_undefined()) FailUndefined(obj);
    Args args = EvalArgs(expr.args);
    if (HasMethod(obj, callee.name)) return CallMethod(obj, callee.name, args, budget_);
    return Call(GetAttr(obj, callee.name, budget_), args);
  }
  const Value function = Eval(callee);
  Args args = EvalArgs(expr.args);
  return Call(function, args);
}

Value Interpreter::EvalFilter(const Expr& expr) {
  Value input =
      expr.children[0]->kind == ExprKind::kBlockInput ? *block_input_ : Eval(*expr.children[0]);
  Args args = EvalArgs(expr.args);
  return ApplyFilter(expr.name, input, args);
}

Value Interpreter::EvalCompare(const Expr& expr) {
  Value left = Eval(*expr.children[0]);
  for (size_t i = 0; i < expr.ops.size(); ++i) {
    Value right = Eval(*expr.children[i + 1]);
    if (!ApplyBinary(expr.ops[i], left, right, budget_).Truthy()) return Value(false);
    left = std::move(right);
  }
  return Value(true);
}

Value Interpreter::Eval(const Expr& expr) {
  Depth depth(*this);
  budget_.Charge(1);
  line_ = expr.line;
  switch (expr.kind) {
    case ExprKind::kConst:
      return expr.value;
    case ExprKind::kName:
      return Lookup(expr.name);
    case ExprKind::kList:
    case ExprKind::kTuple: {
      std::vector<Value> items;
      items.reserve(expr.children.size());
      for (const ExprPtr& child : expr.children) items.push_back(Eval(*child));
      return Value::MakeArray(std::move(items), expr.kind == ExprKind::kTuple);
    }
    case ExprKind::kDict: {
      Object object;
      for (size_t i = 0; i + 1 < expr.children.size(); i += 2) {
        Value key = Eval(*expr.children[i]);
        if (!key.is_string()) Fail("dict keys must be strings, not {}", key.TypeName());
        object.Set(key.str(), Eval(*expr.children[i + 1]));
      }
      return Value::MakeObject(std::move(object));
    }
    case ExprKind::kAttr: {
      const Value obj = Eval(*expr.children[0]);
      if (obj.is_undefined()) FailUndefined(obj);
      return GetAttr(obj, expr.name, budget_);
    }
    case ExprKind::kItem: {
      const Value obj = Eval(*expr.children[0]);
      if (obj.is_undefined()) FailUndefined(obj);
      return GetItem(obj, Eval(*expr.children[1]), budget_);
    }
    case ExprKind::kSlice: {
      const Value obj = Eval(*expr.children[0]);
      if (obj.is_undefined()) FailUndefined(obj);
      Value bounds[3];
      for (int i = 0; i < 3; ++i) {
        if (expr.children[i + 1]) bounds[i] = Eval(*expr.children[i + 1]);
      }
      auto bound = [&](int i) { return expr.children[i + 1] ? &bounds[i] : nullptr; };
      return GetSlice(obj, bound(0), bound(1), bound(2), budget_);
    }
    case ExprKind::kCall:
      return EvalCall(expr);
    case ExprKind::kFilter:
      return EvalFilter(expr);
    case ExprKind::kTest: {
      const Value value = Eval(*expr.children[0]);
      Args args = EvalArgs(expr.args);
      return Value(ApplyTest(expr.name, value, args) != expr.negated);
    }
    case ExprKind::kNeg:
    case ExprKind::kPos:
      return ApplyUnary(Eval(*expr.children[0]), expr.kind == ExprKind::kNeg);
    case ExprKind::kNot:
      return Value(!Eval(*expr.children[0]).Truthy());
    case ExprKind::kAnd: {
      Value left = Eval(*expr.children[0]);
      return left.Truthy() ? Eval(*expr.children[1]) : left;
    }
    case ExprKind::kOr: {
      Value left = Eval(*expr.children[0]);
      return left.Truthy() ? left : Eval(*expr.children[1]);
    }
    case ExprKind::kBinary:
      return ApplyBinary(expr.op, Eval(*expr.children[0]), Eval(*expr.children[1]), budget_);
    case ExprKind::kCompare:
      return EvalCompare(expr);
    case ExprKind::kCond:
      if (Eval(*expr.children[0]).Truthy()) return Eval(*expr.children[1]);
      if (expr.children[2]) return Eval(*expr.children[2]);
      return Value::Undefined("the inline if has no else branch");
    case ExprKind::kBlockInput:
      return *block_input_;
  }
  return Value();
}

}  // namespace densing::jinja
