// The write side of aigovd assembled in process for server/'s tests: a real
// journal on disk (registry, lineage, drift and compliance views, the
// erasure, drift and compliance derivers, the admission rules), its sequencer,
// key purger, metrics and ingest pipeline, as daemon.cc wires them, without
// listeners.
//
// Not thread-safe to construct or destroy; the parts are as their own
// headers say.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "daemon/common/clock.h"
#include "daemon/compliance/compliance_view.h"
#include "daemon/drift/drift_view.h"
#include "daemon/ingest/admission_rules.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/journal/erasure_deriver.h"
#include "daemon/journal/key_purger.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/journal/sequencer.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/metrics/daemon_metrics.h"
#include "daemon/registry/registry_projection.h"

namespace aigov::server {

class WriteStack {
 public:
  explicit WriteStack(const std::string& name)
      : dir_(std::filesystem::path(::testing::TempDir()) /
             (name + "_" + std::to_string(::getpid()))),
        clock_(absl::FromUnixSeconds(1767225600)) {
    std::filesystem::remove_all(dir_);
    rules_ = ingest::AdmissionRules(registry_);
    journal::JournalOptions options;
    options.path = dir_.string();
    options.projections = {&registry_, &lineage_, &drift_, &compliance_};
    options.derivers = {&erasure_deriver_, &drift_, &compliance_};
    for (const auto& rule : rules_) options.rules.push_back(rule.get());
    auto j = journal::RocksDbJournal::Open(options, clock_);
    EXPECT_TRUE(j.ok()) << j.status();
    journal_ = std::move(*j);
    metrics_ =
        std::move(metrics::DaemonMetrics::Create({"test", "test"}).value());
    sequencer_ = std::make_unique<journal::Sequencer>(
        *journal_, journal::Sequencer::Options());
    journal::RocksDbJournal* journal = journal_.get();
    purger_ = std::make_unique<journal::KeyPurger>(
        [journal] { return journal->PurgeErasedKeys(); });
    pipeline_ =
        std::make_unique<ingest::Pipeline>(*sequencer_, metrics_->ingest());
  }

  ~WriteStack() {
    pipeline_->CloseAndWait(absl::Seconds(10));
    sequencer_->Stop();
    purger_->Stop();
    pipeline_.reset();
    sequencer_.reset();
    purger_.reset();
    journal_.reset();
    std::filesystem::remove_all(dir_);
  }

  WriteStack(const WriteStack&) = delete;
  WriteStack& operator=(const WriteStack&) = delete;

  common::FakeClock& clock() { return clock_; }
  registry::RegistryProjection& registry() { return registry_; }
  lineage::LineageProjection& lineage() { return lineage_; }
  drift::DriftView& drift() { return drift_; }
  compliance::ComplianceView& compliance() { return compliance_; }
  journal::RocksDbJournal& journal() { return *journal_; }
  journal::Sequencer& sequencer() { return *sequencer_; }
  journal::KeyPurger& purger() { return *purger_; }
  metrics::DaemonMetrics& metrics() { return *metrics_; }
  ingest::Pipeline& pipeline() { return *pipeline_; }

 private:
  std::filesystem::path dir_;
  common::FakeClock clock_;
  registry::RegistryProjection registry_;
  lineage::LineageProjection lineage_;
  drift::DriftView drift_{registry_, drift::DriftOptions()};
  const rules::Catalog catalog_ = rules::EmbeddedCatalog().value();
  compliance::ComplianceView compliance_{
      catalog_, *catalog_.FindRegime("eu-ai-act-omnibus-2026"),
      rules::Settings()};
  journal::ErasureDeriver erasure_deriver_;
  std::vector<std::unique_ptr<journal::AdmissionRule>> rules_;
  std::unique_ptr<journal::RocksDbJournal> journal_;
  std::unique_ptr<metrics::DaemonMetrics> metrics_;
  std::unique_ptr<journal::Sequencer> sequencer_;
  std::unique_ptr<journal::KeyPurger> purger_;
  std::unique_ptr<ingest::Pipeline> pipeline_;
};

}  // namespace aigov::server
