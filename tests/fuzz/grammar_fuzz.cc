// Fuzz target: any bytes as a GBNF grammar; one that parses is then run over the same bytes by a
// matcher. Only densing::Error may come out; a crash, a hang or undefined behaviour is a finding.
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "grammar/grammar.h"
#include "grammar/matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto g = densing::grammar::Grammar::Parse(text);
    densing::grammar::Matcher m(g);
    for (size_t i = 0; i < size && i < 256; ++i) {
      densing::grammar::Matcher next = m;
      if (!next.AcceptBytes(text.substr(i, 1))) break;
      m = next;
      (void)m.CanEnd();
    }
  } catch (const densing::Error&) {
  }
  return 0;
}
