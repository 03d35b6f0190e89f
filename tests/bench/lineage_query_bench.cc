// Impact and provenance query latency on a large lineage graph (issue 4
// target: median < 10 ms at 100k dataset versions and 10k model versions).
//
// Builds, through the real journal and projections on RocksDB in a
// temporary directory, a graph shaped like a data platform: domains of raw
// extracts, staged tables (one raw parent each) and feature sets (two staged
// parents each), model versions trained on three feature sets and evaluated
// on one, and deployments serving some of them. Then times
// lineage::Impact on random raw datasets and lineage::Provenance on random
// model versions, as LineageService answers them.
//
//   lineage_query_bench [--datasets N] [--models N] [--queries N]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#include "daemon/common/clock.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/lineage/lineage_queries.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/storage/allocator.h"
#include "tests/bench/stats.h"
#include "tests/bench/views_journal.h"

namespace {

using aigov::journal::PendingEvent;

struct Options {
  int datasets = 100000;
  int models = 10000;
  int queries = 1000;
};

aigov::v1::DatasetRef Ref(int domain, const char* layer, int i) {
  aigov::v1::DatasetRef ref;
  ref.set_dataset_id(absl::StrCat("d", domain, ".", layer, i));
  ref.set_version("1");
  return ref;
}

using aigov::bench::Percentile;

int Run(const Options& o) {
  // Per domain: 20 raw, 40 staged, 40 feature sets (100 datasets), and
  // models/domains model versions; a fifth of the models are deployed.
  const int domains = o.datasets / 100;
  const int models_per_domain = std::max(1, o.models / domains);
  auto views = aigov::bench::ViewsJournal::Open("aigov-lineage-bench");
  if (!views.ok()) {
    std::fprintf(stderr, "open: %s\n", views.status().ToString().c_str());
    return 1;
  }
  aigov::journal::RocksDbJournal& journal = *(*views)->journal;
  const aigov::registry::RegistryProjection& registry = (*views)->registry;
  const aigov::lineage::LineageProjection& lineage = (*views)->lineage;
  std::mt19937_64 rng(42);
  std::vector<PendingEvent> group;
  uint64_t events = 0;
  const absl::Time build_start = absl::Now();
  const auto flush = [&](bool force) {
    if (group.empty() || (!force && group.size() < 1024)) return true;
    std::vector<aigov::journal::AppendOutcome> out;
    const absl::Status s = journal.AppendGroup(std::move(group), &out);
    group.clear();
    if (!s.ok()) {
      std::fprintf(stderr, "append: %s\n", s.ToString().c_str());
      return false;
    }
    return true;
  };
  const auto add = [&](PendingEvent e) {
    e.entry.set_event_id(absl::StrCat("e", events++));
    group.push_back(std::move(e));
    return flush(false);
  };
  for (int d = 0; d < domains; ++d) {
    for (int i = 0; i < 100; ++i) {
      PendingEvent e;
      auto* dv = e.entry.mutable_dataset_version();
      const char* layer = i < 20 ? "raw" : i < 60 ? "stg" : "feat";
      *dv->mutable_dataset_id() = Ref(d, layer, i).dataset_id();
      dv->set_version("1");
      dv->set_licence("internal");
      dv->set_contains_personal_data(i % 3 == 0);
      if (i >= 20 && i < 60) {
        *dv->add_parents() = Ref(d, "raw", static_cast<int>(rng() % 20));
      } else if (i >= 60) {
        for (int p = 0; p < 2; ++p) {
          *dv->add_parents() = Ref(d, "stg", 20 + static_cast<int>(rng() % 40));
        }
      }
      if (!add(std::move(e))) return 1;
    }
    for (int m = 0; m < models_per_domain; ++m) {
      PendingEvent e;
      auto* mv = e.entry.mutable_model_version();
      mv->set_model_id(absl::StrCat("model", d));
      mv->set_version(absl::StrCat(m));
      mv->set_system_id(absl::StrCat("system", d));
      mv->set_artifact_sha256(std::string(64, 'a'));
      for (int t = 0; t < 3; ++t) {
        *mv->add_training_datasets() =
            Ref(d, "feat", 60 + static_cast<int>(rng() % 40));
      }
      *mv->add_evaluation_datasets() =
          Ref(d, "feat", 60 + static_cast<int>(rng() % 40));
      if (!add(std::move(e))) return 1;
      if (m % 5 == 0) {
        PendingEvent p;
        auto* dep = p.entry.mutable_deployment();
        dep->set_deployment_id(absl::StrCat("deploy", d, "-", m));
        dep->mutable_model_version()->set_model_id(mv->model_id());
        dep->mutable_model_version()->set_version(mv->version());
        dep->set_environment(aigov::v1::ENVIRONMENT_PROD);
        dep->set_state(aigov::v1::DEPLOYMENT_STATE_ENABLED);
        if (!add(std::move(p))) return 1;
      }
    }
    if (d % 100 == 99) {
      std::fprintf(stderr, "\rbuilding: %d / %d domains", d + 1, domains);
    }
  }
  if (!flush(true)) return 1;
  std::fprintf(stderr, "\n");
  std::printf(
      "graph: %d datasets, %d model versions, %llu entries, built in "
      "%.1f s\n",
      domains * 100, domains * models_per_domain,
      static_cast<unsigned long long>(journal.tree_size()),
      absl::ToDoubleSeconds(absl::Now() - build_start));

  std::vector<double> impact_ms, provenance_ms;
  size_t impact_nodes = 0, provenance_nodes = 0;
  for (int q = 0; q < o.queries; ++q) {
    const int d = static_cast<int>(rng() % static_cast<uint64_t>(domains));
    const aigov::v1::DatasetRef raw =
        Ref(d, "raw", static_cast<int>(rng() % 20));
    absl::Time t = absl::Now();
    auto impact = aigov::lineage::Impact(registry, lineage, raw);
    impact_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
    if (!impact.ok()) {
      std::fprintf(stderr, "impact: %s\n", impact.status().ToString().c_str());
      return 1;
    }
    impact_nodes += static_cast<size_t>(impact->derived_datasets_size() +
                                        impact->model_versions_size() +
                                        impact->deployments_size());
    aigov::v1::GetProvenanceRequest req;
    req.mutable_model_version()->set_model_id(absl::StrCat("model", d));
    req.mutable_model_version()->set_version(
        absl::StrCat(rng() % static_cast<uint64_t>(models_per_domain)));
    t = absl::Now();
    auto provenance = aigov::lineage::Provenance(registry, lineage, req);
    provenance_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
    if (!provenance.ok()) {
      std::fprintf(stderr, "provenance: %s\n",
                   provenance.status().ToString().c_str());
      return 1;
    }
    provenance_nodes += static_cast<size_t>(provenance->datasets_size());
  }
  std::printf(
      "impact     (%d queries, %.1f nodes each): median %.3f ms  p99 %.3f "
      "ms\n",
      o.queries, static_cast<double>(impact_nodes) / o.queries,
      Percentile(impact_ms, 0.5), Percentile(impact_ms, 0.99));
  std::printf(
      "provenance (%d queries, %.1f datasets each): median %.3f ms  p99 %.3f "
      "ms\n",
      o.queries, static_cast<double>(provenance_nodes) / o.queries,
      Percentile(provenance_ms, 0.5), Percentile(provenance_ms, 0.99));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  aigov::storage::KeepFreedMemoryForReuse();
  Options o;
  for (int i = 1; i < argc; ++i) {
    const auto value = [&](int* out) {
      if (i + 1 >= argc) return false;
      *out = std::atoi(argv[++i]);
      return *out > 0;
    };
    bool ok = true;
    if (std::strcmp(argv[i], "--datasets") == 0) {
      ok = value(&o.datasets) && o.datasets >= 100;
    } else if (std::strcmp(argv[i], "--models") == 0) {
      ok = value(&o.models);
    } else if (std::strcmp(argv[i], "--queries") == 0) {
      ok = value(&o.queries);
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr,
                   "usage: lineage_query_bench [--datasets N>=100] "
                   "[--models N] [--queries N]\n"
                   "Times impact and provenance queries on a generated "
                   "lineage graph (defaults: 100000, 10000, 1000).\n");
      return std::strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
  }
  return Run(o);
}
