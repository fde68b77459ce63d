// Unit tests of the Jinja interpreter's API and of what the golden files cannot show: default
// options, error messages, strftime_now, the generation tag, limits and Python number printing.
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"
#include "chat/chat_template.h"
#include "chat/jinja/template.h"
#include "chat/jinja/utf8.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {
namespace {

using Json = nlohmann::ordered_json;

std::string ErrorOf(const std::string& source, const Json& context = Json::object()) {
  try {
    Template::Parse(source).Render(context);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Template, ParseOnceRenderMany) {
  const Template t = Template::Parse("Hello {{ name | upper }}!");
  EXPECT_EQ(t.Render(Json{{"name", "world"}}), "Hello WORLD!");
  EXPECT_EQ(t.Render(Json{{"name", "densing"}}), "Hello DENSING!");
  EXPECT_EQ(t.Render(Json::object()), "Hello !");
}

TEST(Template, DefaultOptionsKeepBlockWhitespace) {
  EXPECT_EQ(Template::Parse("{% if true %}\n  x\n{% endif %}\n").Render(Json::object()), "\n  x\n");
  Options options;
  options.trim_blocks = true;
  options.lstrip_blocks = true;
  EXPECT_EQ(
      Template::Parse("  {% if true %}\n  x\n  {% endif %}\n", options).Render(Json::object()),
      "  x\n");
}

TEST(Template, OrderedAndSortedJson) {
  const Template t = Template::Parse("{{ d | tojson }} {% for k in d %}{{ k }}{% endfor %}");
  EXPECT_EQ(t.Render(Json{{"d", Json{{"b", 1}, {"a", 2}}}}), "{\"b\": 1, \"a\": 2} ba");
  EXPECT_EQ(t.Render(nlohmann::json{{"d", nlohmann::json{{"b", 1}, {"a", 2}}}}),
            "{\"a\": 2, \"b\": 1} ab");
}

TEST(Template, ContextMustBeAnObject) {
  EXPECT_THROW(Template::Parse("x").Render(Json::array()), Error);
  EXPECT_THROW(Template::Parse("x").Render(Json("string")), Error);
}

TEST(Template, SyntaxErrorsNameTheLine) {
  EXPECT_NE(ErrorOf("line 1\nline 2\n{% if %}").find("template line 3"), std::string::npos);
  EXPECT_NE(ErrorOf("a\n{{ 1 +* 2 }}").find("template line 2"), std::string::npos);
  EXPECT_NE(ErrorOf("{% for x in y %}\n").find("endfor"), std::string::npos);
  EXPECT_NE(ErrorOf("{% include 'x' %}").find("'include'"), std::string::npos);
}

TEST(Template, RuntimeErrorsNameTheLineAndTheThing) {
  const std::string undefined = ErrorOf("\n\n{{ missing.attr }}");
  EXPECT_NE(undefined.find("template line 3"), std::string::npos) << undefined;
  EXPECT_NE(undefined.find("'missing' is undefined"), std::string::npos) << undefined;
  EXPECT_NE(ErrorOf("{{ x | nosuchfilter }}").find("nosuchfilter"), std::string::npos);
  EXPECT_NE(ErrorOf("{{ [1] | join(',', 'a', 'b') }}").find("join"), std::string::npos);
  EXPECT_NE(ErrorOf("{{ 'a'.nosuchmethod() }}").find("nosuchmethod"), std::string::npos);
}

TEST(Template, RaiseExceptionKeepsTheTemplatesMessage) {
  EXPECT_EQ(ErrorOf("{{ raise_exception('Roles must alternate') }}"), "Roles must alternate");
  try {
    RenderChatTemplate("{{ raise_exception('No system role') }}", std::vector<ChatMessage>{}, true,
                       "", "");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "chat template: No system role");
  }
}

TEST(Template, StrftimeNow) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  const std::string year = std::to_string(1900 + local.tm_year);
  const std::string out = Template::Parse("{{ strftime_now('%Y') }}").Render(Json::object());
  // Around midnight on New Year's Eve the year may just have changed.
  EXPECT_TRUE(out == year || out == std::to_string(1900 + local.tm_year + 1)) << out;
  EXPECT_EQ(Template::Parse("{{ strftime_now is defined }}").Render(Json::object()), "True");
}

TEST(Template, GenerationTagRendersItsBody) {
  EXPECT_EQ(Template::Parse("a{% generation %}b{{ 1 }}{% endgeneration %}c").Render(Json::object()),
            "ab1c");
}

TEST(Template, JoinerAndDictGlobals) {
  EXPECT_EQ(Template::Parse(
                "{% set j = joiner('|') %}{% for i in [1, 2, 3] %}{{ j() }}{{ i }}{% endfor %}")
                .Render(Json::object()),
            "1|2|3");
  EXPECT_EQ(Template::Parse("{{ dict(a=1, b='x') | tojson }}").Render(Json::object()),
            "{\"a\": 1, \"b\": \"x\"}");
}

TEST(Template, CallerIsOnlyValidDuringItsCall) {
  const std::string source =
      "{% set ns = namespace() %}{% macro keep() %}{% set ns.c = caller %}{% endmacro %}"
      "{% call keep() %}x{% endcall %}{{ ns.c() }}";
  EXPECT_NE(ErrorOf(source).find("caller"), std::string::npos);
}

TEST(Template, LimitsAreConfigurable) {
  Options options;
  options.limits.max_loop_iterations = 10;
  const Template t = Template::Parse("{% for i in range(n) %}.{% endfor %}", options);
  EXPECT_EQ(t.Render(Json{{"n", 10}}), "..........");
  EXPECT_THROW(t.Render(Json{{"n", 11}}), Error);
}

TEST(ChatTemplate, ChatMlFallback) {
  const std::vector<ChatMessage> messages = {{"system", "Be brief."}, {"user", "Hi"}};
  EXPECT_EQ(RenderChatTemplate(kChatMlTemplate, messages, true, "<s>", "</s>"),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
  EXPECT_EQ(RenderChatTemplate(kChatMlTemplate, messages, false, "<s>", "</s>"),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
}

TEST(ChatTemplate, PassesTransformersVariables) {
  const std::string source =
      "{{ bos_token }}|{{ eos_token }}|{{ add_generation_prompt }}|{{ tools is none }}|"
      "{{ documents is none }}|{{ messages | length }}|{{ extra }}";
  EXPECT_EQ(RenderChatTemplate(source, Json::array({Json{{"role", "user"}, {"content", "x"}}}),
                               false, "<s>", "</s>", Json{{"extra", "yes"}}),
            "<s>|</s>|False|True|True|1|yes");
  EXPECT_THROW(RenderChatTemplate(source, Json::object(), false, "", ""), Error);
}

TEST(ValueFormat, PythonFloatRepr) {
  EXPECT_EQ(FormatFloat(1.0), "1.0");
  EXPECT_EQ(FormatFloat(0.1), "0.1");
  EXPECT_EQ(FormatFloat(-2.5), "-2.5");
  EXPECT_EQ(FormatFloat(1e16), "1e+16");
  EXPECT_EQ(FormatFloat(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(FormatFloat(1e-5), "1e-05");
  EXPECT_EQ(FormatFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatFloat(1.5e300), "1.5e+300");
  EXPECT_EQ(FormatFloat(-0.0), "-0.0");
}

TEST(Utf8, CaseAndSpace) {
  EXPECT_EQ(utf8::Upper("héllo ωσς ж ß"), "HÉLLO ΩΣΣ Ж SS");
  EXPECT_EQ(utf8::Lower("ÀÉÎ ΩΣ Ж Ÿ"), "àéî ωσ ж ÿ");
  EXPECT_EQ(utf8::Title("hello wörld's"), "Hello Wörld'S");
  EXPECT_EQ(std::string(utf8::Strip("\u3000 x\u00a0\n", true, true, nullptr)), "x");
  EXPECT_EQ(utf8::Length("日本語"), 3u);
}

}  // namespace
}  // namespace densing::jinja
