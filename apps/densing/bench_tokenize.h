// densing bench --tokenize FILE: the tokenizer's throughput on a text file.
#pragma once

#include <string>

namespace densing::cli {

// Encodes the whole file `reps` times with the model's tokenizer and prints MB/s (best and mean).
void BenchTokenize(const std::string& model_path, const std::string& text_path, int reps, bool json);

}  // namespace densing::cli
