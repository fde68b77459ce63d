// --grammar, --grammar-file, --json-schema, --json: constrained output for run and chat.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "generate/generate.h"

namespace densing::cli {

struct GrammarOptions {
  std::string grammar;       // GBNF text
  std::string grammar_file;  // a GBNF file
  std::string json_schema;   // a schema file, or the schema as JSON text
  bool json = false;         // any JSON object
};

void AddGrammarOptions(CLI::App* cmd, GrammarOptions& o);
// The grammar the flags ask for (none without them), compiled before the model loads: an Error
// naming the problem for a bad grammar, file or schema.
grammar::GrammarSpec ResolveGrammar(const GrammarOptions& o);
// Sets params.sampler.grammar and, with a grammar, params.vocabulary.
void ApplyGrammar(const grammar::GrammarSpec& spec, const Tokenizer& tokenizer,
                  GenerateParams& params);

}  // namespace densing::cli
