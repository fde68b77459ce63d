// The two generation routes: POST /v1/chat/completions and POST /v1/completions. Everything a
// request can get wrong is found here, before it reaches the scheduler.
#pragma once

#include <httplib.h>

#include "server/metrics.h"
#include "server/request.h"
#include "server/scheduler.h"
#include "server/served_model.h"

namespace densing::server {

struct RouteContext {
  const ServedModel& model;
  Scheduler& scheduler;
  Metrics& metrics;
};

// The job a parsed request asks for, its prompt checked against the model and the context
// (400 naming the field otherwise).
Job MakeJob(const RouteContext& ctx, const GenerationRequest& r);

// Answers with a stream or a body fed from the scheduler; throws ApiError for bad input and a
// 503 when the queue is full.
void HandleGeneration(const RouteContext& ctx, Endpoint endpoint, const httplib::Request& req,
                      httplib::Response& res);

}  // namespace densing::server
