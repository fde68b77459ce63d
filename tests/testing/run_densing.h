// Runs the densing binary as a user would, for the command-line tests.
#pragma once

#include <string>
#include <vector>

namespace densing::testing {

struct Result {
  int code;
  std::string out;
  std::string err;
};

// densing ARGS < stdin_text; stdout and stderr captured apart.
Result Densing(const std::vector<std::string>& args, const std::string& stdin_text = "");

// Exit code 1 and exactly one line "densing: error: ..." on stderr that contains `contains`.
void ExpectOneLineError(const Result& r, const std::string& contains);

}  // namespace densing::testing
