// OpenLineage event JSON (spec 2-0-2, https://openlineage.io/spec/2-0-2/
// OpenLineage.json) → records, for POST /api/v1/lineage. The three event
// types are told apart as the spec's schemas do: an object with `run` is a
// RunEvent (→ RunEvent), one with `job` and no `run` a JobEvent (→
// LineageDeclaration JOB), one with `dataset` a DatasetEvent (→
// LineageDeclaration DATASET).
//
// Every event requires eventTime (RFC 3339), producer and schemaURL.
// RunEvent: run.runId (a UUID), job.namespace, job.name; eventType is
// optional (absent means OTHER). JobEvent: job.namespace, job.name, optional
// inputs and outputs, and no eventType. DatasetEvent: dataset.namespace and
// dataset.name. Each dataset needs namespace and name; its dataset id is
// "namespace/name" (or "namespace" + name when the name starts with '/') and
// its version the `version` facet's datasetVersion, or "unversioned". A
// dataset facet `aigov_modelVersion` {"modelId", "version"} makes it a model
// version instead. The event's JSON, facets included, is kept in the
// record's openlineage_json.
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
// same event posted twice is journalled once). A RunEvent fills `run`; a
// JobEvent or DatasetEvent fills `declaration` (its type is then set).
struct ParsedEvent {
  std::string event_id;
  aigov::v1::RunEvent run;
  aigov::v1::LineageDeclaration declaration;

  bool is_declaration() const {
    return declaration.type() !=
           aigov::v1::LINEAGE_DECLARATION_TYPE_UNSPECIFIED;
  }
};

// Parses one event object (`batch` false) or a JSON array of them.
// `now` is aigovd's clock, for the far-future check of eventTime.
absl::StatusOr<std::vector<ParsedEvent>> ParseOpenLineage(
    absl::string_view body, bool batch, absl::Time now);

}  // namespace aigov::ingest
