// A small JSON Schema validator for the tests, written apart from grammar/json_schema.cc so that
// the converter is checked by something that does not share its reading of the schema. Covers
// the keywords the tests' schemas use; a keyword it does not know fails the check loudly.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

namespace densing::testing {

class SchemaValidator {
 public:
  explicit SchemaValidator(const nlohmann::json& root) : root_(root) {}

  // Empty when `v` validates; else the first reason it does not.
  std::string Check(const nlohmann::json& v) const { return Check(root_, v, "#"); }

 private:
  static size_t CodePoints(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }

  static bool IsType(const nlohmann::json& v, const std::string& t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "number") return v.is_number();
    if (t == "integer")
      return v.is_number_integer() ||
             (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    return false;
  }

  std::string Check(const nlohmann::json& s, const nlohmann::json& v, const std::string& at) const {
    static const std::set<std::string> kKnown = {
        "type",     "properties",  "required",  "additionalProperties",
        "enum",     "const",       "items",     "minItems",
        "maxItems", "anyOf",       "oneOf",     "allOf",
        "$ref",     "pattern",     "minLength", "maxLength",
        "minimum",  "maximum",     "$defs",     "definitions",
        "title",    "description", "format"};
    if (s.is_boolean()) return s.get<bool>() ? "" : at + ": schema false";
    for (const auto& [k, x] : s.items()) {
      if (!kKnown.count(k)) return at + ": the test validator does not know '" + k + "'";
    }
    if (s.contains("$ref")) {
      const std::string ref = s["$ref"];
      const std::string section = ref.rfind("#/$defs/", 0) == 0 ? "$defs" : "definitions";
      const std::string name = ref.substr(ref.find('/', 2) + 1);
      return Check(root_[section][name], v, at);
    }
    if (s.contains("type")) {
      bool ok = false;
      if (s["type"].is_array()) {
        for (const auto& t : s["type"]) ok = ok || IsType(v, t);
      } else {
        ok = IsType(v, s["type"]);
      }
      if (!ok) return at + ": not of type " + s["type"].dump();
    }
    if (s.contains("const") && v != s["const"]) return at + ": not the const";
    if (s.contains("enum")) {
      bool found = false;
      for (const auto& e : s["enum"]) found = found || e == v;
      if (!found) return at + ": not in the enum";
    }
    if (s.contains("anyOf")) {
      bool any = false;
      for (const auto& sub : s["anyOf"]) any = any || Check(sub, v, at).empty();
      if (!any) return at + ": matches no anyOf branch";
    }
    if (s.contains("oneOf")) {
      int n = 0;
      for (const auto& sub : s["oneOf"]) n += Check(sub, v, at).empty();
      if (n != 1) return at + ": matches " + std::to_string(n) + " oneOf branches";
    }
    if (s.contains("allOf")) {
      for (const auto& sub : s["allOf"]) {
        std::string e = Check(sub, v, at);
        if (!e.empty()) return e;
      }
    }
    if (v.is_object()) {
      for (const auto& r : s.value("required", nlohmann::json::array())) {
        if (!v.contains(r.get<std::string>())) return at + ": missing " + r.get<std::string>();
      }
      const auto props = s.value("properties", nlohmann::json::object());
      for (const auto& [k, x] : v.items()) {
        if (props.contains(k)) {
          std::string e = Check(props[k], x, at + "/" + k);
          if (!e.empty()) return e;
        } else if (s.contains("additionalProperties")) {
          std::string e = Check(s["additionalProperties"], x, at + "/" + k);
          if (!e.empty()) return e;
        }
      }
    }
    if (v.is_array()) {
      if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>())
        return at + ": too few items";
      if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>())
        return at + ": too many items";
      if (s.contains("items")) {
        for (size_t i = 0; i < v.size(); ++i) {
          std::string e = Check(s["items"], v[i], at + "/" + std::to_string(i));
          if (!e.empty()) return e;
        }
      }
    }
    if (v.is_string()) {
      const std::string str = v;
      if (s.contains("minLength") && CodePoints(str) < s["minLength"].get<size_t>())
        return at + ": too short";
      if (s.contains("maxLength") && CodePoints(str) > s["maxLength"].get<size_t>())
        return at + ": too long";
      if (s.contains("pattern") &&
          !std::regex_search(str,
                             std::regex(s["pattern"].get<std::string>(), std::regex::ECMAScript))) {
        return at + ": '" + str + "' does not match " + s["pattern"].get<std::string>();
      }
    }
    if (v.is_number()) {
      if (s.contains("minimum") && v.get<double>() < s["minimum"].get<double>())
        return at + ": below minimum";
      if (s.contains("maximum") && v.get<double>() > s["maximum"].get<double>())
        return at + ": above maximum";
    }
    return "";
  }

  nlohmann::json root_;
};

}  // namespace densing::testing
