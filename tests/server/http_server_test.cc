// The HTTP layer in process: every bad input answers 4xx with OpenAI's error body and leaves the
// server serving; API keys, the body limit, the full queue, a client that hangs up, metrics.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "served_server.h"

namespace densing::server {
namespace {

using nlohmann::json;

// Checks an error answer: status and OpenAI's error shape; returns the error object.
json ExpectError(const httplib::Result& r, int status) {
  EXPECT_TRUE(r) << "no response";
  if (!r) return {};
  EXPECT_EQ(r->status, status) << r->body;
  const json body = json::parse(r->body, nullptr, false);
  EXPECT_TRUE(body.is_object() && body.contains("error")) << r->body;
  if (!body.is_object() || !body.contains("error")) return {};
  const json& e = body["error"];
  for (const char* key : {"message", "type", "param", "code"}) {
    EXPECT_TRUE(e.contains(key)) << key << " missing in " << r->body;
  }
  EXPECT_TRUE(e["message"].is_string() && !e["message"].get<std::string>().empty());
  return e;
}

TEST(HttpServer, BadInputsAre400AndTheServerKeepsServing) {
  DENSING_REQUIRE_SHARED();
  Served s;
  auto c = s.Client();
  const std::string long_prompt(2000, 'x');
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"/v1/chat/completions", "{", ""},
      {"/v1/chat/completions", "[]", ""},
      {"/v1/chat/completions", "", ""},
      {"/v1/chat/completions", R"({"messages": "hi"})", "messages"},
      {"/v1/chat/completions", R"({})", "messages"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user"}]})", "messages[0].content"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "n": 3})", "n"},
      {"/v1/chat/completions",
       R"({"messages": [{"role": "user", "content": "x"}], "model": "gpt-4o"})", "model"},
      {"/v1/chat/completions",
       R"({"messages": [{"role": "user", "content": "x"}], "n_keep": -2})", "n_keep"},
      {"/v1/chat/completions",
       R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 99999999999})",
       "max_tokens"},
      {"/v1/chat/completions",
       R"({"messages": [{"role": "user", "content": "x"}], "temperature": null, "top_p": "a"})",
       "top_p"},
      {"/v1/completions", R"({"prompt": ")" + long_prompt + R"("})", "prompt"},
      {"/v1/completions", R"({"prompt": [1, 2, 100000]})", "prompt"},
      {"/v1/completions", R"({"prompt": []})", "prompt"},
      {"/v1/completions", R"({"prompt": "x", "logprobs": "yes"})", "logprobs"},
      {"/v1/completions", R"({"prompt": "x", "max_tokens": -3})", "max_tokens"},
      {"/v1/completions", "{\"prompt\": \"\xff\xfe\"}", ""},
  };
  for (const auto& [path, body, param] : cases) {
    const json e = ExpectError(c.Post(path, body, "application/json"), 400);
    if (e.is_null()) continue;
    EXPECT_EQ(e["type"], "invalid_request_error") << body;
    EXPECT_EQ(e["param"], param.empty() ? json(nullptr) : json(param)) << body;
  }
  EXPECT_EQ(ExpectError(c.Post("/v1/completions", R"({"prompt": ")" + long_prompt + R"("})",
                               "application/json"),
                        400)["code"],
            "context_length_exceeded");
  // `curl -d` labels bodies as forms; past 8 KiB the library would refuse them as forms.
  EXPECT_EQ(
      ExpectError(c.Post("/v1/completions", R"({"prompt": ")" + std::string(10000, 'x') + R"("})",
                         "application/x-www-form-urlencoded"),
                  400)["code"],
      "context_length_exceeded");
  ExpectError(c.Get("/v1/nothing"), 404);
  ExpectError(c.Get("/v1/models/other"), 404);
  // Still serving.
  auto ok = c.Post("/v1/completions", R"({"prompt": "Once", "max_tokens": 3})", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(json::parse(ok->body)["usage"]["completion_tokens"], 3);
}

TEST(HttpServer, ApiKey) {
  DENSING_REQUIRE_SHARED();
  ServerOptions o;
  o.api_keys = {"sk-right"};
  Served s(o);
  const json e = ExpectError(s.Client().Get("/v1/models"), 401);
  EXPECT_EQ(e["code"], "invalid_api_key");
  ExpectError(s.Client("sk-wrong").Get("/v1/models"), 401);
  ExpectError(
      s.Client("sk-wrong").Post("/v1/completions", R"({"prompt": "x"})", "application/json"), 401);
  auto r = s.Client("sk-right").Get("/v1/models");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["data"][0]["id"], "stories260K");
  r = s.Client().Get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, BodyOverTheLimitIs413) {
  DENSING_REQUIRE_SHARED();
  ServerOptions o;
  o.max_body_bytes = 4096;
  Served s(o);
  const std::string body = R"({"prompt": ")" + std::string(10000, 'a') + R"("})";
  const json e = ExpectError(s.Client().Post("/v1/completions", body, "application/json"), 413);
  EXPECT_EQ(e["code"], "request_too_large");
}

TEST(HttpServer, FullQueueIs503WithRetryAfter) {
  DENSING_REQUIRE_SHARED();
  SchedulerOptions so = Served::Defaults();
  so.n_slots = 1;
  so.max_queue = 0;
  Served s({}, so, /*start=*/false);
  Job job;
  job.prompt = {1, 403};
  ASSERT_NE(s.scheduler.Submit(job), nullptr);  // takes the one place there is
  auto r = s.Client().Post("/v1/completions", R"({"prompt": "Once"})", "application/json");
  const json e = ExpectError(r, 503);
  EXPECT_EQ(e["code"], "server_busy");
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
}

// Sends a streaming request on a raw socket, reads its first bytes and hangs up.
void HangUpAfterFirstBytes(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // Left alone it would fill the 64k context: minutes of work, far past the test's window.
  const std::string body = R"({"prompt": "Once", "max_tokens": 60000, "ignore_eos": true, "stream": true})";
  const std::string req =
      "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  char buf[256];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)).substr(0, 12), "HTTP/1.1 200") << "the request was refused";
  ::close(fd);
}

TEST(HttpServer, ClientThatHangsUpFreesItsSlot) {
  DENSING_REQUIRE_SHARED();
  SchedulerOptions so = Served::Defaults();
  so.n_slots = 1;
  so.n_ctx = 65536;
  so.n_batch = 16;
  Served s({}, so);
  const int64_t before = s.scheduler.stats().generated_tokens;
  HangUpAfterFirstBytes(s.port);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (s.scheduler.stats().busy_slots > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(s.scheduler.stats().busy_slots, 0) << "the abandoned request still holds the only slot";
  EXPECT_LT(s.scheduler.stats().generated_tokens - before, 65536 / 4) << "it ran on after the hang-up";
  // The one slot serves the next request.
  auto c = s.Client();
  c.set_read_timeout(10, 0);
  auto r = c.Post("/v1/completions", R"({"prompt": "Once", "max_tokens": 2})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["usage"]["completion_tokens"], 2);
}

// Every open connection holds an HTTP thread, an idle one until the keep-alive timeout (5 s).
// With a thread per slot and queue place (74 here) three hundred idle connections made the next
// request wait for them in turn; there are threads enough for them now.
TEST(HttpServer, IdleConnectionsDoNotDelayOthers) {
  DENSING_REQUIRE_SHARED();
  Served s;
  std::vector<int> idle;
  for (int i = 0; i < 300; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(s.port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    idle.push_back(fd);
  }
  auto c = s.Client();
  // Waiting for the idle ones in turn took 20 s (four rounds of 74 threads × 5 s); 12 s leaves
  // room for a slow machine (qemu) without letting that through.
  c.set_read_timeout(12, 0);
  auto r = c.Get("/health");
  EXPECT_TRUE(r && r->status == 200) << "no answer while 300 connections are idle";
  for (int fd : idle) ::close(fd);
}

TEST(HttpServer, StreamAndMetrics) {
  DENSING_REQUIRE_SHARED();
  ServerOptions o;
  o.metrics = true;
  Served s(o);
  auto c = s.Client();
  auto r = c.Post("/v1/chat/completions",
                  R"({"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4,
                      "stream": true, "stream_options": {"include_usage": true}})",
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  const std::string& b = r->body;
  ASSERT_GE(b.size(), 14u);
  EXPECT_EQ(b.substr(b.size() - 14), "data: [DONE]\n\n");
  EXPECT_NE(b.find("\"usage\":{\"completion_tokens\":4"), std::string::npos) << b;
  c.Post("/v1/completions", "{", "application/json");
  r = c.Get("/metrics");
  ASSERT_TRUE(r);
  for (const char* want :
       {"densing_requests_total{status=\"200\"} 1", "densing_requests_total{status=\"400\"} 1",
        "densing_generated_tokens_total 4", "densing_busy_slots 0", "densing_queue_length 0",
        "densing_generated_tokens_per_second"}) {
    EXPECT_NE(r->body.find(want), std::string::npos) << want << "\n" << r->body;
  }
}

// By default a request may ask for more tokens than its slot's context holds: the slot shifts.
// With context shifting off that request is a 400, and an unbounded one stops at the context.
TEST(HttpServer, AFullContextShiftsUnlessTurnedOff) {
  DENSING_REQUIRE_SHARED();
  const std::string body =
      R"({"prompt": "Once upon a time", "max_tokens": 300, "ignore_eos": true, "temperature": 0})";
  {
    ServerOptions o;
    o.metrics = true;
    Served s(o);
    auto c = s.Client();
    auto r = c.Post("/v1/completions", body, "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const json j = json::parse(r->body);
    EXPECT_EQ(j["usage"]["completion_tokens"], 300);
    EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
    r = c.Get("/metrics");
    ASSERT_TRUE(r);
    // 128 positions, then (128 - 1) / 2 = 63 dropped per shift: 5 + 300 - 128 = 177 more need 3.
    EXPECT_NE(r->body.find("densing_context_shifts_total 3\n"), std::string::npos) << r->body;
    EXPECT_NE(r->body.find("densing_context_shifted_tokens_total 189\n"), std::string::npos);
  }
  SchedulerOptions so = Served::Defaults();
  so.context_shift = false;
  Served s(ServerOptions{}, so);
  auto c = s.Client();
  const json e = ExpectError(c.Post("/v1/completions", body, "application/json"), 400);
  EXPECT_EQ(e["code"], "context_length_exceeded");
  EXPECT_EQ(e["param"], "max_tokens");
  auto r = c.Post("/v1/chat/completions",
                  R"({"messages": [{"role": "user", "content": "Hi"}], "ignore_eos": true})",
                  "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json j = json::parse(r->body);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["prompt_tokens"].get<int>() + j["usage"]["completion_tokens"].get<int>(), 129);
}

}  // namespace
}  // namespace densing::server
