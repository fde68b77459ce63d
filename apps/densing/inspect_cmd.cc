// densing inspect: what is inside a GGUF file — metadata, tensors, parameter counts.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "gguf/gguf_file.h"
#include "model/params.h"

namespace densing::cli {
namespace {

nlohmann::json ToJson(const gguf::Value& v) {
  return std::visit(
      [&](const auto& x) -> nlohmann::json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, gguf::Array>) {
          nlohmann::json a = nlohmann::json::array();
          for (const gguf::Value& item : x.items) a.push_back(ToJson(item));
          return a;
        } else {  // strings that are not UTF-8 are replaced when the JSON is printed
          return nlohmann::json(x);
        }
      },
      v.data);
}

std::string Short(const gguf::Value& v) {
  if (const auto* a = std::get_if<gguf::Array>(&v.data)) {
    std::string s = fmt::format("[{} × {}]", a->items.size(), gguf::ValueTypeName(a->elem_type));
    for (size_t i = 0; i < a->items.size() && i < 4; ++i) s += " " + Short(a->items[i]);
    if (a->items.size() > 4) s += " …";
    return s;
  }
  if (const auto* s = std::get_if<std::string>(&v.data)) {
    std::string t = s->size() > 60 ? s->substr(0, 60) + "…" : *s;
    for (char& c : t) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    return nlohmann::json(t).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return ToJson(v).dump();
}

std::string Shape(const gguf::TensorInfo& t) {
  std::string s;
  for (int i = 0; i < t.n_dims; ++i) s += (i ? " × " : "") + std::to_string(t.ne[i]);
  return s;
}

void Inspect(const std::string& path, bool json) {
  auto f = gguf::File::Open(path);
  const ParamCount p = CountParams(*f);
  if (json) {
    nlohmann::json out;
    out["file"] = path;
    out["version"] = f->version();
    out["alignment"] = f->alignment();
    out["metadata"] = nlohmann::json::object();
    for (const auto& kv : f->metadata()) out["metadata"][kv.key] = ToJson(kv.value);
    out["tensors"] = nlohmann::json::array();
    for (const auto& t : f->tensors()) {
      out["tensors"].push_back({{"name", t.name},
                                {"type", Traits(t.type).name},
                                {"shape", std::vector<int64_t>(t.ne.begin(), t.ne.begin() + t.n_dims)},
                                {"bytes", t.n_bytes},
                                {"offset", f->data_offset() + t.offset}});
    }
    out["params"] = {{"total", p.total},         {"embedding", p.embedding},
                     {"non_embedding", p.non_embedding}, {"active", p.active},
                     {"bytes", p.bytes},         {"bits_per_weight", p.bits_per_weight()}};
    std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  fmt::print("{}: GGUF v{}, {} metadata keys, {} tensors, alignment {}\n\n", path, f->version(),
             f->metadata().size(), f->tensors().size(), f->alignment());
  fmt::print("metadata\n");
  for (const auto& kv : f->metadata()) {
    fmt::print("  {:<44} {:<6} {}\n", kv.key, gguf::ValueTypeName(kv.value.type), Short(kv.value));
  }
  fmt::print("\ntensors\n  {:<36} {:<6} {:>22} {:>12}\n", "name", "type", "shape", "bytes");
  for (const auto& t : f->tensors()) {
    fmt::print("  {:<36} {:<6} {:>22} {:>12}\n", t.name, Traits(t.type).name, Shape(t), t.n_bytes);
  }
  fmt::print("\nparameters\n");
  fmt::print("  total          {:>14}\n  embedding      {:>14}\n  non-embedding  {:>14}\n", p.total,
             p.embedding, p.non_embedding);
  fmt::print("  active/token   {:>14}\n  bytes          {:>14}  ({:.2f} bits per weight)\n", p.active,
             p.bytes, p.bits_per_weight());
}

void AddInspectCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect", "Show the metadata, tensors and parameter counts of a GGUF file");
  struct Options {
    std::string model;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("-m,--model,model_file", o->model, "GGUF file")->required();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o] { Inspect(o->model, o->json); });
}

DENSING_COMMAND(10, AddInspectCommand);

}  // namespace
}  // namespace densing::cli
