// HellaSwag in the reference engine's text layout (bzip2'd or plain): six lines per task —
// context, gold index, four endings.
#include <filesystem>

#include "base/error.h"
#include "eval/input_file.h"
#include "eval/task_data.h"

namespace densing::eval {
namespace {

constexpr int kLinesPerTask = 6;

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::string CleanHellaswagText(const std::string& text) {
  const size_t b = text.find_first_not_of(" \t\r\n");
  std::string s = b == std::string::npos ? "" : text.substr(b, text.find_last_not_of(" \t\r\n") - b + 1);
  for (size_t at; (at = s.find(" [title]")) != std::string::npos;) s.replace(at, 8, ". ");
  std::string out;  // without "[...]" (shortest match, as a lazy regex would take)
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[') {
      const size_t close = s.find(']', i + 1);
      if (close != std::string::npos) {
        i = close;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  std::string collapsed;  // every "  " → " ", one pass, as str.replace does
  for (size_t i = 0; i < out.size(); ++i) {
    collapsed.push_back(out[i]);
    if (out[i] == ' ' && i + 1 < out.size() && out[i + 1] == ' ') ++i;
  }
  return collapsed;
}

McTask LoadHellaswag(const std::string& dir, int shots, int64_t limit) {
  if (shots > 0) Fail("hellaswag: --shots {} needs a training split, which the data does not have", shots);
  const std::filesystem::path base = std::filesystem::path(dir) / "hellaswag_val_full.txt";
  std::string text;
  std::string path;
  if (std::filesystem::exists(base.string() + ".bz2")) {
    path = base.string() + ".bz2";
    text = ReadBzip2File(path);
  } else if (std::filesystem::exists(base)) {
    path = base.string();
    text = ReadWholeFile(path);
  } else {
    Fail("{}: no hellaswag_val_full.txt.bz2 (or .txt)", dir);
  }
  const std::vector<std::string> lines = SplitLines(text);
  McTask task;
  task.name = "hellaswag";
  size_t i = 0;
  for (; i + kLinesPerTask <= lines.size(); i += kLinesPerTask) {
    if (limit > 0 && static_cast<int64_t>(task.items.size()) >= limit) break;
    const auto line = static_cast<int64_t>(i + 1);
    const std::string& label = lines[i + 1];
    if (label.size() != 1 || label[0] < '0' || label[0] > '3') {
      task.skipped.Add(path, line + 1, "gold index '" + label.substr(0, 16) + "' is not 0..3");
      continue;
    }
    McItem item{CleanHellaswagText(lines[i]), {}, label[0] - '0', "", line};
    for (int e = 0; e < 4; ++e) item.choices.push_back(CleanHellaswagText(lines[i + 2 + static_cast<size_t>(e)]));
    bool empty = item.context.empty();
    for (const std::string& c : item.choices) empty = empty || c.empty();
    if (empty) {
      task.skipped.Add(path, line, "empty context or ending");
      continue;
    }
    task.items.push_back(std::move(item));
  }
  const bool stopped = limit > 0 && static_cast<int64_t>(task.items.size()) >= limit;
  if (!stopped && i < lines.size()) {
    task.skipped.Add(path, static_cast<int64_t>(i + 1),
                     std::to_string(lines.size() - i) + " trailing lines do not make a whole task");
  }
  return task;
}

}  // namespace densing::eval
