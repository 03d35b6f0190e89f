// The registry view: the current state of every AI system, model version,
// dataset version, deployment, evidence document and governance record
// (oversight action, incident, breach, data-subject request, notification),
// projected from the journal into the column family "registry" (DESIGN.md
// "one journal, many projections").
//
// Keys: one tag byte, the id, and for versioned records '\0' and the
// version ('\0' never occurs in a valid id). Values: RegistryRecord bytes
// (deterministic), holding the record as last journalled (personal-data
// fields sealed, as in the journal) and the sequence numbers it was built
// from. A model version, oversight action or incident naming a system never
// registered creates an "unregistered" AiSystem record (shadow AI); a run
// naming a dataset version never registered creates an "unregistered"
// DatasetVersion record marked declared_by_lineage. Registering the record
// later replaces it.
//
// Thread-safety: Check, Admitted, Apply and EndGroup run on the sequencer
// thread only; Get, List and CountUnregistered may run on any thread (they
// read committed state through RocksDB).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "aigov/v1/registry_service.pb.h"
#include "daemon/journal/projection.h"

namespace aigov::registry {

inline constexpr char kRegistryFamily[] = "registry";

// Returns the key of a record; `version` is ignored for unversioned kinds.
// kInvalidArgument for a kind the registry does not hold.
absl::StatusOr<std::string> RecordKey(aigov::v1::EventKind kind,
                                      absl::string_view id,
                                      absl::string_view version);

class RegistryProjection final : public journal::Projection {
 public:
  // 1: the layout described above.
  uint32_t version() const override { return 1; }
  std::string column_family() const override { return kRegistryFamily; }
  absl::Status Attach(rocksdb::DB* db,
                      rocksdb::ColumnFamilyHandle* family) override;
  absl::Status Check(const aigov::v1::JournalEntry& entry) override;
  void Admitted(const aigov::v1::JournalEntry& entry) override;
  void EndGroup() override;
  absl::Status Apply(absl::Span<const journal::SequencedEntry> entries,
                     rocksdb::ColumnFamilyHandle* family,
                     rocksdb::WriteBatch* batch) override;

  // The record under `key` (see RecordKey), or std::nullopt.
  absl::StatusOr<std::optional<aigov::v1::RegistryRecord>> Get(
      const std::string& key) const;

  struct ListPage {
    std::vector<aigov::v1::RegistryRecord> records;
    std::string next_key;  // empty when there are no more
  };
  // Records of `kind` in key order from `start_key` (empty: the first),
  // restricted to the versions of `id` when it is not empty, at most
  // `page_size` of them.
  absl::StatusOr<ListPage> List(aigov::v1::EventKind kind, absl::string_view id,
                                bool unregistered_only,
                                const std::string& start_key,
                                size_t page_size) const;

  // Number of AI systems named by records but never registered.
  absl::StatusOr<uint64_t> CountUnregistered() const;

  // The registered system `system_id` as it will be once the entries
  // admitted earlier in this group are written; std::nullopt when never
  // registered. For admission rules (journal/admission_rule.h): sequencer
  // thread only.
  absl::StatusOr<std::optional<aigov::v1::AiSystem>> SystemOf(
      const std::string& system_id) const;

  // The registered model version as it will be once the entries admitted
  // earlier in this group are written (personal-data fields sealed);
  // std::nullopt when never registered. Sequencer thread only, as SystemOf.
  absl::StatusOr<std::optional<aigov::v1::ModelVersion>> ModelVersionOf(
      const std::string& model_id, const std::string& version) const;
  // The deployment's current state as it will be once this group's
  // admitted entries are written; std::nullopt when never registered.
  // Sequencer thread only, as SystemOf.
  absl::StatusOr<std::optional<aigov::v1::Deployment>> DeploymentOf(
      const std::string& deployment_id) const;

 private:
  // True when `key` is stored or was admitted earlier in this group.
  absl::StatusOr<bool> Known(const std::string& key) const;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* family_ = nullptr;
  // Keys of records admitted in the current group (sequencer thread only).
  absl::flat_hash_set<std::string> group_keys_;
  // AI systems admitted in the current group (sequencer thread only).
  absl::flat_hash_map<std::string, aigov::v1::AiSystem> group_systems_;
  // Model versions admitted in the current group, by key.
  absl::flat_hash_map<std::string, aigov::v1::ModelVersion> group_models_;
  // Deployments admitted in the current group, by deployment_id.
  absl::flat_hash_map<std::string, aigov::v1::Deployment> group_deployments_;
};

}  // namespace aigov::registry
