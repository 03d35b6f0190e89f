// POST /api/v1/lineage and /api/v1/lineage/batch: OpenLineage events
// (ingest/openlineage.h) journalled as run events (RunEvent) or lineage
// declarations (JobEvent, DatasetEvent): the HTTP transport of the ingest
// pipeline (ingest/pipeline.h).
//
// A request is parsed whole first: a malformed event, or one missing a
// required field, is answered 400 with the JSON path and nothing of the
// request is queued. Each event is then sequenced; the answer (201) comes
// only once every event of the request is durable. Datasets the events name
// and nobody registered become "declared by lineage" records in the
// sequencer (RegistryProjection).
//
// Thread-safe: Post blocks its (civetweb worker) thread until the journal
// answers. The pipeline and clock must outlive the endpoint.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

#include "daemon/common/clock.h"
#include "daemon/ingest/pipeline.h"

namespace aigov::server {

struct HttpReply {
  int status;
  std::string json;
};

class OpenLineageEndpoint {
 public:
  OpenLineageEndpoint(ingest::Pipeline& pipeline, const common::Clock& clock)
      : pipeline_(pipeline), clock_(clock) {}

  // Handles one POST body: a RunEvent object, or a JSON array of them when
  // `batch`. 201 {"sequences": [...]} when stored; 400 {"error", "path"}
  // when malformed; 503 when aigovd is shutting down or its queue is full,
  // 500 when the journal write failed.
  HttpReply Post(absl::string_view body, bool batch);

 private:
  ingest::Pipeline& pipeline_;
  const common::Clock& clock_;
};

}  // namespace aigov::server
