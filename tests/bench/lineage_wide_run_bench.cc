// Cost of one wide OpenLineage run: a single COMPLETE event with N inputs
// and N outputs (issue 9: with edges input × output, N = 2000 took 20 s,
// 3 GiB RSS and 849 MB of writes). With the run as a node between its inputs
// and outputs the cost is N + N edges.
//
// Appends the event through the real journal with the registry and lineage
// projections on RocksDB in a temporary directory, then walks impact from one
// input, and prints the append time, the walk time, peak RSS and the bytes
// of the data directory after a flush.
//
//   lineage_wide_run_bench [--width N]   (default 2000)
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#include "daemon/journal/rocksdb_journal.h"
#include "daemon/lineage/lineage_projection.h"
#include "tests/bench/views_journal.h"

namespace {

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (f.is_regular_file()) total += f.file_size();
  }
  return total;
}

int Run(int width) {
  auto views = aigov::bench::ViewsJournal::Open("aigov-wide-run-bench");
  if (!views.ok()) {
    std::fprintf(stderr, "open: %s\n", views.status().ToString().c_str());
    return 1;
  }
  aigov::journal::RocksDbJournal& journal = *(*views)->journal;
  const aigov::lineage::LineageProjection& lineage = (*views)->lineage;
  aigov::journal::PendingEvent e;
  e.entry.set_event_id("wide-run");
  aigov::v1::RunEvent* run = e.entry.mutable_run_event();
  run->set_run_id("0193f7b1-2d4e-7a10-8c3b-5f6e7d8c9aff");
  run->set_job_namespace("bench");
  run->set_job_name("fan-out");
  run->set_event_type(aigov::v1::RUN_EVENT_TYPE_COMPLETE);
  run->mutable_event_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  run->set_source(aigov::v1::RUN_SOURCE_OPENLINEAGE);
  for (int i = 0; i < width; ++i) {
    aigov::v1::DatasetRef* in = run->add_inputs();
    in->set_dataset_id(absl::StrCat("s3://in/table_", i));
    in->set_version("1");
    aigov::v1::DatasetRef* out = run->add_outputs();
    out->set_dataset_id(absl::StrCat("s3://out/table_", i));
    out->set_version("1");
  }
  aigov::v1::DatasetRef first = run->inputs(0);
  const absl::Time start = absl::Now();
  std::vector<aigov::journal::AppendOutcome> outcomes;
  std::vector<aigov::journal::PendingEvent> group;
  group.push_back(std::move(e));
  const absl::Status s = journal.AppendGroup(std::move(group), &outcomes);
  const double append_ms = absl::ToDoubleMilliseconds(absl::Now() - start);
  if (!s.ok() || !outcomes[0].status.ok()) {
    std::fprintf(stderr, "append: %s %s\n", s.ToString().c_str(),
                 outcomes.empty() ? "" : outcomes[0].status.ToString().c_str());
    return 1;
  }
  const absl::Time walk_start = absl::Now();
  auto walk = lineage.Downstream(aigov::lineage::DatasetNode(first));
  const double walk_ms = absl::ToDoubleMilliseconds(absl::Now() - walk_start);
  if (!walk.ok()) {
    std::fprintf(stderr, "walk: %s\n", walk.status().ToString().c_str());
    return 1;
  }
  (void)journal.Flush();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "wide run: %d inputs x %d outputs\n"
      "append (one synced group, both projections): %.1f ms\n"
      "impact of one input: %zu nodes, %zu edges in %.1f ms\n"
      "peak RSS: %.1f MiB\ndata directory after flush: %.1f MiB\n",
      width, width, append_ms, walk->nodes.size(), walk->edges.size(), walk_ms,
      static_cast<double>(usage.ru_maxrss) / 1024.0,
      static_cast<double>(DirectoryBytes((*views)->dir)) / (1 << 20));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int width = 2000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0) {
      std::printf("usage: lineage_wide_run_bench [--width N] (default 2000)\n");
      return 0;
    }
    if (std::strcmp(argv[i], "--width") == 0 && i + 1 < argc) {
      width = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "unknown argument %s (see --help)\n", argv[i]);
      return 2;
    }
  }
  if (width < 1) {
    std::fprintf(stderr, "--width must be at least 1\n");
    return 2;
  }
  return Run(width);
}
