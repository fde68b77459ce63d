// densing tokenize: the token ids and pieces a model's tokenizer makes of a text.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"

namespace densing::cli {
namespace {

struct Options {
  std::string model;
  std::string prompt;
  bool ids_only = false;
  bool bos = false;
  bool special = false;
};

void Tokenize(const Options& o) {
  auto file = gguf::File::Open(o.model);
  auto tokenizer = Tokenizer::FromGguf(*file);
  std::vector<int32_t> ids = tokenizer->Encode(o.prompt, o.bos, o.special);
  if (o.ids_only) {
    std::puts(nlohmann::json(ids).dump().c_str());
    return;
  }
  for (int32_t id : ids) {
    const std::string piece = nlohmann::json(tokenizer->TokenToPiece(id))
                                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    fmt::print("{:>8} -> {}\n", id, piece);
  }
  fmt::print("{} tokens\n", ids.size());
}

void AddTokenizeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("tokenize", "Show the tokens a model's tokenizer makes of a text");
  auto o = std::make_shared<Options>();
  cmd->add_option("-m,--model", o->model, "GGUF file with a tokenizer")->required();
  cmd->add_option("-p,--prompt", o->prompt, "Text to tokenize")->required();
  cmd->add_flag("--ids", o->ids_only, "Print only a JSON array of ids");
  cmd->add_flag("--bos", o->bos, "Add BOS/EOS as the model's metadata says");
  cmd->add_flag("--special", o->special, "Parse special tokens written in the text");
  cmd->callback([o] { Tokenize(*o); });
}

DENSING_COMMAND(20, AddTokenizeCommand);

}  // namespace
}  // namespace densing::cli
