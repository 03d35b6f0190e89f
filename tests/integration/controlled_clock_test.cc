// The real aigovd on a clock the test drives (aigovd-controlled-clock,
// daemon/testing/controlled_clock.h): months of the daemon's time pass in
// milliseconds of the test's, and each periodic component has done its
// round when AdvanceClock returns. No sleeps, no dependence on today's date.
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

#include "aigov/v1/governance_service.grpc.pb.h"
#include "aigov/v1/journal_service.grpc.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kStart = 1767225600;  // the daemon's clock at start
constexpr int64_t kDay = 86400;

TEST(ControlledClockTest, RetentionPrunesOperationalLogsWhenTheClockPasses) {
  TempDir dir;
  const std::string config = dir.path() + "/aigovd.yaml";
  std::ofstream(config) << "journal:\n"
                           "  retention:\n"
                           "    sweep_interval: 24h\n";
  DaemonProcess d(dir.path() + "/data", {"--config=" + config});
  d.UseControlledClock(kStart);
  ASSERT_TRUE(d.Start()) << d.log();
  EXPECT_THAT(d.log(), HasSubstr("TEST BUILD"));
  auto channel =
      grpc::CreateChannel(d.grpc_target(), grpc::InsecureChannelCredentials());
  auto governance = aigov::v1::GovernanceService::NewStub(channel);
  auto registry = aigov::v1::RegistryService::NewStub(channel);
  auto journal = aigov::v1::JournalService::NewStub(channel);

  {
    // Validated against the daemon's clock: an hour before its start.
    aigov::v1::RecordOversightActionRequest r;
    r.set_event_id("o1");
    auto* a = r.mutable_oversight_action();
    a->set_action_id("o1");
    a->set_system_id("loans");
    a->set_action(aigov::v1::OVERSIGHT_ACTION_TYPE_OVERRIDE);
    a->add_reviewers()->set_id("officer@example.com");
    a->mutable_occurred_at()->set_seconds(kStart - 3600);
    grpc::ClientContext ctx;
    aigov::v1::RecordOversightActionResponse out;
    const grpc::Status s = governance->RecordOversightAction(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(out.sequence(), 0u);
  }
  {
    aigov::v1::RegisterModelVersionRequest r;
    r.set_event_id("m1");
    auto* mv = r.mutable_model_version();
    mv->set_model_id("credit-scoring");
    mv->set_version("1.0.0");
    mv->set_system_id("loans");
    mv->set_artifact_sha256(std::string(64, 'a'));
    grpc::ClientContext ctx;
    aigov::v1::RegisterModelVersionResponse out;
    ASSERT_TRUE(registry->RegisterModelVersion(&ctx, r, &out).ok());
  }
  const auto get = [&](uint64_t sequence, aigov::v1::GetEntryResponse* out) {
    grpc::ClientContext ctx;
    aigov::v1::GetEntryRequest r;
    r.set_sequence(sequence);
    return journal->GetEntry(&ctx, r, out);
  };
  aigov::v1::GetEntryResponse entry;
  ASSERT_TRUE(get(0, &entry).ok());
  // Recorded on the daemon's clock, which has not moved.
  EXPECT_EQ(entry.entry().recorded_at().seconds(), kStart);

  // 182 days: within the 183 days operational logs are kept.
  EXPECT_EQ(d.AdvanceClock(182 * kDay), kStart + 182 * kDay);
  EXPECT_TRUE(get(0, &entry).ok());
  // Two more days: the next daily sweep prunes the oversight action's
  // payload; the model version (documentation, ten years) stays.
  EXPECT_EQ(d.AdvanceClock(2 * kDay), kStart + 184 * kDay);
  const grpc::Status pruned = get(0, &entry);
  EXPECT_FALSE(pruned.ok());
  EXPECT_THAT(pruned.error_message(), HasSubstr("pruned by retention"));
  EXPECT_TRUE(get(1, &entry).ok());
  EXPECT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

TEST(ControlledClockTest, TheProductionDaemonHasNoSuchFlag) {
  const CommandResult r =
      RunCommand({AigovdPath(), "--controlled_clock_start=0", "--version"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("controlled_clock_start"));
}

}  // namespace
}  // namespace aigov::testing
