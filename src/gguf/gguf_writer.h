// gguf::Writer: writes a GGUF v3 file in one pass — metadata and tensor infos first, then each
// tensor's data in order — so a model larger than memory streams through.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"

namespace densing::gguf {

class Writer {
 public:
  // Writes to PATH.tmp and renames it to PATH in Finish(), so a failed write leaves no half file.
  explicit Writer(std::string path, uint64_t alignment = 32);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void AddKeyValue(std::string key, Value value);
  // Declares the next tensor; data follows with WriteTensorData in the same order.
  void AddTensor(std::string name, DType type, std::span<const int64_t> ne);

  // Writes the header on the first call, then the data of the next declared tensor (exactly its
  // size in bytes, possibly in several calls that complete it).
  void WriteTensorData(std::span<const uint8_t> bytes);
  void Finish();

 private:
  void WriteHeader();
  void Bytes(const void* p, size_t n);
  void Pad();

  std::string path_;
  std::string tmp_path_;
  FILE* out_ = nullptr;
  uint64_t alignment_;
  uint64_t written_ = 0;
  std::vector<KeyValue> kv_;
  std::vector<TensorInfo> tensors_;
  bool header_done_ = false;
  size_t current_ = 0;          // tensor being written
  uint64_t current_written_ = 0;
};

// The metadata and tensors of `file`, rewritten by Writer: byte-identical to a file that the
// reference engine wrote.
void CopyFile(const File& file, const std::string& path);

}  // namespace densing::gguf
