// Write-path benchmarks on the real disk (a temp directory): the journal's
// synced group append beside raw synced RocksDB batches of the same bytes,
// measured in the same run. Built by CI, run on purpose:
//
//   build/dev/tests/bench/journal_append_bench --benchmark_min_time=2
//
// Figures and how to read them: docs/PERFORMANCE.md.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "benchmark/benchmark.h"
#include "rocksdb/db.h"

#include "daemon/common/clock.h"
#include "daemon/common/sha256.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/journal/sequencer.h"
#include "daemon/storage/allocator.h"
#include "tests/bench/bench_events.h"

namespace aigov::journal {
namespace {

std::string BenchDir(const char* name) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      (std::string("aigov-bench-") + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

// Raw RocksDB: one synced WriteBatch of `batch` puts of ~300-byte values.
void BM_RawSyncedBatch(benchmark::State& state) {
  const auto batch_size = static_cast<uint64_t>(state.range(0));
  const std::string dir = BenchDir("raw");
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) {
    state.SkipWithError("cannot open RocksDB");
    return;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string value = BenchEvent(0).entry.SerializeAsString();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  uint64_t seq = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (uint64_t i = 0; i < batch_size; ++i) {
      batch.Put(EncodeSequence(seq++), value);
    }
    if (!db->Write(sync, &batch).ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(seq));
  db.reset();
  std::filesystem::remove_all(dir);
}

// The journal: event_id lookups, deterministic serialization, entry,
// event_id record and two index keys per event, one synced batch per group.
void BM_JournalAppendGroup(benchmark::State& state) {
  const auto batch_size = static_cast<uint64_t>(state.range(0));
  const std::string dir = BenchDir("journal");
  common::RealClock clock;
  JournalOptions options;
  options.path = dir;
  auto journal = RocksDbJournal::Open(options, clock);
  if (!journal.ok()) {
    state.SkipWithError("cannot open journal");
    return;
  }
  uint64_t next = 0;
  std::vector<PendingEvent> group;
  std::vector<AppendOutcome> outcomes;
  for (auto _ : state) {
    state.PauseTiming();
    group.clear();
    for (uint64_t i = 0; i < batch_size; ++i)
      group.push_back(BenchEvent(next++));
    state.ResumeTiming();
    if (!(*journal)->AppendGroup(std::move(group), &outcomes).ok()) {
      state.SkipWithError("append failed");
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(next));
  journal->reset();
  std::filesystem::remove_all(dir);
}

// Through the Sequencer from `threads` submitters, each waiting for its own
// acknowledgement before sending the next (like unary RPC clients), so the
// figure shows the group commit the sequencer forms on its own.
void BM_SequencerClosedLoop(benchmark::State& state) {
  static std::unique_ptr<RocksDbJournal> journal;
  static std::unique_ptr<Sequencer> sequencer;
  static common::RealClock clock;
  static std::string dir;
  static std::atomic<uint64_t> next{0};
  if (state.thread_index() == 0) {
    dir = BenchDir("sequencer");
    JournalOptions options;
    options.path = dir;
    journal = std::move(RocksDbJournal::Open(options, clock)).value();
    sequencer = std::make_unique<Sequencer>(*journal, Sequencer::Options());
  }
  for (auto _ : state) {
    absl::Notification done;
    const absl::Status s =
        sequencer->Submit(BenchEvent(next.fetch_add(1)),
                          [&done](const AppendOutcome&) { done.Notify(); });
    if (!s.ok()) {
      state.SkipWithError("submit refused");
      break;
    }
    done.WaitForNotification();
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    sequencer.reset();
    journal.reset();
    std::filesystem::remove_all(dir);
  }
}

BENCHMARK(BM_RawSyncedBatch)->Arg(1)->Arg(100)->Arg(1024)->UseRealTime();
BENCHMARK(BM_JournalAppendGroup)->Arg(1)->Arg(100)->Arg(1024)->UseRealTime();
BENCHMARK(BM_SequencerClosedLoop)
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();

}  // namespace
}  // namespace aigov::journal

// As aigovd does at startup (see common/allocator.h).
int main(int argc, char** argv) {
  aigov::storage::KeepFreedMemoryForReuse();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
