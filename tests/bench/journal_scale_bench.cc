// Journal figures at scale, run on purpose (not by ctest):
//
//   build/dev/tests/bench/journal_scale_bench [--entries N] [--dir DIR]
//
// Builds (or reuses, when DIR already holds it) a journal of N entries
// (default 10,000,000; ~300-byte ModelVersion entries, groups of 4096), then
// prints: restart time (Open, including the head check), inclusion and
// consistency proof latency (median and p99 over random requests, each proof
// verified), and offline bundle verification throughput over the first
// 1,000,000 entries. See docs/PERFORMANCE.md.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/time/clock.h"

#include "daemon/common/clock.h"
#include "daemon/common/sha256.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/storage/allocator.h"
#include "daemon/tlog/bundle.h"
#include "daemon/tlog/checkpoint.h"
#include "tests/bench/bench_events.h"
#include "tests/bench/stats.h"

namespace aigov::journal {
namespace {

using aigov::bench::Percentile;

int Main(int argc, char** argv) {
  uint64_t entries = 10000000;
  std::string dir =
      (std::filesystem::temp_directory_path() / "aigov-scale-bench").string();
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--entries" && has_value) {
      entries = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--dir" && has_value) {
      dir = argv[i + 1];
    } else {
      std::fprintf(flag == "--help" ? stdout : stderr,
                   "usage: %s [--entries N] [--dir DIR]\n"
                   "  --entries N  journal size to build or reuse "
                   "(default 10000000)\n"
                   "  --dir DIR    where the journal lives (default "
                   "$TMPDIR/aigov-scale-bench; reused when it holds N)\n",
                   argv[0]);
      return flag == "--help" ? 0 : 2;
    }
  }
  common::RealClock clock;
  JournalOptions options;
  options.path = dir;

  {
    auto j = RocksDbJournal::Open(options, clock);
    if (!j.ok()) {
      std::fprintf(stderr, "open: %s\n", j.status().ToString().c_str());
      return 1;
    }
    const uint64_t have = (*j)->tree_size();
    if (have > entries) {
      std::fprintf(stderr, "%s holds %llu entries, more than --entries\n",
                   dir.c_str(), static_cast<unsigned long long>(have));
      return 1;
    }
    const absl::Time start = absl::Now();
    std::vector<AppendOutcome> out;
    for (uint64_t next = have; next < entries;) {
      std::vector<PendingEvent> group;
      for (uint64_t k = 0; k < 4096 && next < entries; ++k)
        group.push_back(BenchEvent(next++));
      if (!(*j)->AppendGroup(std::move(group), &out).ok()) return 1;
      if (next % (1 << 20) < 4096) {
        std::fprintf(stderr, "\rbuilding: %llu / %llu",
                     static_cast<unsigned long long>(next),
                     static_cast<unsigned long long>(entries));
      }
    }
    if (have < entries) {
      const double secs = absl::ToDoubleSeconds(absl::Now() - start);
      std::printf(
          "built %llu entries in %.1f s (%.0f entries/s, groups of 4096)\n",
          static_cast<unsigned long long>(entries - have), secs,
          static_cast<double>(entries - have) / secs);
      (void)(*j)->Flush();
    }
  }

  // Restart: Open with the head check, five times.
  std::vector<double> opens;
  std::unique_ptr<RocksDbJournal> journal;
  for (int r = 0; r < 5; ++r) {
    journal.reset();
    const absl::Time start = absl::Now();
    auto j = RocksDbJournal::Open(options, clock);
    opens.push_back(absl::ToDoubleSeconds(absl::Now() - start));
    if (!j.ok()) return 1;
    journal = std::move(*j);
  }
  const TreeHead head = journal->head();
  std::printf(
      "restart (open + head check) at %llu entries: median %.3f s, max %.3f "
      "s\n",
      static_cast<unsigned long long>(head.size), Percentile(opens, 0.5),
      Percentile(opens, 1.0));

  std::mt19937_64 rng(42);
  std::vector<double> inclusion_us;
  for (int r = 0; r < 10000; ++r) {
    const uint64_t index = rng() % head.size;
    const absl::Time start = absl::Now();
    auto proof = journal->InclusionProof(index, head.size);
    inclusion_us.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!proof.ok() || !tlog::VerifyInclusion(*journal->LeafHash(index), index,
                                              head.size, *proof, head.root)
                            .ok()) {
      std::fprintf(stderr, "inclusion proof %llu failed\n",
                   static_cast<unsigned long long>(index));
      return 1;
    }
  }
  std::printf(
      "inclusion proof at %llu entries: median %.1f us, p99 %.1f us (10000 "
      "random)\n",
      static_cast<unsigned long long>(head.size), Percentile(inclusion_us, 0.5),
      Percentile(inclusion_us, 0.99));

  std::vector<double> consistency_us;
  for (int r = 0; r < 1000; ++r) {
    const uint64_t from = 1 + rng() % head.size;
    const absl::Time start = absl::Now();
    auto proof = journal->ConsistencyProof(from, head.size);
    consistency_us.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!proof.ok() ||
        !tlog::VerifyConsistency(from, head.size, *proof,
                                 *journal->RootAt(from), head.root)
             .ok()) {
      return 1;
    }
  }
  std::printf(
      "consistency proof to %llu entries: median %.1f us, p99 %.1f us (1000 "
      "random)\n",
      static_cast<unsigned long long>(head.size),
      Percentile(consistency_us, 0.5), Percentile(consistency_us, 0.99));

  // Offline verification of a bundle of the first M entries.
  const uint64_t m = std::min<uint64_t>(head.size, 1000000);
  const std::string bundle = dir + "-bundle";
  auto signer = tlog::NoteSigner::LoadOrCreate(dir + "-key.pem", "aigov/bench");
  if (!signer.ok()) return 1;
  tlog::BundleWriter writer(bundle);
  const auto note = (*signer)->Sign(
      tlog::FormatCheckpoint({"aigov/bench", m, *journal->RootAt(m)}));
  if (!note.ok() || !writer.Begin(*note, (*signer)->verifier_key()).ok())
    return 1;
  for (uint64_t next = 0; next < m;) {
    auto chunk = journal->ReadRange(next, m, 4096, 8 << 20);
    if (!chunk.ok()) return 1;
    for (const StoredEntry& e : *chunk) {
      if (!writer.Add(e.index, e.leaf_hash, e.bytes, e.pruned).ok()) return 1;
    }
    next += chunk->size();
  }
  if (!writer.Finish().ok()) return 1;
  const absl::Time start = absl::Now();
  auto summary = tlog::VerifyBundle(bundle, {});
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (!summary.ok()) {
    std::fprintf(stderr, "verify: %s\n", summary.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "offline verify of %llu entries (%.0f MB bundle): %.2f s, %.0f "
      "entries/s\n",
      static_cast<unsigned long long>(m),
      static_cast<double>(
          std::filesystem::file_size(bundle + "/entries.jsonl")) /
          1e6,
      secs, static_cast<double>(m) / secs);
  std::filesystem::remove_all(bundle);
  return 0;
}

}  // namespace
}  // namespace aigov::journal

int main(int argc, char** argv) {
  aigov::storage::KeepFreedMemoryForReuse();  // as aigovd does
  return aigov::journal::Main(argc, argv);
}
