#include "daemon/metrics/daemon_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::metrics {
namespace {

using ::testing::HasSubstr;

TEST(DaemonMetricsTest, ExportsEverySeriesFromTheStart) {
  auto m = DaemonMetrics::Create({"0.1.0", "abc"});
  ASSERT_TRUE(m.ok()) << m.status();
  const std::string text = (*m)->Render();
  EXPECT_THAT(
      text,
      HasSubstr("aigov_build_info{revision=\"abc\",version=\"0.1.0\"} 1"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_events_total{kind=\"model_"
                              "version\",result=\"accepted\"} 0"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_events_total{kind=\"model_"
                              "version\",result=\"invalid\"} 0"));
  EXPECT_THAT(text, HasSubstr("aigov_journal_tree_size 0"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_duration_seconds_count 0"));
}

TEST(DaemonMetricsTest, RecordingMovesCounters) {
  auto m = DaemonMetrics::Create({"v", "r"});
  ASSERT_TRUE(m.ok());
  (*m)->ingest().Record(IngestKind::kModelVersion, IngestResult::kAccepted,
                        0.002);
  (*m)->ingest().Record(IngestKind::kModelVersion, IngestResult::kInvalid, 0.0);
  (*m)->journal().RecordGroup(3, 42, 0.001, true);
  const std::string text = (*m)->Render();
  EXPECT_THAT(text, HasSubstr("aigov_ingest_events_total{kind=\"model_"
                              "version\",result=\"accepted\"} 1"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_events_total{kind=\"model_"
                              "version\",result=\"invalid\"} 1"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_duration_seconds_count 1"));
  EXPECT_THAT(text, HasSubstr("aigov_journal_tree_size 42"));
  EXPECT_THAT(text, HasSubstr("aigov_journal_group_events_sum 3"));
}

}  // namespace
}  // namespace aigov::metrics
