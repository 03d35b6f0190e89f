// /metrics at fleet scale (issue 14 targets): a scrape of 1,000 deployed
// model versions x 20 features (about 120k series) in < 300 ms, measured
// side by side with prometheus-cpp's own registry holding the same series;
// and scrapes never block ingest (append throughput while scraping
// continuously within 10 % of without).
//
//   metrics_bench [--systems N] [--versions N] [--features N] [--runs N]
//                 [--samples N]
//
// 1. Population: N systems with M model versions each, every version
//    deployed in production with a reference profile of F features (half
//    numeric, half categorical) and two evaluated windows, journalled
//    through the sequencer over a real journal on disk with the registry,
//    drift and compliance views and their derivers, as aigovd runs them.
// 2. Scrape: StateCollector::Collect (what /metrics adds to the daemon's
//    own families), `--runs` times, median and worst; then the same series
//    (same names, labels and values) as gauges of a prometheus::Registry,
//    serialized with prometheus::TextSerializer, the same number of times.
// 3. Ingest: `--samples` performance samples appended through the
//    sequencer, with no scrape and then with a thread scraping without a
//    pause, in alternating rounds; events per second.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

#include "daemon/common/clock.h"
#include "daemon/compliance/compliance_view.h"
#include "daemon/drift/drift_view.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/journal/sequencer.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/rules/catalog.h"
#include "daemon/scrape/state_collector.h"
#include "tests/bench/stats.h"

namespace {

using aigov::journal::AppendOutcome;
using aigov::journal::PendingEvent;
using aigov::v1::JournalEntry;

struct Options {
  int systems = 50;
  int versions = 20;  // per system
  int features = 20;
  int runs = 10;
  int samples = 20000;
};

constexpr int64_t kStart = 1835481600;  // 2028-03-01T00:00:00Z

class Stack {
 public:
  explicit Stack(const aigov::rules::Catalog& catalog)
      : clock(absl::FromUnixSeconds(kStart)),
        dir((std::filesystem::temp_directory_path() /
             absl::StrCat("metrics-bench-", ::getpid()))
                .string()),
        compliance(catalog, *catalog.FindRegime("eu-ai-act-omnibus-2026"),
                   aigov::rules::Settings()) {
    std::filesystem::remove_all(dir);
    aigov::journal::JournalOptions options;
    options.path = dir;
    options.projections = {&registry, &drift, &compliance};
    options.derivers = {&drift, &compliance};
    auto j = aigov::journal::RocksDbJournal::Open(options, clock);
    if (!j.ok()) {
      std::fprintf(stderr, "open: %s\n", j.status().ToString().c_str());
      std::exit(1);
    }
    journal = std::move(*j);
    aigov::journal::Sequencer::Options so;
    so.max_batch_events = 1024;
    so.queue_capacity = 1 << 17;
    sequencer = std::make_unique<aigov::journal::Sequencer>(*journal, so);
  }
  ~Stack() {
    sequencer->Stop();
    sequencer.reset();
    journal.reset();
    std::filesystem::remove_all(dir);
  }

  // Submits `entries` (and a tick after them when `tick`) and waits for
  // all; exits on a failure. Returns events per second.
  double Append(const std::vector<JournalEntry>& entries, bool tick = false) {
    const absl::Time start = absl::Now();
    std::atomic<size_t> left{entries.size() + (tick ? 1 : 0)};
    std::atomic<size_t> failed{0};
    absl::Notification done;
    auto on_done = [&](const AppendOutcome& out) {
      if (!out.status.ok()) failed.fetch_add(1);
      if (left.fetch_sub(1) == 1) done.Notify();
    };
    for (const JournalEntry& e : entries) {
      PendingEvent p;
      p.entry = e;
      Check(sequencer->Submit(std::move(p), on_done), "submit");
    }
    if (tick) Check(sequencer->Tick(on_done), "tick");
    if (!entries.empty() || tick) done.WaitForNotification();
    if (failed.load() > 0) {
      std::fprintf(stderr, "%zu appends failed\n", failed.load());
      std::exit(1);
    }
    return static_cast<double>(entries.size()) /
           absl::ToDoubleSeconds(absl::Now() - start);
  }

  static void Check(const absl::Status& s, const char* what) {
    if (s.ok()) return;
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }

  aigov::common::FakeClock clock;
  std::string dir;
  aigov::registry::RegistryProjection registry;
  aigov::drift::DriftView drift{registry, aigov::drift::DriftOptions()};
  aigov::compliance::ComplianceView compliance;
  std::unique_ptr<aigov::journal::RocksDbJournal> journal;
  std::unique_ptr<aigov::journal::Sequencer> sequencer;
};

std::string Model(int s, int v) { return absl::StrCat("model-", s, "-", v); }

JournalEntry Entry(const std::string& id) {
  JournalEntry e;
  e.set_event_id(id);
  e.set_principal("bench");
  return e;
}

// The registrations, deployments, profiles and first window of every
// version; the second window is Windows(1).
std::vector<JournalEntry> Population(const Options& o) {
  std::vector<JournalEntry> out;
  for (int s = 0; s < o.systems; ++s) {
    JournalEntry sys = Entry(absl::StrCat("sys-", s));
    auto* a = sys.mutable_ai_system();
    a->set_system_id(absl::StrCat("system-", s));
    a->add_roles(aigov::v1::ROLE_PROVIDER);
    a->mutable_risk()->set_annex_iii_point("5(b)");
    a->mutable_risk()->set_eu_market(true);
    a->set_lifecycle_stage(aigov::v1::LIFECYCLE_STAGE_PRODUCTION);
    out.push_back(sys);
    for (int v = 0; v < o.versions; ++v) {
      JournalEntry mv = Entry(absl::StrCat("mv-", s, "-", v));
      auto* m = mv.mutable_model_version();
      m->set_model_id(Model(s, v));
      m->set_version("1");
      m->set_system_id(absl::StrCat("system-", s));
      m->set_artifact_sha256(std::string(64, 'a'));
      auto* metric = m->add_declared_metrics();
      metric->set_name("auc");
      metric->set_value(0.8);
      metric->set_threshold(0.7);
      metric->set_direction(aigov::v1::METRIC_DIRECTION_HIGHER_IS_BETTER);
      out.push_back(mv);
      JournalEntry dep = Entry(absl::StrCat("dep-", s, "-", v));
      auto* d = dep.mutable_deployment();
      d->set_deployment_id(absl::StrCat("prod-", s, "-", v));
      d->mutable_model_version()->set_model_id(Model(s, v));
      d->mutable_model_version()->set_version("1");
      d->set_environment(aigov::v1::ENVIRONMENT_PROD);
      d->set_state(aigov::v1::DEPLOYMENT_STATE_ENABLED);
      out.push_back(dep);
      JournalEntry ref = Entry(absl::StrCat("ref-", s, "-", v));
      auto* p = ref.mutable_reference_profile();
      p->set_model_id(Model(s, v));
      p->set_version("1");
      p->mutable_window()->set_seconds(3600);
      for (int f = 0; f < o.features; ++f) {
        auto* rf = p->add_features();
        rf->set_name(absl::StrCat("feature_", f));
        if (f % 2 == 0) {
          auto* n = rf->mutable_numeric();
          for (double e : {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0}) {
            n->add_edges(e);
          }
          for (int b = 0; b < 10; ++b) n->add_counts(100);
          n->set_std(2.5);
        } else {
          auto* c = rf->mutable_categorical();
          for (const char* cat : {"a", "b", "c", "d"}) c->add_categories(cat);
          for (int b = 0; b < 6; ++b) c->add_counts(b < 4 ? 240 : 20);
        }
      }
      out.push_back(ref);
    }
  }
  return out;
}

// Window `w` of every version: 1,000 values per feature, the odd-numbered
// versions shifted on their first two features.
std::vector<JournalEntry> Windows(const Options& o, int w) {
  std::vector<JournalEntry> out;
  for (int s = 0; s < o.systems; ++s) {
    for (int v = 0; v < o.versions; ++v) {
      JournalEntry e = Entry(absl::StrCat("win-", w, "-", s, "-", v));
      auto* p = e.mutable_window_profile();
      p->set_model_id(Model(s, v));
      p->set_version("1");
      p->mutable_window_start()->set_seconds(kStart + w * 3600);
      for (int f = 0; f < o.features; ++f) {
        auto* wf = p->add_features();
        wf->set_name(absl::StrCat("feature_", f));
        const bool shift = v % 2 == 1 && f < 4;
        if (f % 2 == 0) {
          for (int b = 0; b < 10; ++b) {
            wf->add_counts(shift ? (b >= 8 ? 500 : 0) : 100);
          }
        } else {
          for (int b = 0; b < 6; ++b) {
            wf->add_counts(shift ? (b == 0 ? 1000 : 0) : (b < 4 ? 240 : 20));
          }
        }
      }
      out.push_back(e);
    }
  }
  return out;
}

std::vector<JournalEntry> Samples(const Options& o, int round) {
  std::vector<JournalEntry> out;
  const int versions = o.systems * o.versions;
  for (int i = 0; i < o.samples; ++i) {
    const int n = i % versions;
    JournalEntry e = Entry(absl::StrCat("sample-", round, "-", i));
    auto* p = e.mutable_performance_sample();
    p->set_model_id(Model(n / o.versions, n % o.versions));
    p->set_version("1");
    p->mutable_window_start()->set_seconds(kStart + (2 + i / versions) * 3600);
    p->set_metric("auc");
    p->set_value(0.8);
    p->set_n(1000);
    out.push_back(e);
  }
  return out;
}

// The exposition `text` rebuilt as gauges of a prometheus-cpp registry.
std::shared_ptr<prometheus::Registry> AsRegistry(const std::string& text) {
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Gauge>* family = nullptr;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    if (absl::StartsWith(line, "# HELP ")) {
      line.remove_prefix(7);
      const size_t sp = line.find(' ');
      family = &prometheus::BuildGauge()
                    .Name(std::string(line.substr(0, sp)))
                    .Help(std::string(line.substr(sp + 1)))
                    .Register(*registry);
      continue;
    }
    if (line[0] == '#' || family == nullptr) continue;
    std::map<std::string, std::string> labels;
    const size_t open = line.find('{');
    const size_t close = line.rfind('}');
    if (open != absl::string_view::npos && close != absl::string_view::npos) {
      for (absl::string_view kv :
           absl::StrSplit(line.substr(open + 1, close - open - 1), "\",",
                          absl::SkipEmpty())) {
        const size_t eq = kv.find("=\"");
        std::string value(kv.substr(eq + 2));
        if (!value.empty() && value.back() == '"') value.pop_back();
        labels[std::string(kv.substr(0, eq))] = value;
      }
    }
    double value = 0;
    (void)absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value);
    family->Add(labels).Set(value);
  }
  return registry;
}

struct Timing {
  double median_ms;
  double worst_ms;
};

template <typename Fn>
Timing Time(int runs, Fn fn) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const absl::Time start = absl::Now();
    fn();
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  return {aigov::bench::Percentile(ms, 0.5),
          *std::max_element(ms.begin(), ms.end())};
}

int Run(const Options& o) {
  auto catalog = aigov::rules::EmbeddedCatalog();
  if (!catalog.ok()) {
    std::fprintf(stderr, "catalog: %s\n", catalog.status().ToString().c_str());
    return 1;
  }
  Stack stack(*catalog);
  std::printf("population: %d systems x %d deployed versions x %d features\n",
              o.systems, o.versions, o.features);
  absl::Time start = absl::Now();
  stack.Append(Population(o));
  stack.Append(Windows(o, 0));
  stack.Append(Windows(o, 1));
  stack.clock.Set(absl::FromUnixSeconds(kStart + 3 * 3600));
  stack.Append({}, /*tick=*/true);
  std::printf("  loaded and evaluated in %.1f s (journal of %llu entries)\n",
              absl::ToDoubleSeconds(absl::Now() - start),
              static_cast<unsigned long long>(stack.journal->tree_size()));

  aigov::scrape::StateCollector collector(stack.compliance, stack.drift,
                                          {static_cast<uint32_t>(o.features)});
  std::string text;
  if (!collector.Collect(&text).ok()) return 1;
  size_t series = 0;
  size_t drift_series = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    ++series;
    if (absl::StartsWith(line, "aigov_feature_")) ++drift_series;
  }
  std::printf("scrape: %zu series (%zu per-feature), %.1f MB\n", series,
              drift_series, static_cast<double>(text.size()) / 1e6);
  const Timing ours = Time(o.runs, [&] {
    std::string out;
    if (!collector.Collect(&out).ok()) std::exit(1);
  });
  std::printf(
      "  StateCollector::Collect       median %7.1f ms  worst %7.1f ms\n",
      ours.median_ms, ours.worst_ms);
  const auto registry = AsRegistry(text);
  const Timing theirs = Time(o.runs, [&] {
    prometheus::TextSerializer serializer;
    const std::string out = serializer.Serialize(registry->Collect());
    if (out.empty()) std::exit(1);
  });
  std::printf(
      "  prometheus-cpp Registry       median %7.1f ms  worst %7.1f ms "
      "(same series, Collect + TextSerializer)\n",
      theirs.median_ms, theirs.worst_ms);

  // Ingest with and without a scraper, in alternating rounds.
  std::vector<double> quiet;
  std::vector<double> scraped;
  int scrapes = 0;
  for (int round = 0; round < 4; ++round) {
    const bool scrape = round % 2 == 1;
    std::atomic<bool> stop{false};
    std::thread scraper;
    if (scrape) {
      scraper = std::thread([&] {
        while (!stop.load()) {
          std::string out;
          if (!collector.Collect(&out).ok()) std::exit(1);
          ++scrapes;
        }
      });
    }
    const double rate = stack.Append(Samples(o, round));
    stop.store(true);
    if (scraper.joinable()) scraper.join();
    (scrape ? scraped : quiet).push_back(rate);
  }
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  };
  std::printf("ingest: %d performance samples per round, 2 rounds each way\n",
              o.samples);
  std::printf("  without scrapes  %8.0f events/s\n", mean(quiet));
  std::printf("  while scraping   %8.0f events/s (%d scrapes, %+.1f %%)\n",
              mean(scraped), scrapes,
              100.0 * (mean(scraped) / mean(quiet) - 1.0));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    int* target = flag == "--systems"    ? &o.systems
                  : flag == "--versions" ? &o.versions
                  : flag == "--features" ? &o.features
                  : flag == "--runs"     ? &o.runs
                  : flag == "--samples"  ? &o.samples
                                         : nullptr;
    if (flag == "--help" || flag == "-h") {
      std::printf(
          "usage: metrics_bench [--systems N] [--versions N] [--features N] "
          "[--runs N] [--samples N]\n");
      return 0;
    }
    if (target == nullptr || i + 1 >= argc ||
        !absl::SimpleAtoi(argv[i + 1], target) || *target <= 0) {
      std::fprintf(stderr, "metrics_bench: bad flag %s (see --help)\n",
                   flag.c_str());
      return 2;
    }
    ++i;
  }
  return Run(o);
}
