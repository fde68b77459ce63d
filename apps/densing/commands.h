// The subcommands of `densing`: each file in this folder defines one and registers it here.
#pragma once

#include <CLI/CLI.hpp>

namespace densing::cli {

using CommandAdder = void (*)(CLI::App& app);

// Called from a static initializer in each command's file; `order` sorts `densing --help`.
bool RegisterCommand(int order, CommandAdder add);
void AddRegisteredCommands(CLI::App& app);

}  // namespace densing::cli

// One per file: registers `adder` before main runs.
#define DENSING_COMMAND(order, adder) \
  [[maybe_unused]] static const bool kCommandRegistered = ::densing::cli::RegisterCommand(order, adder)
