// Documents for `aigovctl apply`: the proto records in YAML or JSON, with a
// `kind` key naming the record and an optional `event_id` beside it, several
// per file (YAML `---` separators, or a JSON/YAML top-level list).
//
// Thread-compatible: pure functions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace aigov::cli {

struct Document {
  std::string kind;      // e.g. "ModelVersion"
  std::string event_id;  // as written, or derived from the content
  bool event_id_derived = false;
  int line = 0;  // 1-based line where the document starts
  std::unique_ptr<google::protobuf::Message> message;
};

// Kinds `apply` understands, in the order they are listed in errors.
std::vector<std::string> SupportedKinds();

// Parses every document of `text`; `source` names the file in errors.
// Returns kInvalidArgument "<source>:<line>: <path>: <reason>" for the first
// malformed document (an unknown kind, an unknown field, a wrong type).
absl::StatusOr<std::vector<Document>> ParseDocuments(absl::string_view text,
                                                     absl::string_view source);

// Returns the event_id derived from a document's content:
// "sha256-" + hex SHA-256 of kind, a newline and the message's
// deterministic serialization. Applying the same content twice yields the
// same id, so the second apply changes nothing.
std::string DeriveEventId(absl::string_view kind,
                          const google::protobuf::Message& message);

}  // namespace aigov::cli
