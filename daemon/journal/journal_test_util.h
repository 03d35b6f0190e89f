// Helpers shared by the journal's unit tests.
#pragma once

#include <string>
#include <vector>

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

// Returns a pending approval of `system` by one reviewer, verified by
// `verifiers` (Art. 14(5) asks two for Annex III 1(a) systems).
inline PendingEvent Approve(const std::string& id, const std::string& system,
                            std::vector<std::string> verifiers) {
  PendingEvent e;
  e.entry.set_event_id(id);
  auto* a = e.entry.mutable_oversight_action();
  a->set_action_id(id);
  a->set_system_id(system);
  a->set_action(aigov::v1::OVERSIGHT_ACTION_TYPE_APPROVE);
  a->add_reviewers()->set_id("officer@example.com");
  for (const auto& v : verifiers) a->add_verifiers()->set_id(v);
  return e;
}

}  // namespace aigov::journal
