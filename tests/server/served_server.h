// A scheduler and an HTTP server on a free loopback port around stories260K, for one test.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "server/http_server.h"
#include "server/served_model.h"
#include "testing/shared_dir.h"

namespace densing::server {

inline const ServedModel& Stories() {
  static const auto* model =
      ServedModel::Load(testing::SharedDir() + "/models/stories260K.gguf", "").release();
  return *model;
}

class Served {
 public:
  explicit Served(ServerOptions o = {}, SchedulerOptions so = Defaults(), bool start = true)
      : scheduler(*Stories().model, *Stories().tokenizer, so) {
    o.port = 0;
    http = std::make_unique<HttpServer>(Stories(), scheduler, o);
    port = http->Bind();
    if (start) scheduler.Start();
    thread = std::thread([this] {
      http->Listen();
      stopped.set_value();
    });
  }
  ~Served() {
    scheduler.Stop();
    // Listen may not have started yet; Stop until it has returned.
    while (true) {
      http->Stop();
      if (done.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready) break;
    }
    thread.join();
  }
  static SchedulerOptions Defaults() {
    SchedulerOptions so;
    so.n_slots = 2;
    so.n_ctx = 128;
    so.n_batch = 32;
    so.n_threads = 2;
    return so;
  }
  httplib::Client Client(const std::string& key = "") const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(20, 0);
    if (!key.empty()) c.set_bearer_token_auth(key.c_str());
    return c;
  }
  // POSTs a JSON body and checks the status; the answer's JSON (discarded when it is not).
  nlohmann::json Post(const std::string& path, const nlohmann::json& body, int status = 200) const {
    httplib::Client c = Client();
    c.set_read_timeout(60, 0);
    auto r = c.Post(path, body.dump(), "application/json");
    EXPECT_TRUE(r) << "no response";
    if (!r) return {};
    EXPECT_EQ(r->status, status) << r->body;
    return nlohmann::json::parse(r->body, nullptr, false);
  }

  Scheduler scheduler;
  std::unique_ptr<HttpServer> http;
  int port = 0;
  std::thread thread;
  std::promise<void> stopped;
  std::future<void> done = stopped.get_future();
};

}  // namespace densing::server
