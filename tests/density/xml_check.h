// A strict XML well-formedness check for the SVG tests: prolog, comments, nested elements,
// quoted attributes, entities. Returns the element count per name and the text content.
#pragma once

#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace densing::density::xmlcheck {

struct XmlSummary {
  std::string error;  // empty when well-formed
  std::map<std::string, int> elements;
  std::string text;  // all character data, entities decoded, pieces separated by '\n'
};

inline XmlSummary CheckXml(std::string_view s) {
  XmlSummary out;
  size_t i = 0;
  std::vector<std::string> stack;
  int roots = 0;
  auto fail = [&](const std::string& why) {
    out.error = why + " at byte " + std::to_string(i);
    return out;
  };
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '-' ||
           c == '.';
  };
  auto read_entity = [&](std::string* dst) -> bool {  // at '&'
    const size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) return false;
    const std::string_view ent = s.substr(i + 1, semi - i - 1);
    static const std::map<std::string_view, char> kNamed = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    if (auto it = kNamed.find(ent); it != kNamed.end()) {
      dst->push_back(it->second);
    } else if (ent.size() > 1 && ent[0] == '#') {
      for (size_t k = 1; k < ent.size(); ++k) {
        if (!std::isxdigit(static_cast<unsigned char>(ent[k])) && !(k == 1 && ent[k] == 'x')) {
          return false;
        }
      }
      dst->push_back('?');
    } else {
      return false;
    }
    i = semi + 1;
    return true;
  };
  if (s.substr(0, 5) == "<?xml") {
    const size_t end = s.find("?>");
    if (end == std::string_view::npos) return fail("unterminated XML declaration");
    i = end + 2;
  }
  while (i < s.size()) {
    if (s[i] != '<') {
      std::string piece;
      while (i < s.size() && s[i] != '<') {
        if (s[i] == '&') {
          if (!read_entity(&piece)) return fail("bad entity");
        } else {
          piece.push_back(s[i++]);
        }
      }
      bool blank = true;
      for (char c : piece) blank &= std::isspace(static_cast<unsigned char>(c)) != 0;
      if (!blank && stack.empty()) return fail("text outside the root element");
      if (!blank) out.text += piece + "\n";
      continue;
    }
    if (s.substr(i, 4) == "<!--") {
      const size_t end = s.find("-->", i + 4);
      if (end == std::string_view::npos) return fail("unterminated comment");
      if (s.substr(i + 4, end - i - 4).find("--") != std::string_view::npos) {
        return fail("'--' inside a comment");
      }
      i = end + 3;
      continue;
    }
    const bool closing = s.substr(i, 2) == "</";
    i += closing ? 2 : 1;
    std::string name;
    while (i < s.size() && name_char(s[i])) name.push_back(s[i++]);
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
      return fail("bad tag name");
    if (closing) {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (i >= s.size() || s[i] != '>') return fail("bad closing tag");
      ++i;
      if (stack.empty() || stack.back() != name) return fail("mismatched </" + name + ">");
      stack.pop_back();
      continue;
    }
    if (stack.empty() && ++roots > 1) return fail("second root element");
    ++out.elements[name];
    std::vector<std::string> attrs;
    while (true) {
      const size_t before = i;
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (i >= s.size()) return fail("unterminated tag");
      if (s[i] == '>') {
        ++i;
        stack.push_back(name);
        break;
      }
      if (s.substr(i, 2) == "/>") {
        i += 2;
        break;
      }
      if (i == before) return fail("attributes must be separated by space");
      std::string attr;
      while (i < s.size() && name_char(s[i])) attr.push_back(s[i++]);
      if (attr.empty()) return fail("bad attribute name");
      for (const auto& a : attrs) {
        if (a == attr) return fail("duplicate attribute " + attr);
      }
      attrs.push_back(attr);
      if (i >= s.size() || s[i] != '=') return fail("attribute without '='");
      ++i;
      if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return fail("unquoted attribute");
      const char quote = s[i++];
      std::string value;
      while (i < s.size() && s[i] != quote) {
        if (s[i] == '<') return fail("'<' in an attribute value");
        if (s[i] == '&') {
          if (!read_entity(&value)) return fail("bad entity in an attribute");
        } else {
          ++i;
        }
      }
      if (i >= s.size()) return fail("unterminated attribute value");
      ++i;
    }
  }
  if (!stack.empty()) return fail("unclosed <" + stack.back() + ">");
  if (roots != 1) return fail("no root element");
  return out;
}

}  // namespace densing::density::xmlcheck
