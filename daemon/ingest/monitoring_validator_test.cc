#include "daemon/ingest/monitoring_validator.h"

#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::ingest {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

aigov::v1::PutReferenceProfileRequest Reference() {
  aigov::v1::PutReferenceProfileRequest r;
  r.set_event_id("ref-1");
  auto* p = r.mutable_reference_profile();
  p->set_model_id("credit-scoring");
  p->set_version("2.0");
  p->mutable_window()->set_seconds(3600);
  auto* income = p->add_features();
  income->set_name("income");
  for (double e : {900.0, 1500.0, 1800.0, 2100.0})
    income->mutable_numeric()->add_edges(e);
  for (uint64_t c : std::initializer_list<uint64_t>{3, 40, 35, 20, 2})
    income->mutable_numeric()->add_counts(c);
  income->mutable_numeric()->set_std(610.5);
  income->set_null_count(4);
  auto* region = p->add_features();
  region->set_name("region");
  region->mutable_categorical()->add_categories("north");
  region->mutable_categorical()->add_categories("south");
  for (uint64_t c : std::initializer_list<uint64_t>{60, 30, 8, 2})
    region->mutable_categorical()->add_counts(c);
  region->set_critical(true);
  return r;
}

aigov::v1::ReportWindowsRequest Window() {
  aigov::v1::ReportWindowsRequest r;
  r.set_event_id("w-1");
  auto* w = r.mutable_window_profile();
  w->set_model_id("credit-scoring");
  w->set_version("2.0");
  w->mutable_window_start()->set_seconds(absl::ToUnixSeconds(kNow) - 3600);
  auto* f = w->add_features();
  f->set_name("income");
  for (uint64_t c : std::initializer_list<uint64_t>{1, 12, 9, 5, 0})
    f->add_counts(c);
  f->set_null_count(1);
  return r;
}

std::string ReferenceError(const aigov::v1::PutReferenceProfileRequest& r) {
  const absl::Status s = ValidatePutReferenceProfile(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

std::string WindowError(const aigov::v1::ReportWindowsRequest& r) {
  const absl::Status s = ValidateReportWindow(r, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

TEST(MonitoringValidatorTest, AcceptsTheIssuesExampleDocuments) {
  EXPECT_TRUE(ValidatePutReferenceProfile(Reference()).ok());
  EXPECT_TRUE(ValidateReportWindow(Window(), kNow).ok());
  auto r = Reference();
  r.mutable_reference_profile()->clear_window();  // default 1 h
  r.mutable_reference_profile()->mutable_thresholds()->set_psi_warn(0.2);
  r.mutable_reference_profile()->mutable_thresholds()->set_psi_alert(0.2);
  EXPECT_TRUE(ValidatePutReferenceProfile(r).ok());
}

TEST(MonitoringValidatorTest, NamesTheFeatureOfMalformedBins) {
  auto r = Reference();
  r.mutable_reference_profile()
      ->mutable_features(0)
      ->mutable_numeric()
      ->set_edges(2, 1500);
  EXPECT_EQ(ReferenceError(r),
            "reference_profile.features[\"income\"].numeric.edges: not "
            "strictly increasing (edges[2] = 1500 after edges[1] = 1500)");

  r = Reference();
  r.mutable_reference_profile()
      ->mutable_features(0)
      ->mutable_numeric()
      ->set_edges(1, std::nan(""));
  EXPECT_EQ(ReferenceError(r),
            "reference_profile.features[\"income\"].numeric.edges: edges[1] "
            "is not finite");

  r = Reference();
  r.mutable_reference_profile()
      ->mutable_features(0)
      ->mutable_numeric()
      ->mutable_counts()
      ->RemoveLast();
  EXPECT_THAT(ReferenceError(r),
              ::testing::StartsWith(
                  "reference_profile.features[\"income\"].numeric.counts: "
                  "expected 5 counts"));

  r = Reference();
  r.mutable_reference_profile()
      ->mutable_features(1)
      ->mutable_categorical()
      ->add_counts(1);
  EXPECT_THAT(ReferenceError(r),
              ::testing::StartsWith(
                  "reference_profile.features[\"region\"].categorical.counts: "
                  "expected 4 counts (one per category, then other and "
                  "unseen), got 5"));

  r = Reference();
  r.mutable_reference_profile()
      ->mutable_features(1)
      ->mutable_categorical()
      ->set_categories(1, "north");
  EXPECT_EQ(ReferenceError(r),
            "reference_profile.features[\"region\"].categorical.categories: "
            "categories[1] \"north\" appears twice");

  r = Reference();
  r.mutable_reference_profile()
      ->mutable_features(0)
      ->mutable_numeric()
      ->set_std(-1);
  EXPECT_THAT(ReferenceError(r),
              ::testing::HasSubstr("features[\"income\"].numeric.std"));

  r = Reference();
  r.mutable_reference_profile()->mutable_features(1)->clear_categorical();
  EXPECT_EQ(ReferenceError(r),
            "reference_profile.features[\"region\"]: one of numeric or "
            "categorical is required");
}

TEST(MonitoringValidatorTest, RefusesDuplicatedAndUnnamedFeatures) {
  auto r = Reference();
  r.mutable_reference_profile()->mutable_features(1)->set_name("income");
  EXPECT_EQ(ReferenceError(r),
            "reference_profile.features[\"income\"].name: appears twice in "
            "the profile");
  r = Reference();
  r.mutable_reference_profile()->mutable_features(1)->set_name("");
  EXPECT_THAT(ReferenceError(r),
              ::testing::StartsWith("reference_profile.features[1].name: "));
  r = Reference();
  r.mutable_reference_profile()->clear_features();
  EXPECT_EQ(ReferenceError(r),
            "reference_profile.features: at least one feature required");

  auto w = Window();
  *w.mutable_window_profile()->add_features() = w.window_profile().features(0);
  EXPECT_EQ(WindowError(w),
            "window_profile.features[\"income\"].name: appears twice in the "
            "report");
}

TEST(MonitoringValidatorTest, RefusesBadWindowsAndThresholds) {
  auto r = Reference();
  r.mutable_reference_profile()->mutable_window()->set_seconds(0);
  EXPECT_THAT(ReferenceError(r),
              ::testing::StartsWith("reference_profile.window: expected whole "
                                    "seconds from 1s to 168h"));
  r = Reference();
  r.mutable_reference_profile()->mutable_window()->set_nanos(5);
  EXPECT_THAT(ReferenceError(r),
              ::testing::StartsWith("reference_profile.window: "));
  r = Reference();
  r.mutable_reference_profile()->mutable_thresholds()->set_psi_warn(0.3);
  r.mutable_reference_profile()->mutable_thresholds()->set_psi_alert(0.2);
  EXPECT_EQ(ReferenceError(r),
            "reference_profile.thresholds.psi_alert: must be at least "
            "psi_warn (0.3), got 0.2");
  r = Reference();
  r.mutable_reference_profile()
      ->mutable_features(0)
      ->mutable_thresholds()
      ->set_p_value(0);
  EXPECT_THAT(ReferenceError(r),
              ::testing::StartsWith("reference_profile.features[\"income\"]."
                                    "thresholds.p_value: expected a number "
                                    "in (0, 1]"));
  r = Reference();
  r.mutable_reference_profile()
      ->mutable_features(0)
      ->mutable_thresholds()
      ->set_dataset_alert_share(0.5);
  EXPECT_THAT(ReferenceError(r), ::testing::HasSubstr("whole model version"));
  r = Reference();
  r.mutable_reference_profile()->mutable_thresholds()->set_alert_windows(0);
  EXPECT_EQ(ReferenceError(r),
            "reference_profile.thresholds.alert_windows: must be at least 1");
}

TEST(MonitoringValidatorTest, RefusesAWindowWithoutStartOrInTheFarFuture) {
  auto w = Window();
  w.mutable_window_profile()->clear_window_start();
  EXPECT_THAT(WindowError(w),
              ::testing::StartsWith("window_profile.window_start: required"));
  w = Window();
  w.mutable_window_profile()->mutable_window_start()->set_seconds(
      absl::ToUnixSeconds(kNow + absl::Hours(48)));
  EXPECT_THAT(WindowError(w),
              ::testing::HasSubstr("window_start: is in the far future"));
  w = Window();
  w.mutable_window_profile()->mutable_features(0)->set_counts(0,
                                                              kMaxBinCount + 1);
  EXPECT_THAT(WindowError(w),
              ::testing::StartsWith(
                  "window_profile.features[\"income\"].counts: counts[0]"));
  w = Window();
  w.set_event_id("");
  EXPECT_THAT(WindowError(w), ::testing::StartsWith("event_id: required"));
  w.set_event_id("aigovd:drift:1");
  EXPECT_EQ(WindowError(w),
            "event_id: the prefix \"aigovd:\" is reserved for what aigovd "
            "derives; choose another event_id");
}

TEST(MonitoringValidatorTest, SamplesAndScoresNeedFiniteValues) {
  aigov::v1::ReportPerformanceRequest p;
  p.set_event_id("p-1");
  auto* s = p.mutable_performance_sample();
  s->set_model_id("credit-scoring");
  s->set_version("2.0");
  s->mutable_window_start()->set_seconds(absl::ToUnixSeconds(kNow));
  s->set_metric("auc");
  s->set_value(0.8);
  EXPECT_TRUE(ValidateReportPerformance(p, kNow).ok());
  s->set_value(std::numeric_limits<double>::infinity());
  EXPECT_EQ(ValidateReportPerformance(p, kNow).message(),
            "performance_sample.value: must be a finite number");
  s->set_value(0.8);
  s->clear_metric();
  EXPECT_THAT(std::string(ValidateReportPerformance(p, kNow).message()),
              ::testing::StartsWith("performance_sample.metric: "));

  aigov::v1::ReportDriftScoreRequest d;
  d.set_event_id("d-1");
  auto* ds = d.mutable_drift_score();
  ds->set_model_id("credit-scoring");
  ds->set_version("2.0");
  ds->mutable_window_start()->set_seconds(absl::ToUnixSeconds(kNow));
  ds->set_feature("income");
  ds->set_method("mmd");
  ds->set_value(0.1);
  EXPECT_TRUE(ValidateReportDriftScore(d, kNow).ok());
  ds->clear_method();
  EXPECT_THAT(std::string(ValidateReportDriftScore(d, kNow).message()),
              ::testing::StartsWith("drift_score.method: "));
}

}  // namespace
}  // namespace aigov::ingest
