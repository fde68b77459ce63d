// UTF-8 helpers for the Jinja interpreter: code points, Python-like whitespace and letter case.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace densing::jinja::utf8 {

// Decodes the code point at s[i] and sets *len to its byte length. An invalid byte b decodes as
// 0xDC00 + b (like Python's surrogateescape) with length 1, so that Append() restores it exactly.
char32_t Decode(std::string_view s, size_t i, size_t* len);
void Append(std::string& out, char32_t cp);

// Byte offset of each code point, followed by s.size().
std::vector<size_t> Offsets(std::string_view s);
size_t Length(std::string_view s);

// Python's str.isspace() for one code point.
bool IsSpace(char32_t cp);
// Simple case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
char32_t ToUpper(char32_t cp);
char32_t ToLower(char32_t cp);
bool IsCased(char32_t cp);
bool IsAlpha(char32_t cp);
bool IsDigit(char32_t cp);

std::string Upper(std::string_view s);
std::string Lower(std::string_view s);
// Python's str.title() and str.capitalize().
std::string Title(std::string_view s);
std::string Capitalize(std::string_view s);

// Python's str.strip()/lstrip()/rstrip(): whitespace when chars is null, else any code point of
// *chars.
std::string_view Strip(std::string_view s, bool left, bool right, const std::string* chars);

}  // namespace densing::jinja::utf8
