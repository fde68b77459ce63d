// ARC-Easy and ARC-Challenge: test items from arc_easy.jsonl / arc_challenge.jsonl
// ({"query", "choices", "gold"}), few-shot examples from the AI2 Train files.
#include <nlohmann/json.hpp>

#include <filesystem>

#include "base/error.h"
#include "eval/input_file.h"
#include "eval/task_data.h"

namespace densing::eval {
namespace {

constexpr uint64_t kMaxFileBytes = uint64_t{1} << 28;
constexpr size_t kMaxChoices = 16;

// Calls fn(line number, text) for every non-blank line.
template <typename F>
void ForEachLine(const std::string& text, F&& fn) {
  int64_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++number;
    const std::string_view line(text.data() + start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
      if (!fn(number, line)) return;
    }
    start = end + 1;
  }
}

// "Question: …\nAnswer: …" for the first `shots` usable AI2 records of the Train file.
std::string Shots(const std::string& dir, bool challenge, int shots) {
  if (shots == 0) return "";
  const std::string path =
      (std::filesystem::path(dir) / (challenge ? "ARC-Challenge-Train.jsonl" : "ARC-Easy-Train.jsonl")).string();
  if (!std::filesystem::exists(path)) Fail("{}: missing; needed for --shots {}", path, shots);
  std::string out;
  int used = 0;
  ForEachLine(ReadWholeFile(path, kMaxFileBytes), [&](int64_t, std::string_view line) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("question") || !j["question"].is_object()) return true;
    const nlohmann::json& q = j["question"];
    if (!q.contains("stem") || !q["stem"].is_string() || !q.contains("choices") || !q["choices"].is_array() ||
        !j.contains("answerKey") || !j["answerKey"].is_string()) {
      return true;
    }
    for (const nlohmann::json& c : q["choices"]) {
      if (c.is_object() && c.value("label", "") == j["answerKey"].get<std::string>() && c.contains("text") &&
          c["text"].is_string()) {
        out += "Question: " + q["stem"].get<std::string>() + "\nAnswer: " + c["text"].get<std::string>() + "\n\n";
        ++used;
        break;
      }
    }
    return used < shots;
  });
  if (used < shots) Fail("{}: {} usable examples, fewer than --shots {}", path, used, shots);
  return out;
}

}  // namespace

McTask LoadArc(const std::string& dir, bool challenge, int shots, int64_t limit) {
  const std::string path =
      (std::filesystem::path(dir) / (challenge ? "arc_challenge.jsonl" : "arc_easy.jsonl")).string();
  McTask task;
  task.name = challenge ? "arc-challenge" : "arc-easy";
  task.shots = shots;
  const std::string prefix = Shots(dir, challenge, shots);
  ForEachLine(ReadWholeFile(path, kMaxFileBytes), [&](int64_t number, std::string_view line) {
    if (limit > 0 && static_cast<int64_t>(task.items.size()) >= limit) return false;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      task.skipped.Add(path, number, "not a JSON object");
      return true;
    }
    if (!j.contains("query") || !j["query"].is_string() || !j.contains("choices") || !j["choices"].is_array() ||
        !j.contains("gold") || !j["gold"].is_number_integer()) {
      task.skipped.Add(path, number, "needs \"query\" (string), \"choices\" (array), \"gold\" (integer)");
      return true;
    }
    McItem item;
    item.context = prefix + j["query"].get<std::string>() + "\nAnswer:";
    item.line = number;
    for (const nlohmann::json& c : j["choices"]) {
      if (!c.is_string() || c.get<std::string>().empty()) {
        task.skipped.Add(path, number, "a choice is not a non-empty string");
        return true;
      }
      item.choices.push_back(c.get<std::string>());
    }
    const int64_t gold = j["gold"].get<int64_t>();
    if (item.choices.size() > kMaxChoices) {
      task.skipped.Add(path, number, std::to_string(item.choices.size()) + " choices, more than " +
                                         std::to_string(kMaxChoices));
      return true;
    }
    if (item.choices.size() < 2 || gold < 0 || gold >= static_cast<int64_t>(item.choices.size())) {
      task.skipped.Add(path, number, "gold " + std::to_string(gold) + " is outside the " +
                                         std::to_string(item.choices.size()) + " choices");
      return true;
    }
    item.gold = static_cast<int>(gold);
    task.items.push_back(std::move(item));
    return true;
  });
  return task;
}

}  // namespace densing::eval
