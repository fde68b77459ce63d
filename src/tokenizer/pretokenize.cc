// PreTokenizer: compiles the split patterns with PCRE2 and cuts text into words.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/pretokenize.h"

#include <pcre2.h>

#include "base/error.h"

namespace densing::tokenizer {
namespace {

std::string Pcre2Message(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof(buffer)) < 0)
    return "error " + std::to_string(code);
  return reinterpret_cast<const char*>(buffer);
}

// One JIT stack per thread: patterns such as \s+(?!\S) backtrack, and the default 32 KiB stack
// would fail on long runs of white space.
class JitContext {
 public:
  JitContext() {
    stack_ = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
    context_ = pcre2_match_context_create(nullptr);
    if (stack_ != nullptr && context_ != nullptr) {
      pcre2_jit_stack_assign(context_, nullptr, stack_);
    }
  }
  ~JitContext() {
    pcre2_match_context_free(context_);
    pcre2_jit_stack_free(stack_);
  }
  pcre2_match_context* get() { return context_; }

 private:
  pcre2_jit_stack* stack_ = nullptr;
  pcre2_match_context* context_ = nullptr;
};

pcre2_match_context* ThreadMatchContext() {
  thread_local JitContext context;
  return context.get();
}

}  // namespace

struct PreTokenizer::Regex {
  pcre2_code* code = nullptr;
  ~Regex() { pcre2_code_free(code); }
};

PreTokenizer::PreTokenizer(std::string name, const PreTokenizerSpec& spec)
    : name_(std::move(name)) {
  for (std::string_view pattern : spec.patterns) {
    auto regex = std::make_unique<Regex>();
    int error = 0;
    PCRE2_SIZE offset = 0;
    regex->code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                      PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &error, &offset, nullptr);
    if (regex->code == nullptr) {
      Fail("pre-tokenizer '{}': pattern does not compile at offset {}: {}", name_, offset,
           Pcre2Message(error));
    }
    pcre2_jit_compile(regex->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter
    regexes_.push_back(std::move(regex));
  }
}

PreTokenizer::~PreTokenizer() = default;

void PreTokenizer::Split(std::string_view text, std::vector<std::string_view>* words) const {
  if (text.empty()) return;
  std::vector<std::string_view> pieces = {text};
  std::vector<std::string_view> next;
  pcre2_match_context* context = ThreadMatchContext();
  for (const auto& regex : regexes_) {
    pcre2_match_data* match = pcre2_match_data_create_from_pattern(regex->code, nullptr);
    if (match == nullptr) Fail("pre-tokenizer '{}': out of memory", name_);
    next.clear();
    for (std::string_view piece : pieces) {
      const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
      size_t start = 0;  // first byte not yet emitted
      size_t pos = 0;    // where the next search begins
      while (pos < piece.size()) {
        const int rc = pcre2_match(regex->code, subject, piece.size(), pos, PCRE2_NO_UTF_CHECK,
                                   match, context);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
          pcre2_match_data_free(match);
          Fail("pre-tokenizer '{}': regex match failed: {}", name_, Pcre2Message(rc));
        }
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
        const size_t begin = ovector[0];
        const size_t end = ovector[1];
        if (end == begin) {  // an empty match splits nothing; step over one character
          pos = begin + 1;
          while (pos < piece.size() && (static_cast<uint8_t>(piece[pos]) & 0xC0) == 0x80) ++pos;
          continue;
        }
        if (begin > start) next.push_back(piece.substr(start, begin - start));
        next.push_back(piece.substr(begin, end - begin));
        start = pos = end;
      }
      if (start < piece.size()) next.push_back(piece.substr(start));
    }
    pcre2_match_data_free(match);
    pieces.swap(next);
  }
  words->insert(words->end(), pieces.begin(), pieces.end());
}

}  // namespace densing::tokenizer
