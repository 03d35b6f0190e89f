#include "daemon/metrics/daemon_metrics.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(DaemonMetricsTest, ExportsEverySeriesFromTheStart) {
  auto m = DaemonMetrics::Create({"0.1.0", "abc"});
  ASSERT_TRUE(m.ok()) << m.status();
  const std::string text = (*m)->Render();
  EXPECT_THAT(
      text,
      HasSubstr("aigov_build_info{revision=\"abc\",version=\"0.1.0\"} 1"));
  // Per-kind series wait for their kind's first event: no kind is listed
  // that this daemon never saw.
  EXPECT_THAT(text, Not(HasSubstr("aigov_ingest_events_total{")));
  EXPECT_THAT(text, Not(HasSubstr("aigov_journal_entries_total{")));
  EXPECT_THAT(text, HasSubstr("aigov_journal_tree_size 0"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_duration_seconds_count 0"));
}

TEST(DaemonMetricsTest, RecordingMovesCounters) {
  auto m = DaemonMetrics::Create({"v", "r"});
  ASSERT_TRUE(m.ok());
  (*m)->ingest().Record(*kinds::Of(aigov::v1::EVENT_KIND_MODEL_VERSION),
                        IngestResult::kAccepted, 0.002);
  (*m)->ingest().Record(*kinds::Of(aigov::v1::EVENT_KIND_MODEL_VERSION),
                        IngestResult::kInvalid, 0.0);
  (*m)->journal().RecordGroup(3, 42, 0.001, true);
  const std::string text = (*m)->Render();
  EXPECT_THAT(text, HasSubstr("aigov_ingest_events_total{kind=\"model_"
                              "version\",result=\"accepted\"} 1"));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_events_total{kind=\"model_"
                              "version\",result=\"invalid\"} 1"));
  // The kind's other results exist from its first request, at 0; other
  // kinds do not.
  EXPECT_THAT(text, HasSubstr("aigov_ingest_events_total{kind=\"model_"
                              "version\",result=\"conflict\"} 0"));
  EXPECT_THAT(text, Not(HasSubstr("kind=\"incident\"")));
  EXPECT_THAT(text, HasSubstr("aigov_ingest_duration_seconds_count 1"));
  EXPECT_THAT(text, HasSubstr("aigov_journal_tree_size 42"));
  EXPECT_THAT(text, HasSubstr("aigov_journal_group_events_sum 3"));
}

TEST(DaemonMetricsTest, JournalEntriesCountRequestedAndDerivedKinds) {
  auto m = DaemonMetrics::Create({"v", "r"});
  ASSERT_TRUE(m.ok());
  for (int i = 0; i < 8; ++i) {
    (*m)->journal().RecordEntry(aigov::v1::EVENT_KIND_DRIFT_EVALUATION, true);
  }
  (*m)->journal().RecordEntry(aigov::v1::EVENT_KIND_WINDOW_PROFILE, false);
  (*m)->journal().RecordEntry(aigov::v1::EVENT_KIND_UNSPECIFIED, false);
  const std::string text = (*m)->Render();
  EXPECT_THAT(text, HasSubstr("aigov_journal_entries_total{kind=\"drift_"
                              "evaluation\",origin=\"derived\"} 8\n"));
  EXPECT_THAT(text, HasSubstr("aigov_journal_entries_total{kind=\"window_"
                              "profile\",origin=\"request\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("origin=\"request\"} 8")));
}

TEST(DaemonMetricsTest, CheckpointAndCollectionFamilies) {
  auto m = DaemonMetrics::Create({"v", "r"});
  ASSERT_TRUE(m.ok());
  (*m)->journal().SetCheckpoint(40, absl::FromUnixSeconds(1800000000));
  (*m)->RecordCollection(12, 0.25);
  (*m)->RecordCollection(3, 0.5);
  (*m)->RecordCollectionFailure();
  const std::string text = (*m)->Render("aigov_state_family 1\n");
  EXPECT_THAT(text, HasSubstr("aigov_journal_checkpoint_tree_size 40\n"));
  EXPECT_THAT(text, HasSubstr("aigov_journal_checkpoint_timestamp_seconds "
                              "1800000000\n"));
  EXPECT_THAT(text, HasSubstr("aigov_metrics_series_dropped_total 15\n"));
  EXPECT_THAT(text,
              HasSubstr("aigov_metrics_collection_duration_seconds 0.5\n"));
  EXPECT_THAT(text, HasSubstr("aigov_metrics_collection_failures_total 1\n"));
  // The state follows the registry's families, last.
  EXPECT_EQ(text.substr(text.size() - 21), "aigov_state_family 1\n");
}

TEST(DaemonMetricsTest, JobNamespaceSeriesAreBoundedAndWhatIsCutIsCounted) {
  auto m = DaemonMetrics::Create({"v", "r"});
  ASSERT_TRUE(m.ok());
  std::map<std::string, uint64_t> runs;
  for (size_t i = 0; i < DaemonMetrics::kMaxJobNamespaceSeries + 5; ++i) {
    runs["ns" + std::to_string(1000 + i)] = 2;
  }
  runs["_other"] = 1;  // a producer's own "_other" is folded too
  (*m)->SetUnfinishedRuns(runs);
  std::string text = (*m)->Render();
  EXPECT_THAT(text,
              HasSubstr("aigov_lineage_runs_open{job_namespace=\"ns1000\"} 2"));
  EXPECT_THAT(text,
              HasSubstr("aigov_lineage_runs_open{job_namespace=\"ns1099\"} 2"));
  EXPECT_THAT(text, Not(HasSubstr("job_namespace=\"ns1100\"")));
  EXPECT_THAT(
      text, HasSubstr("aigov_lineage_runs_open{job_namespace=\"_other\"} 11"));
  EXPECT_THAT(text, HasSubstr("aigov_lineage_job_namespaces_folded 6"));
  // Namespaces with series keep them, at 0, once their runs finish.
  (*m)->SetUnfinishedRuns({{"ns1001", 1}});
  text = (*m)->Render();
  EXPECT_THAT(text,
              HasSubstr("aigov_lineage_runs_open{job_namespace=\"ns1000\"} 0"));
  EXPECT_THAT(text,
              HasSubstr("aigov_lineage_runs_open{job_namespace=\"ns1001\"} 1"));
  EXPECT_THAT(text, HasSubstr("aigov_lineage_job_namespaces_folded 0"));
}

}  // namespace
}  // namespace aigov::metrics
