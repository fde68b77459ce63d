// JSON Schema -> GBNF: a grammar whose every output is JSON that validates against the schema.
//
// Supported: type (object, array, string, number, integer, boolean, null, and lists of them),
// properties / required (required properties in schema order, then the optional ones in order,
// each of which may be left out), additionalProperties (absent or false: no other properties, as
// llama.cpp's converter does, so output stays within what the schema describes; true or a schema:
// further properties, after the declared ones, with names other than the declared ones),
// enum / const, items / prefixItems, minItems / maxItems, anyOf / oneOf (as alternatives; oneOf's
// exclusivity is not enforced), allOf of object schemas (merged) or of one schema, $ref to
// #/$defs/... and #/definitions/... (recursion allowed), string minLength / maxLength / pattern
// (a regex subset: literals, escapes \d \w \s \D \W \S, classes, '.', groups, alternation,
// quantifiers, ^ and $; anything else is an error naming the feature), format date, time,
// date-time and uuid (as patterns; other formats are ignored, as JSON Schema validators do by
// default), integer minimum / maximum (a range of at most 10,000 values, or a lower bound of 0 or
// 1 with no upper bound), number minimum 0.
// Anything that constrains output in a way the grammar cannot (not, if/then/else, uniqueItems,
// multipleOf, patternProperties, ...) or contradicts itself throws Error with one line naming the
// JSON pointer: "json schema at #/properties/age: ...".
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace densing::grammar {

std::string JsonSchemaToGbnf(const nlohmann::ordered_json& schema);
// Parses `text` as JSON first (Error naming the position if it is not JSON).
std::string JsonSchemaTextToGbnf(std::string_view text);
// Any JSON object ({"type":"json_object"}, --json).
std::string AnyJsonObjectGbnf();

// A regex (JSON Schema's pattern dialect, the subset above) matched against a whole JSON string
// value: a GBNF expression for the string's content between the quotes, in its JSON-escaped form.
// `where` names the schema location for errors.
std::string RegexToGbnf(std::string_view pattern, const std::string& where);
// `text` as a GBNF string literal ("...", escaped).
std::string GbnfLiteral(std::string_view text);

}  // namespace densing::grammar
