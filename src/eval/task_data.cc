// Task lookup by name and the bookkeeping of skipped rows.
#include "eval/task_data.h"

#include <algorithm>
#include <filesystem>

#include "base/error.h"

namespace densing::eval {
namespace {

// The task's folder: DIR/SUB when it exists, else DIR itself.
std::string TaskDir(const std::string& dir, const char* sub) {
  const std::filesystem::path p = std::filesystem::path(dir.empty() ? "." : dir);
  if (std::filesystem::is_directory(p / sub)) return (p / sub).string();
  if (!std::filesystem::is_directory(p)) Fail("data folder {} does not exist", p.string());
  return p.string();
}

}  // namespace

void SkippedRows::Add(const std::string& file, int64_t line, const std::string& why) {
  ++count;
  if (first.size() < kKeep) {
    first.push_back(std::filesystem::path(file).filename().string() + ":" + std::to_string(line) + ": " + why);
  }
}

const std::vector<std::string>& TaskNames() {
  static const std::vector<std::string> names = {"mmlu", "hellaswag", "arc-easy", "arc-challenge"};
  return names;
}

McTask LoadTask(const std::string& name, const TaskOptions& o) {
  if (o.shots < -1 || o.shots > 64) Fail("--shots {} is out of range (0..64)", o.shots);
  if (o.limit < 0) Fail("--limit {} is negative", o.limit);
  if (name == "mmlu") return LoadMmlu(TaskDir(o.data_dir, "mmlu"), o.shots < 0 ? 5 : o.shots, o.limit);
  if (name == "hellaswag") return LoadHellaswag(TaskDir(o.data_dir, "hellaswag"), std::max(o.shots, 0), o.limit);
  if (name == "arc-easy" || name == "arc-challenge") {
    return LoadArc(TaskDir(o.data_dir, "arc"), name == "arc-challenge", std::max(o.shots, 0), o.limit);
  }
  Fail("unknown task '{}' (known: mmlu, hellaswag, arc-easy, arc-challenge)", name);
}

}  // namespace densing::eval
