// Loading and validation of aigovd's configuration (aigov.v1.DaemonConfig).
//
// Precedence: command-line flags > the YAML file > DefaultConfig(). The
// result is validated once at startup and then passed around as const&.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "aigov/v1/config.pb.h"

namespace aigov::config {

// Returns "aigov/<hostname>", the default journal origin.
std::string DefaultOrigin();

// Returns the built-in defaults: data in ./var/aigov, gRPC on
// 127.0.0.1:7420, HTTP on 127.0.0.1:7421, 4 MiB messages.
aigov::v1::DaemonConfig DefaultConfig();

// Parses a YAML config document. `source` names it in errors, which read
// "<source>:<line>: <key path>: <reason>". Returns kInvalidArgument.
absl::StatusOr<aigov::v1::DaemonConfig> ParseConfigYaml(
    absl::string_view yaml, absl::string_view source);

// Reads and parses the YAML file at `path`. Returns kNotFound when it cannot
// be read, kInvalidArgument when it is malformed.
absl::StatusOr<aigov::v1::DaemonConfig> LoadConfigFile(const std::string& path);

// Returns DefaultConfig() overlaid with `file`, then with `overrides`; only
// fields set in each layer replace earlier ones. Validates the result.
absl::StatusOr<aigov::v1::DaemonConfig> ResolveConfig(
    const aigov::v1::DaemonConfig& file,
    const aigov::v1::DaemonConfig& overrides);

// Checks ranges and forms (listen addresses are host:port, batch sizes and
// capacities positive, durations non-negative, a known log level). Returns
// kInvalidArgument naming the key path.
absl::Status ValidateConfig(const aigov::v1::DaemonConfig& config);

// Splits "host:port" (IPv6 as "[::1]:port"); false when malformed.
bool SplitHostPort(absl::string_view address, std::string* host, int* port);

}  // namespace aigov::config
