// Registration and set-up of the speculation flags.
#include "speculative_options.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/error.h"

namespace densing::cli {

void AddSpeculativeOptions(CLI::App* cmd, SpeculativeOptions& o) {
  cmd->add_option("--draft-model", o.draft_model,  // also -md (main.cc)
                  "Draft model for speculative decoding, also -md (same vocabulary, not larger than -m)")
      ->check(CLI::ExistingFile);
  // Ranges are checked by ValidateSpeculativeParams, so a bad value is one line naming the flag.
  cmd->add_option("--draft-max", o.draft_max, "Most tokens the draft proposes per step")
      ->capture_default_str();
  cmd->add_option("--draft-min", o.draft_min, "Fewer drafted than this: decode plainly that step")
      ->capture_default_str();
  cmd->add_option("--draft-p-min", o.draft_p_min,
                  "Stop drafting when the draft's top token probability is below this")
      ->capture_default_str();
  cmd->add_option("--lookup", o.lookup,
                  "Prompt lookup: propose up to N tokens that followed an earlier match of the last "
                  "4..2 tokens (0: off; no draft model)")
      ->capture_default_str();
}

std::unique_ptr<Draft> SetUpSpeculation(const SpeculativeOptions& o, const Model& target,
                                        const Tokenizer& target_tokenizer, const Session& session,
                                        ThreadPool& pool, GenerateParams& params) {
  SpeculativeParams& sp = params.speculative;
  sp.draft_max = o.draft_max;
  sp.draft_min = o.draft_min;
  sp.draft_p_min = o.draft_p_min;
  sp.lookup = o.lookup;
  if (!o.draft_model.empty() && o.lookup > 0) Fail("--lookup and --draft-model cannot be used together");
  ValidateSpeculativeParams(sp);
  if (o.draft_model.empty() && o.lookup == 0) return nullptr;
  // Verify in batches whose logits equal decoding's, so greedy output is what it is without.
  sp.verify_tokens = ExactBatchTokens(target, pool, std::max(o.draft_max, o.lookup) + 1);
  if (o.draft_model.empty()) return nullptr;
  auto d = std::make_unique<Draft>();
  d->model = Model::Load(o.draft_model);
  d->tokenizer = Tokenizer::FromGguf(d->model->file());
  CheckDraftModel(target, target_tokenizer, *d->model, *d->tokenizer, session.n_ctx());
  d->session = std::make_unique<Session>(*d->model, pool, session.n_ctx());
  sp.draft = d->session.get();
  return d;
}

std::string DescribeSpeculation(const SpeculativeOptions& o, const GenerateStats& s) {
  if (o.draft_model.empty() && o.lookup == 0) return "";
  return fmt::format(" | drafted {}, accepted {} ({:.1f}%)", s.n_drafted, s.n_accepted,
                     s.n_drafted > 0 ? 100.0 * static_cast<double>(s.n_accepted) / static_cast<double>(s.n_drafted) : 0.0);
}

}  // namespace densing::cli
