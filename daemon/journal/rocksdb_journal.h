// Append-only audit journal backed by RocksDB (EU AI Act Art. 12
// record-keeping).
//
// Each accepted event is one JournalEntry under a strictly increasing 64-bit
// sequence number (= Merkle leaf index, from 0). An entry is serialized once,
// deterministically, when it is sequenced, and those bytes are stored and
// never re-serialized; they are the leaf of an RFC 6962 Merkle tree whose
// perfect subtrees are stored beside them (merkle.h). Entries are immutable.
// A group of entries, their event_id records, their indexes, their tree
// nodes, the new tree head (size and root) and every projection's writes go
// into one WriteBatch written with WriteOptions::sync = true: after a crash a
// group is either wholly present or wholly absent.
//
// Its rooms: column_families.h (families and their options), tree_store.h
// (stored nodes, proofs), subject_keys.h (crypto-shredding keys),
// retention.h (pruned payloads), entry_scanner.h (every full pass over the
// entries). Readers see it through journal_reader.h.
//
// Thread-safety: AppendGroup() must be called from one thread at a time (the
// Sequencer's). The JournalReader methods may be called from any thread
// concurrently with it; readers see only whole groups.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/write_batch.h"

#include "aigov/v1/journal.pb.h"
#include "daemon/common/clock.h"
#include "daemon/journal/admission_rule.h"
#include "daemon/journal/column_families.h"
#include "daemon/journal/deriver.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/journal/journal_reader.h"
#include "daemon/journal/pii.h"
#include "daemon/journal/projection.h"
#include "daemon/journal/retention.h"
#include "daemon/journal/subject_keys.h"
#include "daemon/journal/tree_store.h"
#include "daemon/tlog/merkle.h"

namespace aigov::journal {

struct JournalOptions {
  // Directory of the RocksDB database; created if missing.
  std::string path;
  // Filesystem environment; nullptr means the default (real disk). Tests pass
  // rocksdb::NewMemEnv(). Not owned; must outlive the journal.
  rocksdb::Env* env = nullptr;
  // Views written in the same batch as their entries. Not owned; each must
  // outlive the journal.
  std::vector<Projection*> projections;
  // Asked, for every new entry, what follows from it (deriver.h). Not owned;
  // each must outlive the journal.
  std::vector<Deriver*> derivers;
  // Rules of the domain checked before an event is admitted
  // (admission_rule.h), in order, after the projections' checks. Not owned;
  // each must outlive the journal.
  std::vector<AdmissionRule*> rules;
};

// An event waiting to be sequenced: `entry` carries the event oneof,
// event_id and principal; sequence and recorded_at are assigned here.
struct PendingEvent {
  aigov::v1::JournalEntry entry;
  // A tick instead of an event: no entry of its own; each deriver is asked
  // what follows from the group's time (Deriver::DeriveAt), and that is
  // sequenced. Its outcome lists it in `derived`.
  bool tick = false;
};

// What became of one PendingEvent.
struct AppendOutcome {
  // OK, or kAlreadyExists (event_id used before with another payload).
  absl::Status status;
  // The entry's sequence number (the original one when deduplicated or
  // conflicting).
  uint64_t sequence = 0;
  // True when the same event_id and payload were already recorded.
  bool deduplicated = false;
  // The entry's Merkle leaf hash (the original entry's when deduplicated).
  tlog::Hash leaf_hash{};
  // For a SubjectErasure: whether a key existed for the subject.
  bool subject_key_existed = false;
  // What the entry entailed (deriver.h), in the order sequenced: each
  // derived entry's event_id and sequence. Empty when deduplicated.
  struct Derived {
    std::string event_id;
    uint64_t sequence = 0;
    bool subject_key_existed = false;
    aigov::v1::EventKind kind = aigov::v1::EVENT_KIND_UNSPECIFIED;
    // False when an earlier group had already sequenced it.
    bool sequenced = false;
  };
  std::vector<Derived> derived;
};

// Progress and outcome of VerifyAll().
struct VerifyReport {
  uint64_t entries_checked = 0;
  // Of those, entries whose payload retention pruned (leaf hash checked in
  // the tree only).
  uint64_t entries_pruned = 0;
  TreeHead head;
};

class RocksDbJournal final : public JournalReader {
 public:
  // Opens or creates the journal at `options.path`; `clock` must outlive it.
  // Checks the persisted tree head against the last stored entry and against
  // the root recomputed from the stored tree nodes (O(log n) reads).
  // Returns kFailedPrecondition when the directory is locked by another
  // process or was written by an incompatible aigovd, kDataLoss on a
  // corruption report or a head mismatch.
  static absl::StatusOr<std::unique_ptr<RocksDbJournal>> Open(
      const JournalOptions& options, const common::Clock& clock);

  RocksDbJournal(const RocksDbJournal&) = delete;
  RocksDbJournal& operator=(const RocksDbJournal&) = delete;
  ~RocksDbJournal() override;

  // Sequences `events` (consumed) as one group in one synced WriteBatch and
  // fills `outcomes` (one per event, same order). Duplicates of earlier
  // entries, or of events earlier in the same group, write nothing. Returns
  // an error (and writes nothing) when the batch cannot be written; the
  // outcomes are then meaningless.
  absl::Status AppendGroup(std::vector<PendingEvent> events,
                           std::vector<AppendOutcome>* outcomes);

  // JournalReader.
  uint64_t tree_size() const override {
    return tree_size_.load(std::memory_order_acquire);
  }
  TreeHead head() const override;
  absl::StatusOr<aigov::v1::JournalEntry> Get(uint64_t sequence) const override;
  absl::StatusOr<std::optional<uint64_t>> SequenceOfEventId(
      absl::string_view event_id) const override;
  absl::StatusOr<ListResult> List(const ListQuery& query) const override;
  absl::StatusOr<std::vector<StoredEntry>> ReadRange(
      uint64_t start, uint64_t end, size_t max_count,
      size_t max_bytes) const override;
  absl::StatusOr<tlog::Hash> LeafHash(uint64_t index) const override;
  absl::StatusOr<std::vector<tlog::Hash>> InclusionProof(
      uint64_t index, uint64_t tree_size) const override;
  absl::StatusOr<std::vector<ProvenEntry>> ProveEntries(
      const std::vector<uint64_t>& indexes, uint64_t tree_size) const override;
  absl::StatusOr<std::vector<tlog::Hash>> ConsistencyProof(
      uint64_t from, uint64_t to) const override;
  std::string SubjectIdOf(absl::string_view subject) const override {
    return keys_.SubjectIdOf(subject);
  }
  absl::Status Unseal(aigov::v1::JournalEntry* entry) const override {
    return keys_.Unseal(entry);
  }

  // Returns the stored bytes of the entry at `sequence`; kNotFound beyond
  // the end.
  absl::StatusOr<std::string> GetBytes(uint64_t sequence) const;

  // Returns the root of the first `size` entries; kOutOfRange beyond the
  // journal's size.
  absl::StatusOr<tlog::Hash> RootAt(uint64_t size) const;

  // Completes erasures (SubjectKeys::Purge over every column family). Slow;
  // call after an erasure commits.
  absl::Status PurgeErasedKeys() { return keys_.Purge(handles_); }

  // The stored key of a subject id, or std::nullopt.
  absl::StatusOr<std::optional<SecretKey>> SubjectKeyForTest(
      const std::string& subject_id) const {
    return keys_.Read(subject_id);
  }

  // Removes the payload of every entry whose retention has passed at `now`
  // (Retention::Prune; index keys stay and are skipped). Leaf hashes and
  // tree nodes stay, so every proof still verifies. Returns the number of
  // entries pruned; errors as ValidateRetention() for a policy below the
  // minimums.
  absl::StatusOr<uint64_t> Prune(absl::Time now,
                                 const RetentionPolicy& policy) {
    return retention_.Prune(now, policy, tree_size());
  }

  // True when entry `index`'s payload was pruned by retention.
  bool IsPruned(uint64_t index) const { return retention_.IsPruned(index); }

  // Durably stores the latest signed checkpoint note (synced write).
  absl::Status StoreCheckpointNote(absl::string_view note);
  // Returns the stored checkpoint note, or "" when none was stored.
  absl::StatusOr<std::string> LoadCheckpointNote() const;

  // Reads every stored entry, recomputes its leaf hash and every tree node
  // from those bytes, and compares them with what is stored and with the
  // head. Returns kDataLoss naming the first index (or node) that differs.
  // `progress` (may be empty) is called every 65536 entries and at the end.
  absl::StatusOr<VerifyReport> VerifyAll(
      const std::function<void(uint64_t checked, uint64_t total)>& progress)
      const;

  // A view that must be rebuilt before aigovd serves, and why.
  struct StaleView {
    std::string column_family;
    std::string reason;
  };
  // The views found stale at Open: no recorded state on a non-empty journal
  // (a view new to this data directory, or written before views were
  // versioned), another version than the projection's, a state behind the
  // journal, or a rebuild that did not finish. Empty after RebuildViews.
  // Open refuses a view recorded with a newer version than the code's.
  std::vector<StaleView> StaleViews() const;

  // Rebuilds projections' column families from the journal: every view
  // (`stale_only` false) or those StaleViews names. Each is first marked
  // durably as being rebuilt, then emptied, then handed every stored entry,
  // in order and in groups, as the sequencer did, then flushed and marked
  // complete: a rebuild killed midway is found stale at the next Open. The
  // views come out identical to those written live, except that entries
  // pruned by retention are skipped (their views cannot be rebuilt); their
  // number is the result and is kept in each view's state
  // (ViewState::pruned_skipped). `progress` (may be empty) is called every
  // 65536 entries and at the end. Call before the sequencer starts; not safe
  // concurrently with AppendGroup.
  absl::StatusOr<uint64_t> RebuildViews(
      const std::function<void(uint64_t done, uint64_t total)>& progress,
      bool stale_only = false);

  // The recorded state of the projection owning `column_family`.
  absl::StatusOr<ViewState> GetViewState(absl::string_view column_family) const;

  // Flushes memtables to SST files (used at shutdown).
  absl::Status Flush();

 private:
  RocksDbJournal(std::unique_ptr<rocksdb::DB> db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles,
                 const JournalOptions& options, const common::Clock& clock);

  absl::Status CheckHead();
  // Reads each view's state and finds the stale ones (stale_).
  absl::Status LoadViewStates();
  // Adds to `batch` the state of projections_[projection], at its code's
  // version.
  void PutViewState(size_t projection, uint64_t applied_through,
                    bool rebuilding, uint64_t pruned_skipped,
                    rocksdb::WriteBatch* batch) const;

  std::unique_ptr<rocksdb::DB> db_;
  // Owned handles: [default, entries, event_ids, indexes, nodes,
  // subject_keys, projections...] (column_families.h).
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  TreeStore tree_;
  SubjectKeys keys_;
  Retention retention_;
  std::vector<Projection*> projections_;
  std::vector<Deriver*> derivers_;
  std::vector<AdmissionRule*> rules_;
  // Index into projections_ of each stale view, with the reason. Set at
  // Open, cleared by RebuildViews (single-threaded phases only).
  std::vector<std::pair<size_t, std::string>> stale_;
  // Per projection: pruned entries its last rebuild skipped, carried into
  // the state each group writes (sequencer thread, or single-threaded).
  std::vector<uint64_t> pruned_skipped_;
  const common::Clock& clock_;
  std::atomic<uint64_t> tree_size_{0};
  // The right edge of the tree; only the sequencer thread (AppendGroup) and
  // Open() touch it.
  tlog::CompactRange range_;

  // The write batch AppendGroup fills, reused so that its buffer keeps its
  // capacity; only the sequencer thread (AppendGroup) touches it.
  rocksdb::WriteBatch group_batch_;

  mutable absl::Mutex head_mu_;
  TreeHead head_ ABSL_GUARDED_BY(head_mu_);
};

}  // namespace aigov::journal
