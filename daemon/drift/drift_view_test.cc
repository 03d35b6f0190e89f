#include "daemon/drift/drift_view.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

#include "daemon/common/clock.h"
#include "daemon/journal/rocksdb_journal.h"

namespace aigov::drift {
namespace {

using aigov::v1::JournalEntry;
using journal::AppendOutcome;
using journal::PendingEvent;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kHour = 3600;
// 2026-01-01T00:00:00Z: window starts are this plus whole hours.
constexpr int64_t kBase = 1767225600;

PendingEvent Event(const std::string& id, JournalEntry entry) {
  PendingEvent e;
  e.entry = std::move(entry);
  e.entry.set_event_id(id);
  return e;
}

PendingEvent Model(const std::string& version) {
  JournalEntry e;
  auto* mv = e.mutable_model_version();
  mv->set_model_id("credit");
  mv->set_version(version);
  mv->set_system_id("loans");
  mv->set_artifact_sha256(std::string(64, 'a'));
  auto* auc = mv->add_declared_metrics();
  auc->set_name("auc");
  auc->set_threshold(0.75);
  auc->set_direction(aigov::v1::METRIC_DIRECTION_HIGHER_IS_BETTER);
  return Event("mv-" + version, e);
}

// income: 4 edges, 5 bins of 2000 values; region: north, south, other,
// unseen; critical.
PendingEvent Reference(const std::string& id) {
  JournalEntry e;
  auto* p = e.mutable_reference_profile();
  p->set_model_id("credit");
  p->set_version("1");
  p->mutable_window()->set_seconds(kHour);
  auto* income = p->add_features();
  income->set_name("income");
  for (double edge : {900.0, 1500.0, 1800.0, 2100.0}) {
    income->mutable_numeric()->add_edges(edge);
  }
  for (uint64_t c : std::initializer_list<uint64_t>{200, 600, 600, 400, 200}) {
    income->mutable_numeric()->add_counts(c);
  }
  income->mutable_numeric()->set_std(610.5);
  auto* region = p->add_features();
  region->set_name("region");
  region->set_critical(true);
  region->mutable_categorical()->add_categories("north");
  region->mutable_categorical()->add_categories("south");
  for (uint64_t c : std::initializer_list<uint64_t>{1200, 600, 200, 0}) {
    region->mutable_categorical()->add_counts(c);
  }
  auto* id_feature = p->add_features();
  id_feature->set_name("row_id");
  id_feature->set_excluded(true);
  id_feature->mutable_numeric()->add_edges(0);
  for (uint64_t c : std::initializer_list<uint64_t>{0, 10}) {
    id_feature->mutable_numeric()->add_counts(c);
  }
  return Event(id, e);
}

// A report of window `k`: `scale` times the reference shape, or shifted
// to the top bins and to "unseen" when `shifted`.
PendingEvent Window(const std::string& id, int64_t k, uint64_t scale,
                    bool shifted = false) {
  JournalEntry e;
  auto* w = e.mutable_window_profile();
  w->set_model_id("credit");
  w->set_version("1");
  w->mutable_window_start()->set_seconds(kBase + k * kHour);
  auto* income = w->add_features();
  income->set_name("income");
  const std::vector<uint64_t> normal = {1, 3, 3, 2, 1};
  const std::vector<uint64_t> high = {0, 1, 2, 3, 4};
  for (uint64_t c : shifted ? high : normal) income->add_counts(c * scale);
  income->set_null_count(scale / 10);
  auto* region = w->add_features();
  region->set_name("region");
  const std::vector<uint64_t> usual = {6, 3, 1, 0};
  const std::vector<uint64_t> odd = {2, 3, 1, 4};
  for (uint64_t c : shifted ? odd : usual) region->add_counts(c * scale);
  return Event(id, e);
}

PendingEvent Sample(const std::string& id, int64_t k, double auc) {
  JournalEntry e;
  auto* s = e.mutable_performance_sample();
  s->set_model_id("credit");
  s->set_version("1");
  s->mutable_window_start()->set_seconds(kBase + k * kHour);
  s->set_metric("auc");
  s->set_value(auc);
  s->set_n(1000);
  return Event(id, e);
}

PendingEvent Tick() {
  PendingEvent t;
  t.tick = true;
  return t;
}

class DriftViewTest : public ::testing::Test {
 protected:
  DriftViewTest()
      : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())),
        clock_(absl::FromUnixSeconds(kBase)) {
    Reopen();
  }

  void Reopen() {
    journal_.reset();
    view_ = std::make_unique<DriftView>(registry_, DriftOptions());
    journal::JournalOptions options;
    options.path = "/journal";
    options.env = env_.get();
    options.projections = {&registry_, view_.get()};
    options.derivers = {view_.get()};
    auto j = journal::RocksDbJournal::Open(options, clock_);
    ASSERT_TRUE(j.ok()) << j.status();
    journal_ = std::move(*j);
  }

  AppendOutcome Append(PendingEvent e) {
    std::vector<AppendOutcome> out;
    const absl::Status s = journal_->AppendGroup({std::move(e)}, &out);
    EXPECT_TRUE(s.ok()) << s;
    return out.at(0);
  }

  // The evaluations derived by a tick at kBase + `at`.
  std::vector<AppendOutcome::Derived> TickAt(int64_t at) {
    clock_.Set(absl::FromUnixSeconds(kBase + at));
    return Append(Tick()).derived;
  }

  aigov::v1::DriftEvaluation EvaluationAt(uint64_t sequence) {
    const JournalEntry e = journal_->Get(sequence).value();
    EXPECT_TRUE(e.has_drift_evaluation());
    EXPECT_EQ(e.principal(), "aigovd");
    return e.drift_evaluation();
  }

  // Everything the view answers, serialized, for before/after comparisons.
  std::string Snapshot() {
    std::string out;
    out += view_->State("credit", "1").value().SerializeAsString();
    const auto last = view_->Last("credit", "1").value();
    if (last) out += last->SerializeAsString();
    for (int64_t s : Open()) out += std::to_string(s) + ",";
    for (uint64_t s : Evaluated(1000).sequences) {
      out += std::to_string(s) + ";";
    }
    return out;
  }

  std::vector<int64_t> Open() {
    absl::StatusOr<std::vector<int64_t>> open =
        view_->OpenWindows("credit", "1");
    EXPECT_TRUE(open.ok()) << open.status();
    return open.ok() ? *std::move(open) : std::vector<int64_t>();
  }

  DriftView::EvaluationPage Evaluated(size_t limit) {
    absl::StatusOr<DriftView::EvaluationPage> page =
        view_->Evaluations("credit", "1", INT64_MIN, limit);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *std::move(page) : DriftView::EvaluationPage();
  }

  std::unique_ptr<rocksdb::Env> env_;
  common::FakeClock clock_;
  registry::RegistryProjection registry_;
  std::unique_ptr<DriftView> view_;
  std::unique_ptr<journal::RocksDbJournal> journal_;
};

TEST_F(DriftViewTest, RefusesWhatHasNoRegisteredModelOrReference) {
  AppendOutcome out = Append(Reference("ref"));
  EXPECT_EQ(out.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status.message(),
            "reference_profile: model version credit@1 is not registered; "
            "register it first (RegisterModelVersion)");
  ASSERT_TRUE(Append(Model("1")).status.ok());
  out = Append(Window("w", 0, 100));
  EXPECT_EQ(out.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(out.status.message()),
              HasSubstr("credit@1 has no reference profile"));
  EXPECT_EQ(journal_->tree_size(), 1u);
}

TEST_F(DriftViewTest, RefusesWindowsThatDoNotFitTheReference) {
  ASSERT_TRUE(Append(Model("1")).status.ok());
  ASSERT_TRUE(Append(Reference("ref")).status.ok());
  PendingEvent w = Window("w", 0, 100);
  w.entry.mutable_window_profile()->mutable_window_start()->set_seconds(kBase +
                                                                        60);
  AppendOutcome out = Append(w);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status.message(),
            "window_profile.window_start: not aligned to the reference's "
            "window (1h): windows start at multiples of it since the Unix "
            "epoch; this one would start at 2026-01-01T00:00:00Z");
  w = Window("w", 0, 100);
  w.entry.mutable_window_profile()->mutable_features(1)->add_counts(1);
  out = Append(w);
  EXPECT_EQ(out.status.message(),
            "window_profile.features[\"region\"].counts: expected 4 counts "
            "(the reference's bins: its categories, then other and unseen), "
            "got 5");
  w = Window("w", 0, 100);
  w.entry.mutable_window_profile()->mutable_features(1)->set_name("age");
  out = Append(w);
  EXPECT_EQ(out.status.message(),
            "window_profile.features[\"age\"].name: not a feature of the "
            "reference profile of credit@1");
  EXPECT_EQ(journal_->tree_size(), 2u);
}

TEST_F(DriftViewTest, RefusesThresholdsThatResolveInverted) {
  // Each override is valid alone; resolved over the level above, the pair
  // is inverted (psi_warn 0.3 over the default psi_alert 0.25).
  ASSERT_TRUE(Append(Model("1")).status.ok());
  PendingEvent ref = Reference("ref");
  ref.entry.mutable_reference_profile()->mutable_thresholds()->set_psi_warn(
      0.3);
  AppendOutcome out = Append(ref);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(out.status.message()),
              HasSubstr("reference_profile.thresholds.psi_alert: resolves to "
                        "0.25, below psi_warn (0.3)"));
  ref = Reference("ref");
  auto* f = ref.entry.mutable_reference_profile()->mutable_features(1);
  f->mutable_thresholds()->set_min_samples(1000);
  out = Append(ref);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(out.status.message()),
              HasSubstr("reference_profile.features[\"region\"].thresholds."
                        "alert_min_samples: resolves to 500, below "
                        "min_samples (1000)"));
  EXPECT_EQ(journal_->tree_size(), 1u);
  // Both of the pair set at the same level: accepted.
  f->mutable_thresholds()->set_alert_min_samples(2000);
  EXPECT_TRUE(Append(ref).status.ok());
}

TEST_F(DriftViewTest, SplitReportsMergeAndTheWindowClosesWhenLatenessPassed) {
  ASSERT_TRUE(Append(Model("1")).status.ok());
  const uint64_t ref = Append(Reference("ref")).sequence;
  const uint64_t a = Append(Window("w0a", 0, 30)).sequence;
  const uint64_t b = Append(Window("w0b", 0, 70)).sequence;
  // Window 1 starting at window 0's end does not close it (lateness 5 min).
  EXPECT_TRUE(Append(Window("w1", 1, 100)).derived.empty());
  EXPECT_THAT(Open(), ElementsAre(kBase, kBase + kHour));
  EXPECT_TRUE(TickAt(kHour + 4 * 60).empty());
  const std::vector<AppendOutcome::Derived> closed = TickAt(kHour + 5 * 60);
  ASSERT_EQ(closed.size(), 1u);
  const JournalEntry entry = journal_->Get(closed[0].sequence).value();
  EXPECT_THAT(std::vector<uint64_t>(entry.derived_from().begin(),
                                    entry.derived_from().end()),
              ElementsAre(ref, a, b));
  const aigov::v1::DriftEvaluation ev = entry.drift_evaluation();
  EXPECT_EQ(ev.closure(), aigov::v1::WINDOW_CLOSURE_LATENESS_PASSED);
  EXPECT_EQ(ev.reports(), 2u);
  EXPECT_EQ(ev.window_start().seconds(), kBase);
  EXPECT_EQ(ev.window_end().seconds(), kBase + kHour);
  ASSERT_EQ(ev.features_size(), 2);  // row_id is excluded
  EXPECT_EQ(ev.features(0).feature(), "income");
  EXPECT_EQ(ev.features(0).n(), 1000u);  // (1+3+3+2+1) x (30+70)
  EXPECT_EQ(ev.features(0).reference_n(), 2000u);
  EXPECT_NEAR(ev.features(0).null_rate(), 10.0 / 1010.0, 1e-12);
  EXPECT_NEAR(ev.features(0).psi(), 0.0, 1e-12);  // the reference's shape
  EXPECT_TRUE(ev.features(0).has_wasserstein());
  EXPECT_FALSE(ev.features(0).has_chi2_p_value());
  EXPECT_TRUE(ev.features(1).has_chi2_p_value());
  EXPECT_EQ(ev.features(0).state(), aigov::v1::DRIFT_STATE_OK);
  EXPECT_EQ(ev.dataset_state(), aigov::v1::DRIFT_STATE_OK);
  EXPECT_EQ(ev.dataset_since().seconds(), kBase);
  EXPECT_THAT(Open(), ElementsAre(kBase + kHour));
  // A second tick derives nothing more.
  EXPECT_TRUE(TickAt(kHour + 6 * 60).empty());

  // A report for the evaluated window is late: journalled, counted, not
  // merged, nothing re-evaluated.
  const AppendOutcome late = Append(Window("w0c", 0, 50));
  ASSERT_TRUE(late.status.ok());
  EXPECT_TRUE(late.derived.empty());
  EXPECT_EQ(view_->State("credit", "1")->late_reports(), 1u);
  EXPECT_EQ(view_->Last("credit", "1").value()->evaluation().reports(), 2u);
}

TEST_F(DriftViewTest, ALaterWindowClosesEarlierOnesInOrder) {
  ASSERT_TRUE(Append(Model("1")).status.ok());
  ASSERT_TRUE(Append(Reference("ref")).status.ok());
  ASSERT_TRUE(Append(Window("w0", 0, 100)).status.ok());
  ASSERT_TRUE(Append(Window("w1", 1, 100)).status.ok());
  // Window 2 does not reach window 1's end plus lateness; window 3 does.
  const AppendOutcome two = Append(Window("w2", 2, 100));
  ASSERT_EQ(two.derived.size(), 1u);  // window 0 only
  const AppendOutcome three = Append(Window("w3", 3, 100));
  ASSERT_EQ(three.derived.size(), 1u);
  EXPECT_EQ(three.derived[0].sequence, three.sequence + 1);
  const JournalEntry entry = journal_->Get(three.derived[0].sequence).value();
  EXPECT_EQ(entry.drift_evaluation().window_start().seconds(), kBase + kHour);
  EXPECT_EQ(entry.drift_evaluation().closure(),
            aigov::v1::WINDOW_CLOSURE_LATER_WINDOW);
  // The report that closed it comes last in derived_from.
  EXPECT_EQ(entry.derived_from(entry.derived_from_size() - 1), three.sequence);
  EXPECT_EQ(Evaluated(10).sequences,
            (std::vector<uint64_t>{two.derived[0].sequence,
                                   three.derived[0].sequence}));
  EXPECT_EQ(Evaluated(1).next, std::optional<int64_t>(kBase + kHour));
}

TEST_F(DriftViewTest, AShiftAlertsAfterTwoWindowsAndRebuildKeepsTheState) {
  ASSERT_TRUE(Append(Model("1")).status.ok());
  ASSERT_TRUE(Append(Reference("ref")).status.ok());
  std::vector<aigov::v1::DriftEvaluation> evs;
  for (int64_t k = 0; k < 8; ++k) {
    const bool shifted = k >= 3 && k < 5;
    ASSERT_TRUE(
        Append(Window("w" + std::to_string(k), k, 100, shifted)).status.ok());
    for (const auto& d : TickAt((k + 1) * kHour + 5 * 60)) {
      evs.push_back(EvaluationAt(d.sequence));
    }
  }
  ASSERT_EQ(evs.size(), 8u);
  std::vector<aigov::v1::DriftState> income, dataset;
  for (const auto& ev : evs) {
    income.push_back(ev.features(0).state());
    dataset.push_back(ev.dataset_state());
  }
  using S = aigov::v1::DriftState;
  EXPECT_THAT(income, ElementsAre(S::DRIFT_STATE_OK, S::DRIFT_STATE_OK,
                                  S::DRIFT_STATE_OK, S::DRIFT_STATE_WARN,
                                  S::DRIFT_STATE_ALERT, S::DRIFT_STATE_ALERT,
                                  S::DRIFT_STATE_ALERT, S::DRIFT_STATE_OK));
  // region is critical: its ALERT is the dataset's.
  EXPECT_EQ(dataset[4], S::DRIFT_STATE_ALERT);
  EXPECT_EQ(evs[4].dataset_since().seconds(), kBase + 4 * kHour);
  EXPECT_EQ(evs[6].dataset_since().seconds(), kBase + 4 * kHour);
  EXPECT_EQ(evs[4].features(0).since().seconds(), kBase + 4 * kHour);
  EXPECT_EQ(evs[4].features_in_alert(), 2u);
  EXPECT_GT(evs[4].features(1).unseen_share(), 0.3);

  ASSERT_TRUE(Append(Window("w8", 8, 100)).status.ok());  // left open
  const std::string before = Snapshot();
  auto rebuilt = journal_->RebuildViews(nullptr);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_EQ(Snapshot(), before);
  Reopen();  // and across a restart
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(DriftViewTest, TwoBreachingWindowsMakeOnePerformanceBreach) {
  ASSERT_TRUE(Append(Model("1")).status.ok());
  ASSERT_TRUE(Append(Sample("s0", 0, 0.80)).derived.empty());
  const AppendOutcome first = Append(Sample("s1", 1, 0.70));
  EXPECT_TRUE(first.derived.empty());
  const AppendOutcome second = Append(Sample("s2", 2, 0.72));
  ASSERT_EQ(second.derived.size(), 1u);
  const JournalEntry breach = journal_->Get(second.derived[0].sequence).value();
  EXPECT_EQ(breach.principal(), "aigovd");
  EXPECT_EQ(breach.performance_breach().windows(), 2u);
  EXPECT_EQ(breach.performance_breach().first_window_start().seconds(),
            kBase + kHour);
  EXPECT_DOUBLE_EQ(breach.performance_breach().threshold(), 0.75);
  EXPECT_THAT(std::vector<uint64_t>(breach.derived_from().begin(),
                                    breach.derived_from().end()),
              ElementsAre(first.sequence, second.sequence));
  // The run goes on without a second breach; a good window ends it.
  EXPECT_TRUE(Append(Sample("s3", 3, 0.60)).derived.empty());
  EXPECT_TRUE(Append(Sample("s4", 4, 0.90)).derived.empty());
  EXPECT_TRUE(Append(Sample("s5", 5, 0.70)).derived.empty());
  // A gap breaks a run.
  EXPECT_TRUE(Append(Sample("s7", 7, 0.70)).derived.empty());
  EXPECT_EQ(Append(Sample("s8", 8, 0.70)).derived.size(), 1u);
  // An undeclared metric is recorded and never breaches.
  PendingEvent other = Sample("x", 9, 0.0);
  other.entry.mutable_performance_sample()->set_metric("latency_ms");
  EXPECT_TRUE(Append(other).derived.empty());
}

}  // namespace
}  // namespace aigov::drift
