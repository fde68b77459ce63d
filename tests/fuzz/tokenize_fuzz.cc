// Fuzz target: any bytes through the SPM and BPE tokenizers of ../shared/tokenizer (with and
// without BOS and special-token parsing), the ids back through Decode and StreamDecoder, and any
// id sequence through both. Only densing::Error may come out, every id must be in the vocabulary,
// and text without special tokens must decode back to itself where the vocabulary promises it.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "fuzz_input.h"
#include "gguf/gguf_file.h"
#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer.h"

namespace {

std::vector<std::unique_ptr<densing::Tokenizer>>& Vocabularies() {
  static std::vector<std::unique_ptr<densing::Tokenizer>> vocabs;
  return vocabs;
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 2) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "tokenize fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string dir = densing::fuzz::SharedDir() + "/tokenizer";
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".gguf") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    Vocabularies().push_back(densing::Tokenizer::FromGguf(*densing::gguf::File::Open(path)));
  }
  Check(!Vocabularies().empty(), "no vocabularies under DENSING_SHARED_DIR/tokenizer");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const densing::Tokenizer& tok = *Vocabularies()[(mode & 0x0F) % Vocabularies().size()];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    if (mode & 0x10) {  // the bytes as ids, some outside the vocabulary
      std::vector<int32_t> ids(text.size() / 4);
      if (!ids.empty()) std::memcpy(ids.data(), text.data(), ids.size() * 4);
      for (int32_t& id : ids) id = id % (tok.n_vocab() + 4);
      (void)tok.Decode(ids, mode & 0x20);
      densing::StreamDecoder stream(tok, mode & 0x20);
      for (int32_t id : ids) (void)stream.Push(id);
      (void)stream.Flush();
      return 0;
    }
    const bool parse_special = mode & 0x20;
    const bool add_special = mode & 0x40;
    const std::vector<int32_t> ids = tok.Encode(text, add_special, parse_special);
    for (int32_t id : ids) Check(id >= 0 && id < tok.n_vocab(), "an id outside the vocabulary");
    const std::string decoded = tok.Decode(ids);
    std::string streamed;
    densing::StreamDecoder stream(tok);
    for (int32_t id : ids) streamed += stream.Push(id);
    streamed += stream.Flush();
    if (!parse_special && !add_special && ValidUtf8(text) && text.find('\0') == text.npos &&
        tok.model() == "gpt2") {
      Check(decoded == text, "byte-level BPE text does not decode back to itself");
    }
  } catch (const densing::Error&) {
  }
  return 0;
}
