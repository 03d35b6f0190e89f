// Compliance engine cost (issue 12 targets): full re-evaluation of 1,000
// systems with 10 model versions each < 1 s; incremental evaluation after
// one entry < 50 us median; the sequencer's append throughput with the
// engine attached within 10 % of without, measured in the same run.
//
//   compliance_bench [--systems N] [--versions N] [--samples N] [--runs N]
//
// 1. Full: each system's record is folded in memory (rules::Fold) from the
//    entries aigovd would journal for it: a high-risk credit-scoring
//    profile with personal data, a training dataset, N model versions with
//    a declared metric, the Annex IV set, instructions for use, conformity
//    assessment, DPIA, FRIA and risk register covering every version, and
//    an enabled production deployment of the last version; then
//    rules::Evaluate runs over every record, timed as a whole.
// 2. Throughput: the same entries, then `--samples` performance samples on
//    the deployed versions, are submitted to a Sequencer over a real
//    journal on disk (groups of up to 1024, synced), with the views and
//    derivers aigovd runs without the compliance engine (registry,
//    lineage, drift) and with it; then without it again on the engine's
//    journal after the population (the entries plus the findings the
//    engine journalled for them), so that the samples are appended to
//    journals of the same size. `--runs` times.
// 3. Incremental: ComplianceView::Derive of each performance sample inside
//    the sequencer (route; for a sample that cannot change a finding the
//    version's monitoring alone, otherwise the record from the view's cache
//    or RocksDB, fold, evaluate, derive what changed), timed per entry.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"

#include "daemon/common/clock.h"
#include "daemon/compliance/compliance_view.h"
#include "daemon/drift/drift_view.h"
#include "daemon/journal/erasure_deriver.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/journal/sequencer.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/rules/catalog.h"
#include "daemon/rules/evaluate.h"
#include "daemon/rules/snapshot.h"
#include "daemon/storage/allocator.h"
#include "tests/bench/stats.h"

namespace {

using aigov::journal::PendingEvent;
using aigov::v1::JournalEntry;

struct Options {
  int systems = 1000;
  int versions = 10;
  int samples = 200000;
  int runs = 2;
};

std::string System(int s) { return absl::StrCat("sys-", s); }
std::string Model(int s) { return absl::StrCat("model-", s); }

using aigov::bench::Percentile;

JournalEntry Entry(const std::string& event_id) {
  JournalEntry e;
  e.set_event_id(event_id);
  e.set_principal("bench");
  return e;
}

// The entries of one system, in journal order.
std::vector<JournalEntry> SystemEntries(int s, int versions) {
  std::vector<JournalEntry> out;
  {
    JournalEntry e = Entry(absl::StrCat("s-", s));
    auto* sys = e.mutable_ai_system();
    sys->set_system_id(System(s));
    sys->set_intended_purpose("score consumer-loan applicants");
    sys->add_roles(aigov::v1::ROLE_PROVIDER);
    sys->add_roles(aigov::v1::ROLE_DEPLOYER);
    sys->mutable_risk()->set_annex_iii_point("5(b)");
    sys->mutable_risk()->set_performs_profiling(true);
    sys->mutable_risk()->set_decides_about_persons(true);
    sys->mutable_risk()->set_eu_market(true);
    sys->mutable_gdpr()->set_personal_data(true);
    sys->mutable_gdpr()->set_lawful_basis(aigov::v1::LAWFUL_BASIS_CONTRACT);
    sys->mutable_gdpr()->set_retention_days(365);
    auto* p = sys->add_people();
    p->set_id("officer@bank.example");
    p->set_role("overseer");
    out.push_back(std::move(e));
  }
  {
    JournalEntry e = Entry(absl::StrCat("d-", s));
    auto* d = e.mutable_dataset_version();
    d->set_dataset_id(absl::StrCat("applicants-", s));
    d->set_version("1");
    d->set_content_sha256(std::string(64, 'd'));
    d->set_contains_personal_data(true);
    out.push_back(std::move(e));
  }
  for (int v = 1; v <= versions; ++v) {
    JournalEntry e = Entry(absl::StrCat("m-", s, "-", v));
    auto* mv = e.mutable_model_version();
    mv->set_model_id(Model(s));
    mv->set_version(std::to_string(v));
    mv->set_system_id(System(s));
    mv->set_artifact_sha256(std::string(64, 'a'));
    auto* ds = mv->add_training_datasets();
    ds->set_dataset_id(absl::StrCat("applicants-", s));
    ds->set_version("1");
    auto* m = mv->add_declared_metrics();
    m->set_name("auc");
    m->set_value(0.8);
    m->set_threshold(0.7);
    m->set_direction(aigov::v1::METRIC_DIRECTION_HIGHER_IS_BETTER);
    out.push_back(std::move(e));
  }
  std::vector<aigov::v1::DocumentType> docs = {
      aigov::v1::DOCUMENT_TYPE_INSTRUCTIONS_FOR_USE,
      aigov::v1::DOCUMENT_TYPE_CONFORMITY_ASSESSMENT,
      aigov::v1::DOCUMENT_TYPE_DPIA, aigov::v1::DOCUMENT_TYPE_FRIA,
      aigov::v1::DOCUMENT_TYPE_RISK_REGISTER};
  for (int p = 1; p <= 9; ++p) {
    aigov::v1::DocumentType t;
    aigov::v1::DocumentType_Parse(absl::StrCat("DOCUMENT_TYPE_ANNEX_IV_", p),
                                  &t);
    docs.push_back(t);
  }
  for (const aigov::v1::DocumentType t : docs) {
    JournalEntry e = Entry(absl::StrCat("doc-", s, "-", static_cast<int>(t)));
    auto* d = e.mutable_evidence_document();
    d->set_document_id(absl::StrCat("doc-", s, "-", static_cast<int>(t)));
    d->set_type(t);
    d->set_system_id(System(s));
    d->set_content_sha256(std::string(64, 'c'));
    for (int v = 1; v <= versions; ++v) {
      auto* c = d->add_covers_model_versions();
      c->set_model_id(Model(s));
      c->set_version(std::to_string(v));
    }
    out.push_back(std::move(e));
  }
  {
    JournalEntry e = Entry(absl::StrCat("dep-", s));
    auto* d = e.mutable_deployment();
    d->set_deployment_id(absl::StrCat("prod-", s));
    d->mutable_model_version()->set_model_id(Model(s));
    d->mutable_model_version()->set_version(std::to_string(versions));
    d->set_environment(aigov::v1::ENVIRONMENT_PROD);
    d->set_state(aigov::v1::DEPLOYMENT_STATE_ENABLED);
    out.push_back(std::move(e));
  }
  return out;
}

JournalEntry Sample(int s, int versions, uint64_t i, absl::Time at) {
  JournalEntry e = Entry(absl::StrCat("p-", i));
  auto* p = e.mutable_performance_sample();
  p->set_model_id(Model(s));
  p->set_version(std::to_string(versions));
  *p->mutable_window_start() = aigov::rules::TimestampOf(
      at - absl::Hours(1) + absl::Seconds(static_cast<int64_t>(i % 3600)));
  p->set_metric("auc");
  p->set_value(0.81);
  p->set_n(1000);
  return e;
}

// The compliance view as a deriver, timing each Derive of a performance
// sample (the steady-state entry): the incremental cost inside the real
// sequencer, with the view's record cache as aigovd has it.
class TimedDeriver final : public aigov::journal::Deriver {
 public:
  explicit TimedDeriver(aigov::journal::Deriver& inner) : inner_(inner) {}
  absl::Status Derive(const JournalEntry& entry, uint64_t sequence,
                      std::vector<JournalEntry>* derived) override {
    if (!entry.has_performance_sample()) {
      return inner_.Derive(entry, sequence, derived);
    }
    const size_t before = derived->size();
    const absl::Time start = absl::Now();
    absl::Status s = inner_.Derive(entry, sequence, derived);
    micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    findings += derived->size() - before;
    return s;
  }
  absl::Status DeriveAt(absl::Time now, uint64_t next_sequence,
                        std::vector<JournalEntry>* derived) override {
    return inner_.DeriveAt(now, next_sequence, derived);
  }
  std::vector<double> micros;
  size_t findings = 0;

 private:
  aigov::journal::Deriver& inner_;
};

// The aigovd views on a journal in a fresh directory; `engine` adds the
// compliance view and deriver (last, as aigovd wires it).
struct Stack {
  Stack(const std::string& name, bool engine, const aigov::rules::Catalog& c,
        absl::Time now)
      : clock(now),
        dir((std::filesystem::temp_directory_path() /
             absl::StrCat(name, "-", ::getpid()))
                .string()),
        compliance(c, *c.FindRegime("eu-ai-act-omnibus-2026"),
                   aigov::rules::Settings()) {
    std::filesystem::remove_all(dir);
    aigov::journal::JournalOptions options;
    options.path = dir;
    options.projections = {&registry, &lineage, &drift};
    options.derivers = {&erasure, &drift};
    if (engine) {
      options.projections.push_back(&compliance);
      options.derivers.push_back(&timed);
    }
    auto j = aigov::journal::RocksDbJournal::Open(options, clock);
    if (!j.ok()) {
      std::fprintf(stderr, "open: %s\n", j.status().ToString().c_str());
      std::exit(1);
    }
    journal = std::move(*j);
    aigov::journal::Sequencer::Options so;
    so.max_batch_events = 1024;
    so.queue_capacity = 1 << 16;
    sequencer = std::make_unique<aigov::journal::Sequencer>(*journal, so);
  }
  ~Stack() {
    sequencer->Stop();
    sequencer.reset();
    journal.reset();
    std::filesystem::remove_all(dir);
  }

  // Submits entries [begin, end) and waits for all; returns events per
  // second.
  double Append(const std::vector<JournalEntry>& entries, size_t begin,
                size_t end) {
    constexpr size_t kChunk = 8192;
    const absl::Time start = absl::Now();
    for (size_t from = begin; from < end; from += kChunk) {
      const size_t to = std::min(end, from + kChunk);
      std::atomic<size_t> left{to - from};
      std::atomic<size_t> failed{0};
      absl::Notification done;
      for (size_t i = from; i < to; ++i) {
        PendingEvent e;
        e.entry = entries[i];
        const absl::Status s = sequencer->Submit(
            std::move(e), [&](const aigov::journal::AppendOutcome& out) {
              if (!out.status.ok()) failed.fetch_add(1);
              if (left.fetch_sub(1) == 1) done.Notify();
            });
        if (!s.ok()) {
          std::fprintf(stderr, "submit: %s\n", s.ToString().c_str());
          std::exit(1);
        }
      }
      done.WaitForNotification();
      if (failed.load() > 0) {
        std::fprintf(stderr, "%zu appends failed\n", failed.load());
        std::exit(1);
      }
    }
    return static_cast<double>(end - begin) /
           absl::ToDoubleSeconds(absl::Now() - start);
  }

  aigov::common::FakeClock clock;
  std::string dir;
  aigov::registry::RegistryProjection registry;
  aigov::lineage::LineageProjection lineage;
  aigov::drift::DriftView drift{registry, aigov::drift::DriftOptions()};
  aigov::journal::ErasureDeriver erasure;
  aigov::compliance::ComplianceView compliance;
  TimedDeriver timed{compliance};
  std::unique_ptr<aigov::journal::RocksDbJournal> journal;
  std::unique_ptr<aigov::journal::Sequencer> sequencer;
};

int Run(const Options& o) {
  auto catalog = aigov::rules::EmbeddedCatalog();
  if (!catalog.ok()) {
    std::fprintf(stderr, "catalog: %s\n", catalog.status().ToString().c_str());
    return 1;
  }
  const aigov::rules::Regime& regime =
      *catalog->FindRegime("eu-ai-act-omnibus-2026");
  // After every application date of both regimes: every obligation is
  // evaluated in full.
  const absl::Time now =
      absl::FromCivil(absl::CivilDay(2028, 9, 1), absl::UTCTimeZone());
  std::vector<JournalEntry> stream;
  for (int s = 0; s < o.systems; ++s) {
    for (JournalEntry& e : SystemEntries(s, o.versions)) {
      stream.push_back(std::move(e));
    }
  }
  const size_t population = stream.size();
  std::mt19937_64 rng(42);
  for (int i = 0; i < o.samples; ++i) {
    stream.push_back(
        Sample(static_cast<int>(rng() % static_cast<uint64_t>(o.systems)),
               o.versions, static_cast<uint64_t>(i), now));
  }
  std::printf(
      "compliance_bench: %d systems x %d model versions (%zu entries), then "
      "%d performance samples\n",
      o.systems, o.versions, population, o.samples);

  // 1. Full re-evaluation.
  std::vector<aigov::internal::v1::SystemRecord> records(
      static_cast<size_t>(o.systems));
  {
    uint64_t seq = 0;
    for (int s = 0; s < o.systems; ++s) {
      auto& r = records[static_cast<size_t>(s)];
      r.set_system_id(System(s));
      for (JournalEntry e : SystemEntries(s, o.versions)) {
        *e.mutable_recorded_at() =
            aigov::rules::TimestampOf(now - absl::Hours(24));
        if (e.has_dataset_version()) {
          aigov::internal::v1::Fact fact;
          fact.set_sequence(seq);
          *fact.mutable_at() = e.recorded_at();
          aigov::rules::FoldDataset(e.dataset_version(), fact, &r);
        } else {
          aigov::rules::Fold(e, seq, &r);
        }
        ++seq;
      }
    }
  }
  std::vector<double> full;
  std::map<std::string, int> statuses;
  for (int round = 0; round < 5; ++round) {
    const absl::Time start = absl::Now();
    size_t findings = 0;
    for (const auto& r : records) {
      auto ev = aigov::rules::Evaluate(r, *catalog, regime,
                                       aigov::rules::Settings(), now);
      if (!ev.ok()) {
        std::fprintf(stderr, "evaluate: %s\n", ev.status().ToString().c_str());
        return 1;
      }
      findings += ev->findings.size();
      if (round == 0) {
        for (const auto& f : ev->findings) {
          ++statuses[aigov::rules::StatusName(f.status)];
        }
      }
    }
    full.push_back(absl::ToDoubleSeconds(absl::Now() - start));
    if (findings != records.size() * catalog->obligations.size()) {
      std::fprintf(stderr, "evaluate: not one finding per obligation\n");
      return 1;
    }
  }
  std::printf(
      "full re-evaluation of %d systems: median %.3f s, best %.3f s "
      "(target < 1 s)\n",
      o.systems, Percentile(full, 0.5), Percentile(full, 0.0));
  std::printf("  findings per status over all systems:");
  for (const auto& [name, n] : statuses) std::printf(" %s %d", name.c_str(), n);
  std::printf("\n");

  // 2. Throughput with and without the engine, alternated; 3. the
  // incremental cost, timed inside the sequencer.
  struct Figures {
    double population = 0;
    double samples = 0;
    uint64_t entries = 0;
  };
  // `without`: the plain stack on the stream; `with`: the engine on the
  // stream; `same`: the plain stack on what the engine's journal holds
  // after the population (the stream and the findings journalled for it),
  // so that its samples are appended to a journal of the same size.
  std::vector<Figures> without, with, same;
  std::vector<double> micros;
  size_t sample_findings = 0;
  for (int run = 0; run < o.runs; ++run) {
    std::vector<JournalEntry> replay;
    for (const int kind : {0, 1, 2}) {
      const bool engine = kind == 1;
      Stack stack(engine ? "aigov-compliance-bench-engine"
                         : "aigov-compliance-bench-plain",
                  engine, *catalog, now);
      const std::vector<JournalEntry>& in = kind == 2 ? replay : stream;
      const size_t split =
          kind == 2 ? replay.size() - (stream.size() - population) : population;
      Figures f;
      f.population = stack.Append(in, 0, split);
      if (engine) {
        for (uint64_t i = 0; i < stack.journal->tree_size(); ++i) {
          absl::StatusOr<JournalEntry> e = stack.journal->Get(i);
          if (!e.ok()) {
            std::fprintf(stderr, "read back: %s\n",
                         e.status().ToString().c_str());
            std::exit(1);
          }
          e->clear_sequence();
          e->clear_recorded_at();
          replay.push_back(*std::move(e));
        }
        replay.insert(replay.end(),
                      stream.begin() + static_cast<ptrdiff_t>(population),
                      stream.end());
      }
      f.samples = stack.Append(in, split, in.size());
      f.entries = stack.journal->tree_size();
      (kind == 0 ? without : kind == 1 ? with : same).push_back(f);
      if (engine) {
        micros.insert(micros.end(), stack.timed.micros.begin(),
                      stack.timed.micros.end());
        sample_findings += stack.timed.findings;
      }
    }
  }
  if (!micros.empty()) {
    std::printf(
        "incremental evaluation after one entry (ComplianceView::Derive of a "
        "performance sample in the sequencer, %zu timed): median %.1f us, "
        "p99 %.1f us (target median < 50 us); %zu findings derived\n",
        micros.size(), Percentile(micros, 0.5), Percentile(micros, 0.99),
        sample_findings);
  }
  double a = 0, b = 0, c = 0;
  for (int run = 0; run < o.runs; ++run) {
    const Figures& x = without[static_cast<size_t>(run)];
    const Figures& y = with[static_cast<size_t>(run)];
    const Figures& z = same[static_cast<size_t>(run)];
    std::printf(
        "run %d: population %.0f events/s without the engine, %.0f with "
        "(journal %llu vs %llu entries: the findings); samples %.0f events/s "
        "without, %.0f with (%+.1f %%), %.0f without on the same journal "
        "(%+.1f %%)\n",
        run + 1, x.population, y.population,
        static_cast<unsigned long long>(x.entries),
        static_cast<unsigned long long>(y.entries), x.samples, y.samples,
        100.0 * (y.samples / x.samples - 1.0), z.samples,
        100.0 * (y.samples / z.samples - 1.0));
    a += x.samples;
    b += y.samples;
    c += z.samples;
  }
  std::printf(
      "sequencer append of performance samples, mean: %.0f events/s with "
      "the engine; without it %.0f on the same journal (%+.1f %%; target "
      "within 10 %%), %.0f on a journal without the findings (%+.1f %%)\n",
      b / o.runs, c / o.runs, 100.0 * (b / c - 1.0), a / o.runs,
      100.0 * (b / a - 1.0));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  aigov::storage::KeepFreedMemoryForReuse();
  Options o;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0) {
      std::printf(
          "compliance_bench [--systems N] [--versions N] [--samples N] "
          "[--runs N]\n  Full re-evaluation, incremental evaluation and "
          "sequencer throughput with and without the compliance engine "
          "(docs/PERFORMANCE.md).\n");
      return 0;
    }
    int* out = nullptr;
    if (std::strcmp(argv[i], "--systems") == 0) out = &o.systems;
    if (std::strcmp(argv[i], "--versions") == 0) out = &o.versions;
    if (std::strcmp(argv[i], "--samples") == 0) out = &o.samples;
    if (std::strcmp(argv[i], "--runs") == 0) out = &o.runs;
    if (out == nullptr || i + 1 >= argc) {
      std::fprintf(stderr, "unknown or incomplete argument %s (try --help)\n",
                   argv[i]);
      return 2;
    }
    *out = std::atoi(argv[++i]);
  }
  if (o.systems < 1 || o.versions < 1 || o.samples < 0 || o.runs < 1) {
    std::fprintf(stderr, "every count must be positive\n");
    return 2;
  }
  return Run(o);
}
