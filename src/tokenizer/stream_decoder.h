// StreamDecoder: turns generated tokens into text as they come, never splitting a character.
#pragma once

#include <cstdint>
#include <string>

namespace densing {

class Tokenizer;

// Streams the bytes of generated tokens, holding back an incomplete UTF-8 sequence (a character
// whose bytes arrive as several byte tokens) until it completes. Bytes that can never form a
// character are passed on as they are.
class StreamDecoder {
 public:
  // `tokenizer` must outlive the decoder.
  explicit StreamDecoder(const Tokenizer& tokenizer, bool render_special = true);

  // The text that token `id` completes (possibly empty).
  std::string Push(int32_t id);
  // Whatever is still held back, complete or not; the decoder is empty afterwards.
  std::string Flush();

 private:
  const Tokenizer& tokenizer_;
  bool render_special_;
  std::string pending_;
};

}  // namespace densing
