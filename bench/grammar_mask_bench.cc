// Token masks of a JSON-schema grammar on the 152k Qwen2 vocabulary: the whole-vocabulary walk
// at several states (a state seen before is served from the constraint's cache; "Cold" is the
// first time), and one token's check (what sampling pays when the best candidate is allowed).
// Usage: build/bench/grammar_mask_bench [--benchmark_filter=...]; needs ../shared/tokenizer.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "gguf/gguf_file.h"
#include "grammar/constraint.h"
#include "grammar/json_schema.h"
#include "tokenizer/tokenizer.h"

namespace {

using namespace densing;

struct Fixture {
  std::unique_ptr<Tokenizer> tok;
  std::shared_ptr<const grammar::Vocabulary> vocab;
  std::shared_ptr<const grammar::Grammar> g;
  Fixture() {
    const char* dir = std::getenv("DENSING_SHARED_DIR");
    auto file =
        gguf::File::Open(std::string(dir ? dir : "../shared") + "/tokenizer/ggml-vocab-qwen2.gguf");
    tok = Tokenizer::FromGguf(*file);
    vocab = grammar::Vocabulary::FromTokenizer(*tok);
    g = grammar::Grammar::Parse(grammar::JsonSchemaTextToGbnf(
        R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
            "tags":{"type":"array","items":{"type":"string"}}},"required":["name","age","tags"]})"));
  }
};

Fixture& Get() {
  static Fixture f;
  return f;
}

// Feeds `prefix` byte by byte through tokens that are single bytes where needed.
grammar::Constraint At(const std::string& prefix) {
  Fixture& f = Get();
  grammar::Constraint c(grammar::GrammarSpec{.grammar = f.g}, f.vocab);
  for (char ch : prefix) {
    const auto ids = f.tok->Encode(std::string(1, ch), false, false);
    for (int32_t id : ids) {
      if (!c.Accept(id)) std::abort();
    }
  }
  return c;
}

void BM_Mask(benchmark::State& state, const std::string& prefix) {
  grammar::Constraint c = At(prefix);
  std::vector<uint8_t> allowed;
  size_t n = 0;
  for (auto _ : state) {
    c.Mask(&allowed);
    benchmark::DoNotOptimize(allowed.data());
  }
  for (uint8_t a : allowed) n += a;
  state.counters["allowed"] = static_cast<double>(n);
}

// The first time a state is seen: no cached mask.
void BM_MaskCold(benchmark::State& state, const std::string& prefix) {
  std::vector<uint8_t> allowed;
  for (auto _ : state) {
    state.PauseTiming();
    grammar::Constraint c = At(prefix);
    state.ResumeTiming();
    c.Mask(&allowed);
    benchmark::DoNotOptimize(allowed.data());
  }
}

void BM_AllowsOne(benchmark::State& state) {
  grammar::Constraint c = At("{\"name\": \"ab");
  const int32_t id = Get().tok->Encode("hello", false, false)[0];
  for (auto _ : state) benchmark::DoNotOptimize(c.Allows(id));
}

BENCHMARK_CAPTURE(BM_Mask, start, std::string(""))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Mask, after_brace, std::string("{"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Mask, in_string, std::string("{\"name\": \"ab"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Mask, in_number, std::string("{\"name\": \"ab\", \"age\": 1"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MaskCold, after_brace, std::string("{"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MaskCold, in_string, std::string("{\"name\": \"ab"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AllowsOne);

}  // namespace

BENCHMARK_MAIN();
