// The drift view: reference profiles, open windows and the drift state of
// every monitored model version, projected from the journal into the column
// family "drift", and the deriver that closes windows and journals their
// evaluations (DESIGN.md "Drift and performance"; docs/ARCHITECTURE.md
// "Drift monitoring").
//
// A window of a model version closes, in event time, when a report of a
// window starting at or after its end plus the allowed lateness arrives
// (Derive), or when a tick's time passes its end plus the allowed lateness
// (DeriveAt). Either way it is evaluated once, on the sequencer thread:
// every non-excluded feature of the reference is scored from the merged
// counts (monitoring/drift_stats.h), stepped through the state machine
// (monitoring/drift_state.h) from the state the previous evaluation left,
// and the result is journalled as a DriftEvaluation (principal "aigovd",
// derived_from: the reference, the window's reports and, when a report
// closed it, that report). Windows of one model version close in window
// order. The state this view holds is a fold of the journalled entries
// (Apply), so --rebuild_views rebuilds it byte for byte.
//
// A report for a window that starts before the end of the last evaluated
// window is late: journalled, counted (ModelDrift.late_reports), and not
// merged: an evaluation, once journalled, is never redone.
//
// A performance sample breaching its declared metric (the model version's
// declared_metrics of the same name and slice) in `breach_windows`
// consecutive windows (the reference's window length, 1 h without one)
// derives one PerformanceBreach per run of breaching windows.
//
// Keys: a tag byte, then model_id '\0' version ('\0' never occurs in an id):
//   'r' -> StoredReference     'm' -> ModelDrift     'l' -> LastEvaluation
//   'w' ... '\0' start -> OpenWindow
//   'e' ... '\0' start -> the evaluation's sequence (8 bytes, big-endian)
// where start is a window start in unix seconds, big-endian with the sign
// bit flipped so keys sort in time order.
//
// Thread-safety: the Projection and Deriver methods run on the sequencer
// thread only; the read methods may run on any thread (committed state,
// through RocksDB).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "aigov/internal/v1/drift_view.pb.h"
#include "daemon/journal/deriver.h"
#include "daemon/journal/projection.h"
#include "daemon/monitoring/drift_state.h"
#include "daemon/registry/registry_projection.h"

namespace aigov::drift {

inline constexpr char kDriftFamily[] = "drift";

struct DriftOptions {
  // How long after a window's end its reports may still arrive before it
  // closes (monitoring.allowed_lateness).
  absl::Duration allowed_lateness = absl::Minutes(5);
  // The thresholds where neither the profile nor the feature overrides.
  monitoring::DriftThresholds defaults;
  // Consecutive breaching windows that make a PerformanceBreach.
  uint32_t breach_windows = 2;
};

// `base` with what `over` sets (config -> profile -> feature).
monitoring::DriftThresholds WithOverrides(
    monitoring::DriftThresholds base, const aigov::v1::DriftThresholds& over);

// Checks the pairs of resolved thresholds (psi_alert >= psi_warn,
// alert_min_samples >= min_samples): each side may come from a different
// level, so a valid override can still resolve to an inverted pair.
// INVALID_ARGUMENT names `path` (the level that set the thresholds) and the
// resolved values.
absl::Status CheckResolved(const monitoring::DriftThresholds& t,
                           absl::string_view path);

// The window length of a profile (1 h when unset).
absl::Duration WindowOf(const aigov::v1::ReferenceProfile& profile);

// The event_id of the evaluation of a model version's window.
std::string EvaluationEventId(const std::string& model_id,
                              const std::string& version, int64_t window_start);

// A state as the API names it.
aigov::v1::DriftState ToProto(monitoring::DriftLevel level);

class DriftView final : public journal::Projection, public journal::Deriver {
 public:
  // `registry` tells which model versions are registered and what they
  // declare; it must outlive the view.
  DriftView(const registry::RegistryProjection& registry, DriftOptions options);
  ~DriftView() override;

  // 1: the layout described above.
  uint32_t version() const override { return 1; }
  std::string column_family() const override { return kDriftFamily; }
  absl::Status Attach(rocksdb::DB* db,
                      rocksdb::ColumnFamilyHandle* family) override;
  absl::Status Check(const aigov::v1::JournalEntry& entry) override;
  void EndGroup() override;
  absl::Status Apply(absl::Span<const journal::SequencedEntry> entries,
                     rocksdb::ColumnFamilyHandle* family,
                     rocksdb::WriteBatch* batch) override;

  absl::Status Derive(const aigov::v1::JournalEntry& entry, uint64_t sequence,
                      std::vector<aigov::v1::JournalEntry>* derived) override;
  absl::Status DeriveAt(absl::Time now, uint64_t next_sequence,
                        std::vector<aigov::v1::JournalEntry>* derived) override;

  // Committed state, from any thread.
  // True when the model version is registered (committed).
  absl::StatusOr<bool> Registered(const std::string& model_id,
                                  const std::string& version) const;
  absl::StatusOr<std::optional<aigov::internal::v1::StoredReference>> Reference(
      const std::string& model_id, const std::string& version) const;
  absl::StatusOr<aigov::internal::v1::ModelDrift> State(
      const std::string& model_id, const std::string& version) const;
  absl::StatusOr<std::optional<aigov::internal::v1::LastEvaluation>> Last(
      const std::string& model_id, const std::string& version) const;
  // Starts (unix seconds) of the windows not yet closed, in order.
  absl::StatusOr<std::vector<int64_t>> OpenWindows(
      const std::string& model_id, const std::string& version) const;
  // Sequences of the evaluations of windows starting at or after `from`,
  // in window order, at most `limit`; `next` is the start to resume from.
  struct EvaluationPage {
    std::vector<uint64_t> sequences;
    std::optional<int64_t> next;
  };
  absl::StatusOr<EvaluationPage> Evaluations(const std::string& model_id,
                                             const std::string& version,
                                             int64_t from, size_t limit) const;

 private:
  class Store;
  class Folder;

  const registry::RegistryProjection& registry_;
  const DriftOptions options_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* family_ = nullptr;
  // The group's state as admitted so far, over the committed state
  // (sequencer thread only; dropped at EndGroup).
  std::unique_ptr<Store> group_;
};

}  // namespace aigov::drift
