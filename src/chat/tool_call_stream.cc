// ToolCallStream: tool calls parsed out of generated text as it streams.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/tool_call_markers.h"
#include "chat/tool_calls.h"

namespace densing {

using tool_call_internal::kHermesClose;
using tool_call_internal::kHermesOpen;
using tool_call_internal::kMistralOpen;
using tool_call_internal::kPhiClose;
using tool_call_internal::kPhiOpen;
using tool_call_internal::kPythonTag;
using tool_call_internal::IsIdentChar;
using tool_call_internal::IsSpace;
using tool_call_internal::Offered;
using tool_call_internal::Trim;

ToolCallStream::ToolCallStream(ToolFamily family, std::vector<std::string> names, bool parallel)
    : family_(family), names_(std::move(names)), parallel_(parallel) {}

ToolCallStream::Update ToolCallStream::Push(std::string_view text) {
  buf_.append(text);
  return Advance(false);
}

ToolCallStream::Update ToolCallStream::Finish() { return Advance(true); }

void ToolCallStream::TakeCalls(std::vector<ToolCall> calls, Update& out) {
  for (size_t k = n_calls_; k < calls.size(); ++k) {
    if (!parallel_ && n_calls_ >= 1) break;  // parallel_tool_calls: false keeps the first
    out.calls.push_back(std::move(calls[k]));
    ++n_calls_;
  }
}

namespace {

// The length of the longest suffix of `s` that is a proper prefix of `marker`.
size_t PartialSuffix(std::string_view s, std::string_view marker) {
  for (size_t n = std::min(s.size(), marker.size() - 1); n > 0; --n) {
    if (s.substr(s.size() - n) == marker.substr(0, n)) return n;
  }
  return 0;
}

// Where content may be sent up to: trailing whitespace waits (until the end) to see whether a
// call follows it.
size_t HeldSpace(std::string_view buf, size_t from, size_t end, bool final) {
  if (final) return end;
  while (end > from && IsSpace(buf[end - 1])) --end;
  return end;
}

}  // namespace

ToolCallStream::Update ToolCallStream::Advance(bool final) {
  Update out;
  const std::string_view buf = buf_;
  if (!holding_) {
    if (family_ == ToolFamily::kLlama3 || family_ == ToolFamily::kGemma) {
      // A call is the whole answer: decide from its first visible characters.
      if (!plain_ && emitted_ == 0) {
        const std::string_view head = Trim(buf);
        std::vector<std::string_view> openers = {"{", "["};
        if (family_ == ToolFamily::kLlama3) openers = {"{", kPythonTag};
        if (family_ == ToolFamily::kGemma) openers.push_back("```");
        bool maybe = head.empty();
        for (std::string_view o : openers) {
          const size_t n = std::min(o.size(), head.size());
          maybe = maybe || (n > 0 && head.substr(0, n) == o.substr(0, n));
        }
        // Gemma's Python form starts with a name: hold an identifier-like start too.
        if (family_ == ToolFamily::kGemma && !head.empty()) {
          size_t k = 0;
          while (k < head.size() && IsIdentChar(head[k])) ++k;
          if (k > 0 && Offered(names_, std::string(head.substr(0, k)))) maybe = true;
          if (k == head.size() && k > 0) {  // still typing the name
            for (const std::string& n : names_) {
              maybe = maybe || n.compare(0, k, head.substr(0, k)) == 0;
            }
          }
        }
        if (maybe) {
          holding_ = true;
          hold_from_ = 0;
        } else {
          plain_ = true;
        }
      }
      if (!holding_ && family_ == ToolFamily::kLlama3) {
        // <|python_tag|> may also follow some text.
        const size_t tag = buf.find(kPythonTag, emitted_);
        if (tag != std::string_view::npos) {
          out.content = std::string(buf.substr(emitted_, tag - emitted_));
          emitted_ = tag;
          holding_ = true;
          hold_from_ = tag;
        }
      }
      if (!holding_) {
        const size_t keep = final || family_ != ToolFamily::kLlama3
                                ? 0
                                : PartialSuffix(buf.substr(emitted_), kPythonTag);
        const size_t end = HeldSpace(buf, emitted_, buf.size() - keep, final);
        out.content += std::string(buf.substr(emitted_, end - emitted_));
        emitted_ = end;
        return out;
      }
    } else {
      const std::string_view open = family_ == ToolFamily::kHermes ? kHermesOpen
                                    : family_ == ToolFamily::kPhi4 ? kPhiOpen
                                                                   : kMistralOpen;
      const size_t at = buf.find(open, emitted_);
      if (at == std::string_view::npos) {
        const size_t keep = final ? 0 : PartialSuffix(buf.substr(emitted_), open);
        const size_t end = HeldSpace(buf, emitted_, buf.size() - keep, final);
        out.content = std::string(buf.substr(emitted_, end - emitted_));
        emitted_ = end;
        return out;
      }
      // The whitespace between the text and the call is dropped, as in the whole parse.
      out.content = std::string(buf.substr(emitted_, HeldSpace(buf, emitted_, at, false) - emitted_));
      emitted_ = at;
      holding_ = true;
      hold_from_ = at;
    }
  }
  const std::string_view held = buf.substr(hold_from_);
  if (final) {
    ParsedOutput parsed = ParseToolCalls(family_, held, names_);
    const bool any = n_calls_ > 0 || !parsed.calls.empty();
    TakeCalls(std::move(parsed.calls), out);
    std::string rest = any ? std::string(Trim(parsed.content)) : parsed.content;
    if (!rest.empty() && any && !out.content.empty()) out.content += "\n";
    out.content += rest;
    emitted_ = buf.size();
    return out;
  }
  // Tagged families: a call is complete once its closing tag is there.
  if (family_ == ToolFamily::kHermes || family_ == ToolFamily::kPhi4) {
    const std::string_view close = family_ == ToolFamily::kHermes ? kHermesClose : kPhiClose;
    const size_t last = held.rfind(close);
    if (last != std::string_view::npos) {
      ParsedOutput parsed = ParseToolCalls(family_, held.substr(0, last + close.size()), names_);
      TakeCalls(std::move(parsed.calls), out);
    }
  }
  return out;
}

}  // namespace densing
