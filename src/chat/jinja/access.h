// Attribute, subscript and slice access with Jinja's rules: obj.name tries Python attributes
// (methods) before items, obj[key] tries items before attributes, and a miss is undefined.
#pragma once

#include <string>

#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace densing::jinja {

// `obj` must not be undefined (the caller reports that).
Value GetAttr(const Value& obj, const std::string& name, Budget& budget);
Value GetItem(const Value& obj, const Value& key, Budget& budget);
// obj[start:stop:step] on a list, tuple or string; a null bound is absent.
Value GetSlice(const Value& obj, const Value* start, const Value* stop, const Value* step,
               Budget& budget);

}  // namespace densing::jinja
