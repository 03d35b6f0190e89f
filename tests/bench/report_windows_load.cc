// report_windows_load: sustained durable ReportWindows ingest over gRPC, in
// feature-windows per second (the target: >= 50k/s at 20 features
// per window). Starts the real aigovd (this build's, or --aigovd PATH) on a
// fresh data directory, or loads --target HOST:PORT; registers --models
// model versions and a reference profile each (--features numeric features
// of 12 bins); then --streams client streams, each owning its models, send
// window profiles of --batch messages per stream until --reports are
// acknowledged. Event time advances one window (60 s) every
// --reports-per-window reports of a model, so windows close and are
// evaluated during the run (each evaluation scores every feature in the
// sequencer). A stream's answer comes once all its messages are durably
// stored, so the figure is acknowledged durable feature-windows per second.
// Prints the rate, the evaluations derived and stream latency percentiles;
// exits 1 when a message is refused or a call fails.
//
// Run on purpose, not by ctest:
//   build/dev/tests/bench/report_windows_load
//   build/dev/tests/bench/report_windows_load --aigovd=/path/to/old/aigovd
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

#include "aigov/v1/monitoring_service.grpc.pb.h"
#include "aigov/v1/registry_service.grpc.pb.h"
#include "tests/bench/load_target.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kWindowSeconds = 60;
constexpr size_t kBins = 12;

struct Options {
  std::string aigovd;  // empty: this build's
  std::string target;  // non-empty: an already running aigovd
  int streams = 8;
  int models = 8;
  int features = 20;
  int reports = 60000;
  int batch = 250;
  int reports_per_window = 40;
  int warmup = 4000;
};

const char kUsage[] =
    "usage: report_windows_load [--aigovd=PATH | --target=HOST:PORT]\n"
    "  [--streams=8] [--models=8] [--features=20] [--reports=60000]\n"
    "  [--batch=250] [--reports-per-window=40] [--warmup=4000]\n"
    "Sustained durable ReportWindows ingest over gRPC: acknowledged "
    "feature-windows per second,\nwindows closing and evaluated during the "
    "run. Each stream owns the models m with m % streams == its slot.\n";

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
    } else if (absl::ConsumePrefix(&a, "--target=")) {
      o->target = std::string(a);
    } else if (absl::ConsumePrefix(&a, "--streams=")) {
      ok = positive(a, &o->streams);
    } else if (absl::ConsumePrefix(&a, "--models=")) {
      ok = positive(a, &o->models);
    } else if (absl::ConsumePrefix(&a, "--features=")) {
      ok = positive(a, &o->features);
    } else if (absl::ConsumePrefix(&a, "--reports=")) {
      ok = positive(a, &o->reports);
    } else if (absl::ConsumePrefix(&a, "--batch=")) {
      ok = positive(a, &o->batch);
    } else if (absl::ConsumePrefix(&a, "--reports-per-window=")) {
      ok = positive(a, &o->reports_per_window);
    } else if (absl::ConsumePrefix(&a, "--warmup=")) {
      ok = absl::SimpleAtoi(a, &o->warmup) && o->warmup >= 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "report_windows_load: bad argument %s\n%s", argv[i],
                   kUsage);
      return false;
    }
  }
  if (o->streams > o->models) {
    std::fprintf(stderr,
                 "report_windows_load: --streams must not exceed --models "
                 "(each stream owns its models)\n%s",
                 kUsage);
    return false;
  }
  return true;
}

// One model version under load: its name and how many reports it has had.
struct Model {
  std::string id;
  int64_t reports = 0;  // written by the one stream that owns the model
};

// The run's shared state: models, the window base, and the outcome.
struct Run {
  Options options;
  int64_t base = 0;  // the first window's start, aligned
  std::vector<Model> models;
  std::atomic<int64_t> remaining{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> evaluations{0};
  std::mutex mu;
  std::vector<double> latencies_ms;  // guarded by mu
  std::vector<std::string> errors;   // guarded by mu
};

// A window profile of `model`'s next report: counts drawn around the
// reference's shape.
aigov::v1::ReportWindowsRequest NextReport(const Run& run, Model& model,
                                           std::mt19937_64& rng) {
  aigov::v1::ReportWindowsRequest req;
  const int64_t k = model.reports++;
  req.set_event_id(absl::StrCat(model.id, "-", k));
  aigov::v1::WindowProfile* w = req.mutable_window_profile();
  w->set_model_id(model.id);
  w->set_version("1");
  w->mutable_window_start()->set_seconds(
      run.base + k / run.options.reports_per_window * kWindowSeconds);
  for (int f = 0; f < run.options.features; ++f) {
    aigov::v1::WindowFeature* wf = w->add_features();
    wf->set_name(absl::StrCat("f", f));
    for (size_t b = 0; b < kBins; ++b) wf->add_counts(10 + rng() % 20);
    wf->set_null_count(rng() % 3);
  }
  return req;
}

// One stream slot: sends --batch reports of its own models per stream until
// the run's reports are all sent. A model has one stream at a time, so its
// event time only moves forward.
void Stream(Run* run, aigov::v1::MonitoringService::Stub* stub, int slot) {
  std::mt19937_64 rng(static_cast<uint64_t>(slot) + 1);
  const Options& o = run->options;
  std::vector<Model*> mine;
  for (int m = slot; m < o.models; m += o.streams) {
    mine.push_back(&run->models[static_cast<size_t>(m)]);
  }
  while (true) {
    const int64_t take =
        std::min<int64_t>(o.batch, run->remaining.fetch_sub(o.batch));
    if (take <= 0) return;
    std::vector<aigov::v1::ReportWindowsRequest> reqs;
    for (int64_t i = 0; i < take; ++i) {
      reqs.push_back(
          NextReport(*run, *mine[static_cast<size_t>(i) % mine.size()], rng));
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(120));
    aigov::v1::ReportWindowsResponse out;
    const Clock::time_point started = Clock::now();
    auto stream = stub->ReportWindows(&ctx, &out);
    for (const auto& r : reqs) {
      if (!stream->Write(r)) break;
    }
    stream->WritesDone();
    const grpc::Status s = stream->Finish();
    const double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - started)
            .count();
    uint64_t evaluations = 0;
    for (const auto& r : out.results()) {
      evaluations += static_cast<uint64_t>(r.evaluation_sequences_size());
    }
    run->accepted.fetch_add(out.accepted());
    run->evaluations.fetch_add(evaluations);
    std::lock_guard<std::mutex> lock(run->mu);
    run->latencies_ms.push_back(ms);
    if (!s.ok()) {
      run->errors.push_back(
          absl::StrCat(s.error_code(), ": ", s.error_message()));
    } else if (out.refused() > 0) {
      for (const auto& r : out.results()) {
        if (r.code() != 0) {
          run->errors.push_back(absl::StrCat(r.event_id(), ": ", r.message()));
          break;
        }
      }
    }
  }
}

// Sends `reports` reports over the run's streams; returns the seconds taken.
double Send(
    Run* run,
    std::vector<std::unique_ptr<aigov::v1::MonitoringService::Stub>>& stubs,
    int reports) {
  run->remaining = reports;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < run->options.streams; ++s) {
    threads.emplace_back(Stream, run,
                         stubs[static_cast<size_t>(s) % stubs.size()].get(), s);
  }
  // Progress: the rate of each 5 s interval, so a rate that falls shows.
  std::atomic<bool> done{false};
  std::thread progress([&] {
    uint64_t before = run->accepted.load();
    Clock::time_point last = Clock::now();
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const Clock::time_point now = Clock::now();
      if (now - last < std::chrono::seconds(5)) continue;
      const uint64_t accepted = run->accepted.load();
      const double interval = std::chrono::duration<double>(now - last).count();
      std::printf("  %5.0f s: %llu reports, last %.0f s at %.0f/s\n",
                  std::chrono::duration<double>(now - start).count(),
                  static_cast<unsigned long long>(accepted), interval,
                  static_cast<double>(accepted - before) / interval);
      std::fflush(stdout);
      before = accepted;
      last = now;
    }
  });
  for (auto& t : threads) t.join();
  done = true;
  progress.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  Run run;
  Options& o = run.options;
  if (!ParseFlags(argc, argv, &o)) return 2;

  aigov::bench::LoadTarget load;
  if (!load.Start("report_windows_load", o.aigovd, o.target)) return 1;
  const std::string& target = load.target();
  std::printf(
      "report_windows_load: %s; %d streams, %d model versions, %d features "
      "x %zu bins, %d reports per stream, a window every %d reports of a "
      "model\n",
      o.target.empty()
          ? (o.aigovd.empty() ? "this build's aigovd" : o.aigovd.c_str())
          : target.c_str(),
      o.streams, o.models, o.features, kBins, o.batch, o.reports_per_window);

  // Windows start an hour ahead of now (aigovd accepts event times up to
  // 24 h ahead), so its sweep closes none; reports close them.
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  run.base = (now / kWindowSeconds + 60) * kWindowSeconds;
  const int64_t span_windows =
      (o.reports + o.warmup) / o.models / o.reports_per_window + 1;
  if (span_windows * kWindowSeconds > 22 * 3600) {
    std::fprintf(stderr,
                 "report_windows_load: %lld windows of event time would pass "
                 "aigovd's 24 h future bound; raise --reports-per-window or "
                 "--models\n",
                 static_cast<long long>(span_windows));
    return 2;
  }

  auto channel =
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto registry = aigov::v1::RegistryService::NewStub(channel);
  auto monitoring = aigov::v1::MonitoringService::NewStub(channel);
  const std::string run_id = std::to_string(now);
  for (int m = 0; m < o.models; ++m) {
    Model model;
    model.id = absl::StrCat("load-", run_id, "-", m);
    aigov::v1::RegisterModelVersionRequest mv;
    mv.set_event_id(absl::StrCat(model.id, "-mv"));
    mv.mutable_model_version()->set_model_id(model.id);
    mv.mutable_model_version()->set_version("1");
    mv.mutable_model_version()->set_system_id("loans");
    mv.mutable_model_version()->set_artifact_sha256(std::string(64, 'a'));
    aigov::v1::PutReferenceProfileRequest ref;
    ref.set_event_id(absl::StrCat(model.id, "-ref"));
    auto* p = ref.mutable_reference_profile();
    p->set_model_id(model.id);
    p->set_version("1");
    p->mutable_window()->set_seconds(kWindowSeconds);
    for (int f = 0; f < o.features; ++f) {
      auto* rf = p->add_features();
      rf->set_name(absl::StrCat("f", f));
      for (size_t b = 0; b + 1 < kBins; ++b) {
        rf->mutable_numeric()->add_edges(static_cast<double>(b));
      }
      for (size_t b = 0; b < kBins; ++b) {
        rf->mutable_numeric()->add_counts(1000 + b * 10);
      }
      rf->mutable_numeric()->set_std(3);
    }
    grpc::ClientContext c1, c2;
    aigov::v1::RegisterModelVersionResponse r1;
    aigov::v1::PutReferenceProfileResponse r2;
    grpc::Status s = registry->RegisterModelVersion(&c1, mv, &r1);
    if (s.ok()) s = monitoring->PutReferenceProfile(&c2, ref, &r2);
    if (!s.ok()) {
      std::fprintf(stderr, "report_windows_load: setup failed: %s\n",
                   s.error_message().c_str());
      return 1;
    }
    run.models.push_back(model);
  }

  std::vector<std::unique_ptr<aigov::v1::MonitoringService::Stub>> stubs;
  for (int c = 0; c < std::min(o.streams, 4); ++c) {
    grpc::ChannelArguments args;
    args.SetInt("aigov.load.channel", c);  // distinct connections
    stubs.push_back(
        aigov::v1::MonitoringService::NewStub(grpc::CreateCustomChannel(
            target, grpc::InsecureChannelCredentials(), args)));
  }
  if (o.warmup > 0) Send(&run, stubs, o.warmup);
  run.accepted = 0;
  run.evaluations = 0;
  run.latencies_ms.clear();
  const double seconds = Send(&run, stubs, o.reports);

  std::sort(run.latencies_ms.begin(), run.latencies_ms.end());
  const double reports = static_cast<double>(run.accepted.load());
  std::printf(
      "acknowledged durable reports: %.0f in %.2f s = %.0f/s = %.0f "
      "feature-windows/s (target >= 50000)\n",
      reports, seconds, reports / seconds, reports * o.features / seconds);
  std::printf("windows closed and evaluated during the run: %llu\n",
              static_cast<unsigned long long>(run.evaluations.load()));
  std::printf(
      "stream of %d reports, ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n",
      o.batch, aigov::bench::Percentile(run.latencies_ms, 0.50),
      aigov::bench::Percentile(run.latencies_ms, 0.90),
      aigov::bench::Percentile(run.latencies_ms, 0.99),
      run.latencies_ms.empty() ? 0.0 : run.latencies_ms.back());
  if (!run.errors.empty()) {
    std::printf("failed: %zu streams, first: %s\n", run.errors.size(),
                run.errors.front().c_str());
    return 1;
  }
  if (!load.Stop()) return 1;
  return 0;
}
