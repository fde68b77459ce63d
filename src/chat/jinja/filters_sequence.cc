// Filters on sequences: first, last, length, join, map, select/reject(attr), sort, unique, ...
#include <algorithm>

#include "base/error.h"
#include "chat/jinja/filters.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/utf8.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {

namespace {

std::vector<Value> Items(Interpreter& interpreter, const Value& input) {
  return Iterate(input, interpreter.budget());
}

// Jinja's ignore_case: strings compare lowercased unless case_sensitive.
Value SortKey(const Value& value, bool case_sensitive) {
  if (!case_sensitive && value.is_string()) return Value(utf8::Lower(value.str()));
  return value;
}

// The value filters compare: the item itself or its attribute= path.
Value KeyOf(Interpreter& interpreter, const Value& item, const Value& attribute) {
  if (attribute.is_undefined() || attribute.is_none()) return item;
  if (attribute.is_integral())
    return AttributePath(item, std::to_string(attribute.int_value()), interpreter);
  return AttributePath(item, ToStr(attribute), interpreter);
}

Value FilterFirst(Interpreter& interpreter, const Value& input, ArgReader&) {
  std::vector<Value> items = Items(interpreter, input);
  if (items.empty()) return Value::Undefined("no first item, sequence was empty");
  return items.front();
}

Value FilterLast(Interpreter& interpreter, const Value& input, ArgReader&) {
  std::vector<Value> items = Items(interpreter, input);
  if (items.empty()) return Value::Undefined("no last item, sequence was empty");
  return items.back();
}

Value FilterLength(Interpreter&, const Value& input, ArgReader&) {
  switch (input.kind()) {
    case Value::Kind::kUndefined:
      return Value(0);
    case Value::Kind::kString:
      return Value(static_cast<int64_t>(utf8::Length(input.str())));
    case Value::Kind::kArray:
      return Value(static_cast<int64_t>(input.array().items.size()));
    case Value::Kind::kObject:
      return Value(static_cast<int64_t>(input.object().size()));
    case Value::Kind::kNamespace:
      return Value(static_cast<int64_t>(input.ns().attrs.size()));
    default:
      Fail("object of type '{}' has no len()", input.TypeName());
  }
}

Value FilterJoin(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const std::string separator = ToStr(args.Get(0, "d", Value("")));
  const Value attribute = args.Get(1, "attribute");
  std::string out;
  bool first = true;
  for (const Value& item : Items(interpreter, input)) {
    if (!first) out += separator;
    first = false;
    out += ToStr(KeyOf(interpreter, item, attribute));
    interpreter.budget().CheckStringSize(out.size());
  }
  interpreter.budget().Charge(out.size());
  return Value(std::move(out));
}

Value FilterList(Interpreter& interpreter, const Value& input, ArgReader&) {
  return Value::MakeArray(Items(interpreter, input));
}

Value FilterMap(Interpreter& interpreter, const Value& input, ArgReader& args) {
  std::vector<Value> out;
  const Args& raw = args.raw();
  if (const Value* attribute = args.Find(SIZE_MAX, "attribute")) {
    const Value fallback = args.Get(SIZE_MAX, "default");
    for (const Value& item : Items(interpreter, input)) {
      Value mapped = KeyOf(interpreter, item, *attribute);
      out.push_back(mapped.is_undefined() && !fallback.is_undefined() ? fallback : mapped);
    }
    return Value::MakeArray(std::move(out));
  }
  const std::string filter = args.GetString(0, "filter", "");
  if (filter.empty()) Fail("filter 'map' needs a filter name or attribute=");
  Args filter_args;
  filter_args.positional = args.Rest(1);
  for (const auto& [key, value] : raw.keyword) {
    args.Find(SIZE_MAX, key);  // passed on to the mapped filter
    filter_args.keyword.emplace_back(key, value);
  }
  for (const Value& item : Items(interpreter, input)) {
    Args copy = filter_args;
    out.push_back(interpreter.ApplyFilter(filter, item, copy));
  }
  return Value::MakeArray(std::move(out));
}

// select/reject(test, args...) and selectattr/rejectattr(attribute, test, args...).
Value SelectOrReject(Interpreter& interpreter, const Value& input, ArgReader& args, bool select,
                     bool by_attribute) {
  size_t next = 0;
  Value attribute;
  if (by_attribute) attribute = args.Require(next++, "attribute");
  const Value* test_name = args.Find(next++, "test");
  Args test_args;
  test_args.positional = args.Rest(next);
  std::vector<Value> out;
  for (const Value& item : Items(interpreter, input)) {
    const Value value = KeyOf(interpreter, item, attribute);
    bool passed = false;
    if (test_name == nullptr) {
      passed = value.Truthy();
    } else {
      Args copy = test_args;
      passed = interpreter.ApplyTest(ToStr(*test_name), value, copy);
    }
    if (passed == select) out.push_back(item);
  }
  return Value::MakeArray(std::move(out));
}

Value FilterSort(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const bool reverse = args.GetBool(0, "reverse", false);
  const bool case_sensitive = args.GetBool(1, "case_sensitive", false);
  const Value attribute = args.Get(2, "attribute");
  std::vector<Value> items = Items(interpreter, input);
  std::vector<std::pair<Value, size_t>> keyed;
  for (size_t i = 0; i < items.size(); ++i) {
    keyed.emplace_back(SortKey(KeyOf(interpreter, items[i], attribute), case_sensitive), i);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    return reverse ? LessThan(b.first, a.first) : LessThan(a.first, b.first);
  });
  std::vector<Value> out;
  for (const auto& [key, index] : keyed) out.push_back(items[index]);
  return Value::MakeArray(std::move(out));
}

Value FilterUnique(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const bool case_sensitive = args.GetBool(0, "case_sensitive", false);
  const Value attribute = args.Get(1, "attribute");
  std::vector<Value> seen, out;
  for (const Value& item : Items(interpreter, input)) {
    Value key = SortKey(KeyOf(interpreter, item, attribute), case_sensitive);
    if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return Equals(s, key); }))
      continue;
    interpreter.budget().Charge(seen.size());
    seen.push_back(std::move(key));
    out.push_back(item);
  }
  return Value::MakeArray(std::move(out));
}

Value FilterSum(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const Value attribute = args.Get(0, "attribute");
  Value total = args.Get(1, "start", Value(0));
  for (const Value& item : Items(interpreter, input)) {
    total = ApplyBinary(BinaryOp::kAdd, total, KeyOf(interpreter, item, attribute),
                        interpreter.budget());
  }
  return total;
}

Value MinOrMax(Interpreter& interpreter, const Value& input, ArgReader& args, bool want_max) {
  const bool case_sensitive = args.GetBool(0, "case_sensitive", false);
  const Value attribute = args.Get(1, "attribute");
  std::vector<Value> items = Items(interpreter, input);
  if (items.empty()) return Value::Undefined("no aggregated item, sequence was empty");
  size_t best = 0;
  Value best_key = SortKey(KeyOf(interpreter, items[0], attribute), case_sensitive);
  for (size_t i = 1; i < items.size(); ++i) {
    Value key = SortKey(KeyOf(interpreter, items[i], attribute), case_sensitive);
    if (want_max ? LessThan(best_key, key) : LessThan(key, best_key)) {
      best = i;
      best_key = std::move(key);
    }
  }
  return items[best];
}

Value FilterItems(Interpreter& interpreter, const Value& input, ArgReader&) {
  if (input.is_undefined()) return Value::MakeArray({});
  if (!input.is_object()) Fail("filter 'items' expects a mapping, got {}", input.TypeName());
  std::vector<Value> out;
  for (const auto& [key, value] : input.object().entries()) {
    out.push_back(Value::MakeArray({Value(key), value}, true));
  }
  interpreter.budget().Charge(out.size());
  return Value::MakeArray(std::move(out));
}

Value FilterDictsort(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const bool case_sensitive = args.GetBool(0, "case_sensitive", false);
  const std::string by = args.GetString(1, "by", "key");
  const bool reverse = args.GetBool(2, "reverse", false);
  if (by != "key" && by != "value") Fail("filter 'dictsort': by must be 'key' or 'value'");
  if (input.is_undefined()) FailUndefined(input);
  const Args no_args;
  ArgReader none("filter 'items'", no_args);
  std::vector<Value> pairs = FilterItems(interpreter, input, none).array().items;
  const size_t pos = by == "key" ? 0 : 1;
  std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& a, const Value& b) {
    const Value x = SortKey(a.array().items[pos], case_sensitive);
    const Value y = SortKey(b.array().items[pos], case_sensitive);
    return reverse ? LessThan(y, x) : LessThan(x, y);
  });
  return Value::MakeArray(std::move(pairs));
}

Value FilterReverse(Interpreter& interpreter, const Value& input, ArgReader&) {
  std::vector<Value> items = Items(interpreter, input);
  std::reverse(items.begin(), items.end());
  if (!input.is_string()) return Value::MakeArray(std::move(items));
  std::string out;
  for (const Value& item : items) out += item.str();
  return Value(std::move(out));
}

}  // namespace

FilterFn FindSequenceFilter(std::string_view name) {
  static constexpr std::pair<std::string_view, FilterFn> kFilters[] = {
      {"count", FilterLength},
      {"dictsort", FilterDictsort},
      {"first", FilterFirst},
      {"items", FilterItems},
      {"join", FilterJoin},
      {"last", FilterLast},
      {"length", FilterLength},
      {"list", FilterList},
      {"map", FilterMap},
      {"max", [](Interpreter& i, const Value& v, ArgReader& a) { return MinOrMax(i, v, a, true); }},
      {"min",
       [](Interpreter& i, const Value& v, ArgReader& a) { return MinOrMax(i, v, a, false); }},
      {"reject", [](Interpreter& i, const Value& v,
                    ArgReader& a) { return SelectOrReject(i, v, a, false, false); }},
      {"rejectattr", [](Interpreter& i, const Value& v,
                        ArgReader& a) { return SelectOrReject(i, v, a, false, true); }},
      {"reverse", FilterReverse},
      {"select", [](Interpreter& i, const Value& v,
                    ArgReader& a) { return SelectOrReject(i, v, a, true, false); }},
      {"selectattr", [](Interpreter& i, const Value& v,
                        ArgReader& a) { return SelectOrReject(i, v, a, true, true); }},
      {"sort", FilterSort},
      {"sum", FilterSum},
      {"unique", FilterUnique},
  };
  for (const auto& [filter_name, filter] : kFilters) {
    if (filter_name == name) return filter;
  }
  return nullptr;
}

}  // namespace densing::jinja
