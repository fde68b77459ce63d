// Routes and the rules every request goes through.
#include "server/http_server.h"

#include <httplib.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <functional>

#include "server/api_error.h"
#include "server/auth.h"
#include "server/generation_route.h"
#include "server/tokenizer_routes.h"

namespace densing::server {
namespace {

using nlohmann::json;

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(Dump(body), "application/json");
}

void SendError(httplib::Response& res, const ApiError& e) {
  if (e.status() == 503) res.set_header("Retry-After", "1");
  if (e.status() == 401) res.set_header("WWW-Authenticate", "Bearer");
  SendJson(res, e.status(), e.Body());
}

// Runs a route; whatever it throws becomes an OpenAI error body, never a dropped connection.
httplib::Server::Handler Guarded(
    Metrics& metrics, std::function<void(const httplib::Request&, httplib::Response&)> f) {
  return [&metrics, f = std::move(f)](const httplib::Request& req, httplib::Response& res) {
    try {
      f(req, res);
      return;
    } catch (const ApiError& e) {
      SendError(res, e);
    } catch (const Error& e) {
      SendError(res, ApiError(400, e.what(), "invalid_request_error", "", ""));
    } catch (const std::bad_alloc&) {
      SendError(res, ApiError(500, "out of memory", "server_error", "", ""));
    } catch (const std::exception& e) {
      SendError(res, ApiError(500, e.what(), "server_error", "", ""));
    }
    metrics.CountRequest(res.status);
  };
}

}  // namespace

HttpServer::HttpServer(const ServedModel& model, Scheduler& scheduler, ServerOptions options)
    : model_(model),
      scheduler_(scheduler),
      options_(std::move(options)),
      http_(std::make_unique<httplib::Server>()) {
  // A client that closes its socket must not kill the server through SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  size_t threads = static_cast<size_t>(options_.n_http_threads);
  // Each connection holds a thread while it is open, an idle one up to the keep-alive timeout:
  // with too few threads, a thousand idle connections delay every other client (and /health) by
  // a minute. Idle threads cost little memory.
  if (threads == 0) {
    threads = std::max<size_t>(kMinHttpThreads, scheduler.n_slots() + scheduler.max_queue() + 8);
  }
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_socket_options([this](int sock) {
    httplib::default_socket_options(sock);
    // Accepted connections inherit it (Linux): without it, a response written in two pieces
    // (headers, then body) waits for the client's delayed ACK, ~40 ms a request, which turned
    // lm-evaluation-harness's thousands of small /tokenize and scoring calls into minutes.
    const int one = 1;
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    listen_fd_ = sock;
  });
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_keep_alive_timeout(5);
  http_->set_read_timeout(30);
  http_->set_write_timeout(30);
  Routes();
}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::Bind() {
  const int port = options_.port == 0
                       ? http_->bind_to_any_port(options_.host)
                       : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port < 0) Fail("cannot listen on {}:{}", options_.host, options_.port);
  // The library listens with a backlog of 5: a burst of new connections overflows it and their
  // clients retry a second later. Let them wait in the kernel's queue instead.
  if (listen_fd_ >= 0) ::listen(listen_fd_, SOMAXCONN);
  return port;
}

void HttpServer::Listen() { http_->listen_after_bind(); }

void HttpServer::Stop() {
  if (http_->is_running()) http_->stop();
}

void HttpServer::Routes() {
  httplib::Server& h = *http_;
  const std::vector<std::string> keys = options_.api_keys;
  h.set_pre_routing_handler([this, keys](const httplib::Request& req, httplib::Response& res) {
    // Bodies are JSON whatever they say. `curl -d` says form-urlencoded, which the library would
    // parse as a form and refuse past 8 KiB; the request is not const where the library owns it.
    if (req.get_header_value("Content-Type") == "application/x-www-form-urlencoded") {
      auto& writable = const_cast<httplib::Request&>(req);
      writable.headers.erase("Content-Type");
      writable.set_header("Content-Type", "application/json");
    }
    if (keys.empty() || req.path == "/health") return httplib::Server::HandlerResponse::Unhandled;
    if (Authorized(keys, req.get_header_value("Authorization"))) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    SendError(res, ApiError(401, "invalid or missing API key (send 'Authorization: Bearer KEY')",
                            "invalid_request_error", "", "invalid_api_key"));
    metrics_.CountRequest(401);
    return httplib::Server::HandlerResponse::Handled;
  });
  // The library's own errors (unknown route, body too large) get an OpenAI body too.
  h.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      SendError(res, ApiError(413,
                              fmt::format("the request body is larger than {} bytes",
                                          options_.max_body_bytes),
                              "invalid_request_error", "", "request_too_large"));
    } else if (res.status == 404) {
      SendError(res, ApiError(404, fmt::format("no route for {} {}", req.method, req.path),
                              "invalid_request_error", "", "not_found"));
    } else {
      SendError(res, ApiError(res.status, "the request could not be read", "invalid_request_error",
                              "", ""));
    }
    metrics_.CountRequest(res.status);
  });

  const RouteContext ctx{model_, scheduler_, metrics_};
  const auto generation = [this, ctx](Endpoint endpoint) {
    return Guarded(metrics_, [ctx, endpoint](const httplib::Request& req, httplib::Response& res) {
      HandleGeneration(ctx, endpoint, req, res);
    });
  };
  for (const char* prefix : {"/v1", ""}) {
    const std::string p = prefix;
    h.Post(p + "/chat/completions", generation(Endpoint::kChat));
    h.Post(p + "/completions", generation(Endpoint::kCompletion));
    h.Get(p + "/models", Guarded(metrics_, [this](const httplib::Request&, httplib::Response& res) {
            const json model = {{"id", model_.id},
                                {"object", "model"},
                                {"created", model_.created},
                                {"owned_by", "densing"}};
            SendJson(res, 200, {{"object", "list"}, {"data", json::array({model})}});
            metrics_.CountRequest(200);
          }));
    h.Get(p + R"(/models/(.+))",
          Guarded(metrics_, [this](const httplib::Request& req, httplib::Response& res) {
            if (req.matches[1] != model_.id) {
              throw ApiError(404,
                             fmt::format("the model '{}' does not exist", req.matches[1].str()),
                             "invalid_request_error", "model", "model_not_found");
            }
            SendJson(res, 200,
                     {{"id", model_.id},
                      {"object", "model"},
                      {"created", model_.created},
                      {"owned_by", "densing"}});
            metrics_.CountRequest(200);
          }));
  }
  // vLLM's tokenizer routes, at the root as vLLM serves them (lm-evaluation-harness's remote
  // tokenizer strips /v1/completions from its base URL to find them).
  const auto tokenizer_route = [this](std::function<json(const httplib::Request&)> answer) {
    return Guarded(metrics_, [this, answer](const httplib::Request& req, httplib::Response& res) {
      SendJson(res, 200, answer(req));
      metrics_.CountRequest(200);
    });
  };
  h.Post("/tokenize", tokenizer_route([this](const httplib::Request& req) {
           return TokenizeResponse(model_, req.body, scheduler_.n_ctx());
         }));
  h.Post("/detokenize", tokenizer_route([this](const httplib::Request& req) {
           return DetokenizeResponse(model_, req.body);
         }));
  h.Get("/tokenizer_info", tokenizer_route([this](const httplib::Request&) {
          return TokenizerInfo(model_, scheduler_.n_ctx());
        }));
  h.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, {{"status", "ok"}});
  });
  if (options_.metrics) {
    h.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics_.Prometheus(scheduler_.stats(), scheduler_.n_slots()),
                      "text/plain; version=0.0.4");
    });
  }
}

}  // namespace densing::server
