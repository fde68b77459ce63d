// Golden tests: densing's Jinja renders byte for byte what Python's Jinja2 renders, configured as
// transformers configures it. The expected outputs live in expected/*.json; make_expected.py
// regenerates them from feature_cases.json, chat_cases.json and templates/*.jinja.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "chat/chat_template.h"
#include "chat/jinja/template.h"

namespace densing {
namespace {

using Json = nlohmann::ordered_json;

std::filesystem::path TestDir() { return std::filesystem::path(__FILE__).parent_path(); }

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Json ReadJson(const std::string& relative) { return Json::parse(ReadText(TestDir() / relative)); }

// A case and what Jinja2 did with it: {"output": text} or {"error": "Type: message"}.
struct GoldenCase {
  Json input;
  Json expected;
};

void PrintTo(const GoldenCase& golden, std::ostream* os) { *os << golden.input.at("name"); }

std::vector<GoldenCase> LoadCases(const std::string& cases_file, const std::string& expected_file) {
  const Json cases = ReadJson(cases_file);
  const Json expected = ReadJson(expected_file);
  std::vector<GoldenCase> out;
  for (const Json& c : cases) out.push_back({c, expected.at(c.at("name").get<std::string>())});
  return out;
}

std::string TestName(const testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.input.at("name").get<std::string>();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// The message of a raise_exception() in the template, or empty for other errors.
std::string RaisedMessage(const Json& expected) {
  const std::string error = expected.at("error").get<std::string>();
  const std::string prefix = "TemplateError: ";
  return error.rfind(prefix, 0) == 0 ? error.substr(prefix.size()) : "";
}

template <typename RenderFn>
void CheckAgainstJinja2(const Json& expected, RenderFn render, const std::string& raise_prefix) {
  if (expected.contains("output")) {
    try {
      EXPECT_EQ(render(), expected.at("output").get<std::string>());
    } catch (const Error& e) {
      ADD_FAILURE() << "densing threw: " << e.what();
    }
    return;
  }
  try {
    const std::string output = render();
    ADD_FAILURE() << "Jinja2 raised " << expected.at("error")
                  << " but densing rendered: " << output;
  } catch (const Error& e) {
    const std::string raised = RaisedMessage(expected);
    if (!raised.empty()) {
      EXPECT_EQ(e.what(), raise_prefix + raised);
    }
  }
}

class FeatureTest : public testing::TestWithParam<GoldenCase> {};

TEST_P(FeatureTest, MatchesJinja2) {
  const Json& input = GetParam().input;
  jinja::Options options;
  options.trim_blocks = true;
  options.lstrip_blocks = true;
  if (input.contains("options")) {
    options.trim_blocks = input["options"].value("trim_blocks", true);
    options.lstrip_blocks = input["options"].value("lstrip_blocks", true);
  }
  const Json context = input.value("context", Json::object());
  CheckAgainstJinja2(
      GetParam().expected,
      [&] {
        return jinja::Template::Parse(input.at("template").get<std::string>(), options)
            .Render(context);
      },
      "");
}

INSTANTIATE_TEST_SUITE_P(Jinja2, FeatureTest,
                         testing::ValuesIn(LoadCases("feature_cases.json",
                                                     "expected/feature_expected.json")),
                         TestName);

class ChatTemplateTest : public testing::TestWithParam<GoldenCase> {};

TEST_P(ChatTemplateTest, MatchesJinja2) {
  const Json& input = GetParam().input;
  const std::string name = input.at("template").get<std::string>();
  const std::string source =
      name == "chatml" ? kChatMlTemplate : ReadText(TestDir() / "templates" / (name + ".jinja"));
  CheckAgainstJinja2(
      GetParam().expected,
      [&] {
        return RenderChatTemplate(
            source, input.at("messages"), input.at("add_generation_prompt").get<bool>(),
            input.at("bos_token").get<std::string>(), input.at("eos_token").get<std::string>(),
            input.value("extra", Json::object()));
      },
      "chat template: ");
}

INSTANTIATE_TEST_SUITE_P(Jinja2, ChatTemplateTest,
                         testing::ValuesIn(LoadCases("chat_cases.json",
                                                     "expected/chat_expected.json")),
                         TestName);

TEST(ChatTemplate, ChatMlFallbackMatchesItsTestFile) {
  EXPECT_EQ(kChatMlTemplate, ReadText(TestDir() / "templates" / "chatml.jinja"));
}

}  // namespace
}  // namespace densing
