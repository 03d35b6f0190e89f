// The gRPC listener: the aigov services, grpc.health.v1 and server
// reflection on one port.
//
// Thread-safe. Services passed to Start() must outlive the server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"

namespace aigov::server {

class GrpcServer {
 public:
  // Binds `listen` (host:port; port 0 picks a free port) and starts serving.
  // Requests larger than `max_message_bytes` get RESOURCE_EXHAUSTED.
  // Returns kUnavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const std::string& listen, int max_message_bytes,
      const std::vector<grpc::Service*>& services);

  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;
  ~GrpcServer();

  // The bound port.
  int port() const { return port_; }

  // Sets grpc.health.v1 status for the whole server ("").
  void SetServing(bool serving);

  // Stops accepting calls, waits up to `timeout` for in-flight calls, then
  // cancels the rest. Idempotent.
  void Shutdown(absl::Duration timeout);

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, int port)
      : server_(std::move(server)), port_(port) {}

  std::unique_ptr<grpc::Server> server_;
  int port_;
  bool shut_down_ = false;
};

}  // namespace aigov::server
