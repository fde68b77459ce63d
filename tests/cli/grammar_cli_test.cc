// densing run/chat with --grammar, --grammar-file, --json-schema, --json as a user types them.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/run_densing.h"
#include "testing/shared_dir.h"

namespace densing::testing {
namespace {

std::string Model() { return SharedDir() + "/models/stories260K.gguf"; }

// run prints the prompt, then the output.
std::string Generated(const Result& r, const std::string& prompt) {
  EXPECT_EQ(r.out.rfind(prompt, 0), 0u) << r.out;
  std::string out = r.out.substr(prompt.size());
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(GrammarCli, JsonSchemaFromTextAndFileGivesValidJson) {
  DENSING_REQUIRE_SHARED();
  const std::string schema =
      R"({"type":"object","properties":{"name":{"type":"string","maxLength":8},
    "tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":3}},"required":["name","tags"]})";
  const std::string file = TempPath("schema.json");
  std::ofstream(file) << schema;
  for (const std::string& arg : {schema, file}) {
    for (int seed = 1; seed <= 3; ++seed) {
      const Result r = Densing({"run", "-m", Model(), "-p", "Once", "-n", "200", "--seed",
                                std::to_string(seed), "--json-schema", arg});
      ASSERT_EQ(r.code, 0) << r.err;
      ASSERT_NE(r.err.find("stop: stop"), std::string::npos) << r.err;
      const auto v = nlohmann::json::parse(Generated(r, "Once"));
      ASSERT_TRUE(v["name"].is_string());
      EXPECT_LE(v["name"].get<std::string>().size(), 8u);
      ASSERT_TRUE(v["tags"].is_array());
      EXPECT_LE(v["tags"].size(), 3u);
      for (const auto& t : v["tags"]) EXPECT_TRUE(t == "a" || t == "b") << t;
      EXPECT_EQ(v.size(), 2u);
    }
  }
}

TEST(GrammarCli, GrammarTextFileAndJson) {
  DENSING_REQUIRE_SHARED();
  const Result r = Densing(
      {"run", "-m", Model(), "-p", "Q", "-n", "20", "--grammar", R"(root ::= ("yes" | "no") "!")"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string out = Generated(r, "Q");
  EXPECT_TRUE(out == "yes!" || out == "no!") << out;
  const std::string file = TempPath("g.gbnf");
  std::ofstream(file) << "# digits then a dot\nroot ::= [0-9]{3} \".\"\n";
  const Result f = Densing({"run", "-m", Model(), "-p", "Q", "-n", "20", "--grammar-file", file});
  ASSERT_EQ(f.code, 0) << f.err;
  const std::string digits = Generated(f, "Q");
  ASSERT_EQ(digits.size(), 4u) << digits;
  EXPECT_EQ(digits.find_first_not_of("0123456789"), 3u) << digits;
  const Result j = Densing({"run", "-m", Model(), "-p", "Q", "-n", "300", "--seed", "4", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  if (j.err.find("stop: stop") != std::string::npos) {
    EXPECT_TRUE(nlohmann::json::parse(Generated(j, "Q")).is_object());
  } else {
    EXPECT_EQ(Generated(j, "Q").front(), '{');
  }
  // chat too: every reply is constrained.
  const Result c =
      Densing({"chat", "-m", Model(), "-n", "20", "--grammar", R"(root ::= "ok")"}, "hi\nagain\n");
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out, "ok\nok\n");
}

TEST(GrammarCli, BadGrammarOrSchemaIsOneLineAndExitOne) {
  DENSING_REQUIRE_SHARED();
  ExpectOneLineError(Densing({"run", "-m", Model(), "-p", "x", "--grammar", "root ::= [a-"}),
                     "grammar: line 1, column 13: expected ']' to close the character class");
  ExpectOneLineError(Densing({"run", "-m", Model(), "-p", "x", "--json-schema",
                              R"({"type":"array","minItems":2,"maxItems":1})"}),
                     "json schema at #: maxItems 1 is below minItems 2");
  ExpectOneLineError(Densing({"run", "-m", Model(), "-p", "x", "--json-schema", "{not json"}),
                     "json schema: not JSON");
  ExpectOneLineError(
      Densing({"run", "-m", Model(), "-p", "x", "--grammar-file", "/nonexistent.gbnf"}),
      "cannot read the grammar file '/nonexistent.gbnf'");
  ExpectOneLineError(Densing({"chat", "-m", Model(), "--grammar", "start ::= \"a\""}),
                     "grammar: no 'root' rule");
}

}  // namespace
}  // namespace densing::testing
