// The daemon's Prometheus metrics, built once (Envoy's stats struct) and
// handed to each component as the sub-struct it needs.
//
// Names follow Prometheus conventions (aigov_ prefix, base units, _total on
// counters); labels take values from small fixed sets only. Series without
// a kind label are created at startup so that they export 0 before they
// move; per-kind series appear with the first event of their kind, so that
// /metrics lists only the kinds this daemon has seen (of 30, most
// deployments send a handful).
//
// Thread-safe: prometheus-cpp metrics are atomic; the structs only hold
// references created in Create() and are immutable afterwards, except the
// per-namespace run gauges, added under a mutex.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

#include "daemon/kinds/kinds.h"

namespace aigov::metrics {

// Outcome of one write request, the `result` label of
// aigov_ingest_events_total.
enum class IngestResult {
  kAccepted = 0,  // a new entry was journalled
  kDuplicate,     // same event_id and payload: nothing written
  kInvalid,       // INVALID_ARGUMENT
  kConflict,      // ALREADY_EXISTS: event_id reused with another payload
  kRejected,      // RESOURCE_EXHAUSTED or UNAVAILABLE: not queued
  kFailed,        // the journal write failed
  kPrecondition,  // FAILED_PRECONDITION: names a record that does not exist
};
inline constexpr size_t kIngestResultCount = 7;

class IngestMetrics {
 public:
  explicit IngestMetrics(prometheus::Registry& registry);
  // Counts one request of `kind` (its `kind` label is the kind's label,
  // daemon/kinds/kinds.h) and, unless it was invalid, observes its latency.
  void Record(const kinds::Kind& kind, IngestResult result, double seconds);

 private:
  prometheus::Family<prometheus::Counter>* events_family_;
  // By kind index * kIngestResultCount + result; null until first counted.
  std::unique_ptr<std::atomic<prometheus::Counter*>[]> events_;
  prometheus::Histogram* duration_;
};

class JournalMetrics {
 public:
  explicit JournalMetrics(prometheus::Registry& registry);
  // Records one group write.
  void RecordGroup(size_t events, uint64_t tree_size, double seconds, bool ok);
  void SetTreeSize(uint64_t tree_size);
  // The latest signed checkpoint: its tree size and when it was signed.
  void SetCheckpoint(uint64_t tree_size, absl::Time signed_at);
  // Counts one sequenced entry of `kind` in aigov_journal_entries_total,
  // `derived` by aigovd (a drift evaluation, a finding) or written by a
  // request. UNSPECIFIED is ignored.
  void RecordEntry(aigov::v1::EventKind kind, bool derived);

 private:
  prometheus::Family<prometheus::Counter>* entries_family_;
  // By kind index * 2 + derived; null until first counted.
  std::unique_ptr<std::atomic<prometheus::Counter*>[]> entries_;
  prometheus::Gauge* tree_size_;
  prometheus::Gauge* checkpoint_size_;
  prometheus::Gauge* checkpoint_time_;
  prometheus::Histogram* append_duration_;
  prometheus::Histogram* group_events_;
  prometheus::Counter* group_failures_;
};

struct BuildInfo {
  std::string version;
  std::string revision;
};

class DaemonMetrics {
 public:
  // Returns kInternal if prometheus-cpp rejects a definition (it throws).
  static absl::StatusOr<std::unique_ptr<DaemonMetrics>> Create(
      const BuildInfo& build);

  DaemonMetrics(const DaemonMetrics&) = delete;
  DaemonMetrics& operator=(const DaemonMetrics&) = delete;

  IngestMetrics& ingest() { return *ingest_; }
  JournalMetrics& journal() { return *journal_; }
  prometheus::Registry& registry() { return *registry_; }

  // Sets aigov_unregistered_systems: AI systems named by records but never
  // registered (shadow AI).
  void SetUnregisteredSystems(uint64_t count);

  // Sets aigov_lineage_runs_open{job_namespace}: runs not finished. Job
  // namespaces come from producers, so series are bounded: the first
  // kMaxJobNamespaceSeries namespaces seen keep their own series; runs of any
  // other are counted under job_namespace="_other", and how many namespaces
  // are folded there is aigov_lineage_job_namespaces_folded.
  void SetUnfinishedRuns(const std::map<std::string, uint64_t>& by_namespace);

  // Most job_namespace series aigov_lineage_runs_open keeps (plus "_other").
  static constexpr size_t kMaxJobNamespaceSeries = 100;
  static constexpr char kOtherJobNamespace[] = "_other";

  // Counts one scrape's state collection (daemon/scrape): how long it
  // took and how many series the feature cap left out, or that it failed
  // (the scrape then carries the daemon's own families only).
  void RecordCollection(uint64_t series_dropped, double seconds);
  void RecordCollectionFailure();

  // Returns the Prometheus text exposition (format 0.0.4) of every metric
  // of the registry, followed by `state` (families written at scrape time,
  // none of them in the registry).
  std::string Render(absl::string_view state = {}) const;

 private:
  explicit DaemonMetrics(const BuildInfo& build);

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<IngestMetrics> ingest_;
  std::unique_ptr<JournalMetrics> journal_;
  prometheus::Gauge* unregistered_systems_;
  prometheus::Family<prometheus::Gauge>* runs_open_;
  prometheus::Gauge* runs_open_other_;
  prometheus::Gauge* namespaces_folded_;
  prometheus::Counter* series_dropped_;
  prometheus::Counter* collection_failures_;
  prometheus::Gauge* collection_duration_;
  absl::Mutex runs_open_mu_;
  std::map<std::string, prometheus::Gauge*> runs_open_by_namespace_
      ABSL_GUARDED_BY(runs_open_mu_);
};

}  // namespace aigov::metrics
