#include "daemon/metrics/daemon_metrics.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "prometheus/text_serializer.h"

namespace aigov::metrics {
namespace {

constexpr std::array<const char*, kIngestResultCount> kResultNames = {
    "accepted", "duplicate", "invalid",     "conflict",
    "rejected", "failed",    "precondition"};
}  // namespace

namespace {

// The counter in `slot`, added to `family` with `labels` the first time
// (Family::Add is thread-safe and returns the same counter for the same
// labels, so two threads racing here store the same pointer).
prometheus::Counter& Lazy(std::atomic<prometheus::Counter*>& slot,
                          prometheus::Family<prometheus::Counter>& family,
                          const std::map<std::string, std::string>& labels) {
  prometheus::Counter* c = slot.load(std::memory_order_acquire);
  if (c == nullptr) {
    c = &family.Add(labels);
    slot.store(c, std::memory_order_release);
  }
  return *c;
}

std::unique_ptr<std::atomic<prometheus::Counter*>[]> Slots(size_t n) {
  auto slots = std::make_unique<std::atomic<prometheus::Counter*>[]>(n);
  for (size_t i = 0; i < n; ++i) slots[i].store(nullptr);
  return slots;
}

}  // namespace

IngestMetrics::IngestMetrics(prometheus::Registry& registry) {
  events_family_ = &prometheus::BuildCounter()
                        .Name("aigov_ingest_events_total")
                        .Help(
                            "Write requests by event kind and outcome "
                            "(a kind's series appear with its first "
                            "request).")
                        .Register(registry);
  events_ = Slots(kinds::All().size() * kIngestResultCount);
  duration_ = &prometheus::BuildHistogram()
                   .Name("aigov_ingest_duration_seconds")
                   .Help(
                       "Time from receiving a write request to answering "
                       "it, including the synced journal write.")
                   .Register(registry)
                   .Add({}, prometheus::Histogram::BucketBoundaries{
                                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
}

void IngestMetrics::Record(const kinds::Kind& kind, IngestResult result,
                           double seconds) {
  // A kind's first request creates all its results' series, so each rate
  // starts from 0 alongside the others.
  const size_t first = kind.index * kIngestResultCount;
  if (events_[first].load(std::memory_order_acquire) == nullptr) {
    for (size_t r = kIngestResultCount; r-- > 0;) {
      Lazy(events_[first + r], *events_family_,
           {{"kind", kind.label}, {"result", kResultNames[r]}});
    }
  }
  const size_t r = static_cast<size_t>(result);
  events_[first + r].load(std::memory_order_acquire)->Increment();
  if (result != IngestResult::kInvalid) duration_->Observe(seconds);
}

JournalMetrics::JournalMetrics(prometheus::Registry& registry) {
  entries_family_ =
      &prometheus::BuildCounter()
           .Name("aigov_journal_entries_total")
           .Help(
               "Entries sequenced into the journal, by kind and origin: "
               "\"request\" (written by a client) or \"derived\" (by "
               "aigovd: drift evaluations and state changes, findings, "
               "breaches); a kind's series appear with its first entry.")
           .Register(registry);
  entries_ = Slots(kinds::All().size() * 2);
  tree_size_ = &prometheus::BuildGauge()
                    .Name("aigov_journal_tree_size")
                    .Help("Entries in the audit journal (= Merkle tree size).")
                    .Register(registry)
                    .Add({});
  append_duration_ = &prometheus::BuildHistogram()
                          .Name("aigov_journal_append_duration_seconds")
                          .Help("Duration of one synced group write.")
                          .Register(registry)
                          .Add({}, prometheus::Histogram::BucketBoundaries{
                                       0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                       0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1});
  group_events_ =
      &prometheus::BuildHistogram()
           .Name("aigov_journal_group_events")
           .Help("Events per synced group write.")
           .Register(registry)
           .Add({}, prometheus::Histogram::BucketBoundaries{
                        1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024});
  checkpoint_size_ =
      &prometheus::BuildGauge()
           .Name("aigov_journal_checkpoint_tree_size")
           .Help(
               "Tree size of the latest signed checkpoint; entries beyond it "
               "(aigov_journal_tree_size minus this) await a signature.")
           .Register(registry)
           .Add({});
  checkpoint_time_ =
      &prometheus::BuildGauge()
           .Name("aigov_journal_checkpoint_timestamp_seconds")
           .Help(
               "When the latest checkpoint was signed (unix seconds; for a "
               "checkpoint signed before aigovd started, its start).")
           .Register(registry)
           .Add({});
  group_failures_ = &prometheus::BuildCounter()
                         .Name("aigov_journal_group_write_failures_total")
                         .Help(
                             "Group writes that failed; their events were "
                             "not acknowledged.")
                         .Register(registry)
                         .Add({});
}

void JournalMetrics::RecordGroup(size_t events, uint64_t tree_size,
                                 double seconds, bool ok) {
  if (!ok) {
    group_failures_->Increment();
    return;
  }
  append_duration_->Observe(seconds);
  group_events_->Observe(static_cast<double>(events));
  SetTreeSize(tree_size);
}

void JournalMetrics::RecordEntry(aigov::v1::EventKind kind, bool derived) {
  const kinds::Kind* k = kinds::Of(kind);
  if (k == nullptr) return;
  Lazy(entries_[k->index * 2 + (derived ? 1 : 0)], *entries_family_,
       {{"kind", k->label}, {"origin", derived ? "derived" : "request"}})
      .Increment();
}

void JournalMetrics::SetTreeSize(uint64_t tree_size) {
  tree_size_->Set(static_cast<double>(tree_size));
}

void JournalMetrics::SetCheckpoint(uint64_t tree_size, absl::Time signed_at) {
  checkpoint_size_->Set(static_cast<double>(tree_size));
  checkpoint_time_->Set(absl::ToDoubleSeconds(signed_at - absl::UnixEpoch()));
}

DaemonMetrics::DaemonMetrics(const BuildInfo& build)
    : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("aigov_build_info")
      .Help("Build of the running aigovd; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", build.version}, {"revision", build.revision}})
      .Set(1);
  ingest_ = std::make_unique<IngestMetrics>(*registry_);
  journal_ = std::make_unique<JournalMetrics>(*registry_);
  unregistered_systems_ =
      &prometheus::BuildGauge()
           .Name("aigov_unregistered_systems")
           .Help(
               "AI systems named by model versions, oversight actions or "
               "incidents but never registered (shadow AI); list them with "
               "aigovctl get AiSystem --unregistered.")
           .Register(*registry_)
           .Add({});
  runs_open_ = &prometheus::BuildGauge()
                    .Name("aigov_lineage_runs_open")
                    .Help(
                        "Lineage runs without a COMPLETE, FAIL or ABORT "
                        "event, by OpenLineage job namespace.")
                    .Register(*registry_);
  runs_open_other_ = &runs_open_->Add({{"job_namespace", kOtherJobNamespace}});
  namespaces_folded_ =
      &prometheus::BuildGauge()
           .Name("aigov_lineage_job_namespaces_folded")
           .Help(absl::StrCat(
               "Job namespaces with unfinished runs counted under "
               "aigov_lineage_runs_open{job_namespace=\"_other\"}: beyond "
               "the first ",
               kMaxJobNamespaceSeries,
               " namespaces seen, series are not created."))
           .Register(*registry_)
           .Add({});
  series_dropped_ =
      &prometheus::BuildCounter()
           .Name("aigov_metrics_series_dropped_total")
           .Help(
               "Series left out of scrapes by metrics.max_features_per_model, "
               "summed over scrapes: a rate above 0 means some model "
               "versions have more features than are exported.")
           .Register(*registry_)
           .Add({});
  collection_failures_ =
      &prometheus::BuildCounter()
           .Name("aigov_metrics_collection_failures_total")
           .Help(
               "Scrapes whose model, drift and compliance families could not "
               "be read from the views (the scrape carried the daemon's own "
               "families only); aigovd logs the error.")
           .Register(*registry_)
           .Add({});
  collection_duration_ =
      &prometheus::BuildGauge()
           .Name("aigov_metrics_collection_duration_seconds")
           .Help(
               "Time the last scrape took to build its model, drift and "
               "compliance families from the views.")
           .Register(*registry_)
           .Add({});
}

void DaemonMetrics::RecordCollection(uint64_t series_dropped, double seconds) {
  series_dropped_->Increment(static_cast<double>(series_dropped));
  collection_duration_->Set(seconds);
}

void DaemonMetrics::RecordCollectionFailure() {
  collection_failures_->Increment();
}

void DaemonMetrics::SetUnfinishedRuns(
    const std::map<std::string, uint64_t>& by_namespace) {
  absl::MutexLock lock(&runs_open_mu_);
  // A namespace seen once keeps its series, at 0 once its runs finish.
  for (auto& [job_namespace, gauge] : runs_open_by_namespace_) gauge->Set(0);
  uint64_t other = 0;
  uint64_t folded = 0;
  for (const auto& [job_namespace, count] : by_namespace) {
    auto it = runs_open_by_namespace_.find(job_namespace);
    if (it == runs_open_by_namespace_.end()) {
      if (runs_open_by_namespace_.size() >= kMaxJobNamespaceSeries ||
          job_namespace == kOtherJobNamespace) {
        other += count;
        ++folded;
        continue;
      }
      it = runs_open_by_namespace_
               .emplace(job_namespace,
                        &runs_open_->Add({{"job_namespace", job_namespace}}))
               .first;
    }
    it->second->Set(static_cast<double>(count));
  }
  runs_open_other_->Set(static_cast<double>(other));
  namespaces_folded_->Set(static_cast<double>(folded));
}

void DaemonMetrics::SetUnregisteredSystems(uint64_t count) {
  unregistered_systems_->Set(static_cast<double>(count));
}

absl::StatusOr<std::unique_ptr<DaemonMetrics>> DaemonMetrics::Create(
    const BuildInfo& build) {
  try {
    return std::unique_ptr<DaemonMetrics>(new DaemonMetrics(build));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("defining metrics: ", e.what()));
  }
}

std::string DaemonMetrics::Render(absl::string_view state) const {
  prometheus::TextSerializer serializer;
  std::string out = serializer.Serialize(registry_->Collect());
  out.append(state.data(), state.size());
  return out;
}

}  // namespace aigov::metrics
