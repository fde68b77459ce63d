// The grammar that constrains a tool call: the family's call syntax around a JSON object naming
// one of the offered functions with arguments valid for its parameters schema (the JSON-schema
// converter of grammar/). tool_choice "required" or a named function: active from the first
// token; "auto": lazy, triggered by the family's call opener.
#pragma once

#include "chat/tool_calls.h"
#include "grammar/grammar.h"
#include "server/tool_request.h"

namespace densing::server {

// GBNF for the calls `r` allows (all tools, or the named one; one call or, with
// parallel_tool_calls, several). A parameters schema the converter cannot express is a 400
// naming tools[i].function.parameters.
std::string ToolCallGbnf(ToolFamily family, const ToolRequest& r);

// The constraint for a request: none for tool_choice "none", no tools, or "auto" in a family
// whose calls have no opener to trigger on (Llama 3, Gemma); lazy for "auto"; full otherwise.
grammar::GrammarSpec ToolCallGrammar(ToolFamily family, const ToolRequest& r);

}  // namespace densing::server
