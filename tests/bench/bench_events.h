// Events shared by the journal benchmarks.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/common/sha256.h"
#include "daemon/journal/rocksdb_journal.h"

namespace aigov::journal {

// A ModelVersion event of roughly 300 bytes once sequenced, with a
// random-looking event id (as clients send: UUIDs, content hashes), spread
// over 100 models.
inline PendingEvent BenchEvent(uint64_t i) {
  PendingEvent e;
  e.entry.set_event_id(
      common::HexEncode(common::Sha256("bench-" + std::to_string(i)))
          .substr(0, 32));
  e.entry.set_principal("anonymous");
  auto* mv = e.entry.mutable_model_version();
  mv->set_model_id("model-" + std::to_string(i % 100));
  mv->set_version("1." + std::to_string(i));
  mv->set_system_id("loans");
  mv->set_artifact_sha256(common::HexEncode(common::Sha256(std::to_string(i))));
  mv->set_code_ref(
      "git+https://example.invalid/"
      "models.git@4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  (*mv->mutable_hyperparameters())["learning_rate"] = "0.05";
  mv->set_training_run_id("run-" + std::to_string(i));
  return e;
}

}  // namespace aigov::journal
