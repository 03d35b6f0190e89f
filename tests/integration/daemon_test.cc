// End-to-end tests of the real aigovd binary: real gRPC on loopback, real
// RocksDB on disk, real /metrics. No sleeps: every wait polls a condition
// with a deadline.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

#include "aigov/v1/journal_service.grpc.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDigest[] =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

aigov::v1::RegisterModelVersionRequest ModelRequest(
    const std::string& event_id, const std::string& version) {
  aigov::v1::RegisterModelVersionRequest r;
  r.set_event_id(event_id);
  auto* mv = r.mutable_model_version();
  mv->set_model_id("credit-scoring");
  mv->set_version(version);
  mv->set_system_id("loans");
  mv->set_artifact_sha256(kDigest);
  return r;
}

class Client {
 public:
  explicit Client(const std::string& target)
      : channel_(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials())),
        registry_(aigov::v1::RegistryService::NewStub(channel_)),
        journal_(aigov::v1::JournalService::NewStub(channel_)),
        health_(grpc::health::v1::Health::NewStub(channel_)) {}

  grpc::Status Register(const aigov::v1::RegisterModelVersionRequest& req,
                        aigov::v1::RegisterModelVersionResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(120));
    return registry_->RegisterModelVersion(&ctx, req, resp);
  }

  grpc::Status Get(uint64_t seq, aigov::v1::JournalEntry* entry) {
    grpc::ClientContext ctx;
    aigov::v1::GetEntryRequest req;
    req.set_sequence(seq);
    aigov::v1::GetEntryResponse resp;
    const grpc::Status s = journal_->GetEntry(&ctx, req, &resp);
    *entry = resp.entry();
    return s;
  }

  aigov::v1::ListEntriesResponse List(
      const aigov::v1::ListEntriesRequest& req) {
    grpc::ClientContext ctx;
    aigov::v1::ListEntriesResponse resp;
    const grpc::Status s = journal_->ListEntries(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  int Health() {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    grpc::health::v1::HealthCheckResponse resp;
    const grpc::Status s =
        health_->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &resp);
    return s.ok() ? resp.status() : -1;
  }

  std::shared_ptr<grpc::Channel> channel() { return channel_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<aigov::v1::RegistryService::Stub> registry_;
  std::unique_ptr<aigov::v1::JournalService::Stub> journal_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

class DaemonTest : public ::testing::Test {
 protected:
  std::string DataDir() const { return tmp_.path() + "/data"; }

  std::unique_ptr<DaemonProcess> StartDaemon(
      std::vector<std::string> args = {}) {
    auto d = std::make_unique<DaemonProcess>(DataDir(), std::move(args));
    EXPECT_TRUE(d->Start()) << d->log();
    return d;
  }

  std::string WriteConfig(const std::string& yaml) {
    const std::string path = tmp_.path() + "/config.yaml";
    std::ofstream(path) << yaml;
    return path;
  }

  TempDir tmp_;
};

TEST_F(DaemonTest, RegisterThenReadBack) {
  auto d = StartDaemon();
  Client c(d->grpc_target());
  auto req = ModelRequest("7d4f7f0e-1c2b-4a51-9a53-3b3f6f1f0001", "1.0.0");
  req.mutable_model_version()->set_change_class(
      aigov::v1::CHANGE_CLASS_INITIAL);
  (*req.mutable_model_version()->mutable_hyperparameters())["depth"] = "6";
  aigov::v1::RegisterModelVersionResponse resp;
  ASSERT_TRUE(c.Register(req, &resp).ok());
  EXPECT_EQ(resp.sequence(), 0u);
  EXPECT_FALSE(resp.deduplicated());
  ASSERT_TRUE(c.Register(ModelRequest("e2", "1.1.0"), &resp).ok());
  EXPECT_EQ(resp.sequence(), 1u);

  aigov::v1::JournalEntry entry;
  ASSERT_TRUE(c.Get(0, &entry).ok());
  EXPECT_EQ(entry.sequence(), 0u);
  EXPECT_EQ(entry.event_id(), req.event_id());
  EXPECT_EQ(entry.principal(), "anonymous");
  EXPECT_GT(entry.recorded_at().seconds(), 1700000000);
  EXPECT_EQ(entry.model_version().SerializeAsString(),
            req.model_version().SerializeAsString());

  const grpc::Status missing = c.Get(2, &entry);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);

  aigov::v1::ListEntriesRequest list;
  list.set_model_id("credit-scoring");
  auto page = c.List(list);
  ASSERT_EQ(page.entries_size(), 2);
  EXPECT_EQ(page.entries(1).model_version().version(), "1.1.0");
  list.set_model_id("other-model");
  EXPECT_EQ(c.List(list).entries_size(), 0);
  list.clear_model_id();
  list.set_kind(aigov::v1::EVENT_KIND_MODEL_VERSION);
  list.set_start_sequence(1);
  page = c.List(list);
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.next_sequence(), 2u);
  EXPECT_EQ(d->Stop(SIGTERM), 0);
}

TEST_F(DaemonTest, RestartKeepsEverything) {
  {
    auto d = StartDaemon();
    Client c(d->grpc_target());
    for (int i = 0; i < 5; ++i) {
      aigov::v1::RegisterModelVersionResponse resp;
      ASSERT_TRUE(
          c.Register(ModelRequest("ev-" + std::to_string(i), std::to_string(i)),
                     &resp)
              .ok());
    }
    EXPECT_EQ(d->Stop(SIGTERM), 0);
  }
  auto d = StartDaemon();
  Client c(d->grpc_target());
  auto page = c.List(aigov::v1::ListEntriesRequest());
  ASSERT_EQ(page.entries_size(), 5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(page.entries(i).sequence(), static_cast<uint64_t>(i));
    EXPECT_EQ(page.entries(i).model_version().version(), std::to_string(i));
  }
  aigov::v1::RegisterModelVersionResponse resp;
  ASSERT_TRUE(c.Register(ModelRequest("ev-3", "3"), &resp).ok());
  EXPECT_TRUE(resp.deduplicated());
  EXPECT_EQ(resp.sequence(), 3u);
  ASSERT_TRUE(c.Register(ModelRequest("ev-5", "5"), &resp).ok());
  EXPECT_EQ(resp.sequence(), 5u);
  const std::string metrics = HttpGet(d->http_port(), "/metrics").body;
  EXPECT_EQ(MetricValue(metrics, "aigov_journal_tree_size"), 6);
  EXPECT_EQ(d->Stop(SIGINT), 0);
}

TEST_F(DaemonTest, IdempotentRetryAndAlreadyExists) {
  auto d = StartDaemon();
  Client c(d->grpc_target());
  aigov::v1::RegisterModelVersionResponse resp;
  ASSERT_TRUE(c.Register(ModelRequest("other", "0.1"), &resp).ok());
  ASSERT_TRUE(c.Register(ModelRequest("retry-me", "1.0"), &resp).ok());
  ASSERT_EQ(resp.sequence(), 1u);
  ASSERT_TRUE(c.Register(ModelRequest("retry-me", "1.0"), &resp).ok());
  EXPECT_TRUE(resp.deduplicated());
  EXPECT_EQ(resp.sequence(), 1u);

  const grpc::Status s = c.Register(ModelRequest("retry-me", "2.0"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("at sequence 1"));

  const std::string metrics = HttpGet(d->http_port(), "/metrics").body;
  EXPECT_EQ(MetricValue(metrics, "aigov_journal_tree_size"), 2);
  EXPECT_EQ(
      MetricValue(
          metrics,
          R"(aigov_ingest_events_total{kind="model_version",result="duplicate"})"),
      1);
  EXPECT_EQ(
      MetricValue(
          metrics,
          R"(aigov_ingest_events_total{kind="model_version",result="conflict"})"),
      1);
}

struct BadInput {
  const char* name;
  void (*mutate)(aigov::v1::RegisterModelVersionRequest*);
  const char* message;
};

TEST_F(DaemonTest, BadInputIsRejectedWithFieldPathAndNothingIsWritten) {
  const BadInput cases[] = {
      {"missing event_id", [](auto* r) { r->clear_event_id(); },
       "event_id: required"},
      {"malformed event_id",
       [](auto* r) { r->set_event_id("no spaces please"); },
       "event_id: character 3 is not one of [A-Za-z0-9._:-]"},
      {"missing payload", [](auto* r) { r->clear_model_version(); },
       "model_version: required"},
      {"empty model_id",
       [](auto* r) { r->mutable_model_version()->clear_model_id(); },
       "model_version.model_id: required"},
      {"empty system_id",
       [](auto* r) { r->mutable_model_version()->clear_system_id(); },
       "model_version.system_id: required"},
      {"short digest",
       [](auto* r) {
         r->mutable_model_version()->set_artifact_sha256("abc123");
       },
       "model_version.artifact_sha256: expected 64 hex characters"},
      {"uppercase digest",
       [](auto* r) {
         r->mutable_model_version()->set_artifact_sha256(std::string(64, 'F'));
       },
       "model_version.artifact_sha256: expected 64 hex characters"},
      {"unspecified enum",
       [](auto* r) {
         r->mutable_model_version()->set_change_class(
             aigov::v1::CHANGE_CLASS_UNSPECIFIED);
       },
       "model_version.change_class: must be specified"},
      {"unspecified nested enum",
       [](auto* r) {
         r->mutable_model_version()->add_declared_metrics()->set_name("auc");
       },
       "model_version.declared_metrics[0].direction: must be specified"},
  };
  auto d = StartDaemon();
  Client c(d->grpc_target());
  for (const BadInput& bad : cases) {
    SCOPED_TRACE(bad.name);
    auto req = ModelRequest("bad-1", "1.0");
    bad.mutate(&req);
    aigov::v1::RegisterModelVersionResponse resp;
    const grpc::Status s = c.Register(req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(bad.message));
  }
  // Nothing was written, and the daemon still serves: the same event_id is
  // still free.
  const std::string metrics = HttpGet(d->http_port(), "/metrics").body;
  EXPECT_EQ(MetricValue(metrics, "aigov_journal_tree_size"), 0);
  EXPECT_EQ(
      MetricValue(
          metrics,
          R"(aigov_ingest_events_total{kind="model_version",result="invalid"})"),
      static_cast<double>(std::size(cases)));
  aigov::v1::RegisterModelVersionResponse resp;
  ASSERT_TRUE(c.Register(ModelRequest("bad-1", "1.0"), &resp).ok());
  EXPECT_EQ(resp.sequence(), 0u);
  EXPECT_FALSE(resp.deduplicated());
  EXPECT_EQ(d->Stop(SIGTERM), 0);
}

TEST_F(DaemonTest, OversizedMessageIsResourceExhausted) {
  auto d =
      StartDaemon({"--config=" + WriteConfig("max_message_bytes: 4096\n")});
  Client c(d->grpc_target());
  auto req = ModelRequest("big", "1.0");
  (*req.mutable_model_version()->mutable_hyperparameters())["blob"] =
      std::string(8192, 'x');
  aigov::v1::RegisterModelVersionResponse resp;
  const grpc::Status s = c.Register(req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  ASSERT_TRUE(c.Register(ModelRequest("small", "1.0"), &resp).ok());
  EXPECT_EQ(resp.sequence(), 0u);
  EXPECT_EQ(d->Stop(SIGTERM), 0);
}

TEST_F(DaemonTest,
       FullQueueIsResourceExhaustedAndInFlightWriteFinishesAtShutdown) {
  // One queue slot, and a sequencer that holds a lone event for a minute
  // hoping for a second: the first request waits in the queue, the second
  // finds it full. SIGTERM must then write and acknowledge the first.
  auto d = StartDaemon({"--config=" + WriteConfig(R"(journal:
  queue_capacity: 1
  max_batch_events: 2
  max_batch_delay: 60s
)")});
  const std::string target = d->grpc_target();
  auto send = [target](const std::string& id) {
    Client c(target);
    aigov::v1::RegisterModelVersionResponse resp;
    return c.Register(ModelRequest(id, id), &resp);
  };
  auto a = std::async(std::launch::async, send, "a");
  auto b = std::async(std::launch::async, send, "b");
  // Whichever arrives second is refused at once.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::future<grpc::Status>* rejected = nullptr;
  std::future<grpc::Status>* waiting = nullptr;
  while (rejected == nullptr && std::chrono::steady_clock::now() < deadline) {
    if (a.wait_for(std::chrono::milliseconds(10)) ==
        std::future_status::ready) {
      rejected = &a;
      waiting = &b;
    } else if (b.wait_for(std::chrono::milliseconds(10)) ==
               std::future_status::ready) {
      rejected = &b;
      waiting = &a;
    }
  }
  ASSERT_NE(rejected, nullptr);
  const grpc::Status refused = rejected->get();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("ingest queue is full"));
  const std::string metrics = HttpGet(d->http_port(), "/metrics").body;
  EXPECT_EQ(
      MetricValue(
          metrics,
          R"(aigov_ingest_events_total{kind="model_version",result="rejected"})"),
      1);

  EXPECT_EQ(d->Stop(SIGTERM), 0);
  const grpc::Status finished = waiting->get();
  EXPECT_TRUE(finished.ok()) << finished.error_message();

  auto again = StartDaemon();
  Client c(again->grpc_target());
  EXPECT_EQ(c.List(aigov::v1::ListEntriesRequest()).entries_size(), 1);
}

TEST_F(DaemonTest, MetricsCountersMove) {
  auto d = StartDaemon();
  Client c(d->grpc_target());
  const HttpResponse before = HttpGet(d->http_port(), "/metrics");
  ASSERT_EQ(before.status, 200);
  // No kind has been sent: no per-kind series yet.
  EXPECT_THAT(before.body, Not(HasSubstr("aigov_ingest_events_total{")));
  EXPECT_EQ(MetricValue(before.body, "aigov_ingest_duration_seconds_count"), 0);
  EXPECT_THAT(before.body, HasSubstr("aigov_build_info{"));
  aigov::v1::RegisterModelVersionResponse resp;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        c.Register(ModelRequest("m" + std::to_string(i), std::to_string(i)),
                   &resp)
            .ok());
  }
  const std::string after = HttpGet(d->http_port(), "/metrics").body;
  EXPECT_EQ(
      MetricValue(
          after,
          R"(aigov_ingest_events_total{kind="model_version",result="accepted"})"),
      3);
  EXPECT_EQ(MetricValue(after, "aigov_ingest_duration_seconds_count"), 3);
  EXPECT_EQ(MetricValue(after, "aigov_journal_tree_size"), 3);
  EXPECT_EQ(
      MetricValue(
          after,
          R"(aigov_journal_entries_total{kind="model_version",origin="request"})"),
      3);
  // The kind's other results exist from its first request; other kinds
  // still have none.
  EXPECT_EQ(
      MetricValue(
          after,
          R"(aigov_ingest_events_total{kind="model_version",result="invalid"})"),
      0);
  EXPECT_THAT(after,
              Not(HasSubstr("aigov_ingest_events_total{kind=\"incident\"")));
  EXPECT_GE(MetricValue(after, "aigov_journal_append_duration_seconds_count"),
            1);
}

TEST_F(DaemonTest, HealthReflectionAndHttpEndpoints) {
  auto d = StartDaemon();
  Client c(d->grpc_target());
  EXPECT_EQ(c.Health(), grpc::health::v1::HealthCheckResponse::SERVING);

  auto reflection =
      grpc::reflection::v1alpha::ServerReflection::NewStub(c.channel());
  grpc::ClientContext ctx;
  auto stream = reflection->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::vector<std::string> names;
  for (const auto& s : resp.list_services_response().service())
    names.push_back(s.name());
  EXPECT_THAT(names, ::testing::IsSupersetOf({"aigov.v1.RegistryService",
                                              "aigov.v1.JournalService",
                                              "grpc.health.v1.Health"}));
  while (stream->Read(&resp)) {
  }
  EXPECT_TRUE(stream->Finish().ok());

  EXPECT_EQ(HttpGet(d->http_port(), "/healthz").status, 200);
  EXPECT_EQ(HttpGet(d->http_port(), "/readyz").status, 200);
  const HttpResponse landing = HttpGet(d->http_port(), "/");
  EXPECT_EQ(landing.status, 200);
  EXPECT_THAT(landing.body, HasSubstr("/metrics"));
  EXPECT_EQ(HttpGet(d->http_port(), "/nope").status, 404);
}

TEST_F(DaemonTest, ReadyzFlipsTo503OnSigtermThenExitsZero) {
  auto d =
      StartDaemon({"--config=" + WriteConfig("server:\n  drain_delay: 3s\n")});
  Client c(d->grpc_target());
  ASSERT_EQ(HttpGet(d->http_port(), "/readyz").status, 200);
  d->Signal(SIGTERM);
  bool saw_503 = false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!saw_503 && std::chrono::steady_clock::now() < deadline) {
    const HttpResponse r = HttpGet(d->http_port(), "/readyz");
    if (r.status == 503) saw_503 = true;
    if (r.status == 0) break;  // already gone
  }
  EXPECT_TRUE(saw_503);
  // While draining the process is alive and says NOT_SERVING.
  EXPECT_EQ(HttpGet(d->http_port(), "/healthz").status, 200);
  EXPECT_EQ(c.Health(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(d->Wait(), 0);
  EXPECT_THAT(d->log(), HasSubstr("\"msg\":\"stopped\""));
}

TEST_F(DaemonTest, SecondSignalSkipsTheDrain) {
  auto d = StartDaemon(
      {"--config=" + WriteConfig("server:\n  drain_delay: 600s\n")});
  Client c(d->grpc_target());
  aigov::v1::RegisterModelVersionResponse resp;
  ASSERT_TRUE(c.Register(ModelRequest("before", "1"), &resp).ok());
  d->Signal(SIGTERM);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (HttpGet(d->http_port(), "/readyz").status != 503 &&
         std::chrono::steady_clock::now() < deadline) {
  }
  d->Signal(SIGINT);
  EXPECT_EQ(d->Wait(), 1);  // well before the 600 s drain
  EXPECT_THAT(d->log(), HasSubstr("second signal: exiting without draining"));
  // What was acknowledged is there after the hurried exit.
  auto again = StartDaemon();
  Client c2(again->grpc_target());
  aigov::v1::JournalEntry entry;
  ASSERT_TRUE(c2.Get(0, &entry).ok());
  EXPECT_EQ(entry.event_id(), "before");
}

TEST_F(DaemonTest, SecondDaemonOnSameDirectoryFailsCleanly) {
  auto first = StartDaemon();
  Client c(first->grpc_target());
  aigov::v1::RegisterModelVersionResponse resp;
  ASSERT_TRUE(c.Register(ModelRequest("keep", "1"), &resp).ok());

  DaemonProcess second(DataDir());
  EXPECT_FALSE(second.Start());
  EXPECT_THAT(second.log(), HasSubstr("is in use by another process"));
  EXPECT_EQ(second.Wait(), -1);  // already reaped by Start(): it exited

  // The first one is unharmed and still serves its data.
  aigov::v1::JournalEntry entry;
  ASSERT_TRUE(c.Get(0, &entry).ok());
  EXPECT_EQ(entry.event_id(), "keep");
  ASSERT_TRUE(c.Register(ModelRequest("after", "2"), &resp).ok());
  EXPECT_EQ(resp.sequence(), 1u);
  EXPECT_EQ(first->Stop(SIGTERM), 0);
}

TEST_F(DaemonTest, BadConfigFailsWithPathAndLine) {
  DaemonProcess d(
      DataDir(),
      {"--config=" + WriteConfig("journal:\n  max_batch_delay: soon\n")});
  EXPECT_FALSE(d.Start());
  EXPECT_THAT(
      d.log(),
      HasSubstr("config.yaml:2: journal.max_batch_delay: expected a duration"));
}

TEST_F(DaemonTest, DriftThresholdsThatResolveInvertedStopTheStart) {
  // psi_warn alone is valid; over the default psi_alert (0.25) the pair is
  // inverted, and aigovd refuses to start rather than never alerting.
  DaemonProcess d(DataDir(), {"--config=" + WriteConfig(R"(monitoring:
  thresholds:
    psi_warn: 0.4
)")});
  EXPECT_FALSE(d.Start());
  EXPECT_THAT(d.log(),
              HasSubstr("monitoring.thresholds.psi_alert: resolves to 0.25, "
                        "below psi_warn (0.4)"));
  DaemonProcess bad_share(DataDir(), {"--config=" + WriteConfig(R"(monitoring:
  thresholds:
    dataset_alert_share: 1.5
)")});
  EXPECT_FALSE(bad_share.Start());
  EXPECT_THAT(bad_share.log(),
              HasSubstr("monitoring.thresholds.dataset_alert_share"));
}

TEST_F(DaemonTest, AnUnknownRegimeOrAMalformedCatalogStopsTheStart) {
  DaemonProcess regime(DataDir(), {"--config=" + WriteConfig(R"(compliance:
  regime: eu-ai-act-2031
)")});
  EXPECT_FALSE(regime.Start());
  EXPECT_THAT(regime.log(),
              HasSubstr("compliance.regime: unknown regime "
                        "\\\"eu-ai-act-2031\\\"; the catalog defines "
                        "eu-ai-act-2024, eu-ai-act-omnibus-2026"));
  const std::string dir = tmp_.path() + "/catalog";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/broken.yaml") << R"(obligations:
  - id: AIA-01
    article: Art. 4
    title: AI literacy
    actors: [provider]
    applies: [allways]
)";
  DaemonProcess catalog(
      DataDir(),
      {"--config=" + WriteConfig("compliance:\n  catalog_dir: " + dir + "\n")});
  EXPECT_FALSE(catalog.Start());
  EXPECT_THAT(catalog.log(), HasSubstr("broken.yaml: AIA-01: applies: unknown "
                                       "condition"));
}

TEST_F(DaemonTest, AigovctlApplyAndJournalListJson) {
  auto d = StartDaemon();
  const std::string file = tmp_.path() + "/models.yaml";
  std::filesystem::copy_file(AIGOV_TESTDATA_DIR "/model_versions.yaml", file);
  const std::string target = "--target=" + d->grpc_target();
  CommandResult r = RunCommand({AigovctlPath(), target, "apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.out,
      HasSubstr("ModelVersion credit-scoring@1.0.0 created (sequence 0)"));
  EXPECT_THAT(
      r.out,
      HasSubstr("ModelVersion credit-scoring@1.10 created (sequence 1)"));
  // Applying the same file again changes nothing (derived event_id).
  r = RunCommand({AigovctlPath(), target, "apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("credit-scoring@1.10 unchanged (sequence 1)"));

  r = RunCommand({AigovctlPath(), target, "journal", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  google::protobuf::ListValue list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &list).ok())
      << r.out;
  ASSERT_EQ(list.values_size(), 2);
  const auto& second = list.values(1).struct_value().fields();
  EXPECT_EQ(second.at("sequence").number_value(), 1);
  EXPECT_EQ(second.at("kind").string_value(), "ModelVersion");
  EXPECT_THAT(second.at("event_id").string_value(),
              ::testing::StartsWith("sha256-"));
  EXPECT_FALSE(second.at("recorded_at").string_value().empty());
  const auto& event = second.at("event").struct_value().fields();
  EXPECT_EQ(event.at("version").string_value(), "1.10");
  EXPECT_EQ(event.at("change_class").string_value(), "CHANGE_CLASS_RETRAIN");

  // A bad document: the server's field path reaches the user; exit 1.
  std::ofstream(file)
      << "kind: ModelVersion\nmodel_id: m\nversion: '1'\nsystem_id: s\n"
         "artifact_sha256: ABC\n";
  r = RunCommand({AigovctlPath(), target, "apply", "-f", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("INVALID_ARGUMENT: model_version.artifact_sha256: "
                        "expected 64 hex characters"));

  // A malformed file sends nothing.
  std::ofstream(file) << "kind: ModelVersion\nmodel_id: m\nbogus: 1\n";
  r = RunCommand({AigovctlPath(), target, "apply", "-f", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("models.yaml:3: bogus: unknown field"));

  // No daemon there: a clear hint.
  r = RunCommand({AigovctlPath(), "--target=127.0.0.1:1", "journal", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("is aigovd running at 127.0.0.1:1?"));
}

// What a user who got the address wrong, or a name, is told.
TEST_F(DaemonTest, AigovctlSaysWhatIsWrongWithTheTargetOrTheName) {
  auto d = StartDaemon();
  // Nothing listens: the error, and no table header before it.
  int port = 0;
  {
    TempDir probe;
    DaemonProcess stopped(probe.path() + "/data");
    ASSERT_TRUE(stopped.Start()) << stopped.log();
    port = stopped.grpc_port();
    ASSERT_EQ(stopped.Stop(SIGTERM), 0);
  }
  const std::string nowhere = absl::StrCat("--target=127.0.0.1:", port);
  CommandResult r = RunCommand({AigovctlPath(), nowhere, "journal", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("is aigovd running at 127.0.0.1:"));
  r = RunCommand({AigovctlPath(), nowhere, "journal", "list", "--json"});
  EXPECT_EQ(r.out, "");
  // The HTTP port given for the gRPC one.
  r = RunCommand({AigovctlPath(),
                  absl::StrCat("--target=127.0.0.1:", d->http_port()),
                  "journal", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("answers HTTP/1, as aigovd's HTTP port"));
  EXPECT_THAT(r.err, HasSubstr("--target 127.0.0.1:7420"));
  // A misspelt system id.
  const std::string file = tmp_.path() + "/system.yaml";
  std::ofstream(file) << "kind: AiSystem\nsystem_id: loans-credit-scoring\n"
                         "name: Loans\n";
  const std::string target = "--target=" + d->grpc_target();
  ASSERT_EQ(RunCommand({AigovctlPath(), target, "apply", "-f", file}).exit_code,
            0);
  r = RunCommand({AigovctlPath(), target, "compliance", "status", "--system",
                  "loans-credit-scorng"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("is not registered (did you mean "
                               "\"loans-credit-scoring\"?)"));
}

TEST_F(DaemonTest, VersionAndHelp) {
  CommandResult r = RunCommand({AigovdPath(), "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("aigovd 0."));
  r = RunCommand({AigovdPath(), "--help"});
  EXPECT_THAT(r.out + r.err, HasSubstr("--grpc_listen"));
  r = RunCommand({AigovctlPath(), "journal", "list", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--json"));
}

}  // namespace
}  // namespace aigov::testing
