// jinja::Template: the public face of the interpreter. Parse once, render many times.
//
//   auto t = densing::jinja::Template::Parse("Hello {{ name | upper }}!");
//   std::string s = t.Render(nlohmann::ordered_json{{"name", "world"}});  // "Hello WORLD!"
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "chat/jinja/ast.h"
#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace densing::jinja {

struct Options {
  bool trim_blocks = false;  // Jinja's defaults; chat templates use true for both
  bool lstrip_blocks = false;
  Limits limits;
};

class Template {
 public:
  // Throws Error naming the line for a syntax error.
  static Template Parse(std::string_view source, const Options& options = {});

  // The context must be a JSON object; its keys become the template's variables. Objects keep
  // their key order with ordered_json (as Python dicts do), and sort it with json.
  std::string Render(const nlohmann::ordered_json& context) const;
  std::string Render(const nlohmann::json& context) const;
  std::string Render(const Object& context) const;

 private:
  Template(std::shared_ptr<const Body> body, const Options& options)
      : body_(std::move(body)), options_(options) {}

  std::shared_ptr<const Body> body_;
  Options options_;
};

}  // namespace densing::jinja
