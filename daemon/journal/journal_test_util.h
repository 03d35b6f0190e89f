// Helpers shared by the journal's unit tests.
#pragma once

#include <string>

#include "aigov/v1/journal.pb.h"
#include "daemon/journal/rocksdb_journal.h"

namespace aigov::journal {

// Returns a pending ModelVersion event.
inline PendingEvent ModelEvent(const std::string& event_id,
                               const std::string& model_id,
                               const std::string& version) {
  PendingEvent e;
  e.entry.set_event_id(event_id);
  e.entry.set_principal("test");
  auto* mv = e.entry.mutable_model_version();
  mv->set_model_id(model_id);
  mv->set_version(version);
  mv->set_system_id("sys");
  mv->set_artifact_sha256(std::string(64, 'a'));
  return e;
}

}  // namespace aigov::journal
