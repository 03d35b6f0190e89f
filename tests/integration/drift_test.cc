// Drift monitoring against the real aigovd on a clock the test drives: a
// reference profile from a generated training set, twenty hourly windows of
// production traffic (each sent as two reports that merge) with a shift on
// two of eight features from window 10, a late report, a restart and
// --rebuild_views. Everything is asserted through the public surfaces:
// gRPC, aigovctl and the data directory.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

#include "aigov/v1/monitoring_service.grpc.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kStart = 1767225600;  // 2026-01-01T00:00:00Z, the clock
constexpr int64_t kHour = 3600;
constexpr size_t kFeatures = 8;
constexpr size_t kWindows = 20;
constexpr size_t kShiftFrom = 10;

std::string Feature(size_t i) { return "f" + std::to_string(i); }

// Values of feature `f`: normal(10 f, 1 + f / 4), shifted by 1.5 standard
// deviations on f0 and f1 when `shifted`.
std::vector<double> Draw(std::mt19937_64& rng, size_t f, int n, bool shifted) {
  const double mean = 10.0 * static_cast<double>(f);
  const double sd = 1.0 + static_cast<double>(f) / 4.0;
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    // Box-Muller from the engine's raw output: the same on every platform.
    const double u1 = (static_cast<double>(rng() >> 11) + 1) * 0x1.0p-53;
    const double u2 = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    out.push_back(mean + sd * z + (shifted && f < 2 ? 1.5 * sd : 0.0));
  }
  return out;
}

// Counts of `values` in the bins of `edges` (bin i holds edges[i-1] <= x <
// edges[i]; the first and last are open).
std::vector<uint64_t> Bin(const std::vector<double>& values,
                          const std::vector<double>& edges) {
  std::vector<uint64_t> counts(edges.size() + 1, 0);
  for (const double x : values) {
    ++counts[static_cast<size_t>(
        std::upper_bound(edges.begin(), edges.end(), x) - edges.begin())];
  }
  return counts;
}

class DriftTest : public ::testing::Test {
 protected:
  std::string DataDir() const { return tmp_.path() + "/data"; }

  CommandResult Ctl(const DaemonProcess& d, std::vector<std::string> args) {
    args.insert(args.begin(), {AigovctlPath(), "--target", d.grpc_target()});
    return RunCommand(args);
  }

  // The evaluations journalled so far, once there are at least `want`.
  std::vector<aigov::v1::DriftEvaluationEntry> AwaitEvaluations(
      aigov::v1::MonitoringService::Stub& stub, size_t want) {
    std::vector<aigov::v1::DriftEvaluationEntry> out;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      grpc::ClientContext ctx;
      aigov::v1::ListDriftEvaluationsRequest req;
      req.set_model_id("credit");
      req.set_version("1");
      req.set_page_size(1000);
      aigov::v1::ListDriftEvaluationsResponse resp;
      const grpc::Status s = stub.ListDriftEvaluations(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      out.assign(resp.evaluations().begin(), resp.evaluations().end());
      if (out.size() >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return out;
  }

  TempDir tmp_;
};

TEST_F(DriftTest, TwentyWindowsWithAShiftOnTwoFeatures) {
  const std::string config = tmp_.path() + "/aigovd.yaml";
  std::ofstream(config) << "monitoring:\n  sweep_interval: 60s\n";
  DaemonProcess d(DataDir(), {"--config=" + config});
  d.UseControlledClock(kStart);
  ASSERT_TRUE(d.Start()) << d.log();
  auto channel =
      grpc::CreateChannel(d.grpc_target(), grpc::InsecureChannelCredentials());
  auto monitoring = aigov::v1::MonitoringService::NewStub(channel);

  // The model version and the issue's example documents, through aigovctl.
  const std::string docs = tmp_.path() + "/credit.yaml";
  std::ofstream(docs) << R"(kind: ModelVersion
model_id: credit
version: "1"
system_id: loans
artifact_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
---
kind: ModelVersion
model_id: credit-scoring
version: "2.0"
system_id: loans
artifact_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
---
kind: ReferenceProfile
model_id: credit-scoring
version: "2.0"
window: 3600s
features:
  - name: income
    numeric: {edges: [900, 1500, 1800, 2100], counts: [3, 40, 35, 20, 2], std: 610.5}
    null_count: 4
  - name: region
    categorical: {categories: [north, south], counts: [60, 30, 8, 2]}
    critical: true
---
kind: WindowProfile
model_id: credit-scoring
version: "2.0"
window_start: 2025-12-31T22:00:00Z
features:
  - {name: income, counts: [1, 12, 9, 5, 0], null_count: 1}
  - {name: region, counts: [20, 6, 1, 0]}
)";
  CommandResult r = Ctl(d, {"apply", "-f", docs});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("WindowProfile credit-scoring created"));
  // A window whose counts do not fit the reference is refused, naming the
  // feature, and records nothing.
  std::ofstream(docs) << R"(kind: WindowProfile
model_id: credit-scoring
version: "2.0"
window_start: 2025-12-31T22:00:00Z
features:
  - {name: income, counts: [1, 12, 9, 5]}
)";
  r = Ctl(d, {"apply", "-f", docs});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("window_profile.features[\"income\"].counts: "
                               "expected 5 counts"));

  // The reference: 5000 training rows, edges at min, deciles and max.
  std::mt19937_64 rng(42);
  aigov::v1::PutReferenceProfileRequest ref;
  ref.set_event_id("ref-credit-1");
  auto* profile = ref.mutable_reference_profile();
  profile->set_model_id("credit");
  profile->set_version("1");
  profile->mutable_window()->set_seconds(kHour);
  std::vector<std::vector<double>> edges(kFeatures);
  for (size_t f = 0; f < kFeatures; ++f) {
    std::vector<double> train = Draw(rng, f, 5000, false);
    std::sort(train.begin(), train.end());
    for (size_t q = 0; q <= 10; ++q) {
      edges[f].push_back(
          train[std::min<size_t>(train.size() - 1, q * train.size() / 10)]);
    }
    const double size = static_cast<double>(train.size());
    double mean = 0, var = 0;
    for (double x : train) mean += x / size;
    for (double x : train) var += (x - mean) * (x - mean) / size;
    auto* rf = profile->add_features();
    rf->set_name(Feature(f));
    rf->set_critical(f == 1);
    for (double e : edges[f]) rf->mutable_numeric()->add_edges(e);
    for (uint64_t c : Bin(train, edges[f])) {
      rf->mutable_numeric()->add_counts(c);
    }
    rf->mutable_numeric()->set_std(std::sqrt(var));
  }
  {
    grpc::ClientContext ctx;
    aigov::v1::PutReferenceProfileResponse out;
    const grpc::Status s = monitoring->PutReferenceProfile(&ctx, ref, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Twenty windows, each as two reports of 500 rows on one stream; the
  // clock then passes the window's end plus the 5 min lateness.
  ASSERT_EQ(d.AdvanceClock(300), kStart + 300);
  for (size_t k = 0; k < kWindows; ++k) {
    grpc::ClientContext ctx;
    aigov::v1::ReportWindowsResponse out;
    auto stream = monitoring->ReportWindows(&ctx, &out);
    for (int half = 0; half < 2; ++half) {
      aigov::v1::ReportWindowsRequest req;
      req.set_event_id("w" + std::to_string(k) + "-" + std::to_string(half));
      auto* w = req.mutable_window_profile();
      w->set_model_id("credit");
      w->set_version("1");
      w->mutable_window_start()->set_seconds(kStart +
                                             static_cast<int64_t>(k) * kHour);
      for (size_t f = 0; f < kFeatures; ++f) {
        auto* wf = w->add_features();
        wf->set_name(Feature(f));
        for (uint64_t c : Bin(Draw(rng, f, 500, k >= kShiftFrom), edges[f])) {
          wf->add_counts(c);
        }
      }
      ASSERT_TRUE(stream->Write(req));
    }
    stream->WritesDone();
    const grpc::Status s = stream->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(out.accepted(), 2u) << out.DebugString();
    d.AdvanceClock(kHour);
    AwaitEvaluations(*monitoring, k + 1);
  }
  const std::vector<aigov::v1::DriftEvaluationEntry> evs =
      AwaitEvaluations(*monitoring, kWindows);
  ASSERT_EQ(evs.size(), kWindows);
  for (size_t k = 0; k < kWindows; ++k) {
    const aigov::v1::DriftEvaluation& ev = evs[k].evaluation();
    EXPECT_EQ(ev.window_start().seconds(),
              kStart + static_cast<int64_t>(k) * kHour);
    EXPECT_EQ(ev.closure(), aigov::v1::WINDOW_CLOSURE_LATENESS_PASSED);
    EXPECT_EQ(ev.reports(), 2u);
    ASSERT_EQ(static_cast<size_t>(ev.features_size()), kFeatures);
    for (const auto& f : ev.features()) EXPECT_EQ(f.n(), 1000u);
    if (k > 0) {
      EXPECT_GT(evs[k].sequence(), evs[k - 1].sequence());
    }
    // Both shifted features are critical or not: f1 is, so the dataset
    // is in ALERT from the second shifted window.
    EXPECT_EQ(ev.dataset_state(), k < kShiftFrom ? aigov::v1::DRIFT_STATE_OK
                                  : k == kShiftFrom
                                      ? aigov::v1::DRIFT_STATE_WARN
                                      : aigov::v1::DRIFT_STATE_ALERT)
        << k;
  }

  // The transitions, exactly: every feature to OK in window 0; f0 and f1
  // to WARN in window 10 and ALERT in window 11.
  nlohmann::json want = nlohmann::json::array();
  const auto transition = [&](size_t f, const char* from, const char* to,
                              size_t k) {
    want.push_back({{"feature", Feature(f)},
                    {"from", from},
                    {"to", to},
                    {"window_start", k == 0    ? "2026-01-01T00:00:00Z"
                                     : k == 10 ? "2026-01-01T10:00:00Z"
                                               : "2026-01-01T11:00:00Z"},
                    {"sequence", evs[k].sequence()}});
  };
  for (size_t f = 0; f < kFeatures; ++f) {
    transition(f, "INSUFFICIENT_DATA", "OK", 0);
  }
  transition(0, "OK", "WARN", 10);
  transition(1, "OK", "WARN", 10);
  transition(0, "WARN", "ALERT", 11);
  transition(1, "WARN", "ALERT", 11);
  r = Ctl(d, {"drift", "history", "--model", "credit@1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), want);
  r = Ctl(d, {"drift", "history", "--model", "credit@1", "--feature", "f3",
              "--json"});
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), 1u);

  // drift status: the last window's states, and no window open.
  r = Ctl(d, {"drift", "status", "--model", "credit@1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json status = nlohmann::json::parse(r.out);
  EXPECT_EQ(status["open_windows"], nlohmann::json::array());
  EXPECT_EQ(status["late_reports"], 0);
  EXPECT_EQ(status["dataset_state"], "ALERT");
  EXPECT_EQ(status["last_window_start"], "2026-01-01T19:00:00Z");
  ASSERT_EQ(status["features"].size(), kFeatures);
  for (size_t f = 0; f < kFeatures; ++f) {
    const nlohmann::json& s = status["features"][f];
    EXPECT_EQ(s["feature"], Feature(f));
    EXPECT_EQ(s["state"], f < 2 ? "ALERT" : "OK") << f;
    EXPECT_EQ(s["since"],
              f < 2 ? "2026-01-01T11:00:00Z" : "2026-01-01T00:00:00Z");
    EXPECT_EQ(s["n"], 1000);
    EXPECT_EQ(s.contains("chi2_p_value"), false);
    for (const char* k : {"psi", "js_distance", "hellinger", "wasserstein",
                          "ks", "psi_p_value", "null_rate"}) {
      EXPECT_TRUE(s[k].is_number()) << k;
    }
    if (f < 2) {
      EXPECT_GT(s["psi"].get<double>(), 0.25);
      EXPECT_LT(s["psi_p_value"].get<double>(), 0.01);
    } else {
      EXPECT_LT(s["psi"].get<double>(), 0.08);
    }
  }

  // One report of seven values per bin of f0 for the window from `start`.
  const auto report_f0 = [&](const std::string& event_id, int64_t start,
                             aigov::v1::ReportWindowBatchResponse* out) {
    aigov::v1::ReportWindowBatchRequest batch;
    auto* req = batch.add_windows();
    req->set_event_id(event_id);
    auto* w = req->mutable_window_profile();
    w->set_model_id("credit");
    w->set_version("1");
    w->mutable_window_start()->set_seconds(start);
    auto* wf = w->add_features();
    wf->set_name("f0");
    for (size_t b = 0; b < edges[0].size() + 1; ++b) wf->add_counts(7);
    grpc::ClientContext ctx;
    return monitoring->ReportWindowBatch(&ctx, batch, out).ok();
  };
  // A late report for window 5: journalled, counted, nothing re-evaluated.
  {
    aigov::v1::ReportWindowBatchResponse out;
    ASSERT_TRUE(report_f0("late-5", kStart + 5 * kHour, &out));
    ASSERT_EQ(out.accepted(), 1u) << out.DebugString();
    EXPECT_TRUE(out.results(0).evaluation_sequences().empty());
    grpc::ClientContext sctx;
    aigov::v1::GetDriftStatusRequest sreq;
    sreq.set_model_id("credit");
    sreq.set_version("1");
    aigov::v1::GetDriftStatusResponse sresp;
    ASSERT_TRUE(monitoring->GetDriftStatus(&sctx, sreq, &sresp).ok());
    EXPECT_EQ(sresp.late_reports(), 1u);
    EXPECT_EQ(sresp.open_windows_size(), 0);  // not merged, nothing reopened
    EXPECT_EQ(sresp.last_evaluation_sequence(), evs.back().sequence());
  }
  // A version never registered says so, and how to list those that are.
  r = Ctl(d, {"drift", "status", "--model", "credit@9"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("model version credit@9 is not registered "
                               "(aigovctl get ModelVersion credit lists"));
  // A window received and not yet closed is listed as open.
  {
    aigov::v1::ReportWindowBatchResponse out;
    ASSERT_TRUE(report_f0("open-30", kStart + 30 * kHour, &out));
    r = Ctl(d, {"drift", "status", "--model", "credit@1", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["open_windows"],
              nlohmann::json::array({"2026-01-02T06:00:00Z"}));
  }
  d.AdvanceClock(kHour);
  EXPECT_EQ(AwaitEvaluations(*monitoring, 0).size(), kWindows);

  const std::string status_before =
      Ctl(d, {"drift", "status", "--model", "credit@1", "--json"}).out;
  const std::string history_before =
      Ctl(d, {"drift", "history", "--model", "credit@1", "--json"}).out;
  ASSERT_EQ(d.Stop(SIGTERM), 0) << d.log();

  // --rebuild_views rebuilds the drift view byte for byte, and a restart
  // answers as before.
  const auto view = DumpFamily(DataDir(), "drift");
  ASSERT_GT(view.size(), 20u);
  DamageFamily(DataDir(), "drift", view.begin()->first);
  ASSERT_NE(DumpFamily(DataDir(), "drift"), view);
  r = RunCommand({AigovdPath(), "--data_dir=" + DataDir(), "--config=" + config,
                  "--rebuild_views"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(DumpFamily(DataDir(), "drift"), view);
  DaemonProcess again(DataDir(), {"--config=" + config});
  again.UseControlledClock(kStart + 21 * kHour);
  ASSERT_TRUE(again.Start()) << again.log();
  EXPECT_EQ(
      Ctl(again, {"drift", "status", "--model", "credit@1", "--json"}).out,
      status_before);
  EXPECT_EQ(
      Ctl(again, {"drift", "history", "--model", "credit@1", "--json"}).out,
      history_before);
  ASSERT_EQ(again.Stop(SIGTERM), 0) << again.log();
}

}  // namespace
}  // namespace aigov::testing
