#include "daemon/server/http_server.h"

#include <exception>
#include <utility>
#include <vector>

#include "CivetServer.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/json.h"
#include "daemon/common/logging.h"
#include "daemon/config/config_loader.h"
#include "daemon/server/http_body.h"

namespace aigov::server {
namespace {

// Sends a whole response; `extra_header` ("Name", "value") when not null.
void Send(mg_connection* conn, int status, const char* content_type,
          const std::string& body,
          const std::pair<const char*, const char*>* extra_header = nullptr) {
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", content_type, -1);
  if (extra_header != nullptr) {
    mg_response_header_add(conn, extra_header->first, extra_header->second, -1);
  }
  mg_response_header_add(conn, "Content-Length",
                         std::to_string(body.size()).c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  mg_response_header_send(conn);
  mg_write(conn, body.data(), body.size());
}

// A handler that no exception escapes: civetweb calls handlers from C, and
// an exception crossing it terminates aigovd. Whatever a handler throws is
// logged and answered 500, and the worker goes on serving.
class SafeHandler : public CivetHandler {
 public:
  bool handleGet(CivetServer*, mg_connection* conn) final {
    return Guard(conn, [&] { return Get(conn); });
  }
  bool handlePost(CivetServer*, mg_connection* conn) final {
    return Guard(conn, [&] { return Post(conn); });
  }

 protected:
  // Each returns false for a method the path does not serve.
  virtual bool Get(mg_connection*) { return false; }
  virtual bool Post(mg_connection*) { return false; }

 private:
  template <typename F>
  static bool Guard(mg_connection* conn, F&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      common::Log(common::LogLevel::kError, "HTTP handler failed",
                  {{"error", common::EscapeForMessage(e.what())}});
    } catch (...) {
      common::Log(common::LogLevel::kError, "HTTP handler failed",
                  {{"error", "unknown exception"}});
    }
    Send(conn, 500, "application/json",
         "{\"error\":\"internal error; see aigovd's log\"}\n");
    return true;
  }
};

class MetricsHandler : public SafeHandler {
 public:
  explicit MetricsHandler(const HttpHandlers& h) : h_(h) {}
  bool Get(mg_connection* conn) override {
    Send(conn, 200, "text/plain; version=0.0.4; charset=utf-8",
         h_.render_metrics());
    return true;
  }

 private:
  const HttpHandlers& h_;
};

void SendError(
    mg_connection* conn, int status, absl::string_view message,
    const std::pair<const char*, const char*>* extra_header = nullptr) {
  common::Json body;
  body["error"] = std::string(message);
  Send(conn, status, "application/json", common::DumpJson(body) + "\n",
       extra_header);
}

// POST /api/v1/lineage and /api/v1/lineage/batch.
class LineageHandler : public SafeHandler {
 public:
  LineageHandler(const HttpHandlers& h, bool batch) : h_(h), batch_(batch) {}
  bool Post(mg_connection* conn) override {
    const mg_request_info* info = mg_get_request_info(conn);
    const long long length = info == nullptr ? -1 : info->content_length;
    if (length > static_cast<long long>(kMaxHttpBodyBytes)) {
      SendError(conn, 413, TooLarge());
      return true;
    }
    // Read into the heap: a worker thread has about 100 KiB of stack.
    std::string body;
    std::string chunk(64 << 10, '\0');
    for (;;) {
      const int n = mg_read(conn, chunk.data(), chunk.size());
      if (n <= 0) break;
      body.append(chunk.data(), static_cast<size_t>(n));
      if (body.size() > kMaxHttpBodyBytes) {
        SendError(conn, 413, TooLarge());
        return true;
      }
    }
    const char* encoding = mg_get_header(conn, "Content-Encoding");
    auto decoded = DecodeBody(encoding == nullptr ? "" : encoding,
                              std::move(body), kMaxHttpBodyBytes);
    if (!decoded.ok()) {
      const absl::StatusCode code = decoded.status().code();
      if (code == absl::StatusCode::kUnimplemented) {
        const std::pair<const char*, const char*> accept{"Accept-Encoding",
                                                         "gzip, identity"};
        SendError(conn, 415, decoded.status().message(), &accept);
        return true;
      }
      SendError(conn, code == absl::StatusCode::kResourceExhausted ? 413 : 400,
                decoded.status().message());
      return true;
    }
    const auto [status, json] = h_.post_lineage(*decoded, batch_);
    Send(conn, status, "application/json", json);
    return true;
  }
  bool Get(mg_connection* conn) override {
    Send(conn, 405, "application/json",
         "{\"error\":\"POST OpenLineage events (JSON) here\"}\n");
    return true;
  }

 private:
  static std::string TooLarge() {
    return absl::StrCat("body larger than ", kMaxHttpBodyBytes,
                        " bytes; split it into several requests");
  }

  const HttpHandlers& h_;
  const bool batch_;
};

// GET /compliance... and /journal/entries/...: the web view. Read-only.
class WebHandler : public SafeHandler {
 public:
  explicit WebHandler(const HttpHandlers& h) : h_(h) {}
  bool Get(mg_connection* conn) override {
    const mg_request_info* info = mg_get_request_info(conn);
    const std::string path =
        info != nullptr && info->local_uri != nullptr ? info->local_uri : "";
    if (!h_.web) {
      Send(conn, 404, "text/plain; charset=utf-8", "not found\n");
      return true;
    }
    const reports::WebPage page = h_.web(path);
    Send(conn, page.status, page.content_type.c_str(), page.body);
    return true;
  }

 private:
  const HttpHandlers& h_;
};

class HealthHandler : public SafeHandler {
 public:
  bool Get(mg_connection* conn) override {
    Send(conn, 200, "text/plain; charset=utf-8", "ok\n");
    return true;
  }
};

class ReadyHandler : public SafeHandler {
 public:
  explicit ReadyHandler(const HttpHandlers& h) : h_(h) {}
  bool Get(mg_connection* conn) override {
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

class LandingHandler : public SafeHandler {
 public:
  explicit LandingHandler(const HttpHandlers& h) : h_(h) {}
  bool Get(mg_connection* conn) override {
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
             "<li><a href=\"/compliance\">/compliance</a> AI systems, their "
             "obligations and compliance reports</li>"
             "<li><a href=\"/runbooks\">/runbooks</a> what to do when an "
             "alert fires</li>"
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
        lineage_batch_(handlers_, true),
        web_(handlers_) {}

  HttpHandlers handlers_;
  MetricsHandler metrics_;
  HealthHandler health_;
  ReadyHandler ready_;
  LandingHandler landing_;
  LineageHandler lineage_;
  LineageHandler lineage_batch_;
  WebHandler web_;
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
  impl->server_->addHandler("/compliance", impl->web_);
  impl->server_->addHandler("/journal/entries/", impl->web_);
  impl->server_->addHandler("/runbooks", impl->web_);
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
