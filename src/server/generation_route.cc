// From request body to a task in the scheduler and a responder on the connection.
#include "server/generation_route.h"

#include "server/api_error.h"
#include "server/json_fields.h"
#include "server/output_format.h"
#include "server/responder.h"
#include "server/tool_grammar.h"

namespace densing::server {
namespace {

// How long a responder waits for news before it writes a keep-alive.
constexpr std::chrono::milliseconds kKeepAlive{1000};

}  // namespace

Job MakeJob(const RouteContext& ctx, const GenerationRequest& r) {
  if (!r.model.empty() && r.model != ctx.model.id) {
    FailCode("model", "model_not_found", "the model '{}' does not exist; this server has '{}'",
             r.model, ctx.model.id);
  }
  const char* prompt_param = r.endpoint == Endpoint::kChat ? "messages" : "prompt";
  Job job;
  const int64_t n_ctx = ctx.scheduler.n_ctx();
  job.prompt = PromptTokens(ctx.model, r, n_ctx);
  if (job.prompt.empty()) FailParam(prompt_param, "the prompt has no tokens");
  const auto n_prompt = static_cast<int64_t>(job.prompt.size());
  if (n_prompt > n_ctx) {
    FailCode(prompt_param, "context_length_exceeded",
             "the prompt has {} tokens but the context holds {}", n_prompt, n_ctx);
  }
  if (!ctx.scheduler.context_shift() && r.max_tokens > 0 && n_prompt + r.max_tokens > n_ctx) {
    FailCode("max_tokens", "context_length_exceeded",
             "the prompt has {} tokens and max_tokens asks for {} more, but the context holds {}",
             n_prompt, r.max_tokens, n_ctx);
  }
  job.max_tokens = r.max_tokens;
  job.sampler = r.sampler;
  try {
    ValidateSamplerParams(job.sampler);
  } catch (const Error& e) {
    FailParam("temperature", "{}", e.what());
  }
  job.stop = r.stop;
  job.top_logprobs = r.top_logprobs;
  job.prompt_logprobs = r.echo && r.top_logprobs >= 0;
  job.ignore_eos = r.ignore_eos;
  job.end_token_logprob = r.endpoint == Endpoint::kCompletion;
  job.context_shift = ctx.scheduler.context_shift();
  // As the CLI's --keep: the beginning-of-sequence token is kept besides the n_keep asked for.
  const bool bos = !job.prompt.empty() && job.prompt[0] == ctx.model.tokenizer->bos();
  job.n_keep = r.n_keep < 0 ? n_prompt : std::min(n_prompt, r.n_keep + (bos ? 1 : 0));
  CheckLogitBias(job.sampler, ctx.model.tokenizer->n_vocab());
  // tool_choice "required" or a named function: the answer is a well-formed call; "auto": the
  // same once the model opens a call (tool_grammar.h).
  if (r.endpoint == Endpoint::kChat && !job.sampler.grammar.grammar) {
    job.sampler.grammar = ToolCallGrammar(ctx.model.tool_family, r.tools);
  }
  if (job.sampler.grammar.grammar) job.vocabulary = ctx.model.vocabulary();
  return job;
}

void HandleGeneration(const RouteContext& ctx, Endpoint endpoint, const httplib::Request& req,
                      httplib::Response& res) {
  const nlohmann::json body = ParseJsonObject(req.body);
  const GenerationRequest r =
      endpoint == Endpoint::kChat ? ParseChatRequest(body, req.body) : ParseCompletionRequest(body);
  Job job = MakeJob(ctx, r);

  ResponderSetup setup;
  setup.endpoint = endpoint;
  setup.meta = NewResponseMeta(endpoint, ctx.model.id);
  setup.stream = r.stream;
  setup.include_usage = r.stream && r.include_usage;
  setup.logprobs = r.top_logprobs >= 0;
  if (r.echo) {
    setup.echo = r.prompt_is_tokens ? ctx.model.tokenizer->Decode(r.prompt_tokens) : r.prompt_text;
  }
  if (job.prompt_logprobs) setup.n_prompt_logprobs = job.prompt.size();
  if (endpoint == Endpoint::kChat && !r.tools.tools.empty() &&
      r.tools.choice != ToolChoice::kNone) {
    setup.tools.enabled = true;
    setup.tools.family = ctx.model.tool_family;
    setup.tools.parallel = r.tools.parallel;
    for (const auto& t : r.tools.tools) {
      setup.tools.names.push_back(t["function"]["name"].get<std::string>());
    }
  }

  std::shared_ptr<Task> task = ctx.scheduler.Submit(std::move(job));
  if (!task) {
    throw ApiError(503,
                   fmt::format("the server is busy: {} requests are waiting for {} slots; retry "
                               "later",
                               ctx.scheduler.max_queue(), ctx.scheduler.n_slots()),
                   "server_error", "", "server_busy");
  }
  ctx.metrics.CountRequest(200);
  auto responder = std::make_shared<Responder>(*ctx.model.tokenizer, task, std::move(setup));
  const auto provider = [responder](size_t, httplib::DataSink& sink) {
    const Writer write = [&sink](std::string_view bytes) {
      return sink.write(bytes.data(), bytes.size());
    };
    // Nothing may escape into the library's thread: a failure here ends this response only.
    try {
      if (!responder->Pump(write, kKeepAlive)) return false;
    } catch (const std::exception&) {
      return false;
    }
    if (responder->done()) sink.done();
    return true;
  };
  // Called when the response ends, written or not: a client gone early frees its slot.
  const auto release = [task](bool) { task->Cancel(); };
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(r.stream ? "text/event-stream" : "application/json", provider,
                                   release);
}

}  // namespace densing::server
