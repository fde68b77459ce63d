// Template parsing and rendering entry points.
#include "chat/jinja/template.h"

#include "base/error.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/parser.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {

namespace {

template <typename Json>
Object ContextObject(const Json& context) {
  if (!context.is_object())
    Fail("template context must be a JSON object, got {}", context.type_name());
  const Value value = FromJson(context);
  return value.object();
}

}  // namespace

Template Template::Parse(std::string_view source, const Options& options) {
  LexOptions lex_options;
  lex_options.trim_blocks = options.trim_blocks;
  lex_options.lstrip_blocks = options.lstrip_blocks;
  auto body = std::make_shared<Body>(ParseTemplateSource(source, lex_options));
  return Template(std::move(body), options);
}

std::string Template::Render(const Object& context) const {
  Interpreter interpreter(options_.limits, context);
  return interpreter.Render(*body_);
}

std::string Template::Render(const nlohmann::ordered_json& context) const {
  return Render(ContextObject(context));
}

std::string Template::Render(const nlohmann::json& context) const {
  return Render(ContextObject(context));
}

}  // namespace densing::jinja
