// Bytes → ParseOpenLineage (single event and batch): the body of POST
// /api/v1/lineage. Must never crash, throw or recurse without bound; a parsed
// event (RunEvent, JobEvent or DatasetEvent) must serialize and pass its
// validator (ParseOpenLineage checks it; a failure there is a parser bug
// reported as a status).
#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"

#include "daemon/ingest/openlineage.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view body(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  const bool batch = (data[0] & 1) != 0;
  // A fixed clock: runs are reproducible.
  const absl::Time now = absl::FromUnixSeconds(1795000000);
  auto events = aigov::ingest::ParseOpenLineage(body, batch, now);
  if (events.ok()) {
    for (const auto& e : *events) {
      if (e.event_id.empty()) __builtin_trap();
    }
  }
  return 0;
}
