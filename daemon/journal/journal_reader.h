// What a reader of the journal sees: entries, pages of them, proofs, and
// unsealing. The servers (server/) and anything that answers questions
// about the record take a `const JournalReader&`; only the daemon's
// composition root and the journal's own writers know RocksDbJournal
// (leveldb's small `DB` in front of `DBImpl`).
//
// Thread-safety: every method is safe from any thread, concurrently with
// the journal's one writer; a reader sees only whole groups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "aigov/v1/event_kind.pb.h"
#include "aigov/v1/journal.pb.h"
#include "daemon/tlog/merkle.h"

namespace aigov::journal {

// A tree head: the number of entries and the Merkle root over them.
struct TreeHead {
  uint64_t size = 0;
  tlog::Hash root{};
};

// One entry as stored, for export.
struct StoredEntry {
  uint64_t index = 0;
  tlog::Hash leaf_hash{};
  // The entry bytes as sequenced; empty when `pruned`.
  std::string bytes;
  // True when the payload was removed by retention; the leaf hash remains.
  bool pruned = false;
};

// An entry with its inclusion proof in a tree of a given size.
struct ProvenEntry {
  StoredEntry entry;
  // The audit path from the entry's leaf to the tree's root.
  std::vector<tlog::Hash> proof;
};

struct ListQuery {
  uint64_t start_sequence = 0;
  uint32_t page_size = 100;
  std::string model_id;                                           // empty: any
  aigov::v1::EventKind kind = aigov::v1::EVENT_KIND_UNSPECIFIED;  // any
  // Stop before the page's serialized entries would exceed this many bytes
  // (a page always holds at least one entry); 0 means no limit.
  size_t max_bytes = 0;
};

struct ListResult {
  std::vector<aigov::v1::JournalEntry> entries;
  uint64_t next_sequence = 0;
  bool has_more = false;
};

class JournalReader {
 public:
  virtual ~JournalReader() = default;

  // Number of entries (= next sequence number).
  virtual uint64_t tree_size() const = 0;

  // The current tree head (size and root), consistent with each other.
  virtual TreeHead head() const = 0;

  // Returns the entry at `sequence` (PII still sealed); kNotFound beyond
  // the end or when retention pruned it.
  virtual absl::StatusOr<aigov::v1::JournalEntry> Get(
      uint64_t sequence) const = 0;

  // The sequence of the committed entry with this event_id, if any.
  virtual absl::StatusOr<std::optional<uint64_t>> SequenceOfEventId(
      absl::string_view event_id) const = 0;

  // Returns one page of entries matching `query`, in sequence order.
  virtual absl::StatusOr<ListResult> List(const ListQuery& query) const = 0;

  // Returns entries [start, end) in order, at most `max_count` and stopping
  // before `max_bytes` of entry bytes (always at least one). kOutOfRange when
  // `end` exceeds the journal's size.
  virtual absl::StatusOr<std::vector<StoredEntry>> ReadRange(
      uint64_t start, uint64_t end, size_t max_count,
      size_t max_bytes) const = 0;

  // Returns the stored leaf hash of entry `index`; kNotFound beyond the end.
  virtual absl::StatusOr<tlog::Hash> LeafHash(uint64_t index) const = 0;

  // Returns the inclusion proof of entry `index` in the tree of `tree_size`
  // entries. kInvalidArgument unless index < tree_size; kOutOfRange when
  // tree_size exceeds the journal's size.
  virtual absl::StatusOr<std::vector<tlog::Hash>> InclusionProof(
      uint64_t index, uint64_t tree_size) const = 0;

  // Returns the entries at `indexes` (in that order) with their leaf hashes
  // and inclusion proofs in the tree of `tree_size`: the entries read with
  // one batched read, every node of the proofs with another. A pruned entry
  // comes back marked pruned, its leaf hash and proof intact.
  // kInvalidArgument for an index at or beyond tree_size; kOutOfRange when
  // tree_size exceeds the journal's size.
  virtual absl::StatusOr<std::vector<ProvenEntry>> ProveEntries(
      const std::vector<uint64_t>& indexes, uint64_t tree_size) const = 0;

  // Returns the consistency proof between trees of `from` and `to` entries.
  // kInvalidArgument unless from <= to; kOutOfRange when `to` exceeds the
  // journal's size.
  virtual absl::StatusOr<std::vector<tlog::Hash>> ConsistencyProof(
      uint64_t from, uint64_t to) const = 0;

  // Returns the pseudonymous id of a data subject (HMAC under this
  // journal's secret); what SealedField.subject_id and SubjectErasure hold.
  virtual std::string SubjectIdOf(absl::string_view subject) const = 0;

  // Decrypts the sealed PII fields of `entry` in place; fields of erased
  // subjects stay empty and are listed in erased_fields. kDataLoss when a
  // field does not decrypt under its key.
  virtual absl::Status Unseal(aigov::v1::JournalEntry* entry) const = 0;
};

}  // namespace aigov::journal
