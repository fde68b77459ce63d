// Token masks on real vocabularies (SentencePiece with byte fallback, byte-level BPE) against a
// brute-force check of every token, and the matcher on UTF-8 split across tokens.
#include <gtest/gtest.h>

#include <string>

#include "gguf/gguf_file.h"
#include "grammar/constraint.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing::grammar {
namespace {

const char* kJsonish = R"(root ::= "{" ws pair ("," ws pair)* "}"
pair ::= "\"" [a-zé€😀]+ "\"" ws ":" ws value ws
value ::= [0-9]+ ("." [0-9]+)? | "\"" [^"\\]* "\"" | "true" | "null"
ws ::= [ \n]?
)";

std::vector<uint8_t> BruteForce(const Matcher& state, const Tokenizer& tok) {
  std::vector<uint8_t> out(static_cast<size_t>(tok.n_vocab()), 0);
  for (int32_t id = 0; id < tok.n_vocab(); ++id) {
    if (tok.IsEndOfGeneration(id)) {
      out[static_cast<size_t>(id)] = state.CanEnd();
      continue;
    }
    if (tok.IsControl(id)) continue;
    const std::string piece = tok.TokenToPiece(id, false);
    Matcher m = state;
    out[static_cast<size_t>(id)] = !piece.empty() && m.AcceptBytes(piece);
  }
  return out;
}

// Tokens that output `text` exactly, longest piece first (Encode would add SentencePiece's
// leading space).
std::vector<int32_t> Pieces(const Tokenizer& tok, const std::string& text) {
  std::vector<int32_t> out;
  for (size_t at = 0; at < text.size();) {
    int32_t best = -1;
    size_t best_len = 0;
    for (int32_t id = 0; id < tok.n_vocab(); ++id) {
      if (tok.IsControl(id)) continue;
      const std::string p = tok.TokenToPiece(id, false);
      if (p.size() > best_len && text.compare(at, p.size(), p) == 0) best = id, best_len = p.size();
    }
    if (best < 0) ADD_FAILURE() << "no token for '" << text.substr(at) << "'";
    if (best < 0) return out;
    out.push_back(best);
    at += best_len;
  }
  return out;
}

void CheckVocabulary(const std::string& name) {
  auto file = gguf::File::Open(testing::SharedDir() + "/tokenizer/ggml-vocab-" + name + ".gguf");
  auto tok = Tokenizer::FromGguf(*file);
  auto vocab = Vocabulary::FromTokenizer(*tok);
  auto grammar = Grammar::Parse(kJsonish);
  // Prefixes ending at several kinds of state: the start, inside a name, inside a split
  // character, inside a number, inside a string, where the grammar can end.
  for (const std::string prefix :
       {"", "{\"a", "{\"caf\xc3", "{\"\xf0\x9f", "{\"x\": 12", "{\"x\":\"a b", "{\"x\":1}"}) {
    Constraint c(GrammarSpec{.grammar = grammar}, vocab);
    Matcher state(grammar);
    ASSERT_TRUE(state.AcceptBytes(prefix)) << prefix;
    // Feed the prefix through tokens, as sampling would: encode it and accept each token.
    for (int32_t id : Pieces(*tok, prefix)) ASSERT_TRUE(c.Accept(id)) << name << " " << prefix;
    std::vector<uint8_t> mask;
    c.Mask(&mask);
    const std::vector<uint8_t> expected = BruteForce(state, *tok);
    int n_allowed = 0;
    for (size_t i = 0; i < mask.size(); ++i) {
      ASSERT_EQ(mask[i], expected[i]) << name << " after '" << prefix << "': token " << i << " '"
                                      << tok->TokenToPiece(static_cast<int32_t>(i), false) << "'";
      ASSERT_EQ(c.Allows(static_cast<int32_t>(i)), expected[i] != 0) << i;
      n_allowed += mask[i];
    }
    EXPECT_GT(n_allowed, 0) << name << " after '" << prefix << "'";
  }
}

TEST(Mask, SentencePieceWithByteFallbackMatchesBruteForce) {
  DENSING_REQUIRE_SHARED();
  CheckVocabulary("llama-spm");
}

TEST(Mask, ByteLevelBpeMatchesBruteForce) {
  DENSING_REQUIRE_SHARED();
  CheckVocabulary("qwen2");
}

TEST(Matcher, Utf8SplitAcrossBytes) {
  auto g = Grammar::Parse("root ::= [a-zé]+ \"€\"");
  Matcher m(g);
  EXPECT_TRUE(m.AcceptBytes("caf\xc3"));  // half of é
  EXPECT_FALSE(m.CanEnd());
  Matcher bad = m;
  EXPECT_FALSE(bad.AcceptBytes("\xa8"));  // è is not in the class
  EXPECT_TRUE(m.AcceptBytes("\xa9\xe2\x82"));
  EXPECT_FALSE(m.CanEnd());
  EXPECT_TRUE(m.AcceptBytes("\xac"));
  EXPECT_TRUE(m.CanEnd());
  Matcher n(g);
  EXPECT_FALSE(n.AcceptBytes("\xe2"));      // no class holds a three-byte character at the start
  EXPECT_FALSE(n.AcceptBytes("\xc0\xa1"));  // overlong
  Matcher any(Grammar::Parse("root ::= [^a]"));
  EXPECT_TRUE(any.AcceptBytes("\xf0\x9f\x98"));
  EXPECT_TRUE(any.AcceptBytes("\x80"));
  EXPECT_TRUE(any.CanEnd());
}

TEST(Constraint, EndOfGenerationOnlyWhereTheGrammarCanEnd) {
  DENSING_REQUIRE_SHARED();
  auto file = gguf::File::Open(testing::SharedDir() + "/tokenizer/ggml-vocab-llama-spm.gguf");
  auto tok = Tokenizer::FromGguf(*file);
  Constraint c(GrammarSpec{.grammar = Grammar::Parse("root ::= \"ab\" | \"abc\"")},
               Vocabulary::FromTokenizer(*tok));
  EXPECT_FALSE(c.Allows(tok->eos()));
  for (int32_t id : Pieces(*tok, "ab")) ASSERT_TRUE(c.Accept(id));
  EXPECT_TRUE(c.Allows(tok->eos()));
  EXPECT_FALSE(c.Allows(tok->bos()));  // a control token outputs nothing
  ASSERT_TRUE(c.Accept(Pieces(*tok, "c").back()));
  std::vector<uint8_t> mask;
  c.Mask(&mask);
  for (size_t i = 0; i < mask.size(); ++i)
    EXPECT_EQ(mask[i] != 0, static_cast<int32_t>(i) == tok->eos()) << i;
}

TEST(Constraint, LazyGrammarWaitsForItsTrigger) {
  DENSING_REQUIRE_SHARED();
  auto file = gguf::File::Open(testing::SharedDir() + "/tokenizer/ggml-vocab-llama-spm.gguf");
  auto tok = Tokenizer::FromGguf(*file);
  auto g = Grammar::Parse("root ::= \"<call>\" [0-9]+ \"</call>\"");
  Constraint c(GrammarSpec{.grammar = g, .trigger_words = {"<call>"}},
               Vocabulary::FromTokenizer(*tok));
  for (int32_t id : Pieces(*tok, "Hello, world <ca")) ASSERT_TRUE(c.Accept(id));
  EXPECT_FALSE(c.active());
  EXPECT_TRUE(c.Allows(tok->eos()));
  const int32_t x = Pieces(*tok, "x").back();
  EXPECT_TRUE(c.Allows(x));
  for (int32_t id : Pieces(*tok, "ll>")) ASSERT_TRUE(c.Accept(id));  // completes the trigger
  EXPECT_TRUE(c.active());
  EXPECT_FALSE(c.Allows(x));
  EXPECT_FALSE(c.Allows(tok->eos()));
  for (int32_t id : Pieces(*tok, "12</call>")) ASSERT_TRUE(c.Accept(id));
  EXPECT_TRUE(c.Allows(tok->eos()));
}

}  // namespace
}  // namespace densing::grammar
