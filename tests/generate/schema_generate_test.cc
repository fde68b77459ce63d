// Random-weight models as fuzzers of the JSON-schema grammars: many outputs at temperature 1,
// each one that finishes must parse and validate against its schema (checked by a validator
// written apart from the converter).
#include <gtest/gtest.h>

#include "generate/generate.h"
#include "grammar/json_schema.h"
#include "model/model.h"
#include "schema_validator.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

const char* kSchemas[] = {
    // Nested objects, optional properties, enums, bounded strings.
    R"({"type":"object","properties":{
         "name":{"type":"string","maxLength":6},
         "age":{"type":"integer","minimum":0,"maximum":120},
         "role":{"enum":["admin","user",null,3]},
         "address":{"type":"object","properties":{"zip":{"type":"string","pattern":"^[0-9]{5}$"},
                                                  "ok":{"type":"boolean"}},
                    "required":["zip"]}},
       "required":["name","role"]})",
    // Arrays with min/max items, anyOf, const.
    R"({"type":"array","minItems":2,"maxItems":4,
        "items":{"anyOf":[{"type":"integer"},{"type":"string","maxLength":3},{"const":{"k":[1,2]}}]}})",
    // $ref with recursion, nullable type lists, definitions.
    R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":["integer","null"]},
                                                         "kids":{"type":"array","maxItems":2,"items":{"$ref":"#/$defs/node"}}},
                           "required":["v"]}},
        "$ref":"#/$defs/node"})",
    // Patterns with alternation, classes and quantifiers; formats; oneOf of disjoint types.
    R"({"type":"object","properties":{
         "code":{"type":"string","pattern":"^(ab|c[x-z]+)\\d{2,3}$"},
         "day":{"type":"string","format":"date"},
         "id":{"type":"string","format":"uuid"},
         "x":{"oneOf":[{"type":"boolean"},{"type":"null"}]}},
       "required":["code","day","id","x"],"additionalProperties":false})",
    // No required properties; additional properties with a schema.
    R"({"type":"object","properties":{"a":{"type":"number"},"b":{"type":"string","minLength":1,"maxLength":2}},
        "additionalProperties":{"type":"integer"}})",
    // allOf of objects; definitions.
    R"({"definitions":{"base":{"type":"object","properties":{"id":{"type":"integer","minimum":1}},"required":["id"]}},
        "allOf":[{"$ref":"#/definitions/base"},{"properties":{"tag":{"enum":["a","b"]}},"required":["tag"]}]})",
};

void GenerateAndValidate(const std::string& model_name, int runs_per_schema) {
  auto model = Model::Load(testing::SharedDir() + "/models/" + model_name);
  auto tok = Tokenizer::FromGguf(model->file());
  auto vocab = grammar::Vocabulary::FromTokenizer(*tok);
  ThreadPool pool(1);
  Session session(*model, pool, 512);
  const std::vector<int32_t> prompt = tok->Encode("Once upon a time", true, false);
  for (const char* text : kSchemas) {
    const nlohmann::json schema = nlohmann::json::parse(text);
    const testing::SchemaValidator validator(schema);
    GenerateParams p;
    p.n_predict = 400;
    p.sampler.temperature = 1.0f;
    p.sampler.top_k = 0;
    p.sampler.top_p = 1.0f;
    p.sampler.min_p = 0.0f;
    p.sampler.grammar.grammar = grammar::Grammar::Parse(grammar::JsonSchemaTextToGbnf(text));
    p.vocabulary = vocab;
    int finished = 0;
    for (int seed = 0; seed < runs_per_schema; ++seed) {
      p.sampler.seed = static_cast<uint64_t>(seed);
      std::string out;
      const GenerateStats st = Generate(session, *tok, prompt, p, [&](int32_t, std::string_view t) {
        out += t;
        return true;
      });
      if (st.stop == StopReason::kLength) continue;  // the walk had not finished the value yet
      ASSERT_EQ(st.stop, StopReason::kEndOfGeneration)
          << model_name << " " << text << "\noutput: " << out;
      ++finished;
      nlohmann::json v;
      ASSERT_NO_THROW(v = nlohmann::json::parse(out))
          << model_name << " seed " << seed << ": " << out;
      EXPECT_EQ(validator.Check(v), "")
          << model_name << " seed " << seed << ": " << out << "\nschema " << text;
    }
    // Many runs finish: the grammar lets the end-of-generation token in once the value is done
    // (free-form strings and keys are long random walks on a 32k vocabulary).
    EXPECT_GE(finished, runs_per_schema / 4) << model_name << " " << text;
  }
}

TEST(SchemaGenerate, SmallVocabularyOutputsValidate) {
  DENSING_REQUIRE_SHARED();
  GenerateAndValidate("tiny-qwen2.gguf", 24);
}

TEST(SchemaGenerate, LlamaVocabularyOutputsValidate) {
  DENSING_REQUIRE_SHARED();
  GenerateAndValidate("llama-2-tiny-random.gguf", 12);
}

}  // namespace
}  // namespace densing
