// densing serve: the OpenAI-compatible HTTP server (see docs/server.md).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <thread>

#include "base/error.h"
#include "commands.h"
#include "options.h"
#include "speculative_options.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/scheduler.h"
#include "server/served_model.h"

namespace densing::cli {
namespace {

struct Options {
  ModelOptions model;
  server::ServerOptions http;
  server::SchedulerOptions scheduler;
  std::string api_key;
  std::string api_key_file;
  std::string alias;
  SpeculativeOptions speculative;
};

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// The draft model of --draft-model (the scheduler checks it against the target) and the
// speculation settings, into the scheduler's options.
Draft LoadDraft(const SpeculativeOptions& s, server::SchedulerOptions& o) {
  o.speculative.draft_max = s.draft_max;
  o.speculative.draft_min = s.draft_min;
  o.speculative.draft_p_min = s.draft_p_min;
  o.speculative.lookup = s.lookup;
  Draft d;
  if (s.draft_model.empty()) return d;
  if (s.lookup > 0) Fail("--lookup and --draft-model cannot be used together");
  d.model = Model::Load(s.draft_model);
  d.tokenizer = Tokenizer::FromGguf(d.model->file());
  o.draft_model = d.model.get();
  o.draft_tokenizer = d.tokenizer.get();
  return d;
}

void Serve(Options o) {
  if (!o.api_key.empty()) o.http.api_keys.push_back(o.api_key);
  if (!o.api_key_file.empty()) {
    for (std::string& k : server::ReadApiKeyFile(o.api_key_file)) o.http.api_keys.push_back(k);
  }
  o.scheduler.n_ctx = o.model.n_ctx;
  o.scheduler.n_batch = o.model.n_batch;
  o.scheduler.n_threads = o.model.threads;
  o.scheduler.kv_types = o.model.kv_types();

  // SIGINT and SIGTERM go to one waiting thread only: every thread started below inherits the
  // mask, and the waiter stops the server outside of any signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto model = server::ServedModel::Load(o.model.path, o.alias);
  const Draft draft = LoadDraft(o.speculative, o.scheduler);
  server::Scheduler scheduler(*model->model, *model->tokenizer, o.scheduler);
  server::HttpServer http(*model, scheduler, o.http);
  const int port = http.Bind();
  scheduler.Start();
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    scheduler.Stop();  // requests in flight end now, so the HTTP threads are free to stop
    http.Stop();
  });
  if (!IsLoopback(o.http.host) && o.http.api_keys.empty()) {
    std::fprintf(stderr, "densing serve: warning: listening on %s without an API key\n",
                 o.http.host.c_str());
  }
  std::fprintf(
      stderr, "densing serve: listening on http://%s:%d (model '%s', %d slots of %lld tokens%s)\n",
      o.http.host.c_str(), port, model->id.c_str(), scheduler.n_slots(),
      static_cast<long long>(scheduler.n_ctx()), model->chatml_fallback ? ", ChatML template" : "");
  std::fflush(stderr);
  http.Listen();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if Listen ended by itself
  waiter.join();
  scheduler.Stop();
  std::fprintf(stderr, "densing serve: stopped\n");
}

void AddServeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Serve a model over an OpenAI-compatible HTTP API");
  auto o = std::make_shared<Options>();
  AddModelOptions(cmd, o->model, /*cached_default=*/true);
  cmd->add_option("--host", o->http.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", o->http.port, "Port (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--parallel", o->scheduler.n_slots,
                  "Requests decoded together, each in its own slot of -c tokens")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--queue", o->scheduler.max_queue,
                  "Requests that may wait for a slot; more are answered 503")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_option("--api-key", o->api_key, "API key clients must send as a Bearer token");
  cmd->add_option("--api-key-file", o->api_key_file, "File of API keys, one per line")
      ->check(CLI::ExistingFile);
  cmd->add_option("-a,--alias", o->alias, "Model name clients use (default: the file name)");
  cmd->add_flag("--metrics", o->http.metrics, "Serve Prometheus metrics at /metrics");
  cmd->add_flag("!--no-context-shift", o->scheduler.context_shift,
                "A full slot finishes with \"length\" instead of shifting its context");
  cmd->add_option("--max-body", o->http.max_body_bytes, "Largest request body in bytes")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30))
      ->capture_default_str();
  cmd->add_option("--threads-http", o->http.n_http_threads, "HTTP threads (0: 1024, or slots + queue + 8 if more)")
      ->check(CLI::Range(0, 100000));
  AddSpeculativeOptions(cmd, o->speculative);
  cmd->callback([o] {
    UseDefaultModel(o->model);
    Serve(*o);
  });
}

DENSING_COMMAND(90, AddServeCommand);

}  // namespace
}  // namespace densing::cli
