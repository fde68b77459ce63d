// The speculation flags of run and chat (llama.cpp's names): -md/--draft-model, --draft-max,
// --draft-min, --draft-p-min, and --lookup for prompt lookup without a draft model.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "generate/generate.h"
#include "model/model.h"
#include "runtime/session.h"
#include "threading/thread_pool.h"
#include "tokenizer/tokenizer.h"

namespace densing::cli {

struct SpeculativeOptions {
  std::string draft_model;
  int32_t draft_max = 16;
  int32_t draft_min = 0;
  float draft_p_min = 0.75f;
  int32_t lookup = 0;
};

void AddSpeculativeOptions(CLI::App* cmd, SpeculativeOptions& o);

// The draft model and its session, alive as long as generation uses them.
struct Draft {
  std::unique_ptr<Model> model;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<Session> session;
};

// Loads and checks the draft model (CheckDraftModel) when one is given and fills
// params.speculative; throws Error for a bad value or a draft that cannot draft for the target.
std::unique_ptr<Draft> SetUpSpeculation(const SpeculativeOptions& o, const Model& target,
                                        const Tokenizer& target_tokenizer, const Session& session,
                                        ThreadPool& pool, GenerateParams& params);

// "drafted N, accepted M (P%)" for a timings line; empty when nothing was speculated.
std::string DescribeSpeculation(const SpeculativeOptions& o, const GenerateStats& s);

}  // namespace densing::cli
