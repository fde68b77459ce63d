// The grammar flags: which one was given, read and compiled before the model runs.
#include "grammar_options.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "grammar/json_schema.h"

namespace densing::cli {
namespace {
std::string ReadText(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read the {} file '{}'", what, path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

void AddGrammarOptions(CLI::App* cmd, GrammarOptions& o) {
  auto* g = cmd->add_option("--grammar", o.grammar,
                            "Constrain the output to a GBNF grammar (llama.cpp's format)");
  auto* f = cmd->add_option("--grammar-file", o.grammar_file,
                            "Constrain the output to the GBNF grammar in a file");
  auto* s = cmd->add_option(
      "--json-schema", o.json_schema,
      "Constrain the output to JSON valid against a schema (a file, or the schema's JSON text)");
  auto* j = cmd->add_flag("--json", o.json, "Constrain the output to a JSON object");
  g->excludes(f)->excludes(s)->excludes(j);
  f->excludes(s)->excludes(j);
  s->excludes(j);
}

grammar::GrammarSpec ResolveGrammar(const GrammarOptions& o) {
  std::string gbnf;
  if (!o.grammar.empty()) {
    gbnf = o.grammar;
  } else if (!o.grammar_file.empty()) {
    gbnf = ReadText(o.grammar_file, "grammar");
  } else if (!o.json_schema.empty()) {
    std::error_code ec;
    const bool is_file = std::filesystem::is_regular_file(o.json_schema, ec);
    gbnf = grammar::JsonSchemaTextToGbnf(is_file ? ReadText(o.json_schema, "json schema")
                                                 : o.json_schema);
  } else if (o.json) {
    gbnf = grammar::AnyJsonObjectGbnf();
  } else {
    return {};
  }
  return {.grammar = grammar::Grammar::Parse(gbnf)};
}

void ApplyGrammar(const grammar::GrammarSpec& spec, const Tokenizer& tokenizer,
                  GenerateParams& params) {
  params.sampler.grammar = spec;
  if (spec.grammar) params.vocabulary = grammar::Vocabulary::FromTokenizer(tokenizer);
}

}  // namespace densing::cli
