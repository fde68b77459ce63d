// Tool-call grammars: one JSON schema for "any allowed call object", converted by grammar/, inside
// the family's literal wrapper.
#include "server/tool_grammar.h"

#include "grammar/json_schema.h"
#include "server/api_error.h"

namespace densing::server {
namespace {

using OJson = nlohmann::ordered_json;

// root ::= prefix item_before call item_after (sep item_before call item_after)* suffix
struct Wrapper {
  const char* trigger;      // the call opener the output starts with (the lazy trigger), or ""
  const char* prefix;       // once, before the calls
  const char* item_before;  // before each call object
  const char* item_after;   // after each call object
  const char* sep;          // between two calls
  const char* suffix;       // once, after the calls
  const char* args_key;     // "arguments" or "parameters"
};

Wrapper WrapperOf(ToolFamily family) {
  switch (family) {
    case ToolFamily::kHermes:
      return {"<tool_call>", "", "<tool_call>\n", "\n</tool_call>", "\n", "", "arguments"};
    case ToolFamily::kMistral:
      return {"[TOOL_CALLS]", "[TOOL_CALLS][", "", "", ", ", "]", "arguments"};
    case ToolFamily::kPhi4:
      return {"<|tool_call|>", "<|tool_call|>[", "", "", ", ", "]<|/tool_call|>", "arguments"};
    case ToolFamily::kLlama3:
      return {"", "", "", "", "; ", "", "parameters"};
    case ToolFamily::kGemma:
      return {"", "", "", "", "\n", "", "parameters"};
  }
  return {"", "", "", "", "", "", "arguments"};
}

const OJson& Parameters(const OJson& tool) {
  static const OJson kEmpty = OJson{{"type", "object"}};
  const OJson& fn = tool.at("function");
  auto it = fn.find("parameters");
  return it == fn.end() ? kEmpty : *it;
}

// The converter's grammar with its start rule renamed, to be used inside another.
std::string RenameRoot(const std::string& gbnf, const std::string& name) {
  std::string out;
  size_t pos = 0;
  while (pos < gbnf.size()) {
    size_t end = gbnf.find('\n', pos);
    if (end == std::string::npos) end = gbnf.size();
    std::string line = gbnf.substr(pos, end - pos);
    const size_t lead = line.find_first_not_of(" \t");
    if (lead != std::string::npos && line.compare(lead, 4, "root") == 0) {
      const size_t after = line.find_first_not_of(" \t", lead + 4);
      if (after != std::string::npos && line.compare(after, 3, "::=") == 0) {
        line = name + line.substr(lead + 4);
      }
    }
    out += line + "\n";
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string ToolCallGbnf(ToolFamily family, const ToolRequest& r) {
  const Wrapper w = WrapperOf(family);
  OJson alternatives = OJson::array();
  for (size_t i = 0; i < r.tools.size(); ++i) {
    const OJson& tool = r.tools[i];
    const std::string name = tool.at("function").at("name").get<std::string>();
    if (r.choice == ToolChoice::kNamed && name != r.choice_name) continue;
    // Each schema alone first, so that an error names its tool.
    try {
      grammar::JsonSchemaToGbnf(Parameters(tool));
    } catch (const Error& e) {
      FailParam(fmt::format("tools[{}].function.parameters", i), "{}", e.what());
    }
    OJson call = OJson::object();
    call["type"] = "object";
    call["properties"] = OJson::object();
    call["properties"]["name"] = {{"const", name}};
    call["properties"][w.args_key] = Parameters(tool);
    call["required"] = OJson::array({"name", w.args_key});
    call["additionalProperties"] = false;
    alternatives.push_back(std::move(call));
  }
  const OJson schema = alternatives.size() == 1 ? alternatives[0] : OJson{{"anyOf", alternatives}};
  std::string gbnf;
  try {
    gbnf = RenameRoot(grammar::JsonSchemaToGbnf(schema), "tool-call-object");
  } catch (const Error& e) {
    FailParam("tools", "{}", e.what());
  }
  const std::string item = fmt::format("{} tool-call-object {}", grammar::GbnfLiteral(w.item_before),
                                       grammar::GbnfLiteral(w.item_after));
  // No group in root itself: the parser names a group's rule root-N, as the converter names
  // its rules.
  std::string root = fmt::format("root ::= {} {} tool-calls-more {}\n",
                                 grammar::GbnfLiteral(w.prefix), item,
                                 grammar::GbnfLiteral(w.suffix));
  root += r.parallel ? fmt::format("tool-calls-more ::= ({} {})*\n", grammar::GbnfLiteral(w.sep),
                                   item)
                     : "tool-calls-more ::= \"\"\n";
  // The converter's rules first: the parser names the rules it generates base-N, skipping the
  // names it has seen, so those must come before.
  return gbnf + root;
}

grammar::GrammarSpec ToolCallGrammar(ToolFamily family, const ToolRequest& r) {
  grammar::GrammarSpec spec;
  if (r.tools.empty() || r.choice == ToolChoice::kNone) return spec;
  const Wrapper w = WrapperOf(family);
  const bool lazy = r.choice == ToolChoice::kAuto;
  if (lazy && std::string_view(w.trigger).empty()) return spec;  // nothing to trigger on
  const std::string gbnf = ToolCallGbnf(family, r);
  try {
    spec.grammar = grammar::Grammar::Parse(gbnf);
  } catch (const Error& e) {
    FailParam("tools", "the tool-call grammar does not compile: {}", e.what());
  }
  if (lazy) spec.trigger_words = {w.trigger};
  return spec;
}

}  // namespace densing::server
