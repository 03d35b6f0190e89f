// What the compliance engine knows of one AI system
// (aigov.internal.v1.SystemRecord): the facts of its record that
// obligations are evaluated on, folded from journal entries. Pure: the
// caller (the compliance view) routes each entry to the systems it touches
// and stores the records; Fold is the same code live and on rebuild, so a
// rebuilt record equals the live one. Personal-data fields are never copied
// in (people keep their roles, documents lose their signer). Thread-safe
// (no state).
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

#include "aigov/internal/v1/compliance_view.pb.h"
#include "aigov/v1/journal.pb.h"

namespace aigov::rules {

absl::Time TimeOf(const google::protobuf::Timestamp& t);
google::protobuf::Timestamp TimestampOf(absl::Time t);

// "model@version".
std::string VersionKey(const std::string& model_id, const std::string& version);

// What an entry names that routes it to systems: the systems it names
// directly, and the model versions, datasets and governance records through
// which the caller finds the others.
struct Routes {
  std::vector<std::string> systems;
  std::vector<aigov::v1::ModelVersionRef> model_versions;
  std::vector<aigov::v1::DatasetRef> datasets;
  std::string incident_id;
  std::string breach_id;
  std::string request_id;
};
Routes RoutesOf(const aigov::v1::JournalEntry& entry);

// True when the entry's kind can change a system's record (everything but
// window reports, drift scores, runs, lineage declarations, reference
// profiles and erasures).
bool Folds(const aigov::v1::JournalEntry& entry);

// Folds `entry` (sequenced at `sequence`, recorded at its recorded_at) into
// `record`, the record of a system the entry touches.
void Fold(const aigov::v1::JournalEntry& entry, uint64_t sequence,
          aigov::internal::v1::SystemRecord* record);

// What Fold does with a performance sample `e` (sequenced at `sequence`):
// it changes its version's monitoring `m` alone.
void FoldSample(const aigov::v1::JournalEntry& e, uint64_t sequence,
                aigov::internal::v1::VersionMonitoring* m);

// The newest marking sample (by sampled_at) of `deployment_id` among those
// recorded by `at`; nullptr when none. Points into `record`.
const aigov::internal::v1::MarkingFact* NewestMarking(
    const aigov::internal::v1::SystemRecord& record,
    const std::string& deployment_id, absl::Time at);

// Puts (or replaces) a dataset version the system's model versions use.
void FoldDataset(const aigov::v1::DatasetVersion& dataset,
                 const aigov::internal::v1::Fact& fact,
                 aigov::internal::v1::SystemRecord* record);

}  // namespace aigov::rules
