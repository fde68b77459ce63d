// HttpServer: the OpenAI-compatible routes over cpp-httplib — auth, body limit, error bodies,
// models, health and metrics — in front of the scheduler.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "server/metrics.h"
#include "server/scheduler.h"
#include "server/served_model.h"

namespace httplib {
class Server;
}

namespace densing::server {

// Connections served at once by default (each holds a thread; idle ones for up to 5 s).
inline constexpr size_t kMinHttpThreads = 1024;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                    // 0: any free port
  std::vector<std::string> api_keys;  // empty: no key needed
  bool metrics = false;               // serve GET /metrics
  size_t max_body_bytes = size_t{8} << 20;
  int n_http_threads = 0;  // 0: kMinHttpThreads, or every slot and queue place if that is more
};

class HttpServer {
 public:
  // `model` and `scheduler` must outlive the server.
  HttpServer(const ServedModel& model, Scheduler& scheduler, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the socket; returns the port (the chosen one for port 0). Throws Error naming the
  // address when it cannot.
  int Bind();
  // Serves until Stop(); call after Bind.
  void Listen();
  // From any thread.
  void Stop();

  Metrics& metrics() { return metrics_; }

 private:
  void Routes();

  const ServedModel& model_;
  Scheduler& scheduler_;
  ServerOptions options_;
  Metrics metrics_;
  std::unique_ptr<httplib::Server> http_;
  int listen_fd_ = -1;  // the listening socket, once bound
};

}  // namespace densing::server
