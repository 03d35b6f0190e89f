#include "daemon/server/http_server.h"

#include <exception>
#include <vector>

#include "CivetServer.h"
#include "absl/strings/str_cat.h"

#include "daemon/config/config_loader.h"

namespace aigov::server {
namespace {

void Send(mg_connection* conn, int status, const char* content_type,
          const std::string& body) {
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", content_type, -1);
  mg_response_header_add(conn, "Content-Length",
                         std::to_string(body.size()).c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  mg_response_header_send(conn);
  mg_write(conn, body.data(), body.size());
}

class MetricsHandler : public CivetHandler {
 public:
  explicit MetricsHandler(const HttpHandlers& h) : h_(h) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    Send(conn, 200, "text/plain; version=0.0.4; charset=utf-8",
         h_.render_metrics());
    return true;
  }

 private:
  const HttpHandlers& h_;
};

// POST /api/v1/lineage and /api/v1/lineage/batch.
class LineageHandler : public CivetHandler {
 public:
  LineageHandler(const HttpHandlers& h, bool batch) : h_(h), batch_(batch) {}
  bool handlePost(CivetServer*, mg_connection* conn) override {
    const mg_request_info* info = mg_get_request_info(conn);
    const long long length = info == nullptr ? -1 : info->content_length;
    if (length > static_cast<long long>(kMaxHttpBodyBytes)) {
      Send(conn, 413, "application/json",
           absl::StrCat("{\"error\":\"body larger than ", kMaxHttpBodyBytes,
                        " bytes; split it into several requests\"}\n"));
      return true;
    }
    std::string body;
    char buf[65536];
    for (;;) {
      const int n = mg_read(conn, buf, sizeof(buf));
      if (n <= 0) break;
      body.append(buf, static_cast<size_t>(n));
      if (body.size() > kMaxHttpBodyBytes) {
        Send(conn, 413, "application/json",
             absl::StrCat("{\"error\":\"body larger than ", kMaxHttpBodyBytes,
                          " bytes; split it into several requests\"}\n"));
        return true;
      }
    }
    const auto [status, json] = h_.post_lineage(body, batch_);
    Send(conn, status, "application/json", json);
    return true;
  }
  bool handleGet(CivetServer*, mg_connection* conn) override {
    Send(conn, 405, "application/json",
         "{\"error\":\"POST OpenLineage RunEvent JSON here\"}\n");
    return true;
  }

 private:
  const HttpHandlers& h_;
  const bool batch_;
};

class HealthHandler : public CivetHandler {
 public:
  bool handleGet(CivetServer*, mg_connection* conn) override {
    Send(conn, 200, "text/plain; charset=utf-8", "ok\n");
    return true;
  }
};

class ReadyHandler : public CivetHandler {
 public:
  explicit ReadyHandler(const HttpHandlers& h) : h_(h) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    if (h_.ready()) {
      Send(conn, 200, "text/plain; charset=utf-8", "ready\n");
    } else {
      Send(conn, 503, "text/plain; charset=utf-8", "not ready\n");
    }
    return true;
  }

 private:
  const HttpHandlers& h_;
};

class LandingHandler : public CivetHandler {
 public:
  explicit LandingHandler(const HttpHandlers& h) : h_(h) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    const mg_request_info* info = mg_get_request_info(conn);
    if (info != nullptr && info->local_uri != nullptr &&
        std::string(info->local_uri) != "/") {
      Send(conn, 404, "text/plain; charset=utf-8", "not found\n");
      return true;
    }
    Send(conn, 200, "text/html; charset=utf-8",
         absl::StrCat(
             "<!doctype html><html><head><title>aigovd</title></head><body>"
             "<h1>aigovd ",
             h_.version,
             "</h1><p>AI governance daemon: tamper-evident audit journal of "
             "models, data and drift.</p><ul>"
             "<li><a href=\"/metrics\">/metrics</a> Prometheus metrics</li>"
             "<li><a href=\"/healthz\">/healthz</a> liveness</li>"
             "<li><a href=\"/readyz\">/readyz</a> readiness</li>"
             "<li>POST /api/v1/lineage (/batch): OpenLineage RunEvents</li>"
             "</ul></body></html>\n"));
    return true;
  }

 private:
  const HttpHandlers& h_;
};

}  // namespace

class HttpServer::Impl {
 public:
  explicit Impl(HttpHandlers handlers)
      : handlers_(std::move(handlers)),
        metrics_(handlers_),
        ready_(handlers_),
        landing_(handlers_),
        lineage_(handlers_, false),
        lineage_batch_(handlers_, true) {}

  HttpHandlers handlers_;
  MetricsHandler metrics_;
  HealthHandler health_;
  ReadyHandler ready_;
  LandingHandler landing_;
  LineageHandler lineage_;
  LineageHandler lineage_batch_;
  std::unique_ptr<CivetServer> server_;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl, int port)
    : impl_(std::move(impl)), port_(port) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const std::string& listen, HttpHandlers handlers) {
  std::string host;
  int port = 0;
  if (!config::SplitHostPort(listen, &host, &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("http_listen: expected host:port, got \"", listen, "\""));
  }
  const std::string civet_port = host.find(':') != std::string::npos
                                     ? absl::StrCat("[", host, "]:", port)
                                     : absl::StrCat(host, ":", port);
  auto impl = std::make_unique<Impl>(std::move(handlers));
  const std::vector<std::string> options = {
      "listening_ports",    civet_port, "num_threads",       "4",
      "request_timeout_ms", "10000",    "enable_keep_alive", "no"};
  try {
    impl->server_ = std::make_unique<CivetServer>(options);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for HTTP on ", listen, " (", e.what(),
                     "); choose another with --http_listen"));
  }
  impl->server_->addHandler("/metrics", impl->metrics_);
  impl->server_->addHandler("/healthz", impl->health_);
  impl->server_->addHandler("/readyz", impl->ready_);
  impl->server_->addHandler("/api/v1/lineage$", impl->lineage_);
  impl->server_->addHandler("/api/v1/lineage/batch$", impl->lineage_batch_);
  impl->server_->addHandler("/", impl->landing_);
  const std::vector<int> ports = impl->server_->getListeningPorts();
  if (ports.empty() || ports.front() <= 0) {
    return absl::UnavailableError(
        absl::StrCat("HTTP server on ", listen, " reported no port"));
  }
  return std::unique_ptr<HttpServer>(
      new HttpServer(std::move(impl), ports.front()));
}

void HttpServer::Stop() {
  if (impl_ && impl_->server_) {
    impl_->server_->close();
    impl_->server_.reset();
  }
}

}  // namespace aigov::server
