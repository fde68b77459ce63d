// response_format, grammar, json_schema and logit_bias, checked field by field.
#include "server/output_format.h"

#include <cmath>

#include "base/error.h"
#include "grammar/json_schema.h"
#include "server/api_error.h"
#include "server/json_fields.h"

namespace densing::server {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// The schema at `path` of the body, in written key order when the ordered body is there.
ordered_json Ordered(const json& value, const ordered_json* ordered,
                     std::initializer_list<const char*> path) {
  if (ordered) {
    const ordered_json* at = ordered;
    for (const char* key : path) {
      if (!at->is_object() || !at->contains(key)) {
        at = nullptr;
        break;
      }
      at = &(*at)[key];
    }
    if (at) return *at;
  }
  return ordered_json::parse(value.dump());
}

}  // namespace

void ParseOutputFormat(const json& body, const ordered_json* ordered, SamplerParams& s) {
  std::string gbnf;
  std::string param;  // the field the grammar came from
  const auto take = [&](const std::string& name, std::string text) {
    if (!param.empty()) FailParam(name, "'{}' and '{}' cannot be used together", param, name);
    param = name;
    gbnf = std::move(text);
  };
  const auto schema_gbnf = [&](const std::string& name, const json& schema,
                               std::initializer_list<const char*> path) {
    if (!schema.is_object() && !schema.is_boolean())
      FailParam(name, "'{}' must be a JSON schema object", name);
    try {
      return grammar::JsonSchemaToGbnf(Ordered(schema, ordered, path));
    } catch (const Error& e) {
      FailParam(name, "'{}': {}", name, e.what());
    }
  };
  JsonFields f(body);
  if (const json* rf = f.Get("response_format")) {
    if (!rf->is_object()) FailParam("response_format", "'response_format' must be an object");
    const json type = rf->value("type", json());
    if (type == "json_object") {
      // llama.cpp also takes a schema here.
      if (rf->contains("schema")) {
        take("response_format.schema",
             schema_gbnf("response_format.schema", (*rf)["schema"], {"response_format", "schema"}));
      } else {
        take("response_format", grammar::AnyJsonObjectGbnf());
      }
    } else if (type == "json_schema") {
      const json js = rf->value("json_schema", json());
      if (!js.is_object() || !js.contains("schema")) {
        FailParam("response_format.json_schema",
                  "'response_format.json_schema' must be an object with a 'schema' (and a 'name')");
      }
      take("response_format.json_schema.schema",
           schema_gbnf("response_format.json_schema.schema", js["schema"],
                       {"response_format", "json_schema", "schema"}));
    } else if (type != "text") {
      FailParam("response_format.type",
                "'response_format.type' must be \"text\", \"json_object\" or \"json_schema\"");
    }
  }
  if (const json* g = f.Get("grammar")) {
    if (!g->is_string()) FailParam("grammar", "'grammar' must be a string of GBNF");
    if (!g->get_ref<const std::string&>().empty()) take("grammar", g->get<std::string>());
  }
  if (const json* js = f.Get("json_schema")) {
    take("json_schema", schema_gbnf("json_schema", *js, {"json_schema"}));
  }
  if (param.empty()) return;
  try {
    s.grammar.grammar = grammar::Grammar::Parse(gbnf);
  } catch (const Error& e) {
    FailParam(param, "'{}': {}", param, e.what());
  }
}

void ParseLogitBias(const json& body, SamplerParams& s) {
  JsonFields f(body);
  const json* lb = f.Get("logit_bias");
  if (!lb || lb->is_null()) return;
  if (!lb->is_object())
    FailParam("logit_bias", "'logit_bias' must be an object of token id -> bias");
  for (const auto& [key, value] : lb->items()) {
    size_t used = 0;
    long long id = -1;
    try {
      id = std::stoll(key, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != key.size() || key.empty() || id < 0 || id > INT32_MAX) {
      FailParam("logit_bias", "'logit_bias' keys must be token ids, not '{}'", key);
    }
    if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < -100 ||
        value.get<double>() > 100) {
      FailParam("logit_bias", "'logit_bias[\"{}\"]' must be a number in [-100, 100]", key);
    }
    s.logit_bias.push_back({static_cast<int32_t>(id), value.get<float>()});
  }
}

void CheckLogitBias(const SamplerParams& s, int32_t n_vocab) {
  for (const auto& [id, bias] : s.logit_bias) {
    if (id >= n_vocab) {
      FailParam("logit_bias", "'logit_bias': token id {} is past the vocabulary ({} tokens)", id,
                n_vocab);
    }
  }
}

}  // namespace densing::server
