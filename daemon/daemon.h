// Composition root: owns every component of aigovd and their lifecycle.
//
// Start order: metrics → journal (open, head check) → signing key and
// checkpointer (last checkpoint checked consistent with the journal) →
// sequencer → key purger → HTTP listener → gRPC listener → ready. Shutdown
// order: not ready (readiness 503, gRPC health NOT_SERVING) → drain delay →
// admitted writes answered (new ones UNAVAILABLE) → gRPC stops → HTTP stops
// (its handlers, metrics scrapes included, have returned) → sequencer writes
// what is queued → background threads (retention, checkpointer, key purger)
// joined → journal flushed and closed, once nothing can read it.
//
// Thread-safety: Create() and Shutdown() are called from the main thread;
// everything else runs on server threads.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "aigov/v1/config.pb.h"
#include "daemon/common/clock.h"
#include "daemon/compliance/compliance_view.h"
#include "daemon/drift/drift_view.h"
#include "daemon/ingest/admission_rules.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/journal/checkpointer.h"
#include "daemon/journal/erasure_deriver.h"
#include "daemon/journal/key_purger.h"
#include "daemon/journal/retention_sweeper.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/journal/sequencer.h"
#include "daemon/journal/ticker.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/metrics/daemon_metrics.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/reports/report_builder.h"
#include "daemon/reports/web.h"
#include "daemon/rules/catalog.h"
#include "daemon/scrape/state_collector.h"
#include "daemon/server/compliance_service.h"
#include "daemon/server/governance_service.h"
#include "daemon/server/grpc_server.h"
#include "daemon/server/http_server.h"
#include "daemon/server/journal_service.h"
#include "daemon/server/lineage_service.h"
#include "daemon/server/monitoring_service.h"
#include "daemon/server/openlineage_endpoint.h"
#include "daemon/server/registry_service.h"
#include "daemon/tlog/checkpoint.h"

namespace aigov {

// Version and revision compiled into this build.
const char* AigovVersion();
const char* AigovRevision();

// The views every journal of aigovd is opened with, live and offline
// (--verify, --rebuild_views), so that both open the same column families
// and project them the same way.
struct Views {
  // The obligation catalog (built in, or compliance.catalog_dir) and the
  // configured regime in it.
  std::unique_ptr<const rules::Catalog> catalog;
  const rules::Regime* regime = nullptr;
  std::unique_ptr<registry::RegistryProjection> registry;
  std::unique_ptr<lineage::LineageProjection> lineage;
  std::unique_ptr<drift::DriftView> drift;
  // Each system's record for the compliance engine and its findings.
  std::unique_ptr<compliance::ComplianceView> compliance;
  // In the order their column families are opened.
  std::vector<journal::Projection*> All() const {
    return {registry.get(), lineage.get(), drift.get(), compliance.get()};
  }
};

// The views configured by `config` (monitoring: the drift options;
// compliance: the catalog and its regime); kInvalidArgument naming the key
// of a bad threshold, the catalog file and record of a malformed catalog,
// or an unknown regime.
absl::StatusOr<Views> MakeViews(const aigov::v1::DaemonConfig& config);

class Daemon {
 public:
  // Opens the journal under config.data_dir (created if missing), binds both
  // listeners and marks the daemon ready. `clock` must outlive the daemon.
  // Returns kFailedPrecondition when the data directory is locked by another
  // process, kDataLoss when the journal fails its head check, kUnavailable
  // when a listener cannot bind.
  static absl::StatusOr<std::unique_ptr<Daemon>> Create(
      const aigov::v1::DaemonConfig& config, const common::Clock& clock);

  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon();

  int grpc_port() const { return grpc_->port(); }
  int http_port() const { return http_->port(); }
  bool ready() const { return ready_.load(); }

  // Drains and stops, as described above. Idempotent.
  void Shutdown();

  // Name of the checkpoint signing key file in the data directory.
  static constexpr char kSigningKeyFile[] = "journal-signing.pem";

 private:
  Daemon(const aigov::v1::DaemonConfig& config, const common::Clock& clock);

  aigov::v1::DaemonConfig config_;
  const common::Clock& clock_;
  std::atomic<bool> ready_{false};
  bool shut_down_ = false;

  std::unique_ptr<metrics::DaemonMetrics> metrics_;
  // Declared before journal_, which refers to them until destroyed.
  Views views_;
  journal::ErasureDeriver erasure_deriver_;
  std::vector<std::unique_ptr<journal::AdmissionRule>> rules_;
  std::unique_ptr<journal::RocksDbJournal> journal_;
  std::unique_ptr<tlog::NoteSigner> signer_;
  std::unique_ptr<journal::Checkpointer> checkpointer_;
  std::unique_ptr<journal::RetentionSweeper> retention_;
  std::unique_ptr<journal::Sequencer> sequencer_;
  std::unique_ptr<journal::Ticker> ticker_;
  std::unique_ptr<journal::KeyPurger> purger_;
  std::unique_ptr<ingest::Pipeline> pipeline_;
  std::unique_ptr<server::WritePath> writes_;
  std::unique_ptr<server::RegistryServiceImpl> registry_service_;
  std::unique_ptr<server::JournalServiceImpl> journal_service_;
  std::unique_ptr<server::LineageServiceImpl> lineage_service_;
  std::unique_ptr<server::GovernanceServiceImpl> governance_service_;
  std::unique_ptr<server::MonitoringServiceImpl> monitoring_service_;
  std::unique_ptr<reports::ReportBuilder> reports_;
  std::unique_ptr<reports::WebView> web_;
  std::unique_ptr<scrape::StateCollector> state_;
  std::unique_ptr<server::ComplianceServiceImpl> compliance_service_;
  std::unique_ptr<server::OpenLineageEndpoint> openlineage_;
  std::unique_ptr<server::HttpServer> http_;
  std::unique_ptr<server::GrpcServer> grpc_;
};

}  // namespace aigov
