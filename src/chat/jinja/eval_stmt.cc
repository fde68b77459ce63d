// Statement execution: output, control flow, assignment, macros and scopes.
#include "base/error.h"
#include "chat/jinja/access.h"
#include "chat/jinja/builtins.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {

const Value* Interpreter::Scope::Find(std::string_view name) const {
  for (const auto& [key, value] : vars) {
    if (key == name) return &value;
  }
  return nullptr;
}

void Interpreter::Scope::Set(std::string_view name, Value value) {
  for (auto& [key, slot] : vars) {
    if (key == name) {
      slot = std::move(value);
      return;
    }
  }
  vars.emplace_back(std::string(name), std::move(value));
}

Interpreter::Interpreter(const Limits& limits, const Object& context)
    : budget_(limits), context_(context), root_(std::make_unique<Scope>()), scope_(root_.get()) {}

std::string Interpreter::Render(const Body& body) {
  try {
    Exec(body);
  } catch (const TemplateRaised& e) {
    throw Error(e.what());
  } catch (const Error& e) {
    throw Error(fmt::format("template line {}: {}", line_, e.what()));
  } catch (const std::exception& e) {  // a bug here must not take the server down
    throw Error(fmt::format("template line {}: internal error: {}", line_, e.what()));
  }
  return std::move(out_);
}

void Interpreter::Emit(std::string_view text) {
  if (out_.size() + text.size() > budget_.limits().max_output_bytes) {
    Fail("template output exceeds {} bytes", budget_.limits().max_output_bytes);
  }
  budget_.Charge(text.size());
  out_.append(text);
}

std::string Interpreter::Capture(const Body& body) {
  std::string captured;
  std::swap(captured, out_);
  try {
    Exec(body);
  } catch (...) {
    std::swap(captured, out_);
    throw;
  }
  std::swap(captured, out_);
  return captured;
}

Interpreter::Flow Interpreter::Exec(const Body& body) {
  for (const StmtPtr& stmt : body) {
    const Flow flow = ExecStmt(*stmt);
    if (flow != Flow::kNormal) return flow;
  }
  return Flow::kNormal;
}

void Interpreter::Bind(Scope& scope, const std::vector<std::string>& targets, const Value& value) {
  if (targets.size() == 1) {
    scope.Set(targets[0], value);
    return;
  }
  if (!value.is_array() || value.array().items.size() != targets.size()) {
    Fail("cannot unpack {} into {} names", value.TypeName(), targets.size());
  }
  for (size_t i = 0; i < targets.size(); ++i) scope.Set(targets[i], value.array().items[i]);
}

Interpreter::Flow Interpreter::ExecFor(const Stmt& stmt) {
  std::vector<Value> items = Iterate(Eval(*stmt.expr), budget_);
  if (stmt.condition) {  // "for x in xs if cond" filters before the loop counts
    std::vector<Value> kept;
    for (Value& item : items) {
      budget_.CountIteration();
      Scope scope{scope_, {}};
      Bind(scope, stmt.targets, item);
      EnterScope enter(*this, scope);
      if (Eval(*stmt.condition).Truthy()) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  Scope* const outer = scope_;
  const int64_t n = static_cast<int64_t>(items.size());
  // One cycle() per loop, reading the current position, so iterations allocate little.
  auto position = std::make_shared<int64_t>(0);
  const Value cycle = Value::MakeFunction("loop.cycle", [position](Args& args) {
    if (args.positional.empty()) Fail("loop.cycle() needs at least one value");
    return args.positional[*position % static_cast<int64_t>(args.positional.size())];
  });
  for (int64_t i = 0; i < n; ++i) {
    budget_.CountIteration();
    *position = i;
    std::vector<std::pair<std::string, Value>> loop;
    loop.reserve(12);
    loop.emplace_back("index", Value(i + 1));
    loop.emplace_back("index0", Value(i));
    loop.emplace_back("revindex", Value(n - i));
    loop.emplace_back("revindex0", Value(n - i - 1));
    loop.emplace_back("first", Value(i == 0));
    loop.emplace_back("last", Value(i == n - 1));
    loop.emplace_back("length", Value(n));
    loop.emplace_back("depth", Value(1));
    loop.emplace_back("depth0", Value(0));
    loop.emplace_back("previtem", i > 0 ? items[i - 1] : Value::Undefined("no previtem"));
    loop.emplace_back("nextitem", i + 1 < n ? items[i + 1] : Value::Undefined("no nextitem"));
    loop.emplace_back("cycle", cycle);
    Scope scope{outer, {}};
    Bind(scope, stmt.targets, items[i]);
    scope.Set("loop", Value::MakeObject(Object(std::move(loop))));
    EnterScope enter(*this, scope);
    if (Exec(stmt.body) == Flow::kBreak) break;
  }
  if (n == 0) {
    Scope scope{outer, {}};
    EnterScope enter(*this, scope);
    Exec(stmt.else_body);
  }
  return Flow::kNormal;
}

void Interpreter::ExecSet(const Stmt& stmt) {
  Value value;
  if (stmt.kind == StmtKind::kSet) {
    value = Eval(*stmt.expr);
  } else {
    Value text(Capture(stmt.body));
    if (stmt.expr) {
      const Value* saved = block_input_;
      block_input_ = &text;
      value = Eval(*stmt.expr);
      block_input_ = saved;
    } else {
      value = std::move(text);
    }
  }
  if (stmt.attribute.empty()) {
    Bind(*scope_, stmt.targets, value);
    return;
  }
  const Value target = Lookup(stmt.targets[0]);
  if (!target.is_namespace()) Fail("cannot assign attribute on non-namespace object");
  if (value.holds_namespace()) {
    Fail("namespace attribute '{}' cannot hold a namespace", stmt.attribute);
  }
  target.ns().attrs.Set(stmt.attribute, std::move(value));
}

Interpreter::Flow Interpreter::ExecStmt(const Stmt& stmt) {
  Depth depth(*this);
  budget_.Charge(1);
  line_ = stmt.line;
  switch (stmt.kind) {
    case StmtKind::kText:
      Emit(stmt.text);
      return Flow::kNormal;
    case StmtKind::kPrint:
      Emit(ToStr(Eval(*stmt.expr)));
      return Flow::kNormal;
    case StmtKind::kIf:
      for (const auto& [condition, body] : stmt.branches) {
        if (!condition || Eval(*condition).Truthy()) return Exec(body);
      }
      return Flow::kNormal;
    case StmtKind::kFor:
      return ExecFor(stmt);
    case StmtKind::kSet:
    case StmtKind::kSetBlock:
      ExecSet(stmt);
      return Flow::kNormal;
    case StmtKind::kMacro:
      scope_->Set(stmt.name, MakeMacro(stmt));
      return Flow::kNormal;
    case StmtKind::kCallBlock: {
      // caller() renders the block body in a scope that sees the call site's variables; it is
      // only valid while the call runs.
      Scope* const site = scope_;
      auto alive = std::make_shared<bool>(true);
      Value caller = Value::MakeFunction("caller", [this, &stmt, site, alive](Args& args) {
        if (!*alive) Fail("caller() used outside its call block");
        return CallMacro(stmt, site, args);
      });
      const Expr& call = *stmt.expr;
      const Value function = Eval(*call.children[0]);
      Args args = EvalArgs(call.args);
      args.keyword.emplace_back("caller", std::move(caller));
      Value result;
      try {
        result = Call(function, args);
      } catch (...) {
        *alive = false;
        throw;
      }
      *alive = false;
      Emit(ToStr(result));
      return Flow::kNormal;
    }
    case StmtKind::kFilterBlock: {
      const Value text(Capture(stmt.body));
      const Value* saved = block_input_;
      block_input_ = &text;
      Value result = Eval(*stmt.expr);
      block_input_ = saved;
      Emit(ToStr(result));
      return Flow::kNormal;
    }
    case StmtKind::kWith: {
      Scope scope{scope_, {}};
      for (const auto& [name, expr] : stmt.assignments) scope.Set(name, Eval(*expr));
      EnterScope enter(*this, scope);
      return Exec(stmt.body);
    }
    case StmtKind::kBreak:
      return Flow::kBreak;
    case StmtKind::kContinue:
      return Flow::kContinue;
    case StmtKind::kScope:
      return Exec(stmt.body);
  }
  return Flow::kNormal;
}

Value Interpreter::MakeMacro(const Stmt& stmt) {
  if (scope_ == root_.get()) {  // template-level macros see the template's variables at call time
    return Value::MakeFunction(
        stmt.name, [this, &stmt](Args& args) { return CallMacro(stmt, root_.get(), args); });
  }
  // A macro defined in a loop or macro body keeps the variables it sees now (Jinja's closures),
  // copied, so that it may outlive the scope that defined it.
  auto closure = std::make_shared<Scope>();
  closure->parent = root_.get();
  bool holds_namespace = false;
  for (const Scope* scope = scope_; scope != root_.get(); scope = scope->parent) {
    for (const auto& [name, value] : scope->vars) {
      if (closure->Find(name) != nullptr) continue;
      closure->vars.emplace_back(name, value);
      holds_namespace |= value.holds_namespace();
    }
  }
  return Value::MakeFunction(
      stmt.name,
      [this, &stmt, closure](Args& args) { return CallMacro(stmt, closure.get(), args); }, nullptr,
      holds_namespace);
}

Value Interpreter::CallMacro(const Stmt& stmt, Scope* parent, Args& args) {
  if (++call_depth_ > budget_.limits().max_call_depth) {
    --call_depth_;
    Fail("macro calls nested deeper than {}", budget_.limits().max_call_depth);
  }
  struct CallDepth {
    int& depth;
    ~CallDepth() { --depth; }
  } call_depth{call_depth_};
  const std::string what = stmt.kind == StmtKind::kMacro ? "macro '" + stmt.name + "'" : "caller()";
  if (args.positional.size() > stmt.params.size()) {
    Fail("{} takes not more than {} argument(s)", what, stmt.params.size());
  }
  Scope scope{parent, {}};
  EnterScope enter(*this, scope);
  for (const auto& keyword : args.keyword) {
    const std::string& key = keyword.first;  // a plain reference: clang 14 cannot capture bindings
    const bool known =
        key == "caller" || std::any_of(stmt.params.begin(), stmt.params.end(),
                                       [&](const Param& p) { return p.name == key; });
    if (!known) Fail("{} takes no keyword argument '{}'", what, key);
  }
  for (size_t i = 0; i < stmt.params.size(); ++i) {
    const Param& param = stmt.params[i];
    const Value* value = i < args.positional.size() ? &args.positional[i] : nullptr;
    for (const auto& [key, keyword_value] : args.keyword) {
      if (key != param.name) continue;
      if (value != nullptr) Fail("{} got multiple values for argument '{}'", what, key);
      value = &keyword_value;
    }
    if (value != nullptr) {
      scope.Set(param.name, *value);
    } else if (param.default_value) {
      scope.Set(param.name, Eval(*param.default_value));
    } else {
      scope.Set(param.name,
                Value::Undefined(fmt::format("parameter '{}' was not provided", param.name)));
    }
  }
  for (const auto& [key, value] : args.keyword) {
    if (key == "caller") scope.Set("caller", value);
  }
  return Value(Capture(stmt.body));
}

}  // namespace densing::jinja
