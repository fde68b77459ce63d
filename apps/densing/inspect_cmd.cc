// densing inspect: what is inside a GGUF file — metadata, tensors, parameter counts.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/error.h"
#include "commands.h"
#include "gguf/gguf_file.h"
#include "kernels/cpu_path.h"
#include "model/model.h"
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

// The layers as densing runs them, grouped by kind: ("attention, …", [0, 1, 3]), …; empty with
// the reason when densing does not run the file.
std::vector<std::pair<std::string, std::vector<int64_t>>> LayerKinds(const gguf::File& f,
                                                                      std::string& why_not) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> kinds;
  try {
    const ModelConfig c = ReadModelConfig(f);
    for (int64_t i = 0; i < c.n_layer; ++i) {
      const std::string d = DescribeLayer(c, i);
      auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == d; });
      if (it == kinds.end()) it = kinds.insert(kinds.end(), {d, {}});
      it->second.push_back(i);
    }
  } catch (const Error& e) {
    why_not = e.what();
  }
  return kinds;
}

// 0 1 2 4 5 → "0-2, 4-5"
std::string Ranges(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    s += (s.empty() ? "" : ", ") + std::to_string(v[i]) + (j > i ? "-" + std::to_string(v[j]) : "");
    i = j + 1;
  }
  return s;
}

void Inspect(const std::string& path, bool json) {
  auto f = gguf::File::Open(path);
  std::string why_not;
  const auto kinds = LayerKinds(*f, why_not);
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
    out["layers"] = nlohmann::json::array();
    for (const auto& [kind, layers] : kinds) out["layers"].push_back({{"kind", kind}, {"layers", layers}});
    if (!why_not.empty()) out["layers_error"] = why_not;
    out["cpu_path"] = CpuPathName(ActiveCpuPath());
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
  fmt::print("\nlayers\n");
  for (const auto& [kind, layers] : kinds) fmt::print("  {:<20} {}\n", Ranges(layers), kind);
  if (!why_not.empty()) fmt::print("  not run by densing: {}\n", why_not);
  fmt::print("  kernels: {}\n", DescribeCpuPath());
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
