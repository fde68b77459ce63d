// Tool calls in a model's output: which convention a chat template follows (its "family"), and
// the parsing of generated text back into OpenAI-style calls — whole, or as a stream that holds
// back the text that belongs to a call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace densing {

// The call conventions of the template families small models use.
enum class ToolFamily : uint8_t {
  kHermes,   // <tool_call>{"name", "arguments"}</tool_call>: Qwen2.5, Qwen3, SmolLM3, Hermes, ChatML
  kLlama3,   // {"name", "parameters"}, optionally after <|python_tag|>: Llama 3.1-3.3
  kMistral,  // [TOOL_CALLS][{"name", "arguments"}] or [TOOL_CALLS]name[ARGS]{...}
  kPhi4,     // <|tool_call|>[{"name", "arguments"}]<|/tool_call|>: Phi-4-mini
  kGemma,    // no call tokens: {"name", "parameters"} or [f(a=1)], optionally in ```tool_code```
};

// From the template text; a template with no known markers gets kHermes (the convention of the
// system-prompt rendering densing falls back to).
ToolFamily DetectToolFamily(std::string_view chat_template);
const char* ToolFamilyName(ToolFamily family);

struct ToolCall {
  std::string id;         // "call_…" (Mistral: 9 alphanumerics, which its templates require)
  std::string name;
  std::string arguments;  // a JSON object, serialized
};

// A fresh id in the family's shape.
std::string NewToolCallId(ToolFamily family);

struct ParsedOutput {
  std::string content;  // the text outside the calls
  std::vector<ToolCall> calls;
};

// Parses a whole output. `names` are the functions the request offered: for the families whose
// calls carry no marker (Llama 3, Gemma) only a call to one of them counts, so that an answer
// that happens to be JSON stays an answer. Text that does not parse stays content.
ParsedOutput ParseToolCalls(ToolFamily family, std::string_view text,
                            const std::vector<std::string>& names);

// Incremental parsing of a streamed output: content is passed on until a call may be starting,
// then held until the calls it holds are complete (or the output ends).
class ToolCallStream {
 public:
  ToolCallStream(ToolFamily family, std::vector<std::string> names, bool parallel);

  struct Update {
    std::string content;          // content safe to send now
    std::vector<ToolCall> calls;  // calls completed since the last update
  };
  Update Push(std::string_view text);
  // At the end of generation: everything still held, as content or calls.
  Update Finish();
  size_t n_calls() const { return n_calls_; }

 private:
  Update Advance(bool final);
  void TakeCalls(std::vector<ToolCall> calls, Update& out);

  ToolFamily family_;
  std::vector<std::string> names_;
  bool parallel_;
  std::string buf_;       // all text so far
  size_t emitted_ = 0;    // bytes of buf_ passed on as content
  bool holding_ = false;  // a call may have started at hold_from_
  bool plain_ = false;    // marker-less family whose output did not start as a call
  size_t hold_from_ = 0;
  size_t n_calls_ = 0;    // calls handed out
};

}  // namespace densing
