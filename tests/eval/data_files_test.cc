// Dataset readers: the shared data loads whole; malformed rows are skipped with their lines.
#include <bzlib.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "eval/input_file.h"
#include "eval/task_data.h"
#include "testing/shared_dir.h"

namespace densing::eval {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("densing-eval-" + std::to_string(::getpid()) + "-" +
                                                   std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string Bzip2(const std::string& text) {
  std::string out(text.size() + text.size() / 100 + 1024, '\0');
  auto n = static_cast<unsigned>(out.size());
  EXPECT_EQ(BZ2_bzBuffToBuffCompress(out.data(), &n, const_cast<char*>(text.data()),
                                     static_cast<unsigned>(text.size()), 9, 0, 0),
            BZ_OK);
  out.resize(n);
  return out;
}

TEST(TaskData, SharedDataLoadsWhole) {
  DENSING_REQUIRE_SHARED();
  TaskOptions o;
  o.data_dir = testing::SharedDir() + "/data";
  const McTask mmlu = LoadTask("mmlu", o);
  EXPECT_EQ(mmlu.items.size(), 14042u);
  EXPECT_EQ(mmlu.skipped.count, 0);
  EXPECT_EQ(mmlu.shots, 5);
  const McItem& first = mmlu.items.front();
  EXPECT_EQ(first.group, "abstract_algebra");
  EXPECT_TRUE(first.context.starts_with(
      "The following are multiple choice questions (with answers) about abstract algebra.\n\n"));
  EXPECT_TRUE(first.context.ends_with("\nAnswer:"));
  const McTask hs = LoadTask("hellaswag", o);
  EXPECT_EQ(hs.items.size(), 10042u);
  EXPECT_EQ(hs.skipped.count, 0);
  EXPECT_EQ(LoadTask("arc-easy", o).items.size(), 2376u);
  const McTask ch = LoadTask("arc-challenge", o);
  EXPECT_EQ(ch.items.size(), 1172u);
  EXPECT_TRUE(ch.items[0].context.starts_with("Question: "));
  EXPECT_TRUE(ch.items[0].context.ends_with("\nAnswer:"));
  o.shots = 2;
  const McTask arc2 = LoadTask("arc-easy", o);
  EXPECT_TRUE(arc2.items[0].context.starts_with("Question: "));
  EXPECT_NE(arc2.items[0].context.find("\n\nQuestion: "), std::string::npos);
  o.limit = 3;
  o.shots = -1;
  EXPECT_EQ(LoadTask("mmlu", o).items.size(), 57u * 3);  // the limit is per subject
}

TEST(TaskData, MalformedMmluRowsAreSkippedWithLines) {
  TempDir d;
  d.Write("test/anatomy_test.csv",
          "Q1?,a,b,c,d,A\n"
          "Q2?,a,b,c,E\n"           // 5 fields
          "Q3?,a,b,c,d,E\n"         // answer E
          "\"Q4\nspans\",a,b,c,d,D\n"
          "Q5?,a,b,c,d,\"B\n");     // quote never closed
  d.Write("dev/anatomy_dev.csv", "S?,w,x,y,z,C\n");
  TaskOptions o;
  o.data_dir = d.path();
  o.shots = 1;
  const McTask t = LoadTask("mmlu", o);
  ASSERT_EQ(t.items.size(), 2u);
  EXPECT_EQ(t.items[1].gold, 3);
  EXPECT_EQ(t.items[1].line, 4);
  EXPECT_NE(t.items[0].context.find("S?\nA. w\nB. x\nC. y\nD. z\nAnswer: C\n\nQ1?"), std::string::npos);
  EXPECT_EQ(t.skipped.count, 3);
  ASSERT_EQ(t.skipped.first.size(), 3u);
  EXPECT_TRUE(t.skipped.first[0].starts_with("anatomy_test.csv:2: expected 6 fields")) << t.skipped.first[0];
  EXPECT_TRUE(t.skipped.first[1].starts_with("anatomy_test.csv:3: answer 'E'")) << t.skipped.first[1];
  EXPECT_TRUE(t.skipped.first[2].starts_with("anatomy_test.csv:6:")) << t.skipped.first[2];
  o.shots = 2;  // the dev file has one example
  EXPECT_THROW(LoadTask("mmlu", o), Error);
}

TEST(TaskData, MalformedHellaswagTasksAreSkipped) {
  TempDir d;
  const std::string good = "Ctx: a man [title] walks. he\n1\nsits.\nruns  fast.\njumps [header] up.\nsleeps.\n";
  const std::string bad_label = "Ctx two\n7\na\nb\nc\nd\n";
  d.Write("hellaswag/hellaswag_val_full.txt.bz2", Bzip2(good + bad_label + good + "half\n2\n"));
  TaskOptions o;
  o.data_dir = d.path();
  const McTask t = LoadTask("hellaswag", o);
  ASSERT_EQ(t.items.size(), 2u);
  EXPECT_EQ(t.items[0].context, "Ctx: a man. walks. he");
  EXPECT_EQ(t.items[0].choices[1], "runs fast.");
  EXPECT_EQ(t.items[0].choices[2], "jumps up.");
  EXPECT_EQ(t.items[1].line, 13);
  EXPECT_EQ(t.skipped.count, 2);
  EXPECT_TRUE(t.skipped.first[0].starts_with("hellaswag_val_full.txt.bz2:8: gold index '7'")) << t.skipped.first[0];
  EXPECT_NE(t.skipped.first[1].find("2 trailing lines"), std::string::npos) << t.skipped.first[1];
  o.shots = 1;
  EXPECT_THROW(LoadTask("hellaswag", o), Error);
}

TEST(TaskData, CorruptOrTruncatedBzip2IsAnError) {
  TempDir d;
  const std::string packed = Bzip2(std::string(5000, 'x') + "\n");
  const std::string cut = d.Write("cut.bz2", packed.substr(0, packed.size() / 2));
  EXPECT_THROW(ReadBzip2File(cut), Error);
  std::string flipped = packed;
  flipped[flipped.size() / 2] ^= 0x55;
  EXPECT_THROW(ReadBzip2File(d.Write("flip.bz2", flipped)), Error);
  EXPECT_THROW(ReadBzip2File(d.Write("plain.bz2", "not bzip2 at all")), Error);
  EXPECT_THROW(ReadBzip2File(d.Write("empty.bz2", "")), Error);
  EXPECT_THROW(ReadBzip2File(d.Write("big.bz2", packed), 100), Error);
  EXPECT_EQ(ReadBzip2File(d.Write("two.bz2", packed + packed)).size(), 2 * 5001u);  // concatenated
}

TEST(TaskData, MalformedArcLinesAreSkipped) {
  TempDir d;
  d.Write("arc/arc_easy.jsonl",
          "{\"query\": \"Question: Q1?\", \"choices\": [\"a\", \"b\"], \"gold\": 1}\n"
          "{not json\n"
          "{\"query\": \"Question: Q3?\", \"choices\": [\"a\", \"b\"], \"gold\": 2}\n"
          "\n"
          "{\"query\": \"Question: Q5?\", \"choices\": [\"a\", 3], \"gold\": 0}\n"
          "[1, 2]\n"
          "{\"query\": \"Question: Q7?\", \"choices\": [\"x\", \"y\", \"z\"], \"gold\": 0}\n");
  TaskOptions o;
  o.data_dir = d.path();
  const McTask t = LoadTask("arc-easy", o);
  ASSERT_EQ(t.items.size(), 2u);
  EXPECT_EQ(t.items[0].context, "Question: Q1?\nAnswer:");
  EXPECT_EQ(t.items[1].line, 7);
  EXPECT_EQ(t.skipped.count, 4);
  EXPECT_TRUE(t.skipped.first[0].starts_with("arc_easy.jsonl:2:"));
  EXPECT_TRUE(t.skipped.first[1].starts_with("arc_easy.jsonl:3: gold 2 is outside")) << t.skipped.first[1];
  EXPECT_THROW(LoadTask("arc-challenge", o), Error);  // no such file
  o.shots = 1;
  EXPECT_THROW(LoadTask("arc-easy", o), Error);  // no Train file for the shots
  EXPECT_THROW(LoadTask("winogrande", o), Error);
}

}  // namespace
}  // namespace densing::eval
