// The compliance view: what the engine knows of each AI system (a
// rules::SystemRecord folded from the journal) and the findings it has
// journalled, in the column family "compliance"; and the deriver that
// journals each change of a finding's status as a ComplianceFinding entry
// (DESIGN.md "Compliance engine").
//
// Live: for every committed entry that touches a system (directly, or
// through its model versions, datasets, incidents, breaches and requests),
// Derive folds the entry, and what the derivers before it derived from it
// (a drift ALERT, a PerformanceBreach), into the system's record, evaluates
// the catalog at the entry's recorded_at, and derives one ComplianceFinding
// per obligation whose status, deadline or reason changed. Telemetry that
// cannot change a finding (a performance sample or drift evaluation of a
// version sampled within compliance.metric_freshness, with no change of its
// alert state) is folded without evaluation unless the system is due; such a
// performance sample changes its version's monitoring alone, without
// loading the system's record. At a tick, DeriveAt re-evaluates the systems
// whose next due instant (a deadline, an at-risk threshold, an application
// date) has passed, so deadlines pass without any entry. Findings are sequenced
// in the same group and batch as what caused them: "what did aigov conclude on
// date D" is a replay of the journal.
//
// Keys: 's' system_id -> SystemRecord; 'v' model \0 version -> system_id;
// 'd' dataset \0 version -> DatasetUsers; 'x' tag id -> system_id for
// incidents ('i'), breaches ('b') and requests ('q'); 'h' system \0
// big-endian sequence -> StoredFinding for every finding journalled (the
// history GetStatus replays for past instants); 'm' system \0 model \0
// version -> VersionMonitoring (kept out of the SystemRecord stored under
// 's', which telemetry would otherwise rewrite at every sample). Apply folds
// entries with the same code Derive uses, so --rebuild_views rebuilds the
// family from the journal (the due instants are then recomputed at the next
// tick).
//
// Thread-safety: Projection and Deriver methods run on the sequencer thread;
// Record and Systems read committed state from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "aigov/internal/v1/compliance_view.pb.h"
#include "daemon/journal/deriver.h"
#include "daemon/journal/projection.h"
#include "daemon/rules/catalog.h"
#include "daemon/rules/evaluate.h"

namespace aigov::compliance {

inline constexpr char kComplianceFamily[] = "compliance";

class ComplianceView final : public journal::Projection,
                             public journal::Deriver {
 public:
  // `catalog` and `regime` (one of the catalog's) must outlive the view.
  ComplianceView(const rules::Catalog& catalog, const rules::Regime& regime,
                 rules::Settings settings);
  ~ComplianceView() override;

  // 4: VersionMonitoring keeps the newest sample of each metric.
  // 5: records keep Art. 50(2) marking samples.
  // 6: records count oversight actions by type and keep the lifecycle
  // stage's fact.
  // 7: stored findings keep their reason (a changed reason is journalled).
  uint32_t version() const override { return 7; }
  std::string column_family() const override { return kComplianceFamily; }
  absl::Status Attach(rocksdb::DB* db,
                      rocksdb::ColumnFamilyHandle* family) override;
  void GroupWritten() override;
  void EndGroup() override;
  absl::Status Apply(absl::Span<const journal::SequencedEntry> entries,
                     rocksdb::ColumnFamilyHandle* family,
                     rocksdb::WriteBatch* batch) override;

  absl::Status Derive(const aigov::v1::JournalEntry& entry, uint64_t sequence,
                      std::vector<aigov::v1::JournalEntry>* derived) override;
  absl::Status DeriveAt(absl::Time now, uint64_t next_sequence,
                        std::vector<aigov::v1::JournalEntry>* derived) override;

  const rules::Catalog& catalog() const { return catalog_; }
  const rules::Regime& regime() const { return regime_; }
  const rules::Settings& settings() const { return settings_; }

  // The committed record of a system, or nullopt when no entry names it.
  absl::StatusOr<std::optional<aigov::internal::v1::SystemRecord>> Record(
      const std::string& system_id) const;
  // The findings journalled for the system with evaluated_at at or before
  // `at`, the last per obligation (what aigov had concluded by then), in
  // obligation id order. Scans the system's whole history (a wall clock
  // that stepped back may put a later evaluation before an earlier one).
  absl::StatusOr<std::vector<aigov::internal::v1::StoredFinding>> FindingsAt(
      const std::string& system_id, absl::Time at) const;
  // The ids of the systems with a record, in order, from `start` (exclusive
  // when non-empty), at most `limit`.
  absl::StatusOr<std::vector<std::string>> Systems(const std::string& start,
                                                   size_t limit) const;

  // The event_id of the finding derived for `obligation` of `system` from
  // the entry at `source` (or, with `tick`, at the tick at `source` unix
  // nanoseconds).
  static std::string FindingEventId(const std::string& system,
                                    const std::string& obligation,
                                    uint64_t source, bool tick);

 private:
  class Store;
  class Folder;
  using RecordCache =
      absl::flat_hash_map<std::string,
                          std::unique_ptr<aigov::internal::v1::SystemRecord>>;

  using RouteCache = absl::flat_hash_map<std::string, std::string>;
  using TelemetryCache =
      absl::flat_hash_map<std::string, aigov::internal::v1::VersionMonitoring>;
  // Committed records kept parsed between groups, at most this many.
  static constexpr size_t kMaxCachedRecords = 64;
  // Committed model version -> system routes kept, at most this many.
  static constexpr size_t kMaxCachedRoutes = 1 << 16;
  // Committed versions' monitoring kept, at most this many.
  static constexpr size_t kMaxCachedTelemetry = 1 << 16;

  // Evaluates `record` (held by `fold`'s store) at `at` and appends a
  // finding for each obligation whose status, deadline or reason differs from
  // the one journalled, folding each through `fold`; `next_sequence` is where
  // the first will be sequenced.
  absl::Status Conclude(Folder* fold, aigov::internal::v1::SystemRecord* record,
                        absl::Time at, uint64_t source, bool tick,
                        uint64_t next_sequence,
                        std::vector<aigov::v1::JournalEntry>* derived);

  // Folds a performance sample that cannot change a finding without the
  // system's record: its version was sampled within metric_freshness, the
  // system is not due, the group does not hold the record and no deriver
  // before this one derived anything from it. Only the version's
  // monitoring changes (written under its 'm' key). False (nothing done)
  // otherwise.
  absl::StatusOr<bool> QuietSample(const aigov::v1::JournalEntry& entry,
                                   uint64_t sequence);

  const rules::Catalog& catalog_;
  const rules::Regime& regime_;
  const rules::Settings settings_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* family_ = nullptr;
  // The group's state as Derive sees it (committed state plus what the
  // group folded so far); dropped at EndGroup.
  std::unique_ptr<Store> group_;
  // The records last written, parsed (sequencer thread only): a group
  // takes a record out while it changes it and hands it back once written
  // (GroupWritten), so a failed group leaves none of its changes here.
  RecordCache cache_;
  // The model version -> system routes read from the family (sequencer
  // thread only); a route written by a group is dropped from it.
  RouteCache routes_;
  // The monitoring ('m' keys) last read or written, by key (sequencer
  // thread only): the quiet path reads a version's monitoring without its
  // system's record. Handed back at GroupWritten like the records.
  TelemetryCache telemetry_;
  // Apply's store when it folded the entries again; the store Apply
  // flushed. Both live until EndGroup.
  std::unique_ptr<Store> rebuilt_;
  Store* flushed_ = nullptr;
  // When each system must next be evaluated with no new entry
  // (InfinitePast: at the next tick). Sequencer thread only.
  absl::flat_hash_map<std::string, absl::Time> due_;
};

}  // namespace aigov::compliance
