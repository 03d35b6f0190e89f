// report_bench: how long the compliance report of a large system takes to
// produce, end to end over gRPC against the real aigovd (issue 13's
// targets: < 1 s as JSON, < 2 s as HTML for 50 model versions and 10,000
// cited entries). Starts this build's aigovd (or --aigovd PATH) on a fresh
// data directory and records one high-risk system with --versions model
// versions, each trained on its own dataset, deployed and covered by a
// document, and --actions human-oversight actions spread over them (every
// action is cited). Then times ComplianceService.GetReport in JSON,
// Markdown and HTML, GetAnnexIv and GetTrainingSummary (median of --runs),
// and `aigovctl compliance report --bundle` (every cited entry proven,
// files written). Prints the figures; exits 1 when a call fails.
//
// Run on purpose, not by ctest:
//   build/dev/tests/bench/report_bench
//   build/dev/tests/bench/report_bench --versions=50 --actions=10000
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

#include "aigov/v1/compliance_service.grpc.pb.h"
#include "aigov/v1/governance_service.grpc.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "tests/bench/load_target.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string aigovd;
  int versions = 50;
  int actions = 10000;
  int runs = 5;
};

const char kUsage[] =
    "usage: report_bench [--aigovd=PATH] [--versions=50] [--actions=10000]\n"
    "  [--runs=5]\n"
    "The compliance report, Annex IV dossier, training-data summary and "
    "proof bundle of\none system with --versions deployed model versions and "
    "--actions oversight actions,\ntimed over gRPC against a fresh aigovd.\n";

bool ParseFlags(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    const auto positive = [](absl::string_view v, int* out) {
      return absl::SimpleAtoi(v, out) && *out > 0;
    };
    bool ok = true;
    if (absl::ConsumePrefix(&a, "--aigovd=")) {
      o->aigovd = std::string(a);
    } else if (absl::ConsumePrefix(&a, "--versions=")) {
      ok = positive(a, &o->versions);
    } else if (absl::ConsumePrefix(&a, "--actions=")) {
      ok = positive(a, &o->actions);
    } else if (absl::ConsumePrefix(&a, "--runs=")) {
      ok = positive(a, &o->runs);
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "report_bench: bad flag %s\n%s", argv[i], kUsage);
      return false;
    }
  }
  return true;
}

bool Check(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return true;
  std::fprintf(stderr, "report_bench: %s failed: %s\n", what.c_str(),
               s.error_message().c_str());
  return false;
}

std::string Hex(int i, char fill) {
  std::string h = absl::StrCat(i);
  return std::string(64 - h.size(), fill) + h;
}

std::string Version(int v) { return absl::StrCat("1.", v); }

// Records the system, its datasets, versions, deployments and documents.
bool Populate(const std::shared_ptr<grpc::Channel>& channel, const Options& o,
              int64_t now) {
  auto registry = aigov::v1::RegistryService::NewStub(channel);
  grpc::Status s;
  {
    aigov::v1::RegisterAiSystemRequest req;
    req.set_event_id("sys");
    aigov::v1::AiSystem* sys = req.mutable_ai_system();
    sys->set_system_id("bench-credit");
    sys->set_name("Benchmark credit scoring");
    sys->set_intended_purpose("score consumer-loan applicants");
    sys->add_roles(aigov::v1::ROLE_PROVIDER);
    sys->mutable_risk()->set_annex_iii_point("5(b)");
    sys->mutable_risk()->set_eu_market(true);
    aigov::v1::Person* p = sys->add_people();
    p->set_id("overseer@bench.example");
    p->set_role("overseer");
    aigov::v1::RegisterAiSystemResponse resp;
    grpc::ClientContext ctx;
    if (!Check(registry->RegisterAiSystem(&ctx, req, &resp), "AiSystem")) {
      return false;
    }
  }
  for (int v = 0; v < o.versions; ++v) {
    const std::string version = Version(v);
    {
      aigov::v1::RegisterDatasetVersionRequest req;
      req.set_event_id(absl::StrCat("ds-", v));
      aigov::v1::DatasetVersion* d = req.mutable_dataset_version();
      d->set_dataset_id(absl::StrCat("applications-", v));
      d->set_version("1");
      d->set_content_sha256(Hex(v, 'd'));
      d->set_licence("internal");
      d->set_contains_personal_data(true);
      d->set_source_category(aigov::v1::DATA_SOURCE_CATEGORY_USER_DATA);
      aigov::v1::RegisterDatasetVersionResponse resp;
      grpc::ClientContext ctx;
      if (!Check(registry->RegisterDatasetVersion(&ctx, req, &resp),
                 "DatasetVersion")) {
        return false;
      }
    }
    {
      aigov::v1::RegisterModelVersionRequest req;
      req.set_event_id(absl::StrCat("mv-", v));
      aigov::v1::ModelVersion* m = req.mutable_model_version();
      m->set_model_id("scorer");
      m->set_version(version);
      m->set_system_id("bench-credit");
      m->set_artifact_sha256(Hex(v, 'a'));
      if (v > 0) m->set_parent_version(Version(v - 1));
      m->set_change_class(v == 0 ? aigov::v1::CHANGE_CLASS_INITIAL
                                 : aigov::v1::CHANGE_CLASS_RETRAIN);
      aigov::v1::DatasetRef* t = m->add_training_datasets();
      t->set_dataset_id(absl::StrCat("applications-", v));
      t->set_version("1");
      aigov::v1::DeclaredMetric* metric = m->add_declared_metrics();
      metric->set_name("auc");
      metric->set_value(0.8);
      metric->set_threshold(0.75);
      metric->set_direction(aigov::v1::METRIC_DIRECTION_HIGHER_IS_BETTER);
      aigov::v1::RegisterModelVersionResponse resp;
      grpc::ClientContext ctx;
      if (!Check(registry->RegisterModelVersion(&ctx, req, &resp),
                 "ModelVersion")) {
        return false;
      }
    }
    {
      aigov::v1::RegisterDeploymentRequest req;
      req.set_event_id(absl::StrCat("dep-", v));
      aigov::v1::Deployment* d = req.mutable_deployment();
      d->set_deployment_id(absl::StrCat("region-", v));
      d->mutable_model_version()->set_model_id("scorer");
      d->mutable_model_version()->set_version(version);
      d->set_environment(aigov::v1::ENVIRONMENT_PROD);
      d->set_state(aigov::v1::DEPLOYMENT_STATE_ENABLED);
      d->set_traffic_share(1);
      aigov::v1::RegisterDeploymentResponse resp;
      grpc::ClientContext ctx;
      if (!Check(registry->RegisterDeployment(&ctx, req, &resp),
                 "Deployment")) {
        return false;
      }
    }
    {
      aigov::v1::RegisterEvidenceDocumentRequest req;
      req.set_event_id(absl::StrCat("doc-", v));
      aigov::v1::EvidenceDocument* d = req.mutable_evidence_document();
      d->set_document_id(absl::StrCat("test-report-", v));
      d->set_type(aigov::v1::DOCUMENT_TYPE_TEST_REPORT);
      d->set_content_sha256(Hex(v, 'e'));
      d->set_system_id("bench-credit");
      aigov::v1::ModelVersionRef* c = d->add_covers_model_versions();
      c->set_model_id("scorer");
      c->set_version(version);
      aigov::v1::RegisterEvidenceDocumentResponse resp;
      grpc::ClientContext ctx;
      if (!Check(registry->RegisterEvidenceDocument(&ctx, req, &resp),
                 "EvidenceDocument")) {
        return false;
      }
    }
  }
  // The oversight actions, from four clients at once.
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      auto governance = aigov::v1::GovernanceService::NewStub(channel);
      for (int i = next++; i < o.actions && !failed; i = next++) {
        aigov::v1::RecordOversightActionRequest req;
        req.set_event_id(absl::StrCat("act-", i));
        aigov::v1::OversightAction* a = req.mutable_oversight_action();
        a->set_action_id(absl::StrCat("decision-", i));
        a->set_system_id("bench-credit");
        a->set_action(i % 10 == 0 ? aigov::v1::OVERSIGHT_ACTION_TYPE_OVERRIDE
                                  : aigov::v1::OVERSIGHT_ACTION_TYPE_APPROVE);
        a->mutable_model_version()->set_model_id("scorer");
        a->mutable_model_version()->set_version(Version(i % o.versions));
        a->set_decision_ref(absl::StrCat("application-", i));
        aigov::v1::Person* p = a->add_reviewers();
        p->set_id("officer@bench.example");
        p->set_role("credit officer");
        a->mutable_occurred_at()->set_seconds(now - 3600 + i % 3000);
        aigov::v1::RecordOversightActionResponse resp;
        grpc::ClientContext ctx;
        if (!Check(governance->RecordOversightAction(&ctx, req, &resp),
                   "OversightAction")) {
          failed = true;
        }
      }
    });
  }
  for (std::thread& t : clients) t.join();
  return !failed;
}

// The median of `runs` timings of `call` in milliseconds; -1 when it fails.
double Median(int runs, const std::function<bool()>& call) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    if (!call()) return -1;
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseFlags(argc, argv, &o)) return 2;
  aigov::bench::LoadTarget target;
  if (!target.Start("report_bench", o.aigovd, "")) return 1;
  auto channel =
      grpc::CreateChannel(target.target(), grpc::InsecureChannelCredentials());
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto fill_start = Clock::now();
  if (!Populate(channel, o, now)) {
    target.Stop();
    return 1;
  }
  std::printf(
      "recorded %d model versions (each with a dataset, a deployment "
      "and a document) and %d oversight actions in %.1f s\n",
      o.versions, o.actions,
      std::chrono::duration<double>(Clock::now() - fill_start).count());

  auto compliance = aigov::v1::ComplianceService::NewStub(channel);
  int cited = 0;
  size_t bytes[4] = {0, 0, 0, 0};
  const aigov::v1::ReportFormat formats[] = {
      aigov::v1::REPORT_FORMAT_UNSPECIFIED, aigov::v1::REPORT_FORMAT_JSON,
      aigov::v1::REPORT_FORMAT_MARKDOWN, aigov::v1::REPORT_FORMAT_HTML};
  const char* names[] = {"GetReport (structure only)", "GetReport JSON",
                         "GetReport Markdown", "GetReport HTML"};
  bool ok = true;
  for (int f = 0; f < 4 && ok; ++f) {
    const double ms = Median(o.runs, [&] {
      aigov::v1::GetReportRequest req;
      req.set_system_id("bench-credit");
      req.set_format(formats[f]);
      aigov::v1::GetReportResponse resp;
      grpc::ClientContext ctx;
      if (!Check(compliance->GetReport(&ctx, req, &resp), names[f])) {
        return false;
      }
      cited = resp.report().cited_sequences_size();
      bytes[f] = resp.document().size();
      return true;
    });
    ok = ms >= 0;
    std::printf("%-28s %8.1f ms  (%d entries cited, %zu bytes)\n", names[f], ms,
                cited, bytes[f]);
  }
  if (ok) {
    const double ms = Median(o.runs, [&] {
      aigov::v1::GetAnnexIvRequest req;
      req.set_system_id("bench-credit");
      req.mutable_model_version()->set_model_id("scorer");
      req.mutable_model_version()->set_version(Version(o.versions - 1));
      req.set_format(aigov::v1::REPORT_FORMAT_HTML);
      aigov::v1::GetAnnexIvResponse resp;
      grpc::ClientContext ctx;
      return Check(compliance->GetAnnexIv(&ctx, req, &resp), "GetAnnexIv");
    });
    ok = ms >= 0;
    std::printf("%-28s %8.1f ms\n", "GetAnnexIv HTML", ms);
  }
  if (ok) {
    const double ms = Median(o.runs, [&] {
      aigov::v1::GetTrainingSummaryRequest req;
      req.mutable_model_version()->set_model_id("scorer");
      req.mutable_model_version()->set_version(Version(o.versions - 1));
      req.set_format(aigov::v1::REPORT_FORMAT_JSON);
      aigov::v1::GetTrainingSummaryResponse resp;
      grpc::ClientContext ctx;
      return Check(compliance->GetTrainingSummary(&ctx, req, &resp),
                   "GetTrainingSummary");
    });
    ok = ms >= 0;
    std::printf("%-28s %8.1f ms\n", "GetTrainingSummary JSON", ms);
  }
  if (ok) {
    aigov::testing::TempDir dir;
    int run = 0;
    const double ms = Median(std::max(1, o.runs / 2), [&] {
      const aigov::testing::CommandResult r = aigov::testing::RunCommand(
          {aigov::testing::AigovctlPath(), "--target", target.target(),
           "compliance", "report", "--system", "bench-credit", "--format",
           "json", "--out", absl::StrCat(dir.path(), "/r", run, ".json"),
           "--bundle", absl::StrCat(dir.path(), "/bundle", run)});
      ++run;
      if (r.exit_code != 0) {
        std::fprintf(stderr, "report_bench: the bundle failed: %s\n",
                     r.err.c_str());
      }
      return r.exit_code == 0;
    });
    ok = ms >= 0;
    std::printf(
        "%-28s %8.1f ms  (aigovctl: report, %d inclusion proofs, "
        "files written)\n",
        "report --bundle", ms, cited);
  }
  if (!target.Stop()) return 1;
  return ok ? 0 : 1;
}
