// densing: one binary, one subcommand per job. Errors are one line on stderr and exit code 1.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "kernels/cpu_path.h"
#include "commands.h"

namespace densing::cli {
namespace {
std::vector<std::pair<int, CommandAdder>>& Registry() {
  static std::vector<std::pair<int, CommandAdder>> registry;
  return registry;
}
}  // namespace

bool RegisterCommand(int order, CommandAdder add) {
  Registry().emplace_back(order, add);
  return true;
}

void AddRegisteredCommands(CLI::App& app) {
  std::stable_sort(Registry().begin(), Registry().end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : Registry()) add(app);
}

}  // namespace densing::cli

// llama.cpp spells some options with one dash and several letters, which CLI11 cannot declare.
std::vector<std::string> LlamaCppSpellings(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (std::string& a : args) {
    if (a == "-sys") a = "--system-prompt";
    if (a == "-np") a = "--parallel";
    if (a == "-ctk") a = "--cache-type-k";
    if (a == "-ctv") a = "--cache-type-v";
    if (a == "-md") a = "--draft-model";
  }
  return args;
}

int main(int argc, char** argv) {
  CLI::App app{"densing: run small dense language models and measure their knowledge density"};
  app.require_subcommand(1);
  densing::cli::AddRegisteredCommands(app);
  try {
    // The CPU path (DENSING_CPU) is fixed before any kernel runs, and a bad one is the first error.
    app.set_version_flag("--version", "densing " DENSING_VERSION ", cpu path " + densing::DescribeCpuPath());
    const auto known = [&](const char* name) {
      for (const CLI::App* sub : app.get_subcommands({})) {
        if (sub->check_name(name)) return true;
      }
      return false;
    };
    if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
      std::fprintf(stderr, "densing: error: unknown command '%s' (see --help)\n", argv[1]);
      return 1;
    }
    std::vector<std::string> args = LlamaCppSpellings(argc, argv);
    std::reverse(args.begin() + 1, args.end());  // CLI11 takes them last first
    args.erase(args.begin());
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "densing: error: %s (see --help)\n", e.what());
    return 1;
  } catch (const densing::Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "densing: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fflush(stdout);
    std::fprintf(stderr, "densing: error: out of memory\n");
    return 1;
  }
  return 0;
}
