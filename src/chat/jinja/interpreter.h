// Interpreter: renders a parsed template against a context, with Jinja2's scoping rules (each
// for-loop iteration and each macro call gets its own scope; namespaces carry values out).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace densing::jinja {

class Interpreter {
 public:
  Interpreter(const Limits& limits, const Object& context);

  // Renders `body`; throws Error naming the template line on failure.
  std::string Render(const Body& body);

  // For filters and tests that run other filters, tests or callables.
  Budget& budget() { return budget_; }
  Value Call(const Value& callee, Args& args);
  Value ApplyFilter(std::string_view name, const Value& input, Args& args);
  bool ApplyTest(std::string_view name, const Value& input, Args& args);

 private:
  struct Scope {
    Scope* parent = nullptr;
    std::vector<std::pair<std::string, Value>> vars;
    const Value* Find(std::string_view name) const;
    void Set(std::string_view name, Value value);
  };
  enum class Flow : uint8_t { kNormal, kBreak, kContinue };

  // Counts the nesting of statement and expression evaluation for as long as it lives.
  class Depth {
   public:
    explicit Depth(Interpreter& interpreter);
    ~Depth() { --interpreter_.eval_depth_; }
    Depth(const Depth&) = delete;
    Depth& operator=(const Depth&) = delete;

   private:
    Interpreter& interpreter_;
  };

  // Makes `scope` current for as long as it lives.
  class EnterScope {
   public:
    EnterScope(Interpreter& interpreter, Scope& scope)
        : interpreter_(interpreter), outer_(interpreter.scope_) {
      interpreter_.scope_ = &scope;
    }
    ~EnterScope() { interpreter_.scope_ = outer_; }
    EnterScope(const EnterScope&) = delete;
    EnterScope& operator=(const EnterScope&) = delete;

   private:
    Interpreter& interpreter_;
    Scope* outer_;
  };

  // Statements (eval_stmt.cc).
  Flow Exec(const Body& body);
  Flow ExecStmt(const Stmt& stmt);
  Flow ExecFor(const Stmt& stmt);
  void ExecSet(const Stmt& stmt);
  void Emit(std::string_view text);
  std::string Capture(const Body& body);
  Value MakeMacro(const Stmt& stmt);
  Value CallMacro(const Stmt& stmt, Scope* parent, Args& args);
  void Bind(Scope& scope, const std::vector<std::string>& targets, const Value& value);

  // Expressions (eval_expr.cc).
  Value Eval(const Expr& expr);
  Value EvalCall(const Expr& expr);
  Value EvalFilter(const Expr& expr);
  Value EvalCompare(const Expr& expr);
  Args EvalArgs(const CallArgs& args);
  Value Lookup(const std::string& name);

  Budget budget_;
  const Object& context_;
  std::string out_;
  std::unique_ptr<Scope> root_;
  Scope* scope_ = nullptr;
  const Value* block_input_ = nullptr;
  int eval_depth_ = 0;
  int call_depth_ = 0;
  int line_ = 0;
};

}  // namespace densing::jinja
