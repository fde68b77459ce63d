// The JSON Schema converter: one GBNF rule per schema node, named after its JSON pointer.
#include "grammar/json_schema.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "base/error.h"

namespace densing::grammar {
namespace {

using Json = nlohmann::ordered_json;

// JSON text with bounded whitespace: a random model could otherwise write spaces forever.
const char* kPrimitives = R"(space ::= | " " | "\n" [ \t]{0,20}
char ::= [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})
string ::= "\"" char* "\"" space
integral-part ::= [0] | [1-9] [0-9]{0,15}
number ::= "-"? integral-part ("." [0-9]+)? ([eE] [-+]? [0-9]{1,3})? space
integer ::= "-"? integral-part space
boolean ::= ("true" | "false") space
null ::= "null" space
value ::= object | array | string | number | boolean | null
object ::= "{" space (string ":" space value ("," space string ":" space value)*)? "}" space
array ::= "[" space (value ("," space value)*)? "]" space
)";

const std::set<std::string> kIgnored = {
    "$schema", "$id", "$comment", "title", "description", "default", "examples", "readOnly",
    "writeOnly", "deprecated", "$defs", "definitions", "format", "strict", "name", "contentMediaType",
    "contentEncoding"};
const std::set<std::string> kHandled = {
    "type", "properties", "required", "additionalProperties", "enum", "const", "items", "prefixItems",
    "minItems", "maxItems", "anyOf", "oneOf", "allOf", "$ref", "pattern", "minLength", "maxLength",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"};

std::string Escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '/') out += "~1";
    else if (c == '~') out += "~0";
    else out += c;
  }
  return out;
}

std::vector<uint32_t> CodePoints(const std::string& s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : 4;
    uint32_t cp = n == 1 ? b : b & (0x7F >> n);
    for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

class Converter {
 public:
  explicit Converter(const Json& root) : root_(root) {}

  std::string Run() {
    const std::string root = Visit(root_, "#", "root");
    std::string out = kPrimitives;
    if (root != "root") out += "root ::= " + root + "\n";
    for (const auto& [name, body] : rules_) out += name + " ::= " + body + "\n";
    return out;
  }

 private:
  [[noreturn]] static void Bad(const std::string& where, const std::string& what) {
    Fail("json schema at {}: {}", where, what);
  }

  // A rule name from a pointer, unique.
  std::string NewName(const std::string& hint) {
    std::string base;
    for (char c : hint) base += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    if (base.empty() || base == "-") base = "node";
    std::string name = base;
    for (int i = 2; rules_.count(name) || reserved_.count(name); ++i) name = base + "-" + std::to_string(i);
    reserved_.insert(name);
    return name;
  }
  std::string Define(const std::string& hint, const std::string& body) {
    const std::string name = NewName(hint);
    rules_[name] = body;
    return name;
  }

  const Json& Resolve(const std::string& ref, const std::string& where) {
    std::string key;
    for (const char* prefix : {"#/$defs/", "#/definitions/"}) {
      if (ref.rfind(prefix, 0) == 0) {
        const std::string section = std::string(prefix).substr(2, std::string(prefix).size() - 3);
        const std::string name = ref.substr(std::string(prefix).size());
        if (!root_.contains(section) || !root_[section].is_object() || !root_[section].contains(name)) {
          Bad(where, fmt::format("$ref '{}' names no definition", ref));
        }
        return root_[section][name];
      }
    }
    Bad(where, fmt::format("$ref '{}' is not supported (only #/$defs/... and #/definitions/...)", ref));
  }

  std::string Visit(const Json& s, const std::string& where, const std::string& hint) {
    if (++depth_ > 64) Bad(where, "nested more than 64 levels");
    std::string out = VisitNode(s, where, hint);
    --depth_;
    return out;
  }

  std::string VisitNode(const Json& s, const std::string& where, const std::string& hint) {
    if (s.is_boolean()) {
      if (!s.get<bool>()) Bad(where, "the schema false allows no value");
      return "value";
    }
    if (!s.is_object()) Bad(where, "a schema must be an object or a boolean");
    for (const auto& [key, v] : s.items()) {
      if (!kIgnored.count(key) && !kHandled.count(key)) Bad(where, fmt::format("'{}' is not supported", key));
    }
    if (s.contains("$ref")) {
      if (!s["$ref"].is_string()) Bad(where + "/$ref", "must be a string");
      const std::string ref = s["$ref"].get<std::string>();
      auto it = refs_.find(ref);
      if (it != refs_.end()) return it->second;
      const std::string name = NewName(ref.substr(ref.rfind('/') + 1));
      refs_[ref] = name;
      rules_[name] = Visit(Resolve(ref, where + "/$ref"), ref, name);
      return name;
    }
    if (s.contains("const")) return Literal(s["const"]);
    if (s.contains("enum")) {
      if (!s["enum"].is_array() || s["enum"].empty()) Bad(where + "/enum", "must be a non-empty array");
      std::string alts;
      for (const Json& v : s["enum"]) alts += (alts.empty() ? "" : " | ") + Literal(v);
      return Define(hint, alts);
    }
    for (const char* key : {"anyOf", "oneOf"}) {
      if (!s.contains(key)) continue;
      const Json& list = s[key];
      if (!list.is_array() || list.empty()) Bad(where + "/" + key, "must be a non-empty array");
      std::string alts;
      for (size_t i = 0; i < list.size(); ++i) {
        Json sub = list[i];
        // Sibling keywords (a type beside anyOf) apply to each alternative.
        if (sub.is_object()) {
          for (const auto& [k, v] : s.items()) {
            if (k != key && !kIgnored.count(k) && !sub.contains(k)) sub[k] = v;
          }
        }
        alts += (alts.empty() ? "" : " | ") +
                Visit(sub, fmt::format("{}/{}/{}", where, key, i), fmt::format("{}-{}", hint, i));
      }
      return Define(hint, alts);
    }
    if (s.contains("allOf")) return Define(hint, Visit(MergeAllOf(s, where), where, hint));
    if (s.contains("type") && s["type"].is_array()) {
      if (s["type"].empty()) Bad(where + "/type", "an empty list of types allows no value");
      std::string alts;
      for (const Json& t : s["type"]) {
        Json sub = s;
        sub["type"] = t;
        alts += (alts.empty() ? "" : " | ") + Visit(sub, where, hint + "-" + (t.is_string() ? t.get<std::string>() : "t"));
      }
      return Define(hint, alts);
    }
    std::string type;
    if (s.contains("type")) {
      if (!s["type"].is_string()) Bad(where + "/type", "must be a string or a list of strings");
      type = s["type"].get<std::string>();
    } else if (s.contains("properties") || s.contains("additionalProperties")) {
      type = "object";
    } else if (s.contains("items") || s.contains("prefixItems")) {
      type = "array";
    } else if (s.contains("pattern") || s.contains("minLength") || s.contains("maxLength")) {
      type = "string";
    }
    if (type.empty()) return "value";
    if (type == "object") return Object(s, where, hint);
    if (type == "array") return Array(s, where, hint);
    if (type == "string") return String(s, where, hint);
    if (type == "integer") return Integer(s, where, hint);
    if (type == "number") {
      if (s.contains("maximum") || s.contains("exclusiveMinimum") || s.contains("exclusiveMaximum") ||
          (s.contains("minimum") && s["minimum"] != 0)) {
        Bad(where, "bounds on a number (other than minimum 0) are not supported");
      }
      return s.contains("minimum") ? Define(hint, "integral-part (\".\" [0-9]+)? ([eE] [-+]? [0-9]{1,3})? space")
                                   : "number";
    }
    if (type == "boolean") return "boolean";
    if (type == "null") return "null";
    Bad(where + "/type", fmt::format("unknown type '{}'", type));
  }

  static std::string Literal(const Json& v) { return GbnfLiteral(v.dump()) + " space"; }

  Json MergeAllOf(const Json& s, const std::string& where) {
    const Json& list = s["allOf"];
    if (!list.is_array() || list.empty()) Bad(where + "/allOf", "must be a non-empty array");
    Json merged = s;
    merged.erase("allOf");
    for (size_t i = 0; i < list.size(); ++i) {
      Json part = list[i];
      if (part.is_object() && part.contains("$ref")) part = Resolve(part["$ref"].get<std::string>(), where);
      const std::string at = fmt::format("{}/allOf/{}", where, i);
      if (!part.is_object()) Bad(at, "must be an object schema");
      for (const auto& [k, v] : part.items()) {
        if (k == "properties") {
          for (const auto& [pk, pv] : v.items()) {
            if (merged["properties"].contains(pk) && merged["properties"][pk] != pv) {
              Bad(at, fmt::format("property '{}' has two different schemas", pk));
            }
            merged["properties"][pk] = pv;
          }
        } else if (k == "required") {
          for (const Json& r : v) merged["required"].push_back(r);
        } else if (kIgnored.count(k)) {
          continue;
        } else if (merged.contains(k) && merged[k] != v) {
          Bad(at, fmt::format("'{}' differs between the allOf parts (only simple merges are supported)", k));
        } else {
          merged[k] = v;
        }
      }
    }
    return merged;
  }

  std::string Object(const Json& s, const std::string& where, const std::string& hint) {
    if (!s.contains("properties") && !s.contains("additionalProperties") && !s.contains("required")) {
      return "object";  // {"type": "object"}: any object
    }
    const Json empty = Json::object();
    const Json& props = s.contains("properties") ? s["properties"] : empty;
    if (!props.is_object()) Bad(where + "/properties", "must be an object");
    std::set<std::string> required;
    if (s.contains("required")) {
      if (!s["required"].is_array()) Bad(where + "/required", "must be an array of names");
      for (const Json& r : s["required"]) {
        if (!r.is_string()) Bad(where + "/required", "must be an array of names");
        required.insert(r.get<std::string>());
      }
    }
    std::string additional;
    if (s.contains("additionalProperties") && s["additionalProperties"] != false) {
      const Json& a = s["additionalProperties"];
      const std::string value = a == true ? "value" : Visit(a, where + "/additionalProperties", hint + "-additional");
      std::vector<std::string> names;
      for (const auto& [k, v] : props.items()) names.push_back(k);
      additional = Define(hint + "-additional-kv", OtherKey(names, hint) + " \":\" space " + value);
    }
    for (const std::string& r : required) {
      if (!props.contains(r) && additional.empty()) {
        Bad(where + "/required", fmt::format("'{}' is required but not among the properties, and no other property is allowed", r));
      }
    }
    std::vector<std::string> req, opt;
    for (const auto& [k, v] : props.items()) {
      const std::string kv = Define(hint + "-" + k + "-kv",
                                    Literal(Json(k)) + " \":\" space " +
                                        Visit(v, where + "/properties/" + Escape(k), hint + "-" + k));
      (required.count(k) ? req : opt).push_back(kv);
    }
    for (const std::string& r : required) {
      if (!props.contains(r)) req.push_back(additional);  // a required name the schema gives no schema
    }
    const std::string more = additional.empty() ? "" : " (\",\" space " + additional + ")*";
    std::string body = "\"{\" space ";
    for (size_t i = 0; i < req.size(); ++i) body += (i ? " \",\" space " : "") + req[i];
    if (!req.empty()) {
      for (const std::string& o : opt) body += " (\",\" space " + o + ")?";
      body += more;
    } else {
      // The first property present has no comma before it. rest[i]: the optional properties
      // from i on, each after a comma, then the additional ones — a rule per property, so that
      // n optional properties make n rules rather than n² alternatives.
      std::vector<std::string> rest(opt.size() + 1);
      rest[opt.size()] = more;
      for (size_t i = opt.size(); i-- > 1;) {
        rest[i] = " " + Define(fmt::format("{}-rest-{}", hint, i),
                               "(\",\" space " + opt[i] + ")?" + rest[i + 1]);
      }
      std::string alts;
      for (size_t i = 0; i < opt.size(); ++i) alts += (alts.empty() ? "" : " | ") + opt[i] + rest[i + 1];
      if (!additional.empty()) alts += (alts.empty() ? "" : " | ") + additional + more;
      if (!alts.empty()) body += "(" + alts + ")?";
    }
    return Define(hint, body + " \"}\" space");
  }

  // A JSON string key other than each of `names` (spelled without escapes where it differs).
  std::string OtherKey(const std::vector<std::string>& names, const std::string& hint) {
    if (names.empty()) return "string";
    // A trie over the names: at each node, a character no name continues with leads anywhere.
    struct Node {
      std::map<uint32_t, int> next;
      bool end = false;
    };
    std::vector<Node> trie(1);
    for (const std::string& n : names) {
      int at = 0;
      for (uint32_t c : CodePoints(n)) {
        auto it = trie[static_cast<size_t>(at)].next.find(c);
        if (it == trie[static_cast<size_t>(at)].next.end()) {
          trie.push_back({});
          it = trie[static_cast<size_t>(at)].next.emplace(c, static_cast<int>(trie.size()) - 1).first;
        }
        at = it->second;
      }
      trie[static_cast<size_t>(at)].end = true;
    }
    const std::string base = NewName(hint + "-other-key");
    for (size_t i = 0; i < trie.size(); ++i) {
      std::string cls = "[^\"\\\\\\x7F\\x00-\\x1F";
      std::string alts;
      for (const auto& [c, child] : trie[i].next) {
        cls += fmt::format("\\U{:08X}", c);
        alts += fmt::format(" | [\\U{:08X}] {}-{}", c, base, child);
      }
      std::string body = cls + "] char*" + alts;
      if (!trie[i].end) body += " | \"\"";
      rules_[fmt::format("{}-{}", base, i)] = body;
    }
    rules_[base] = fmt::format("\"\\\"\" {}-0 \"\\\"\" space", base);
    return base;
  }

  std::string Array(const Json& s, const std::string& where, const std::string& hint) {
    for (const char* k : {"minItems", "maxItems"}) {
      if (s.contains(k) && (!s[k].is_number_integer() || s[k].get<int64_t>() < 0)) {
        Bad(where + "/" + k, "must be a non-negative integer");
      }
    }
    int64_t min = s.value("minItems", int64_t{0}), max = s.value("maxItems", int64_t{-1});
    if (max >= 0 && max < min) Bad(where, fmt::format("maxItems {} is below minItems {}", max, min));
    if (min > 1000 || max > 1000) Bad(where, "minItems/maxItems past 1000 are not supported");
    std::vector<std::string> tuple;
    if (s.contains("prefixItems")) {
      if (!s["prefixItems"].is_array()) Bad(where + "/prefixItems", "must be an array");
      for (size_t i = 0; i < s["prefixItems"].size(); ++i) {
        tuple.push_back(Visit(s["prefixItems"][i], fmt::format("{}/prefixItems/{}", where, i), fmt::format("{}-{}", hint, i)));
      }
    }
    std::string item = "value";
    if (s.contains("items")) {
      if (s["items"] == false) {
        item.clear();
      } else {
        item = Visit(s["items"], where + "/items", hint + "-item");
      }
    }
    if (!tuple.empty()) {
      // Exactly the prefix items (the common tuple form); further ones only when items allows.
      if (static_cast<int64_t>(tuple.size()) < min && item.empty()) Bad(where, "minItems is past the prefixItems and items is false");
      std::string body = "\"[\" space ";
      for (size_t i = 0; i < tuple.size(); ++i) body += (i ? " \",\" space " : "") + tuple[i];
      const int64_t n = static_cast<int64_t>(tuple.size());
      if (max >= 0 && max < n) Bad(where, "maxItems is below the number of prefixItems");
      if (!item.empty() && (max < 0 || max > n)) {
        const int64_t lo = std::max<int64_t>(0, min - n);
        body += fmt::format(" (\",\" space {}){{{},{}}}", item, lo, max < 0 ? "" : std::to_string(max - n));
      }
      return Define(hint, body + " \"]\" space");
    }
    if (item.empty()) {
      if (min > 0) Bad(where, "minItems > 0 but items is false");
      return Define(hint, "\"[\" space \"]\" space");
    }
    std::string body;
    if (max == 0) {
      body = "\"[\" space \"]\" space";
    } else {
      const std::string rest =
          fmt::format("(\",\" space {}){{{},{}}}", item, std::max<int64_t>(0, min - 1), max < 0 ? "" : std::to_string(max - 1));
      body = min == 0 ? fmt::format("\"[\" space ({} {})? \"]\" space", item, rest)
                      : fmt::format("\"[\" space {} {} \"]\" space", item, rest);
    }
    return Define(hint, body);
  }

  std::string String(const Json& s, const std::string& where, const std::string& hint) {
    for (const char* k : {"minLength", "maxLength"}) {
      if (s.contains(k) && (!s[k].is_number_integer() || s[k].get<int64_t>() < 0)) {
        Bad(where + "/" + k, "must be a non-negative integer");
      }
    }
    const int64_t min = s.value("minLength", int64_t{0}), max = s.value("maxLength", int64_t{-1});
    if (max >= 0 && max < min) Bad(where, fmt::format("maxLength {} is below minLength {}", max, min));
    if (min > 10000 || max > 10000) Bad(where, "minLength/maxLength past 10000 are not supported");
    std::string pattern;
    if (s.contains("pattern")) {
      if (!s["pattern"].is_string()) Bad(where + "/pattern", "must be a string");
      pattern = s["pattern"].get<std::string>();
    } else if (s.contains("format") && s["format"].is_string()) {
      const std::string f = s["format"].get<std::string>();
      const std::string date = R"(^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$)";
      const std::string time = R"(^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$)";
      if (f == "date") pattern = date;
      if (f == "time") pattern = time;
      if (f == "date-time") pattern = date.substr(0, date.size() - 1) + "T" + time.substr(1);
      if (f == "uuid") pattern = R"(^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)";
    }
    if (!pattern.empty()) {
      if (s.contains("minLength") || s.contains("maxLength")) {
        Bad(where, "minLength/maxLength together with a pattern or format are not supported");
      }
      return Define(hint, "\"\\\"\" " + RegexToGbnf(pattern, where + "/pattern") + " \"\\\"\" space");
    }
    if (min == 0 && max < 0) return "string";
    return Define(hint, fmt::format("\"\\\"\" char{{{},{}}} \"\\\"\" space", min, max < 0 ? "" : std::to_string(max)));
  }

  std::string Integer(const Json& s, const std::string& where, const std::string& hint) {
    auto bound = [&](const char* k) -> std::optional<int64_t> {
      if (!s.contains(k)) return std::nullopt;
      const Json& v = s[k];
      if (!v.is_number()) Bad(where + "/" + k, "must be a number");
      const double d = v.get<double>();
      if (d < -1e15 || d > 1e15) Bad(where + "/" + k, "is out of the supported range");
      if (std::string(k) == "minimum") return static_cast<int64_t>(std::ceil(d));
      if (std::string(k) == "maximum") return static_cast<int64_t>(std::floor(d));
      if (std::string(k) == "exclusiveMinimum") return static_cast<int64_t>(std::floor(d)) + 1;
      return static_cast<int64_t>(std::ceil(d)) - 1;
    };
    std::optional<int64_t> lo = bound("minimum"), hi = bound("maximum");
    if (auto e = bound("exclusiveMinimum")) lo = lo ? std::max(*lo, *e) : *e;
    if (auto e = bound("exclusiveMaximum")) hi = hi ? std::min(*hi, *e) : *e;
    if (!lo && !hi) return "integer";
    if (lo && hi) {
      if (*hi < *lo) Bad(where, fmt::format("no integer lies between {} and {}", *lo, *hi));
      if (*hi - *lo > 10000) Bad(where, "integer ranges wider than 10,000 values are not supported");
      std::string alts;
      for (int64_t v = *lo; v <= *hi; ++v) alts += (alts.empty() ? "\"" : " | \"") + std::to_string(v) + "\"";
      return Define(hint, "(" + alts + ") space");
    }
    if (lo && !hi && (*lo == 0 || *lo == 1)) {
      return Define(hint, *lo == 0 ? "integral-part space" : "[1-9] [0-9]{0,15} space");
    }
    Bad(where, "this integer bound is not supported (only ranges of at most 10,000 values, or a minimum of 0 or 1)");
  }

  const Json& root_;
  std::map<std::string, std::string> rules_;
  std::set<std::string> reserved_ = {"root", "space", "char", "string", "integral-part", "number",
                                     "integer", "boolean", "null", "value", "object", "array"};
  std::map<std::string, std::string> refs_;
  int depth_ = 0;
};

}  // namespace

std::string GbnfLiteral(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b == 0x7F) {
      out += fmt::format("\\x{:02X}", b);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string JsonSchemaToGbnf(const nlohmann::ordered_json& schema) {
  // The root rule is named "root" when the schema's root defines one.
  return Converter(schema).Run();
}

std::string JsonSchemaTextToGbnf(std::string_view text) {
  nlohmann::ordered_json schema;
  try {
    schema = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    Fail("json schema: not JSON ({})", e.what());
  }
  return JsonSchemaToGbnf(schema);
}

std::string AnyJsonObjectGbnf() { return std::string(kPrimitives) + "root ::= object\n"; }

}  // namespace densing::grammar
