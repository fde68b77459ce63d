// Fuzz target: any bytes as a JSON schema. A schema the converter takes must give a grammar that
// parses (else abort: a finding), and a matcher runs it over the input; otherwise only
// densing::Error may come out.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "base/error.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The JSON library parses recursively: keep the nesting to what a schema needs.
  int depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') ++depth;
    if (depth > 100) return 0;
  }
  std::string gbnf;
  try {
    gbnf = densing::grammar::JsonSchemaTextToGbnf(text);
  } catch (const densing::Error&) {
    return 0;
  }
  try {
    densing::grammar::Matcher m(densing::grammar::Grammar::Parse(gbnf));
    (void)m.AcceptBytes(text.substr(0, 256));
  } catch (const densing::Error& e) {
    std::fprintf(stderr, "the converter's grammar does not parse: %s\n%s\n", e.what(),
                 gbnf.c_str());
    std::abort();
  }
  return 0;
}
