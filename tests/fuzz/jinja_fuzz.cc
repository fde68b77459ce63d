// Fuzz target: a chat template is code from a stranger. The input is template text, a NUL, then a
// JSON context (messages and other variables; a default conversation when it does not parse).
// Only densing::Error may come out; the limits (loop iterations, work, output size, call and
// evaluation depth) must stop every runaway template, which -timeout and -rss_limit_mb check.
#include <cstdint>
#include <string>

#include "base/error.h"
#include "chat/jinja/template.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto [source, context_text] = densing::fuzz::SplitAtNul(data, size);
  nlohmann::ordered_json context =
      nlohmann::ordered_json::parse(context_text, nullptr, /*allow_exceptions=*/false);
  if (!context.is_object()) {
    context = {{"messages",
                {{{"role", "system"}, {"content", "Be brief."}},
                 {{"role", "user"}, {"content", "Hi <b>&</b>"}},
                 {{"role", "assistant"}, {"content", "Hello."}}}},
               {"add_generation_prompt", true},
               {"bos_token", "<s>"},
               {"eos_token", "</s>"}};
  }
  densing::jinja::Options options;
  options.trim_blocks = data[0] & 1;  // reading data[0] is safe: source or context is non-empty
  options.lstrip_blocks = options.trim_blocks;
  // The defaults scaled down so a runaway template hits them in milliseconds, not seconds.
  options.limits.max_output_bytes = 1 << 20;
  options.limits.max_work = 1 << 22;
  options.limits.max_loop_iterations = 1 << 16;
  try {
    (void)densing::jinja::Template::Parse(source, options).Render(context);
  } catch (const densing::Error&) {
  }
  return 0;
}
