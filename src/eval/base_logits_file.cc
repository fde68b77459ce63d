// Reading and writing base log-probability files, every field checked before use.
#include "eval/base_logits_file.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "base/error.h"

namespace densing::eval {
namespace {

static_assert(std::endian::native == std::endian::little, "the file layout is little-endian");

constexpr char kMagic[8] = {'D', 'E', 'N', 'S', 'K', 'L', 'D', '1'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kHeaderBytes = 48;
constexpr int64_t kMaxVocab = int64_t{1} << 24;
constexpr int64_t kMaxCtx = int64_t{1} << 22;
constexpr int64_t kMaxChunks = int64_t{1} << 24;

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
void Store(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

uint64_t Mul(uint64_t a, uint64_t b, const std::string& path) {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) Fail("{}: sizes in the header overflow", path);
  return r;
}
uint64_t Add(uint64_t a, uint64_t b, const std::string& path) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) Fail("{}: sizes in the header overflow", path);
  return r;
}

}  // namespace

void EncodeLogProbRow(std::span<const float> lp, std::span<uint8_t> row) {
  DENSING_CHECK(row.size() == 8 + 2 * lp.size() && !lp.empty());
  const float hi = *std::max_element(lp.begin(), lp.end());
  const float lo = std::max(*std::min_element(lp.begin(), lp.end()), hi - kLogProbRange);
  const float step = (hi - lo) / 65534.0f;
  Store(row.data(), lo);
  Store(row.data() + 4, step);
  uint8_t* codes = row.data() + 8;
  for (size_t i = 0; i < lp.size(); ++i) {
    uint16_t q = 0;
    if (lp[i] >= lo) {
      q = step > 0 ? static_cast<uint16_t>(1 + std::min(65534.0f, std::nearbyint((lp[i] - lo) / step))) : 1;
    }
    Store(codes + 2 * i, q);
  }
}

bool DecodeLogProbRow(std::span<const uint8_t> row, std::span<float> lp) {
  DENSING_CHECK(row.size() == 8 + 2 * lp.size());
  const float lo = Load<float>(row.data()), step = Load<float>(row.data() + 4);
  if (!std::isfinite(lo) || !std::isfinite(step) || step < 0 || lo < -1e6f ||
      lo + 65534.0f * step > 1e-3f) {
    return false;
  }
  const uint8_t* codes = row.data() + 8;
  float max = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < lp.size(); ++i) {
    const uint16_t q = Load<uint16_t>(codes + 2 * i);
    lp[i] = q == 0 ? -std::numeric_limits<float>::infinity() : lo + static_cast<float>(q - 1) * step;
    max = std::max(max, lp[i]);
  }
  if (!std::isfinite(max)) return false;
  // Rounding leaves the sum a little off 1: renormalize so that KL-divergences stay >= 0.
  double sum = 0;
  for (float v : lp) sum += std::exp(static_cast<double>(v - max));
  const float shift = static_cast<float>(static_cast<double>(max) + std::log(sum));
  for (float& v : lp) v -= shift;
  return true;
}

BaseLogitsWriter::BaseLogitsWriter(const std::string& path, const ChunkPlan& plan, int64_t n_vocab)
    : path_(path), n_vocab_(n_vocab), rows_expected_(plan.n_chunks * plan.n_rows()) {
  if (n_vocab < 2 || n_vocab > kMaxVocab) Fail("{}: vocabulary of {} tokens is out of range", path, n_vocab);
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) Fail("{}: cannot create ({})", path, std::strerror(errno));
  uint8_t h[kHeaderBytes] = {};
  std::memcpy(h, kMagic, 8);
  Store<uint32_t>(h + 8, kVersion);
  Store<uint32_t>(h + 12, kHeaderBytes);
  Store<uint32_t>(h + 16, static_cast<uint32_t>(n_vocab));
  Store<uint32_t>(h + 20, static_cast<uint32_t>(plan.n_ctx));
  Store<uint32_t>(h + 24, static_cast<uint32_t>(plan.first));
  Store<uint32_t>(h + 28, static_cast<uint32_t>(plan.n_chunks));
  Store<int32_t>(h + 32, plan.bos);
  Store<uint32_t>(h + 36, static_cast<uint32_t>(8 + 2 * n_vocab));
  const size_t n_tokens = static_cast<size_t>(plan.n_chunks * plan.n_ctx);
  if (std::fwrite(h, 1, sizeof(h), file_) != sizeof(h) ||
      std::fwrite(plan.tokens.data(), sizeof(int32_t), n_tokens, file_) != n_tokens) {
    Fail("{}: write error ({})", path, std::strerror(errno));
  }
  row_.resize(static_cast<size_t>(8 + 2 * n_vocab));
}

BaseLogitsWriter::~BaseLogitsWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void BaseLogitsWriter::Append(std::span<const float> rows) {
  DENSING_CHECK(rows.size() % static_cast<size_t>(n_vocab_) == 0);
  const auto n = static_cast<int64_t>(rows.size()) / n_vocab_;
  if (rows_written_ + n > rows_expected_) Fail("{}: more rows than the header announces", path_);
  for (int64_t r = 0; r < n; ++r) {
    EncodeLogProbRow(rows.subspan(static_cast<size_t>(r * n_vocab_), static_cast<size_t>(n_vocab_)), row_);
    if (std::fwrite(row_.data(), 1, row_.size(), file_) != row_.size()) {
      Fail("{}: write error ({})", path_, std::strerror(errno));
    }
  }
  rows_written_ += n;
}

void BaseLogitsWriter::Finish() {
  if (rows_written_ != rows_expected_) {
    Fail("{}: {} of {} rows written", path_, rows_written_, rows_expected_);
  }
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) Fail("{}: write error on close ({})", path_, std::strerror(errno));
}

BaseLogitsReader::BaseLogitsReader(const std::string& path) : file_(path) {
  const std::span<const uint8_t> b = file_.bytes();
  if (b.size() < kHeaderBytes || std::memcmp(b.data(), kMagic, 8) != 0) {
    Fail("{}: not a densing base-logits file (no DENSKLD1 header)", path);
  }
  const uint8_t* h = b.data();
  const uint32_t version = Load<uint32_t>(h + 8), header = Load<uint32_t>(h + 12);
  if (version != kVersion) Fail("{}: version {} is not the supported {}", path, version, kVersion);
  if (header != kHeaderBytes) Fail("{}: header size {} is not {}", path, header, kHeaderBytes);
  const int64_t n_vocab = Load<uint32_t>(h + 16), n_ctx = Load<uint32_t>(h + 20);
  const int64_t first = Load<uint32_t>(h + 24), n_chunks = Load<uint32_t>(h + 28);
  const int32_t bos = Load<int32_t>(h + 32);
  const int64_t row_bytes = Load<uint32_t>(h + 36);
  if (n_vocab < 2 || n_vocab > kMaxVocab) Fail("{}: n_vocab {} is out of range", path, n_vocab);
  if (n_ctx < 4 || n_ctx > kMaxCtx) Fail("{}: n_ctx {} is out of range", path, n_ctx);
  if (first != n_ctx / 2) Fail("{}: first scored position {} is not n_ctx/2 = {}", path, first, n_ctx / 2);
  if (n_chunks < 1 || n_chunks > kMaxChunks) Fail("{}: n_chunks {} is out of range", path, n_chunks);
  if (bos < -1 || bos >= n_vocab) Fail("{}: BOS id {} is outside the vocabulary of {}", path, bos, n_vocab);
  if (row_bytes != 8 + 2 * n_vocab) Fail("{}: row size {} is not 8 + 2·{}", path, row_bytes, n_vocab);
  if (Load<uint64_t>(h + 40) != 0) Fail("{}: reserved header field is not 0", path);

  const uint64_t n_tokens = Mul(static_cast<uint64_t>(n_chunks), static_cast<uint64_t>(n_ctx), path);
  const uint64_t n_rows = Mul(static_cast<uint64_t>(n_chunks), static_cast<uint64_t>(n_ctx - 1 - first), path);
  rows_offset_ = Add(kHeaderBytes, Mul(n_tokens, 4, path), path);
  const uint64_t size = Add(rows_offset_, Mul(n_rows, static_cast<uint64_t>(row_bytes), path), path);
  if (size != b.size()) Fail("{}: {} bytes, but its header describes {}", path, b.size(), size);

  plan_.tokens.resize(n_tokens);
  std::memcpy(plan_.tokens.data(), b.data() + kHeaderBytes, n_tokens * 4);
  for (uint64_t i = 0; i < n_tokens; ++i) {
    if (plan_.tokens[i] < 0 || plan_.tokens[i] >= n_vocab) {
      Fail("{}: token {} has id {}, outside the vocabulary of {}", path, i, plan_.tokens[i], n_vocab);
    }
  }
  plan_.n_ctx = n_ctx;
  plan_.n_chunks = n_chunks;
  plan_.first = first;
  plan_.bos = bos;
  n_vocab_ = n_vocab;
}

void BaseLogitsReader::Read(int64_t begin, int64_t end, std::vector<float>& out) const {
  DENSING_CHECK(begin >= 0 && begin <= end && end <= plan_.n_chunks);
  const int64_t per_chunk = plan_.n_rows();
  const auto row_bytes = static_cast<size_t>(8 + 2 * n_vocab_);
  out.resize(static_cast<size_t>((end - begin) * per_chunk * n_vocab_));
  for (int64_t r = 0; r < (end - begin) * per_chunk; ++r) {
    const int64_t global = begin * per_chunk + r;
    const uint8_t* p = file_.bytes().data() + rows_offset_ + static_cast<uint64_t>(global) * row_bytes;
    if (!DecodeLogProbRow({p, row_bytes}, {out.data() + r * n_vocab_, static_cast<size_t>(n_vocab_)})) {
      Fail("{}: chunk {} row {}: invalid scale or no probability left", file_.path(), global / per_chunk,
           global % per_chunk);
    }
  }
}

}  // namespace densing::eval
