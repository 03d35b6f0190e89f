// The daemon's one HTTP server (civetweb): /metrics (Prometheus text
// exposition), /healthz (the process answers), /readyz (200 once ready, 503
// while starting or draining), the OpenLineage endpoint (POST
// /api/v1/lineage and /api/v1/lineage/batch), the compliance web view
// (GET /compliance..., /journal/entries/N; reports/web.h) and a landing
// page at /.
//
// Thread-safe; handlers run on civetweb's worker threads. The callbacks
// given to Start() must stay valid until Stop() returns.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"

#include "daemon/reports/web.h"

class CivetServer;

namespace aigov::server {

struct HttpHandlers {
  // Returns the text exposition of all metrics.
  std::function<std::string()> render_metrics;
  // True when the daemon is ready to take traffic.
  std::function<bool()> ready;
  // Shown on the landing page.
  std::string version;
  // Handles an OpenLineage POST body (a batch when `batch`): HTTP status
  // and JSON reply.
  std::function<std::pair<int, std::string>(const std::string& body,
                                            bool batch)>
      post_lineage;
  // The web view's page at a URL-decoded path (GET /compliance...,
  // /journal/entries/...); unset: those paths answer 404.
  std::function<reports::WebPage(const std::string& path)> web;
};

// Largest request body accepted (413 beyond).
inline constexpr size_t kMaxHttpBodyBytes = 16 << 20;

class HttpServer {
 public:
  // Binds `listen` (host:port; port 0 picks a free port) and starts serving.
  // Returns kUnavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& listen, HttpHandlers handlers);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  int port() const { return port_; }

  // Stops accepting and waits for handlers to finish. Idempotent.
  void Stop();

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl, int port);

  std::unique_ptr<Impl> impl_;
  int port_;
};

}  // namespace aigov::server
