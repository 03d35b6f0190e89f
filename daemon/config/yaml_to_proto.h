// Fills a protobuf message from a yaml-cpp node tree by walking the node
// against the message's descriptor (protobuf reflection), rather than by
// converting to JSON, so that every error carries the key path and the line,
// and a scalar such as `version: 1.10` stays the text written where the field
// is a string.
//
// Accepted forms: messages as mappings keyed by proto field names
// (snake_case); repeated fields as sequences; maps as mappings; enums by full
// value name or by the name without the enum's prefix, in any case
// (`CHANGE_CLASS_RETRAIN`, `retrain`); google.protobuf.Timestamp as RFC 3339
// text; google.protobuf.Duration as `1.5s`, `250ms`, `2m`, `1h`; a null value
// leaves the field unset.
//
// Thread-compatible: a pure function of its inputs.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "yaml-cpp/yaml.h"

namespace aigov::config {

struct YamlToProtoOptions {
  // Top-level keys skipped instead of rejected (e.g. `kind`, `event_id` in
  // aigovctl documents).
  std::vector<std::string> ignored_top_level_keys;
};

// Merges `node` into `*message`. `source` names the document in errors.
// Returns kInvalidArgument "<source>:<line>: <key path>: <reason>" on the
// first unknown key, wrong type or out-of-range value; `*message` may then be
// partly filled and should be discarded.
absl::Status YamlToProto(const YAML::Node& node, absl::string_view source,
                         google::protobuf::Message* message,
                         const YamlToProtoOptions& options = {});

// Parses YAML text (one document) and merges it into `*message`. YAML syntax
// errors are kInvalidArgument "<source>:<line>: invalid YAML: <reason>".
absl::Status YamlTextToProto(absl::string_view yaml, absl::string_view source,
                             google::protobuf::Message* message,
                             const YamlToProtoOptions& options = {});

}  // namespace aigov::config
