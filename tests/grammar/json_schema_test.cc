// JSON Schema -> GBNF: what each schema's grammar takes and refuses, and the one-line errors
// (with the JSON pointer) for schemas it cannot honour.
#include "grammar/json_schema.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "grammar/matcher.h"

namespace densing::grammar {
namespace {

bool Accepts(const std::string& schema, const std::string& json) {
  Matcher m(Grammar::Parse(JsonSchemaTextToGbnf(schema)));
  return m.AcceptBytes(json) && m.CanEnd();
}

std::string ConvertError(const std::string& schema) {
  try {
    Grammar::Parse(JsonSchemaTextToGbnf(schema));
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(JsonSchema, ObjectsRequiredAndOptionalInOrder) {
  const std::string s =
      R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"},"c":{"type":"boolean"}},"required":["b"]})";
  EXPECT_TRUE(Accepts(s, R"({"b": "x"})"));
  EXPECT_TRUE(Accepts(s, R"({"b":"x","a":1,"c":true})"));
  EXPECT_TRUE(Accepts(s, R"({"b":"x","c":false})"));
  EXPECT_FALSE(Accepts(s, R"({"a":1})"));          // b is required
  EXPECT_FALSE(Accepts(s, R"({"b":"x","d":1})"));  // no other properties by default
  EXPECT_FALSE(Accepts(s, R"({"b":1})"));
  const std::string none = R"({"properties":{"a":{"const":1},"b":{"const":2}}})";
  EXPECT_TRUE(Accepts(none, "{}"));
  EXPECT_TRUE(Accepts(none, R"({"b":2})"));
  EXPECT_TRUE(Accepts(none, R"({"a":1,"b":2})"));
  EXPECT_FALSE(Accepts(none, R"({,"b":2})"));
  EXPECT_TRUE(Accepts(R"({"type":"object"})", R"({"any":[1,{"x":null}]})"));
}

// n optional properties once made n² alternatives: 3,000 of them, a 3.5 GB grammar and half a
// minute per request. The grammar grows linearly now.
TEST(JsonSchema, ManyOptionalPropertiesMakeAGrammarOfLinearSize) {
  const auto size = [](int n) {
    nlohmann::ordered_json props = nlohmann::ordered_json::object();
    for (int i = 0; i < n; ++i) props["p" + std::to_string(i)] = {{"type", "string"}};
    return JsonSchemaToGbnf({{"type", "object"}, {"properties", props}}).size();
  };
  const size_t small = size(100), large = size(3000);
  EXPECT_LT(large, 40 * small) << small << " bytes for 100, " << large << " for 3000";
  EXPECT_NO_THROW(Grammar::Parse(
      JsonSchemaToGbnf({{"type", "object"}, {"properties", {{"a", {{"type", "integer"}}}}}})));
}

TEST(JsonSchema, AdditionalPropertiesTakeOtherNamesOnly) {
  const std::string s =
      R"({"properties":{"ab":{"type":"integer"}},"additionalProperties":{"type":"string"}})";
  EXPECT_TRUE(Accepts(s, R"({"ab":1,"x":"y"})"));
  EXPECT_TRUE(Accepts(s, R"({"a":"y","abc":"z"})"));
  EXPECT_FALSE(Accepts(s, R"({"ab":"y"})"));  // the declared name keeps its schema
  EXPECT_FALSE(Accepts(s, R"({"x":1})"));
}

TEST(JsonSchema, ArraysEnumsAnyOfRefs) {
  const std::string arr =
      R"({"type":"array","items":{"enum":["a",1,null]},"minItems":1,"maxItems":2})";
  EXPECT_FALSE(Accepts(arr, "[]"));
  EXPECT_TRUE(Accepts(arr, R"(["a"])"));
  EXPECT_TRUE(Accepts(arr, R"([1, null])"));
  EXPECT_FALSE(Accepts(arr, R"([1,1,1])"));
  EXPECT_FALSE(Accepts(arr, R"(["b"])"));
  const std::string ref =
      R"({"$defs":{"t":{"type":"array","items":{"$ref":"#/$defs/t"}}},"$ref":"#/$defs/t"})";
  EXPECT_TRUE(Accepts(ref, "[[],[[]]]"));
  EXPECT_FALSE(Accepts(ref, "[1]"));
  const std::string any =
      R"({"anyOf":[{"type":"integer","minimum":3,"maximum":5},{"type":"string","maxLength":2}]})";
  EXPECT_TRUE(Accepts(any, "4"));
  EXPECT_FALSE(Accepts(any, "6"));
  EXPECT_TRUE(Accepts(any, R"("ab")"));
  EXPECT_FALSE(Accepts(any, R"("abc")"));
  EXPECT_TRUE(Accepts(R"({"type":["string","null"]})", "null"));
}

TEST(JsonSchema, PatternsAndFormats) {
  const std::string p = R"j({"type":"string","pattern":"^[A-Z]{2}-\\d+(\\.\\d)?$"})j";
  EXPECT_TRUE(Accepts(p, R"("AB-12.5")"));
  EXPECT_FALSE(Accepts(p, R"("AB-12.")"));
  EXPECT_FALSE(Accepts(p, R"("Ab-1")"));
  EXPECT_TRUE(Accepts(R"({"type":"string","pattern":"b"})", R"("abc")"));  // unanchored: a search
  EXPECT_TRUE(Accepts(R"({"type":"string","pattern":"^a\"b$"})", R"("a\"b")"));
  EXPECT_TRUE(Accepts(R"({"type":"string","format":"date"})", R"("2024-02-29")"));
  EXPECT_FALSE(Accepts(R"({"type":"string","format":"date"})", R"("2024-13-01")"));
  EXPECT_TRUE(
      Accepts(R"({"type":"string","format":"uuid"})", R"("123e4567-e89b-12d3-a456-426614174000")"));
}

TEST(JsonSchema, ErrorsPointAtTheProblem) {
  EXPECT_EQ(ConvertError(R"({"type":"object","properties":{"a":{"not":{}}}})"),
            "json schema at #/properties/a: 'not' is not supported");
  EXPECT_EQ(ConvertError(R"({"type":"array","minItems":3,"maxItems":1})"),
            "json schema at #: maxItems 1 is below minItems 3");
  EXPECT_EQ(ConvertError(R"({"$ref":"#/$defs/missing"})"),
            "json schema at #/$ref: $ref '#/$defs/missing' names no definition");
  EXPECT_EQ(ConvertError(R"({"$ref":"http://example.com/s.json"})"),
            "json schema at #/$ref: $ref 'http://example.com/s.json' is not supported (only "
            "#/$defs/... and #/definitions/...)");
  EXPECT_EQ(ConvertError(R"j({"properties":{"s":{"type":"string","pattern":"a(?=b)"}}})j"),
            "json schema at #/properties/s/pattern: pattern: lookaround (?=, (?!, (?<=, (?<!) or a "
            "group flag is not supported");
  EXPECT_EQ(ConvertError(R"j({"type":"string","pattern":"(a)\\1"})j"),
            "json schema at #/pattern: pattern: a backreference is not supported");
  // A pattern of 100,000 nested groups overflowed the stack of the server that read it.
  EXPECT_EQ(ConvertError(R"({"type":"string","pattern":")" + std::string(100000, '(') + "a" +
                         std::string(100000, ')') + R"("})"),
            "json schema at #/pattern: pattern: groups nested deeper than 64 is not supported");
  EXPECT_EQ(ConvertError(R"({"type":"string","pattern":")" + std::string(64, '(') + "a" +
                         std::string(64, ')') + R"("})"),
            "(no error)");
  EXPECT_EQ(ConvertError(R"({"type":"integer","minimum":5,"maximum":1})"),
            "json schema at #: no integer lies between 5 and 1");
  EXPECT_EQ(ConvertError(R"({"type":"wat"})"), "json schema at #/type: unknown type 'wat'");
  EXPECT_EQ(ConvertError(R"({"items":false,"minItems":1})"),
            "json schema at #: minItems > 0 but items is false");
  EXPECT_EQ(ConvertError(R"({"type":"array","uniqueItems":true})"),
            "json schema at #: 'uniqueItems' is not supported");
  EXPECT_EQ(ConvertError("{\"type\":"),
            "json schema: not JSON ([json.exception.parse_error.101] parse error at line 1, column "
            "9: syntax error while parsing value - unexpected end of input; expected '[', '{', or "
            "a literal)");
  EXPECT_EQ(ConvertError(R"({"properties":{"a":{}},"required":["b"]})"),
            "json schema at #/required: 'b' is required but not among the properties, and no other "
            "property is allowed");
  EXPECT_EQ(ConvertError(R"(false)"), "json schema at #: the schema false allows no value");
}

TEST(JsonSchema, AnyJsonObject) {
  Matcher m(Grammar::Parse(AnyJsonObjectGbnf()));
  EXPECT_TRUE(m.AcceptBytes(R"({"a": [1, -2.5e3, "\u00e9", true, null, {}]})"));
  EXPECT_TRUE(m.CanEnd());
  Matcher n(Grammar::Parse(AnyJsonObjectGbnf()));
  EXPECT_FALSE(n.AcceptBytes("[1]"));  // an object, not any value
}

}  // namespace
}  // namespace densing::grammar
