// ingest_load: end-to-end durable unary ingest over gRPC. Starts the real
// aigovd (this build's, or --aigovd PATH to compare builds) on a fresh data
// directory, or loads --target HOST:PORT, and keeps --concurrency
// RegisterModelVersion calls in flight over --channels connections for
// --seconds after --warmup. Every call answered OK was durably stored
// (aigovd answers only once its group is synced), so the figure is
// acknowledged durable events per second. Prints the rate and latency
// percentiles; exits 1 when a call fails.
//
// Run on purpose, not by ctest:
//   build/dev/tests/bench/ingest_load --seconds=20
//   build/dev/tests/bench/ingest_load --aigovd=/path/to/old/aigovd
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

#include "aigov/v1/registry_service.grpc.pb.h"
#include "daemon/common/sha256.h"
#include "tests/bench/load_target.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string aigovd;  // empty: this build's
  std::string target;  // non-empty: an already running aigovd
  int concurrency = 64;
  int channels = 4;
  double seconds = 10;
  double warmup = 2;
};

const char kUsage[] =
    "usage: ingest_load [--aigovd=PATH | --target=HOST:PORT] "
    "[--concurrency=64] [--channels=4] [--seconds=10] [--warmup=2]\n"
    "End-to-end durable unary ingest (RegisterModelVersion) over gRPC: "
    "acknowledged events per second and latency percentiles.\n";

bool ParseFlags(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    bool ok = true;
    if (absl::ConsumePrefix(&a, "--aigovd=")) {
      o->aigovd = std::string(a);
    } else if (absl::ConsumePrefix(&a, "--target=")) {
      o->target = std::string(a);
    } else if (absl::ConsumePrefix(&a, "--concurrency=")) {
      ok = absl::SimpleAtoi(a, &o->concurrency) && o->concurrency > 0;
    } else if (absl::ConsumePrefix(&a, "--channels=")) {
      ok = absl::SimpleAtoi(a, &o->channels) && o->channels > 0;
    } else if (absl::ConsumePrefix(&a, "--seconds=")) {
      ok = absl::SimpleAtod(a, &o->seconds) && o->seconds > 0;
    } else if (absl::ConsumePrefix(&a, "--warmup=")) {
      ok = absl::SimpleAtod(a, &o->warmup) && o->warmup >= 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "ingest_load: bad argument %s\n%s", argv[i], kUsage);
      return false;
    }
  }
  return true;
}

// A run's shared state. Each slot has at most one call in flight, so its
// latencies are written by one callback at a time; the counters are atomic.
struct Run {
  Clock::time_point measure_from;
  Clock::time_point stop_at;
  std::atomic<uint64_t> next_id{0};
  std::atomic<uint64_t> failed{0};
  std::mutex mu;
  std::condition_variable done_cv;
  int active = 0;                          // slots still issuing calls
  std::map<std::string, uint64_t> errors;  // guarded by mu
};

// One in-flight call at a time, re-issued from its own completion until the
// run stops.
class Slot {
 public:
  Slot(Run* run, aigov::v1::RegistryService::Stub* stub)
      : run_(run), stub_(stub) {}

  void Issue() {
    const uint64_t i = run_->next_id.fetch_add(1);
    req_.Clear();
    req_.set_event_id(
        aigov::common::HexEncode(aigov::common::Sha256(absl::StrCat("l", i)))
            .substr(0, 32));
    auto* mv = req_.mutable_model_version();
    mv->set_model_id(absl::StrCat("model-", i % 100));
    mv->set_version(absl::StrCat("1.", i));
    mv->set_system_id("loans");
    mv->set_artifact_sha256(
        aigov::common::HexEncode(aigov::common::Sha256(absl::StrCat(i))));
    mv->set_code_ref(
        "git+https://example.invalid/"
        "models.git@4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    (*mv->mutable_hyperparameters())["learning_rate"] = "0.05";
    mv->set_training_run_id(absl::StrCat("run-", i));
    ctx_ = std::make_unique<grpc::ClientContext>();
    ctx_->set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
    started_ = Clock::now();
    stub_->async()->RegisterModelVersion(ctx_.get(), &req_, &resp_,
                                         [this](grpc::Status s) { Done(s); });
  }

  const std::vector<double>& latencies_ms() const { return latencies_ms_; }

 private:
  void Done(const grpc::Status& s) {
    const Clock::time_point now = Clock::now();
    if (!s.ok()) {
      run_->failed.fetch_add(1);
      std::lock_guard<std::mutex> lock(run_->mu);
      ++run_->errors[absl::StrCat(s.error_code(), ": ", s.error_message())];
    } else if (started_ >= run_->measure_from && now <= run_->stop_at) {
      latencies_ms_.push_back(
          std::chrono::duration<double, std::milli>(now - started_).count());
    }
    if (now < run_->stop_at) {
      Issue();
      return;
    }
    std::lock_guard<std::mutex> lock(run_->mu);
    if (--run_->active == 0) run_->done_cv.notify_all();
  }

  Run* run_;
  aigov::v1::RegistryService::Stub* stub_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  aigov::v1::RegisterModelVersionRequest req_;
  aigov::v1::RegisterModelVersionResponse resp_;
  Clock::time_point started_;
  std::vector<double> latencies_ms_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseFlags(argc, argv, &o)) return 2;

  aigov::bench::LoadTarget load;
  if (!load.Start("ingest_load", o.aigovd, o.target)) return 1;
  const std::string& target = load.target();
  std::printf(
      "ingest_load: %s, %d calls in flight over %d channels, %.0f s "
      "(after %.0f s warm-up)\n",
      o.target.empty()
          ? (o.aigovd.empty() ? "this build's aigovd" : o.aigovd.c_str())
          : target.c_str(),
      o.concurrency, o.channels, o.seconds, o.warmup);

  std::vector<std::unique_ptr<aigov::v1::RegistryService::Stub>> stubs;
  for (int c = 0; c < o.channels; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("aigov.load.channel", c);  // distinct connections
    stubs.push_back(
        aigov::v1::RegistryService::NewStub(grpc::CreateCustomChannel(
            target, grpc::InsecureChannelCredentials(), args)));
  }
  Run run;
  const Clock::time_point start = Clock::now();
  run.measure_from = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(o.warmup));
  run.stop_at =
      run.measure_from + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(o.seconds));
  std::vector<std::unique_ptr<Slot>> slots;
  run.active = o.concurrency;
  for (int i = 0; i < o.concurrency; ++i) {
    slots.push_back(std::make_unique<Slot>(
        &run, stubs[static_cast<size_t>(i % o.channels)].get()));
  }
  for (auto& s : slots) s->Issue();
  {
    std::unique_lock<std::mutex> lock(run.mu);
    run.done_cv.wait(lock, [&run] { return run.active == 0; });
  }

  std::vector<double> all;
  for (const auto& s : slots) {
    all.insert(all.end(), s->latencies_ms().begin(), s->latencies_ms().end());
  }
  std::sort(all.begin(), all.end());
  const double rate = static_cast<double>(all.size()) / o.seconds;
  std::printf("acknowledged durable events: %zu in %.1f s = %.0f/s\n",
              all.size(), o.seconds, rate);
  std::printf(
      "latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
      aigov::bench::Percentile(all, 0.50), aigov::bench::Percentile(all, 0.90),
      aigov::bench::Percentile(all, 0.99), all.empty() ? 0.0 : all.back());
  const uint64_t failed = run.failed.load();
  if (failed > 0) {
    std::printf("failed calls: %llu\n",
                static_cast<unsigned long long>(failed));
    for (const auto& [what, n] : run.errors) {
      std::printf("  %llu x %s\n", static_cast<unsigned long long>(n),
                  what.c_str());
    }
    return 1;
  }
  if (!load.Stop()) return 1;
  return 0;
}
