// MMLU: one CSV per subject (question, A, B, C, D, answer), few-shot examples from dev/, items
// from test/, formatted as lm-evaluation-harness's default MMLU task.
#include <algorithm>
#include <filesystem>
#include <optional>

#include "base/error.h"
#include "base/csv.h"
#include "eval/input_file.h"
#include "eval/task_data.h"

namespace densing::eval {
namespace {

constexpr const char* kLetters[] = {"A", "B", "C", "D"};
constexpr uint64_t kMaxFileBytes = uint64_t{1} << 28;

struct Row {
  std::string question;
  std::string options[4];
  int answer;
};

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The row, or nullopt with `why` set.
std::optional<Row> CheckRow(const CsvRecord& r, std::string* why) {
  if (!r.error.empty()) {
    *why = r.error;
    return std::nullopt;
  }
  if (r.fields.size() != 6) {
    *why = "expected 6 fields (question, A, B, C, D, answer), found " + std::to_string(r.fields.size());
    return std::nullopt;
  }
  const std::string answer = Trim(r.fields[5]);
  if (answer.size() != 1 || answer[0] < 'A' || answer[0] > 'D') {
    *why = "answer '" + answer.substr(0, 16) + "' is not A, B, C or D";
    return std::nullopt;
  }
  if (Trim(r.fields[0]).empty()) {
    *why = "empty question";
    return std::nullopt;
  }
  return Row{Trim(r.fields[0]), {r.fields[1], r.fields[2], r.fields[3], r.fields[4]}, answer[0] - 'A'};
}

std::string Format(const Row& r) {
  std::string s = r.question;
  for (int i = 0; i < 4; ++i) s += std::string("\n") + kLetters[i] + ". " + r.options[i];
  return s + "\nAnswer:";
}

// "The following are …" and the first `shots` valid examples of dev/SUBJECT_dev.csv.
std::string Prefix(const std::filesystem::path& dev_dir, const std::string& subject, int shots) {
  std::string name = subject;
  std::replace(name.begin(), name.end(), '_', ' ');
  std::string prefix = "The following are multiple choice questions (with answers) about " + name + ".\n\n";
  if (shots == 0) return prefix;
  const std::filesystem::path dev = dev_dir / (subject + "_dev.csv");
  if (!std::filesystem::exists(dev)) Fail("{}: missing; needed for --shots {}", dev.string(), shots);
  int used = 0;
  for (const CsvRecord& rec : ParseCsv(ReadWholeFile(dev.string(), kMaxFileBytes))) {
    std::string why;
    const std::optional<Row> row = CheckRow(rec, &why);
    if (!row) continue;
    prefix += Format(*row) + " " + kLetters[row->answer] + "\n\n";
    if (++used == shots) return prefix;
  }
  Fail("{}: {} usable examples, fewer than --shots {}", dev.string(), used, shots);
}

}  // namespace

McTask LoadMmlu(const std::string& dir, int shots, int64_t limit) {
  namespace fs = std::filesystem;
  const fs::path test_dir = fs::path(dir) / "test";
  if (!fs::is_directory(test_dir)) Fail("{}: no test/ folder of MMLU subjects", dir);
  std::vector<std::string> subjects;
  const std::string suffix = "_test.csv";
  for (const auto& e : fs::directory_iterator(test_dir)) {
    const std::string f = e.path().filename().string();
    if (f.size() > suffix.size() && f.ends_with(suffix)) subjects.push_back(f.substr(0, f.size() - suffix.size()));
  }
  if (subjects.empty()) Fail("{}: no SUBJECT_test.csv files", test_dir.string());
  std::sort(subjects.begin(), subjects.end());

  McTask task;
  task.name = "mmlu";
  task.shots = shots;
  for (const std::string& subject : subjects) {
    const std::string prefix = Prefix(fs::path(dir) / "dev", subject, shots);
    const std::string path = (test_dir / (subject + suffix)).string();
    int64_t n = 0;
    for (const CsvRecord& rec : ParseCsv(ReadWholeFile(path, kMaxFileBytes))) {
      if (limit > 0 && n >= limit) break;
      std::string why;
      const std::optional<Row> row = CheckRow(rec, &why);
      if (!row) {
        task.skipped.Add(path, rec.line, why);
        continue;
      }
      task.items.push_back({prefix + Format(*row), {"A", "B", "C", "D"}, row->answer, subject, rec.line});
      ++n;
    }
  }
  return task;
}

}  // namespace densing::eval
