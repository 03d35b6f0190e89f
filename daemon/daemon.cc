#include "daemon/daemon.h"

#include <filesystem>
#include <system_error>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

#include "daemon/common/logging.h"
#include "daemon/common/status_macros.h"
#include "daemon/ingest/monitoring_validator.h"

namespace aigov {
namespace {

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// Rebuilds the views the journal found stale at open (a view new to the
// data directory, of another version, behind the journal, or whose rebuild
// was cut short), logging why and the progress, before anything serves.
absl::Status RebuildStaleViews(journal::RocksDbJournal& journal) {
  const std::vector<journal::RocksDbJournal::StaleView> stale =
      journal.StaleViews();
  if (stale.empty()) return absl::OkStatus();
  for (const auto& view : stale) {
    common::Log(common::LogLevel::kWarning, "view is stale; rebuilding it",
                {{"view", view.column_family}, {"reason", view.reason}});
  }
  const absl::Time start = absl::Now();
  auto pruned = journal.RebuildViews(
      [](uint64_t done, uint64_t total) {
        common::Log(common::LogLevel::kInfo, "rebuilding views",
                    {{"entries_done", done}, {"entries_total", total}});
      },
      /*stale_only=*/true);
  if (!pruned.ok()) {
    return absl::Status(
        pruned.status().code(),
        absl::StrCat("rebuilding stale views: ", pruned.status().message(),
                     " (a later start, or aigovd --rebuild_views, tries "
                     "again)"));
  }
  common::Log(common::LogLevel::kInfo, "views rebuilt",
              {{"seconds", absl::ToDoubleSeconds(absl::Now() - start)},
               {"pruned_entries_skipped", *pruned}});
  return absl::OkStatus();
}

// The drift view's options from the monitoring config (thresholds checked
// as a reference profile's are).
absl::StatusOr<drift::DriftOptions> DriftOptionsOf(
    const aigov::v1::MonitoringConfig& config) {
  AIGOV_RETURN_IF_ERROR(ingest::ValidateDriftThresholds(
      config.thresholds(), "monitoring.thresholds"));
  drift::DriftOptions options;
  options.allowed_lateness = FromProto(config.allowed_lateness());
  options.breach_windows = config.breach_windows();
  options.defaults = drift::WithOverrides({}, config.thresholds());
  // Checked resolved: one of a pair may be left at its default.
  AIGOV_RETURN_IF_ERROR(
      drift::CheckResolved(options.defaults, "monitoring.thresholds"));
  return options;
}

}  // namespace

absl::StatusOr<Views> MakeViews(const aigov::v1::DaemonConfig& config) {
  AIGOV_ASSIGN_OR_RETURN(const drift::DriftOptions drift_options,
                         DriftOptionsOf(config.monitoring()));
  Views views;
  const aigov::v1::ComplianceConfig& compliance = config.compliance();
  absl::StatusOr<rules::Catalog> catalog =
      compliance.catalog_dir().empty()
          ? rules::EmbeddedCatalog()
          : rules::LoadCatalogDir(compliance.catalog_dir());
  if (!catalog.ok()) {
    return absl::Status(catalog.status().code(),
                        absl::StrCat(compliance.catalog_dir().empty()
                                         ? "the built-in obligation catalog: "
                                         : "compliance.catalog_dir: ",
                                     catalog.status().message()));
  }
  views.catalog = std::make_unique<const rules::Catalog>(*std::move(catalog));
  views.regime = views.catalog->FindRegime(compliance.regime());
  if (views.regime == nullptr) {
    std::vector<std::string> known;
    for (const rules::Regime& r : views.catalog->regimes) known.push_back(r.id);
    return absl::InvalidArgumentError(absl::StrCat(
        "compliance.regime: unknown regime \"", compliance.regime(),
        "\"; the catalog defines ", absl::StrJoin(known, ", ")));
  }
  views.registry = std::make_unique<registry::RegistryProjection>();
  views.lineage = std::make_unique<lineage::LineageProjection>();
  views.drift =
      std::make_unique<drift::DriftView>(*views.registry, drift_options);
  rules::Settings settings;
  settings.gdpr_breach_window = FromProto(compliance.gdpr_breach_window());
  settings.immediate_action_sla = FromProto(compliance.immediate_action_sla());
  settings.metric_freshness = FromProto(compliance.metric_freshness());
  settings.marking_freshness = FromProto(compliance.marking_freshness());
  settings.at_risk_share = compliance.at_risk_share();
  settings.operational_retention =
      FromProto(config.journal().retention().operational());
  settings.documentation_retention =
      FromProto(config.journal().retention().documentation());
  views.compliance = std::make_unique<compliance::ComplianceView>(
      *views.catalog, *views.regime, settings);
  return views;
}

const char* AigovVersion() { return AIGOV_VERSION; }
const char* AigovRevision() { return AIGOV_REVISION; }

Daemon::Daemon(const aigov::v1::DaemonConfig& config,
               const common::Clock& clock)
    : config_(config), clock_(clock) {}

Daemon::~Daemon() { Shutdown(); }

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Create(
    const aigov::v1::DaemonConfig& config, const common::Clock& clock) {
  std::unique_ptr<Daemon> d(new Daemon(config, clock));

  AIGOV_ASSIGN_OR_RETURN(d->metrics_, metrics::DaemonMetrics::Create(
                                          {AigovVersion(), AigovRevision()}));

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir(), ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", config.data_dir(), ": ",
                     ec.message()));
  }
  AIGOV_ASSIGN_OR_RETURN(d->views_, MakeViews(config));
  journal::JournalOptions journal_options;
  journal_options.path = config.data_dir();
  journal_options.projections = d->views_.All();
  // The compliance view last: it sees what the others derived.
  journal_options.derivers = {&d->erasure_deriver_, d->views_.drift.get(),
                              d->views_.compliance.get()};
  d->rules_ = ingest::AdmissionRules(*d->views_.registry);
  for (const auto& rule : d->rules_)
    journal_options.rules.push_back(rule.get());
  AIGOV_ASSIGN_OR_RETURN(d->journal_,
                         journal::RocksDbJournal::Open(journal_options, clock));
  d->metrics_->journal().SetTreeSize(d->journal_->tree_size());
  common::Log(common::LogLevel::kInfo, "journal opened",
              {{"data_dir", config.data_dir()},
               {"tree_size", d->journal_->tree_size()}});
  AIGOV_RETURN_IF_ERROR(RebuildStaleViews(*d->journal_));

  AIGOV_ASSIGN_OR_RETURN(
      d->signer_,
      tlog::NoteSigner::LoadOrCreate(
          (std::filesystem::path(config.data_dir()) / kSigningKeyFile).string(),
          config.journal().origin()));
  d->checkpointer_ = std::make_unique<journal::Checkpointer>(
      *d->journal_, *d->signer_, clock,
      FromProto(config.journal().checkpoint_interval()));
  AIGOV_RETURN_IF_ERROR(d->checkpointer_->Start());
  common::Log(common::LogLevel::kInfo, "checkpoint signing key",
              {{"public_key", d->signer_->verifier_key()}});

  journal::RetentionPolicy retention;
  retention.operational = FromProto(config.journal().retention().operational());
  retention.documentation =
      FromProto(config.journal().retention().documentation());
  AIGOV_RETURN_IF_ERROR(journal::ValidateRetention(retention));
  d->retention_ = std::make_unique<journal::RetentionSweeper>(
      *d->journal_, clock, retention,
      FromProto(config.journal().retention().sweep_interval()));

  journal::Sequencer::Options seq_options;
  seq_options.max_batch_events = config.journal().max_batch_events();
  seq_options.max_batch_delay = FromProto(config.journal().max_batch_delay());
  seq_options.queue_capacity = config.journal().queue_capacity();
  metrics::JournalMetrics& journal_metrics = d->metrics_->journal();
  d->sequencer_ = std::make_unique<journal::Sequencer>(
      *d->journal_, seq_options,
      [&journal_metrics](const journal::Sequencer::GroupWrite& write) {
        journal_metrics.RecordGroup(write.events, write.tree_size,
                                    absl::ToDoubleSeconds(write.elapsed),
                                    write.ok);
        for (const aigov::v1::EventKind k : write.requested) {
          journal_metrics.RecordEntry(k, false);
        }
        for (const aigov::v1::EventKind k : write.derived) {
          journal_metrics.RecordEntry(k, true);
        }
      });

  d->ticker_ = std::make_unique<journal::Ticker>(
      *d->sequencer_, clock, FromProto(config.monitoring().sweep_interval()));

  journal::RocksDbJournal* journal = d->journal_.get();
  d->purger_ = std::make_unique<journal::KeyPurger>(
      [journal] { return journal->PurgeErasedKeys(); });

  d->pipeline_ =
      std::make_unique<ingest::Pipeline>(*d->sequencer_, d->metrics_->ingest());
  d->writes_ = std::make_unique<server::WritePath>(*d->pipeline_);
  d->registry_service_ = std::make_unique<server::RegistryServiceImpl>(
      *d->writes_, *d->views_.registry, *d->journal_);
  d->journal_service_ = std::make_unique<server::JournalServiceImpl>(
      *d->journal_, *d->checkpointer_, *d->signer_, *d->writes_, *d->purger_);
  d->lineage_service_ = std::make_unique<server::LineageServiceImpl>(
      *d->writes_, *d->views_.registry, *d->views_.lineage, clock);
  d->governance_service_ = std::make_unique<server::GovernanceServiceImpl>(
      *d->writes_, *d->sequencer_, *d->journal_, *d->views_.registry,
      *d->views_.lineage, clock, *d->purger_);

  d->monitoring_service_ = std::make_unique<server::MonitoringServiceImpl>(
      *d->writes_, *d->pipeline_, *d->views_.drift, *d->journal_, clock);
  reports::Sources sources;
  sources.compliance = d->views_.compliance.get();
  sources.registry = d->views_.registry.get();
  sources.lineage = d->views_.lineage.get();
  sources.drift = d->views_.drift.get();
  sources.journal = d->journal_.get();
  d->reports_ = std::make_unique<reports::ReportBuilder>(
      sources,
      [checkpointer = d->checkpointer_.get()] {
        return checkpointer->Current();
      },
      d->signer_->verifier_key(), d->signer_.get(), clock);
  d->compliance_service_ = std::make_unique<server::ComplianceServiceImpl>(
      *d->views_.compliance, *d->journal_, *d->reports_, clock);

  scrape::CollectorOptions collector;
  collector.max_features_per_model = config.metrics().max_features_per_model();
  d->state_ = std::make_unique<scrape::StateCollector>(
      *d->views_.compliance, *d->views_.drift, collector);

  Daemon* self = d.get();
  server::HttpHandlers handlers;
  handlers.render_metrics = [self] {
    // Counted at scrape time: systems are few, and the count then matches
    // the committed registry exactly.
    if (auto n = self->views_.registry->CountUnregistered(); n.ok()) {
      self->metrics_->SetUnregisteredSystems(*n);
    }
    if (auto runs = self->views_.lineage->CountUnfinishedRuns(); runs.ok()) {
      self->metrics_->SetUnfinishedRuns(*runs);
    }
    const journal::SignedCheckpoint checkpoint = self->checkpointer_->Latest();
    self->metrics_->journal().SetCheckpoint(checkpoint.checkpoint.size,
                                            checkpoint.signed_at);
    const absl::Time start = absl::Now();
    std::string state;
    const absl::StatusOr<uint64_t> dropped = self->state_->Collect(&state);
    if (dropped.ok()) {
      self->metrics_->RecordCollection(
          *dropped, absl::ToDoubleSeconds(absl::Now() - start));
    } else {
      self->metrics_->RecordCollectionFailure();
      common::Log(common::LogLevel::kError,
                  "metrics: the state families could not be read",
                  {{"error", dropped.status().ToString()}});
    }
    return self->metrics_->Render(state);
  };
  handlers.ready = [self] { return self->ready_.load(); };
  handlers.version = AigovVersion();
  d->openlineage_ =
      std::make_unique<server::OpenLineageEndpoint>(*d->pipeline_, clock);
  handlers.post_lineage = [self](const std::string& body, bool batch) {
    server::HttpReply reply = self->openlineage_->Post(body, batch);
    return std::make_pair(reply.status, std::move(reply.json));
  };
  d->web_ = std::make_unique<reports::WebView>(
      *d->reports_, *d->views_.compliance, *d->journal_,
      [checkpointer = d->checkpointer_.get()] {
        return checkpointer->Latest();
      });
  handlers.web = [self](const std::string& path) {
    return self->web_->Get(path);
  };
  AIGOV_ASSIGN_OR_RETURN(
      d->http_, server::HttpServer::Start(config.http_listen(), handlers));

  AIGOV_ASSIGN_OR_RETURN(
      d->grpc_,
      server::GrpcServer::Start(
          config.grpc_listen(), static_cast<int>(config.max_message_bytes()),
          {d->registry_service_.get(), d->journal_service_.get(),
           d->lineage_service_.get(), d->governance_service_.get(),
           d->monitoring_service_.get(), d->compliance_service_.get()}));
  d->grpc_->SetServing(true);
  d->ready_.store(true);
  return d;
}

void Daemon::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  ready_.store(false);
  if (grpc_) grpc_->SetServing(false);
  const absl::Duration drain = FromProto(config_.server().drain_delay());
  if (drain > absl::ZeroDuration() && grpc_) {
    common::Log(common::LogLevel::kInfo, "draining",
                {{"drain_delay_seconds", absl::ToDoubleSeconds(drain)}});
    clock_.SleepUntil(clock_.Now() + drain);
  }
  if (sequencer_) sequencer_->BeginDrain();
  if (pipeline_ && !pipeline_->CloseAndWait(
                       FromProto(config_.server().shutdown_timeout()))) {
    common::Log(common::LogLevel::kWarning,
                "in-flight writes still unanswered at shutdown_timeout; "
                "their clients will see CANCELLED and must retry");
  }
  // Every admitted write has been answered; what remains are reads and idle
  // connections, which need no grace period.
  if (grpc_) grpc_->Shutdown(absl::ZeroDuration());
  // Stops accepting and waits for running handlers (a scrape reads the
  // views): the journal must stay open until it returns.
  if (http_) http_->Stop();
  if (ticker_) ticker_->Stop();
  if (sequencer_) sequencer_->Stop();
  if (purger_) purger_->Stop();
  if (retention_) retention_->Stop();
  if (checkpointer_) checkpointer_->Stop();
  if (journal_) {
    const absl::Status flushed = journal_->Flush();
    if (!flushed.ok()) {
      common::Log(common::LogLevel::kError, "journal flush failed",
                  {{"error", flushed.ToString()}});
    }
    journal_.reset();
  }
}

}  // namespace aigov
