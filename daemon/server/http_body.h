// Request bodies as HTTP clients send them: identity or gzip
// (`Content-Encoding: gzip`, the OpenLineage transports' `compression: gzip`
// option), decoded under one size limit.
//
// Thread-compatible: pure functions.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aigov::server {

// Decodes `body` sent with the Content-Encoding header `encoding` (empty
// when absent). The decoded size is held to `limit` as it inflates, so a
// small compressed body cannot expand past it. Returns:
//   kUnimplemented      an encoding other than identity or gzip (HTTP 415);
//   kResourceExhausted  the decoded body would exceed `limit` (HTTP 413);
//   kInvalidArgument    the body is not valid gzip, or is truncated (HTTP 400).
absl::StatusOr<std::string> DecodeBody(absl::string_view encoding,
                                       std::string body, size_t limit);

// Gzip of `data` (for tests and fuzzers that build compressed bodies).
std::string GzipForTest(absl::string_view data);

}  // namespace aigov::server
