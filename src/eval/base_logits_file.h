// The base model's log-probabilities saved for `densing kld --save-base` / `--base-logits`, so a
// model and its base need not be held in memory together.
//
// Layout (little-endian), 48-byte header:
//   0  char[8] "DENSKLD1"    8  u32 version (1)   12 u32 header bytes (48)
//   16 u32 n_vocab           20 u32 n_ctx         24 u32 first (n_ctx / 2)
//   28 u32 n_chunks          32 i32 bos (−1: none) 36 u32 row bytes (8 + 2·n_vocab)
//   40 u64 reserved (0)
//   then i32 tokens[n_chunks · n_ctx] (the text's tokens, before BOS replaces each chunk's first),
//   then per chunk, per scored position (n_ctx − 1 − first of them) one row:
//   f32 lo, f32 step, u16 code[n_vocab]: code 0 is a log-probability below lo (taken as
//   probability 0), code q ≥ 1 stands for lo + (q − 1)·step.
// Rows keep the top kLogProbRange nats of each distribution: a step of 5e-4 nats at most.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/mapped_file.h"
#include "eval/chunks.h"

namespace densing::eval {

inline constexpr float kLogProbRange = 32.0f;

// Encodes normalized log-probabilities into a row of 8 + 2·n bytes.
void EncodeLogProbRow(std::span<const float> log_probs, std::span<uint8_t> row);
// Decodes a row and renormalizes it; a code-0 entry becomes −infinity. False when lo or step
// are not finite or out of range, or every code is 0.
bool DecodeLogProbRow(std::span<const uint8_t> row, std::span<float> log_probs);

class BaseLogitsWriter {
 public:
  // Writes the header and the plan's tokens; rows follow with Append.
  BaseLogitsWriter(const std::string& path, const ChunkPlan& plan, int64_t n_vocab);
  ~BaseLogitsWriter();
  // rows: [n, n_vocab] normalized log-probabilities, in chunk and row order.
  void Append(std::span<const float> rows);
  // Flushes and checks that every row was written; throws Error otherwise.
  void Finish();

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  int64_t n_vocab_;
  int64_t rows_expected_;
  int64_t rows_written_ = 0;
  std::vector<uint8_t> row_;
};

class BaseLogitsReader {
 public:
  // Maps and validates the whole file (untrusted input): header fields, exact size, token ids.
  explicit BaseLogitsReader(const std::string& path);

  const ChunkPlan& plan() const { return plan_; }
  int64_t n_vocab() const { return n_vocab_; }
  // Decodes the scored rows of chunks [begin, end) into out ([rows, n_vocab]).
  void Read(int64_t begin, int64_t end, std::vector<float>& out) const;

 private:
  MappedFile file_;
  ChunkPlan plan_;
  int64_t n_vocab_ = 0;
  uint64_t rows_offset_ = 0;
};

}  // namespace densing::eval
