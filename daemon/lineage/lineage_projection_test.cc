#include "daemon/lineage/lineage_projection.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

#include "daemon/common/clock.h"
#include "daemon/journal/rocksdb_journal.h"

namespace aigov::lineage {
namespace {

using aigov::v1::LineageNode;
using journal::PendingEvent;

aigov::v1::DatasetRef D(const std::string& id, const std::string& v) {
  aigov::v1::DatasetRef ref;
  ref.set_dataset_id(id);
  ref.set_version(v);
  return ref;
}

aigov::v1::ModelVersionRef M(const std::string& id, const std::string& v) {
  aigov::v1::ModelVersionRef ref;
  ref.set_model_id(id);
  ref.set_version(v);
  return ref;
}

PendingEvent Dataset(const std::string& id, const std::string& version,
                     std::vector<aigov::v1::DatasetRef> parents = {}) {
  PendingEvent e;
  e.entry.set_event_id(
      absl::StrCat("d-", id, "-", version, "-", parents.size()));
  auto* d = e.entry.mutable_dataset_version();
  d->set_dataset_id(id);
  d->set_version(version);
  for (auto& p : parents) *d->add_parents() = p;
  return e;
}

PendingEvent Model(const std::string& id, const std::string& version,
                   std::vector<aigov::v1::DatasetRef> training) {
  PendingEvent e;
  e.entry.set_event_id(absl::StrCat("m-", id, "-", version));
  auto* mv = e.entry.mutable_model_version();
  mv->set_model_id(id);
  mv->set_version(version);
  mv->set_system_id("loans");
  mv->set_artifact_sha256(std::string(64, 'a'));
  for (auto& t : training) *mv->add_training_datasets() = t;
  return e;
}

PendingEvent Deploy(const std::string& event_id, const std::string& model,
                    const std::string& version) {
  PendingEvent e;
  e.entry.set_event_id(event_id);
  auto* d = e.entry.mutable_deployment();
  d->set_deployment_id("loans-prod");
  *d->mutable_model_version() = M(model, version);
  d->set_environment(aigov::v1::ENVIRONMENT_PROD);
  d->set_state(aigov::v1::DEPLOYMENT_STATE_ENABLED);
  return e;
}

PendingEvent RunEv(const std::string& event_id, const std::string& run_id,
                   aigov::v1::RunEventType type,
                   std::vector<aigov::v1::DatasetRef> inputs,
                   std::vector<aigov::v1::DatasetRef> outputs,
                   int64_t seconds = 1767225600,
                   const std::string& job = "features") {
  PendingEvent e;
  e.entry.set_event_id(event_id);
  auto* r = e.entry.mutable_run_event();
  r->set_run_id(run_id);
  r->set_job_namespace("airflow");
  r->set_job_name(job);
  r->set_event_type(type);
  r->mutable_event_time()->set_seconds(seconds);
  r->set_source(aigov::v1::RUN_SOURCE_OPENLINEAGE);
  for (auto& i : inputs) *r->add_inputs() = i;
  for (auto& o : outputs) *r->add_outputs() = o;
  return e;
}

// A JobEvent: job `name` reads `inputs` and writes `outputs`, declared at
// `seconds`.
PendingEvent JobDecl(const std::string& event_id, const std::string& name,
                     std::vector<aigov::v1::DatasetRef> inputs,
                     std::vector<aigov::v1::DatasetRef> outputs,
                     int64_t seconds) {
  PendingEvent e;
  e.entry.set_event_id(event_id);
  auto* d = e.entry.mutable_lineage_declaration();
  d->set_type(aigov::v1::LINEAGE_DECLARATION_TYPE_JOB);
  d->set_job_namespace("dbt");
  d->set_job_name(name);
  d->mutable_event_time()->set_seconds(seconds);
  for (auto& i : inputs) *d->add_inputs() = i;
  for (auto& o : outputs) *d->add_outputs() = o;
  return e;
}

// "kind:id@version" of each node, sorted.
std::vector<std::string> Names(const std::vector<LineageNode>& nodes) {
  std::vector<std::string> out;
  for (const LineageNode& n : nodes) {
    if (n.has_dataset()) {
      out.push_back(absl::StrCat("d:", n.dataset().dataset_id(), "@",
                                 n.dataset().version()));
    } else if (n.has_model_version()) {
      out.push_back(absl::StrCat("m:", n.model_version().model_id(), "@",
                                 n.model_version().version()));
    } else {
      out.push_back(absl::StrCat("p:", n.deployment_id()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class LineageProjectionTest : public ::testing::Test {
 protected:
  LineageProjectionTest()
      : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())),
        clock_(absl::FromUnixSeconds(1767225600)) {
    journal::JournalOptions options;
    options.path = "/journal";
    options.env = env_.get();
    options.projections = {&lineage_};
    auto j = journal::RocksDbJournal::Open(options, clock_);
    EXPECT_TRUE(j.ok()) << j.status();
    journal_ = std::move(*j);
  }

  // Appends `group` and returns each event's outcome.
  std::vector<journal::AppendOutcome> TryAppend(
      std::vector<PendingEvent> group) {
    std::vector<journal::AppendOutcome> out;
    const absl::Status s = journal_->AppendGroup(std::move(group), &out);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  void Append(std::vector<PendingEvent> group) {
    std::vector<journal::AppendOutcome> out;
    const absl::Status s = journal_->AppendGroup(std::move(group), &out);
    ASSERT_TRUE(s.ok()) << s;
    for (const auto& o : out) ASSERT_TRUE(o.status.ok()) << o.status;
  }

  std::vector<std::string> Downstream(const aigov::v1::DatasetRef& d) {
    auto walk = lineage_.Downstream(DatasetNode(d));
    EXPECT_TRUE(walk.ok()) << walk.status();
    return walk.ok() ? Names(walk->nodes) : std::vector<std::string>{};
  }
  std::vector<std::string> Upstream(const LineageNode& n) {
    auto walk = lineage_.Upstream(n);
    EXPECT_TRUE(walk.ok()) << walk.status();
    return walk.ok() ? Names(walk->nodes) : std::vector<std::string>{};
  }

  std::unique_ptr<rocksdb::Env> env_;
  common::FakeClock clock_;
  LineageProjection lineage_;
  std::unique_ptr<journal::RocksDbJournal> journal_;
};

TEST_F(LineageProjectionTest, ImpactFollowsParentsTrainingAndDeployments) {
  Append({Dataset("raw", "1"), Dataset("bureau", "7"),
          Dataset("features", "3", {D("raw", "1"), D("bureau", "7")}),
          Model("scoring", "1.0", {D("features", "3")}),
          Deploy("p1", "scoring", "1.0")});
  EXPECT_EQ(Downstream(D("raw", "1")),
            (std::vector<std::string>{"d:features@3", "m:scoring@1.0",
                                      "p:loans-prod"}));
  EXPECT_EQ(Upstream(DeploymentNode("loans-prod")),
            (std::vector<std::string>{"d:bureau@7", "d:features@3", "d:raw@1",
                                      "m:scoring@1.0"}));
  // An unrelated version has no impact.
  EXPECT_TRUE(Downstream(D("raw", "2")).empty());
  EXPECT_FALSE(lineage_.HasNode(DatasetNode(D("raw", "2"))).value());
  EXPECT_TRUE(lineage_.HasNode(DatasetNode(D("raw", "1"))).value());
}

TEST_F(LineageProjectionTest, ARedeploymentMovesTheServesEdge) {
  Append({Model("scoring", "1.0", {D("raw", "1")}),
          Model("scoring", "2.0", {D("raw", "2")}),
          Deploy("p1", "scoring", "1.0")});
  EXPECT_EQ(Downstream(D("raw", "1")),
            (std::vector<std::string>{"m:scoring@1.0", "p:loans-prod"}));
  Append({Deploy("p2", "scoring", "2.0")});
  EXPECT_EQ(Downstream(D("raw", "1")),
            (std::vector<std::string>{"m:scoring@1.0"}));
  EXPECT_EQ(Downstream(D("raw", "2")),
            (std::vector<std::string>{"m:scoring@2.0", "p:loans-prod"}));
}

TEST_F(LineageProjectionTest, ARecordUpdateReplacesItsEdgesInTheSameGroup) {
  // The second state of features@3 drops raw@1 as a parent.
  Append({Dataset("features", "3", {D("raw", "1")}),
          Dataset("features", "3", {D("bureau", "7"), D("crm", "1")})});
  EXPECT_TRUE(Downstream(D("raw", "1")).empty());
  EXPECT_EQ(Downstream(D("bureau", "7")),
            (std::vector<std::string>{"d:features@3"}));
}

TEST_F(LineageProjectionTest, StartAndCompleteMakeOneRun) {
  const std::string run_id = "0190a3c4-aaaa-7bbb-8ccc-000000000001";
  Append({RunEv("e1", run_id, aigov::v1::RUN_EVENT_TYPE_START, {D("raw", "1")},
                {})});
  auto run = lineage_.GetRun(run_id).value();
  ASSERT_TRUE(run.has_value());
  EXPECT_FALSE(run->finished());
  EXPECT_EQ(lineage_.CountUnfinishedRuns().value().at("airflow"), 1u);
  auto open = lineage_.ListRuns(true, "", 10).value();
  ASSERT_EQ(open.runs.size(), 1u);
  EXPECT_EQ(open.runs[0].run_id(), run_id);

  Append({RunEv("e2", run_id, aigov::v1::RUN_EVENT_TYPE_COMPLETE, {},
                {D("features", "3")})});
  run = lineage_.GetRun(run_id).value();
  ASSERT_TRUE(run.has_value());
  EXPECT_TRUE(run->finished());
  EXPECT_EQ(run->state(), aigov::v1::RUN_EVENT_TYPE_COMPLETE);
  EXPECT_EQ(run->inputs_size(), 1);
  EXPECT_EQ(run->outputs_size(), 1);
  EXPECT_EQ(run->sequences_size(), 2);
  EXPECT_TRUE(lineage_.CountUnfinishedRuns().value().empty());
  EXPECT_TRUE(lineage_.ListRuns(true, "", 10).value().runs.empty());
  // The START's input links to the COMPLETE's output.
  auto walk = lineage_.Downstream(DatasetNode(D("raw", "1"))).value();
  ASSERT_EQ(walk.edges.size(), 1u);
  EXPECT_EQ(walk.edges[0].relation(), aigov::v1::LINEAGE_RELATION_RUN);
  EXPECT_EQ(walk.edges[0].run_id(), run_id);
  EXPECT_EQ(walk.edges[0].to().dataset().dataset_id(), "features");
}

TEST_F(LineageProjectionTest, CyclesEndTheWalk) {
  Append({RunEv("e1", "r1", aigov::v1::RUN_EVENT_TYPE_COMPLETE, {D("a", "1")},
                {D("b", "1")}),
          RunEv("e2", "r2", aigov::v1::RUN_EVENT_TYPE_COMPLETE, {D("b", "1")},
                {D("a", "1")})});
  EXPECT_EQ(Downstream(D("a", "1")), (std::vector<std::string>{"d:b@1"}));
}

TEST_F(LineageProjectionTest, OutOfOrderEventsGiveTheSameRun) {
  using aigov::v1::RUN_EVENT_TYPE_COMPLETE;
  using aigov::v1::RUN_EVENT_TYPE_RUNNING;
  using aigov::v1::RUN_EVENT_TYPE_START;
  const int64_t t0 = 1767225600;
  const auto events = [&](const std::string& run_id) {
    std::vector<PendingEvent> v;
    v.push_back(RunEv(run_id + "-s", run_id, RUN_EVENT_TYPE_START,
                      {D("raw", "2"), D("raw", "1")}, {}, t0));
    v.push_back(RunEv(run_id + "-r", run_id, RUN_EVENT_TYPE_RUNNING,
                      {D("crm", "1")}, {}, t0 + 60));
    v.push_back(RunEv(run_id + "-c", run_id, RUN_EVENT_TYPE_COMPLETE, {},
                      {D("out", "2"), D("out", "1")}, t0 + 120));
    return v;
  };
  // In order, one event per group.
  for (PendingEvent& e : events("in-order")) Append({std::move(e)});
  // COMPLETE first, then RUNNING, then START, then a retried START.
  std::vector<PendingEvent> reversed = events("reversed");
  std::reverse(reversed.begin(), reversed.end());
  for (PendingEvent& e : reversed) Append({std::move(e)});
  Append({RunEv("reversed-s-retry", "reversed", RUN_EVENT_TYPE_START,
                {D("raw", "1")}, {}, t0 + 1)});

  auto a = lineage_.GetRun("in-order").value();
  auto b = lineage_.GetRun("reversed").value();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->state(), RUN_EVENT_TYPE_COMPLETE);
  EXPECT_TRUE(b->finished());
  EXPECT_EQ(b->started_at().seconds(), t0);
  EXPECT_EQ(b->updated_at().seconds(), t0 + 120);
  EXPECT_EQ(b->state_at().seconds(), t0 + 120);
  EXPECT_EQ(b->sequences_size(), 4);
  a->clear_run_id();
  b->clear_run_id();
  a->clear_sequences();
  b->clear_sequences();
  EXPECT_EQ(a->DebugString(), b->DebugString());
  EXPECT_TRUE(lineage_.CountUnfinishedRuns().value().empty());
}

TEST_F(LineageProjectionTest, ARunIdOfAnotherJobIsRefused) {
  Append(
      {RunEv("e1", "r1", aigov::v1::RUN_EVENT_TYPE_START, {D("a", "1")}, {})});
  auto out = TryAppend({RunEv("e2", "r1", aigov::v1::RUN_EVENT_TYPE_COMPLETE,
                              {}, {D("b", "1")}, 1767225660, "other-job")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out[0].status.message(),
            "run.run_id: run r1 is a run of job \"airflow/features\"; this "
            "event names job \"airflow/other-job\" (a runId identifies one "
            "run of one job: give this run a new UUID)");
  // Within one group too; the first event of the group is kept.
  out = TryAppend({RunEv("e3", "r2", aigov::v1::RUN_EVENT_TYPE_START, {}, {}),
                   RunEv("e4", "r2", aigov::v1::RUN_EVENT_TYPE_START, {}, {},
                         1767225600, "other-job")});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].status.ok());
  EXPECT_EQ(out[1].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Downstream(D("a", "1")).empty());
  EXPECT_EQ(lineage_.GetRun("r1").value()->job_name(), "features");
}

TEST_F(LineageProjectionTest, AWideRunIsANodeBetweenItsInputsAndOutputs) {
  std::vector<aigov::v1::DatasetRef> ins, outs;
  for (int i = 0; i < 2000; ++i) {
    ins.push_back(D(absl::StrCat("in", i), "1"));
    outs.push_back(D(absl::StrCat("out", i), "1"));
  }
  Append({RunEv("wide", "wide-run", aigov::v1::RUN_EVENT_TYPE_COMPLETE, ins,
                outs)});
  auto down = lineage_.Downstream(DatasetNode(D("in7", "1"))).value();
  EXPECT_EQ(down.nodes.size(), 2000u);
  ASSERT_EQ(down.edges.size(), 2000u);
  EXPECT_EQ(down.edges[0].from().dataset().dataset_id(), "in7");
  EXPECT_EQ(down.edges[0].run_id(), "wide-run");
  auto up = lineage_.Upstream(DatasetNode(D("out1999", "1"))).value();
  EXPECT_EQ(up.nodes.size(), 2000u);
}

TEST_F(LineageProjectionTest,
       AJobDeclarationIsANodeBetweenItsInputsAndOutputs) {
  Append({JobDecl("j1", "marts", {D("raw", "1"), D("bureau", "7")},
                  {D("features", "3")}, 1767225600),
          Model("scoring", "1.0", {D("features", "3")})});
  EXPECT_EQ(Downstream(D("raw", "1")),
            (std::vector<std::string>{"d:features@3", "m:scoring@1.0"}));
  auto down = lineage_.Downstream(DatasetNode(D("bureau", "7"))).value();
  ASSERT_EQ(down.edges.size(), 2u);
  EXPECT_EQ(down.edges[0].relation(), aigov::v1::LINEAGE_RELATION_JOB);
  EXPECT_EQ(down.edges[0].job(), "dbt/marts");
  EXPECT_TRUE(down.edges[0].run_id().empty());
  EXPECT_EQ(down.edges[0].to().dataset().dataset_id(), "features");
  EXPECT_EQ(Upstream(DatasetNode(D("features", "3"))),
            (std::vector<std::string>{"d:bureau@7", "d:raw@1"}));
}

TEST_F(LineageProjectionTest, TheLatestJobDeclarationByEventTimeHolds) {
  const int64_t t = 1767225600;
  // A newer declaration replaces the job's inputs; an older one arriving
  // after it changes nothing; one naming no dataset keeps them.
  Append({JobDecl("j1", "marts", {D("raw", "1")}, {D("features", "3")}, t)});
  Append(
      {JobDecl("j2", "marts", {D("raw", "2")}, {D("features", "4")}, t + 60)});
  EXPECT_TRUE(Downstream(D("raw", "1")).empty());
  EXPECT_EQ(Downstream(D("raw", "2")),
            (std::vector<std::string>{"d:features@4"}));
  Append(
      {JobDecl("j3", "marts", {D("raw", "9")}, {D("features", "9")}, t + 30)});
  EXPECT_TRUE(Downstream(D("raw", "9")).empty());
  Append({JobDecl("j4", "marts", {}, {}, t + 90)});
  EXPECT_EQ(Downstream(D("raw", "2")),
            (std::vector<std::string>{"d:features@4"}));
  // Another job's edges are its own.
  Append({JobDecl("j5", "other", {D("raw", "2")}, {D("report", "1")}, t)});
  EXPECT_EQ(Downstream(D("raw", "2")),
            (std::vector<std::string>{"d:features@4", "d:report@1"}));
}

TEST_F(LineageProjectionTest, ADatasetDeclarationMakesANode) {
  PendingEvent e;
  e.entry.set_event_id("ds1");
  auto* d = e.entry.mutable_lineage_declaration();
  d->set_type(aigov::v1::LINEAGE_DECLARATION_TYPE_DATASET);
  *d->mutable_dataset() = D("bureau", "8");
  d->mutable_event_time()->set_seconds(1767225600);
  EXPECT_FALSE(lineage_.HasNode(DatasetNode(D("bureau", "8"))).value());
  Append({std::move(e)});
  EXPECT_TRUE(lineage_.HasNode(DatasetNode(D("bureau", "8"))).value());
  EXPECT_TRUE(Downstream(D("bureau", "8")).empty());
}

TEST_F(LineageProjectionTest, PagesOfRuns) {
  std::vector<PendingEvent> group;
  for (int i = 0; i < 5; ++i) {
    group.push_back(RunEv(absl::StrCat("e", i), absl::StrCat("r", i),
                          aigov::v1::RUN_EVENT_TYPE_COMPLETE, {}, {}));
  }
  Append(std::move(group));
  auto page = lineage_.ListRuns(false, "", 2).value();
  ASSERT_EQ(page.runs.size(), 2u);
  EXPECT_EQ(page.runs[0].run_id(), "r0");
  EXPECT_EQ(page.next_run_id, "r2");
  page = lineage_.ListRuns(false, page.next_run_id, 10).value();
  ASSERT_EQ(page.runs.size(), 3u);
  EXPECT_TRUE(page.next_run_id.empty());
}

}  // namespace
}  // namespace aigov::lineage
