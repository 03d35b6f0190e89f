// OpenLineage RunEvent JSON (spec 2-0-2, https://openlineage.io/spec/2-0-2/
// OpenLineage.json) → RunEvent records, for POST /api/v1/lineage.
//
// Required: eventTime (RFC 3339), producer, schemaURL, run.runId (a UUID),
// job.namespace, job.name. eventType is optional (absent means OTHER). Each
// input and output needs namespace and name; its dataset id is
// "namespace/name" and its version the `version` facet's datasetVersion, or
// "unversioned". A dataset facet `aigov_modelVersion` {"modelId",
// "version"} makes an input or output a model version instead. The event's
// JSON, facets included, is kept in RunEvent.openlineage_json.
//
// Every error is kInvalidArgument naming the JSON path of the problem
// ("$.run.runId: required"; "$[2].job.name: ..." in a batch).
//
// Thread-compatible: pure functions.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "aigov/v1/records.pb.h"

namespace aigov::ingest {

// Version given to datasets whose event carries no version facet.
inline constexpr char kUnversioned[] = "unversioned";

// One event parsed, with the idempotency key derived from its content (the
// same event posted twice is journalled once).
struct ParsedRunEvent {
  std::string event_id;
  aigov::v1::RunEvent run;
};

// Parses one RunEvent object (`batch` false) or a JSON array of them.
// `now` is aigovd's clock, for the far-future check of eventTime.
absl::StatusOr<std::vector<ParsedRunEvent>> ParseOpenLineage(
    absl::string_view body, bool batch, absl::Time now);

}  // namespace aigov::ingest
