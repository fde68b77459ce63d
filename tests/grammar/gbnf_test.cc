// The GBNF parser: grammars it takes, and the one-line errors for those it refuses.
#include <gtest/gtest.h>

#include <string>

#include "base/error.h"
#include "grammar/grammar.h"
#include "grammar/matcher.h"

namespace densing::grammar {
namespace {

std::string ParseError(const std::string& gbnf) {
  try {
    Grammar::Parse(gbnf);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool Matches(const std::string& gbnf, const std::string& text) {
  Matcher m(Grammar::Parse(gbnf));
  return m.AcceptBytes(text) && m.CanEnd();
}

TEST(Gbnf, ParsesTheFormsOfTheFormat) {
  const char* json = R"(# llama.cpp's json.gbnf, shortened
root   ::= object
value  ::= object | array | string | number | ("true" | "false" | "null") ws

object ::=
  "{" ws (
            string ":" ws value
    ("," ws string ":" ws value)*
  )? "}" ws

array  ::=
  "[" ws (
            value
    ("," ws value)*
  )? "]" ws

string ::=
  "\"" (
    [^"\\\x7F\x00-\x1F] |
    "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
  )* "\"" ws

number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
ws ::= | " " | "\n" [ \t]{0,20}
)";
  EXPECT_TRUE(Matches(json, R"({"a": [1, 2.5, "x\n\u00e9"], "b": {"c": null}})"));
  EXPECT_TRUE(Matches(json, "{}"));
  EXPECT_FALSE(Matches(json, R"({"a": })"));
  EXPECT_FALSE(Matches(json, R"({"a": 1)"));  // cannot end inside the object
  EXPECT_TRUE(Matches("root ::= [a-z]+ \"!\"?", "abc!"));
  EXPECT_TRUE(Matches("root ::= \"\\x41\\u00e9\\t\"", "A\xc3\xa9\t"));
  EXPECT_TRUE(Matches("root ::= . . .",
                      "a\xe2\x82\xac"
                      "b"));
  EXPECT_TRUE(Matches("root ::= \"\" | \"x\"", ""));
}

TEST(Gbnf, RepetitionBounds) {
  const char* g = "root ::= \"a\"{2,4} \"b\"{3} \"c\"{1,}";
  EXPECT_FALSE(Matches(g, "abbbc"));
  EXPECT_TRUE(Matches(g, "aabbbc"));
  EXPECT_TRUE(Matches(g, "aaaabbbccc"));
  EXPECT_FALSE(Matches(g, "aaaaabbbc"));
  EXPECT_FALSE(Matches(g, "aabbc"));
  EXPECT_FALSE(Matches(g, "aabbb"));
  EXPECT_TRUE(Matches("root ::= (\"ab\" | \"c\"){0,2}", ""));
  EXPECT_TRUE(Matches("root ::= (\"ab\" | \"c\"){0,2}", "abc"));
  EXPECT_FALSE(Matches("root ::= (\"ab\" | \"c\"){0,2}", "abcc"));
}

TEST(Gbnf, ErrorsNameWhereAndWhat) {
  EXPECT_EQ(ParseError("root ::= \"a\"\nx ::= [a-"),
            "grammar: line 2, column 10: expected ']' to close the character class, found the end");
  EXPECT_EQ(ParseError("root ::= foo"),
            "grammar: rule 'foo' is used at line 1, column 10 but never defined");
  EXPECT_EQ(ParseError("start ::= \"a\""), "grammar: no 'root' rule (the start rule)");
  EXPECT_EQ(ParseError("root ::= root \"a\" | \"b\""), "grammar: rule 'root' is left-recursive");
  EXPECT_EQ(ParseError("root ::= x\nx ::= y? x \"a\" | \"c\"\ny ::= \"b\""),
            "grammar: rule 'x' is left-recursive");
  EXPECT_EQ(ParseError("root ::= \"a\" root"),
            "grammar: rule 'root' can never finish (every alternative recurses)");
  EXPECT_EQ(ParseError("root = \"a\""), "grammar: line 1, column 6: expected '::=', found '='");
  EXPECT_EQ(ParseError("root ::= \"abc"),
            "grammar: line 1, column 14: expected '\"' to close the string, found the end");
  EXPECT_EQ(ParseError("root ::= ( \"a\" "),
            "grammar: line 1, column 16: expected ')' to close the group, found the end");
  EXPECT_EQ(
      ParseError("root ::= * \"a\""),
      "grammar: line 1, column 10: expected something to repeat before the repetition, found '*'");
  EXPECT_EQ(ParseError("root ::= \"a\"{3,1}"),
            "grammar: line 1, column 18: repetition {3,1} has max < min");
  EXPECT_EQ(ParseError("root ::= \"\\q\""),
            "grammar: line 1, column 12: expected an escape (\\n \\t \\r \\\\ \\\" \\[ \\] \\xHH "
            "\\uHHHH \\UHHHHHHHH), found 'q'");
  EXPECT_EQ(ParseError("root ::= \"a\"\nroot ::= \"b\""),
            "grammar: rule 'root' is defined twice (line 2, column 1)");
  EXPECT_EQ(ParseError("root ::= [z-a]"),
            "grammar: line 1, column 14: the range ends (U+61) before it starts (U+7A)");
  EXPECT_EQ(ParseError("root ::= \"a\" \"b\" )"),
            "grammar: line 1, column 18: expected a line end after the rule, found ')'");
}

// Found by fuzz_grammar: "x??????{0,6}" repeated the repetition each time, nesting optionals
// until a parse took over ten seconds. A quantifier needs a term before it.
TEST(Gbnf, AQuantifierOnAQuantifierIsAnError) {
  for (const char* text : {"root ::= \"a\"??", "root ::= (\"a\" \"b\")*+", "root ::= [a-z]{1,2}?"}) {
    try {
      Grammar::Parse(text);
      ADD_FAILURE() << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("expected something to repeat before the repetition"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_NO_THROW(Grammar::Parse("root ::= (\"a\"?)? \"b\"*"));
}

// Found by fuzz_grammar: a grammar whose parses multiply with every character (each can open
// another nested `root`) took minutes; past 4096 live parses the matcher stops with an Error.
TEST(Gbnf, TooAmbiguousGrammarIsAnErrorNotAHang) {
  const std::string text = "root ::= (item \"\\n\"){1,3} # comment\nitem ::= \"" +
                           std::string(22, 'C') + std::string(117, '@') + std::string(14, 'C') +
                           "- \"?[^\\n\\x00]+ root| .\n";
  Matcher m(Grammar::Parse(text));
  try {
    for (char c : text) {
      if (!m.AcceptBytes(std::string(1, c))) break;
    }
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "grammar: too ambiguous: more than 4096 parses are alive at once");
  }
}

}  // namespace
}  // namespace densing::grammar
