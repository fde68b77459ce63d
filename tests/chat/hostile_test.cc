// Hostile templates and contexts: each must end in densing::Error quickly, never in a crash, a
// hang or unbounded memory.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "base/error.h"
#include "chat/chat_template.h"
#include "chat/jinja/template.h"

namespace densing::jinja {
namespace {

std::string Render(const std::string& source, const Options& options = {}) {
  return Template::Parse(source, options).Render(nlohmann::ordered_json::object());
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Throws Error whose message contains message_part. (Speed is not asserted here; the limits in
// jinja::Limits are what bound the work, and these tests run in well under a second.)
void ExpectError(const std::string& source, const std::string& message_part,
                 const Options& options = {}) {
  try {
    Render(source, options);
    ADD_FAILURE() << "expected an Error for: " << source.substr(0, 200);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos)
        << "message: " << e.what();
  }
}

TEST(Hostile, DeepParentheses) {
  ExpectError("{{ " + Repeat("(", 100000) + "1" + Repeat(")", 100000) + " }}", "nested");
}

TEST(Hostile, DeepLists) {
  ExpectError("{{ " + Repeat("[", 100000) + Repeat("]", 100000) + " }}", "nested");
}

TEST(Hostile, DeepNot) { ExpectError("{{ " + Repeat("not ", 100000) + "1 }}", "nested"); }

TEST(Hostile, DeepUnaryMinus) { ExpectError("{{ " + Repeat("-", 100000) + "1 }}", "nested"); }

TEST(Hostile, DeepIfBlocks) {
  ExpectError(Repeat("{% if true %}", 100000) + Repeat("{% endif %}", 100000), "nested");
}

TEST(Hostile, LongOperatorChain) { ExpectError("{{ 1" + Repeat(" + 1", 100000) + " }}", "nested"); }

TEST(Hostile, LongFilterChain) {
  ExpectError("{{ 'x'" + Repeat("|trim", 100000) + " }}", "nested");
}

TEST(Hostile, LongAttributeChain) { ExpectError("{{ x" + Repeat(".y", 100000) + " }}", "nested"); }

TEST(Hostile, ModerateNestingStillWorks) {
  EXPECT_EQ(Render("{{ " + Repeat("(", 50) + "1" + Repeat(")", 50) + " }}"), "1");
  EXPECT_EQ(Render(Repeat("{% if true %}", 40) + "x" + Repeat("{% endif %}", 40)), "x");
  EXPECT_EQ(Render("{{ 1" + Repeat(" + 1", 100) + " }}"), "101");
}

TEST(Hostile, NestedLoopsHitTheIterationLimit) {
  ExpectError(
      "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
      "{% endfor %}{% endfor %}{% endfor %}",
      "loop iterations");
}

TEST(Hostile, HugeRange) {
  ExpectError("{% for i in range(1000000000000) %}x{% endfor %}", "range");
  ExpectError("{{ range(-9223372036854775807, 9223372036854775807)|length }}", "range");
}

TEST(Hostile, InfiniteRecursion) {
  ExpectError("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "nested");
  ExpectError("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "nested");
  ExpectError(
      "{% macro f() %}{% call f() %}x{% endcall %}{% endmacro %}{% call f() %}y{% endcall %}",
      "nested");
}

TEST(Hostile, RecursionThroughExpressionsFiltersAndCallers) {
  const std::string parens = Repeat("(", 100);
  const std::string closing = Repeat(")", 100);
  ExpectError("{% macro f(n) %}{{ " + parens + "f(n + 1)" + closing + " }}{% endmacro %}{{ f(0) }}",
              "nested");
  ExpectError(
      "{% macro f(n) %}{{ [n]|map('string')|map('trim')|join(f(n + 1)) }}{% endmacro %}"
      "{{ f(0) }}",
      "nested");
  ExpectError("{% macro f() %}{% call f() %}{{ caller() }}{% endcall %}{% endmacro %}{{ f() }}",
              "nested");
}

TEST(Hostile, StringDoubling) {
  ExpectError(
      "{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}"
      "{% endfor %}",
      "bytes");
}

TEST(Hostile, HugeRepetition) {
  ExpectError("{{ 'x' * 1000000000000 }}", "bytes");
  ExpectError("{{ [1, 2] * 1000000000000 }}", "too large");
  ExpectError("{{ 'abc'.zfill(1000000000000) }}", "bytes");
  ExpectError("{{ 'x\ny'|indent(1000000000) }}", "bytes");
  ExpectError("{{ [1]|tojson(indent=1000000000) }}", "bytes");
}

TEST(Hostile, OutputLimit) {
  Options options;
  options.limits.max_output_bytes = 1000;
  ExpectError("{% for i in range(10000) %}0123456789{% endfor %}", "output", options);
}

TEST(Hostile, WorkLimit) {
  ExpectError(
      "{% for i in range(1000) %}{% for j in range(1000) %}{{ 'x' in 'y' * 100000 }}"
      "{% endfor %}{% endfor %}",
      "work limit");
}

TEST(Hostile, NamespaceCannotHoldItself) {
  ExpectError("{% set ns = namespace() %}{% set ns.me = ns %}", "namespace");
  ExpectError("{% set ns = namespace() %}{% set ns.l = [1, {'a': ns}] %}", "namespace");
  ExpectError("{% set ns = namespace() %}{% set ns2 = namespace(x=ns) %}", "namespace");
}

TEST(Hostile, DeeplyNestedValuesBuiltInALoop) {
  ExpectError(
      "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}"
      "{% endfor %}{{ ns.l }}",
      "nested deeper");
}

TEST(Hostile, DeepJsonContext) {
  nlohmann::ordered_json deep = nlohmann::ordered_json::array();
  nlohmann::ordered_json* cursor = &deep;
  for (int i = 0; i < 1000; ++i) {
    cursor->push_back(nlohmann::ordered_json::array());
    cursor = &(*cursor)[0];
  }
  EXPECT_THROW(Template::Parse("{{ x }}").Render(nlohmann::ordered_json{{"x", deep}}), Error);
}

TEST(Hostile, ArithmeticOverflow) {
  ExpectError("{{ 2 ** 100 }}", "overflow");
  ExpectError("{{ 3 ** 9223372036854775807 }}", "overflow");
  ExpectError("{{ 9223372036854775807 + 1 }}", "overflow");
  ExpectError("{{ -9223372036854775807 - 2 }}", "overflow");
  ExpectError("{{ 99999999999999999999 }}", "integer");
  EXPECT_EQ(Render("{{ 1 ** 9223372036854775807 }} {{ (-1) ** 9223372036854775807 }}"), "1 -1");
}

TEST(Hostile, ExtremeSlices) {
  EXPECT_EQ(Render("{{ [1, 2, 3][::9223372036854775807] }}"), "[1]");
  EXPECT_EQ(Render("{{ [1, 2, 3][::-9223372036854775807] }}"), "[3]");
  EXPECT_EQ(Render("{{ 'abc'[-9223372036854775807:9223372036854775807] }}"), "abc");
  ExpectError("{{ [1][::0] }}", "zero");
}

TEST(Hostile, InvalidUtf8PassesThrough) {
  const std::string bad =
      "a\xff\xfe"
      "b\xc3";
  EXPECT_EQ(Render("{{ '" + bad + "' }}"), bad);
  EXPECT_EQ(Render("{{ '" + bad + "'|length }} {{ '" + bad + "'|upper }}"),
            "5 A\xff\xfe"
            "B\xc3");
  EXPECT_EQ(Template::Parse("{{ x[::-1] }}").Render(nlohmann::ordered_json{{"x", "\xe4\xb8"}}),
            "\xb8\xe4");
}

TEST(Hostile, RandomTemplatesNeverCrash) {
  // Fragments that combine into many broken and some valid templates.
  const std::vector<std::string> pieces = {
      "{{",          "}}",       "{%",         "%}",     "{#",       "#}",   "-",       "+",
      " ",           "\n",       "x",          "'a'",    "\"",       "(",    ")",       "[",
      "]",           "{",        "}",          ",",      ":",        ".",    "|",       "if",
      "for",         "in",       "endif",      "endfor", "else",     "set",  "=",       "ns",
      "namespace()", "range(3)", "loop.index", "1",      "0",        "-1",   "~",       "*",
      "/",           "//",       "%",          "**",     "not",      "and",  "or",      "is",
      "defined",     "trim",     "tojson",     "macro",  "endmacro", "call", "endcall", "raw",
      "endraw",      "items()",  "[::-1]",     "\\",     "none",     "true", "x.y"};
  std::mt19937 rng(1234);
  int rendered = 0, failed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string source;
    const int n = 1 + static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) source += pieces[rng() % pieces.size()];
    try {
      Options options;
      options.trim_blocks = rng() % 2;
      options.lstrip_blocks = rng() % 2;
      Template::Parse(source, options)
          .Render(nlohmann::ordered_json{{"x", {{"y", "z"}}}, {"ns", {1, 2}}});
      ++rendered;
    } catch (const Error&) {
      ++failed;
    }
  }
  EXPECT_GT(rendered, 0);
  EXPECT_GT(failed, 0);
}

TEST(Hostile, ChatTemplateErrorsAreOneLine) {
  try {
    RenderChatTemplate("{% for m in messages %}{{ m.content + 1 }}{% endfor %}",
                       std::vector<ChatMessage>{{"user", "hi"}}, true, "", "");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos);
    EXPECT_EQ(message.rfind("chat template: template line 1: ", 0), 0u) << message;
  }
}

}  // namespace
}  // namespace densing::jinja
