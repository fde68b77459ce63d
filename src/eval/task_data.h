// Multiple-choice items as the tasks' files give them, and the loaders for MMLU, HellaSwag and
// ARC (formats in docs/eval.md). Rows that cannot be used are skipped and counted, never fatal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace densing::eval {

struct McItem {
  std::string context;               // everything before the answer, few-shot examples included
  std::vector<std::string> choices;  // the answers; each is scored as " " + choice
  int gold = 0;
  std::string group;  // MMLU: the subject
  int64_t line = 0;   // where the item starts in its file
};

struct SkippedRows {
  static constexpr size_t kKeep = 5;
  int64_t count = 0;
  std::vector<std::string> first;  // "FILE:LINE: why", the first kKeep of them
  void Add(const std::string& file, int64_t line, const std::string& why);
};

struct McTask {
  std::string name;
  int shots = 0;
  std::vector<McItem> items;
  SkippedRows skipped;
};

struct TaskOptions {
  std::string data_dir;  // the data root (with mmlu/, hellaswag/, arc/) or the task's own folder
  int shots = -1;        // −1: the task's default (MMLU 5, the others 0)
  int64_t limit = 0;     // > 0: at most this many items (MMLU: per subject)
};

// Task names: mmlu, hellaswag, arc-easy, arc-challenge. Throws Error for an unknown name, a
// missing file or a shot count the data cannot supply.
McTask LoadTask(const std::string& name, const TaskOptions& options);
const std::vector<std::string>& TaskNames();

McTask LoadMmlu(const std::string& dir, int shots, int64_t limit);
McTask LoadHellaswag(const std::string& dir, int shots, int64_t limit);
McTask LoadArc(const std::string& dir, bool challenge, int shots, int64_t limit);

// MMLU's four categories (STEM, humanities, social sciences, other) by subject; "other" for a
// subject it does not know.
const char* MmluCategory(const std::string& subject);

// lm-evaluation-harness's HellaSwag clean-up: trim, " [title]" → ". ", drop "[...]", "  " → " ".
std::string CleanHellaswagText(const std::string& text);

}  // namespace densing::eval
