// What every aigovctl command shares when talking to aigovd: the channel,
// the deadline, how an RPC error is described, and JSON output.
//
// Thread-compatible: free functions.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace aigov::cli {

inline constexpr int kRpcTimeoutSeconds = 30;

// "CODE: message", with a hint when aigovd is unreachable.
inline std::string Describe(const grpc::Status& s, const std::string& target) {
  // gRPC and abseil share the google.rpc.Code numbering.
  std::string out = absl::StrCat(
      absl::StatusCodeToString(static_cast<absl::StatusCode>(s.error_code())),
      ": ", s.error_message());
  const std::string& m = s.error_message();
  if (m.find("Failed parsing HTTP/2") != std::string::npos ||
      m.find("http1.x") != std::string::npos ||
      m.find("HTTP/1") != std::string::npos) {
    // An HTTP/1 server answered: most likely aigovd's HTTP port.
    absl::StrAppend(&out, " (", target,
                    " answers HTTP/1, as aigovd's HTTP port (/metrics, "
                    "--http_listen, 127.0.0.1:7421 by default) does; aigovctl "
                    "talks to its gRPC port: --target 127.0.0.1:7420, or "
                    "--grpc_listen's)");
  } else if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
             s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    absl::StrAppend(&out, " (is aigovd running at ", target,
                    "? set --target or AIGOV_TARGET)");
  }
  return out;
}

// A plaintext channel to aigovd that accepts replies up to 64 MiB (a
// journal page is at most 3 MiB; the headroom is for single large entries).
inline std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

inline void SetDeadline(grpc::ClientContext* ctx) {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(kRpcTimeoutSeconds));
}

// A client context with the deadline set.
inline std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  SetDeadline(ctx.get());
  return ctx;
}

// Splits "ID@VERSION" at its last '@'; false when either side is empty.
inline bool SplitVersioned(const std::string& in, std::string* id,
                           std::string* version) {
  const size_t at = in.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == in.size()) return false;
  *id = in.substr(0, at);
  *version = in.substr(at + 1);
  return true;
}

// --model ID@VERSION split into `id` and `version`; false after printing
// the error.
inline bool SplitModelFlag(const std::string& in, std::string* id,
                           std::string* version) {
  if (SplitVersioned(in, id, version)) return true;
  std::fprintf(stderr,
               "error: --model: expected ID@VERSION (e.g. "
               "credit-scoring@2.0), got \"%s\"\n",
               in.c_str());
  return false;
}

// JSON with proto field names (snake_case), as documents are written.
inline std::string ToJson(const google::protobuf::Message& m,
                          bool pretty = false) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = pretty;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  if (pretty && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace aigov::cli
