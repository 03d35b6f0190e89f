// The journal's Merkle tree as stored: perfect subtrees at even levels in
// the `nodes` column family (journal_keys.h NodeKey), the upper levels also
// cached in memory, and the proofs and roots read from them (tlog/merkle.h
// computes; this reads and writes).
//
// Thread-safety: reads (ReadNode, Reader, RootAt, InclusionProof,
// ConsistencyProof) are safe from any thread, concurrently with the one
// writer, which adds a group's nodes to a batch (Put) and, once the batch is
// durable, to the cache (Committed). Does not own the database or handle.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "daemon/tlog/merkle.h"

namespace aigov::journal {

class TreeStore {
 public:
  TreeStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* nodes)
      : db_(db), nodes_(nodes) {}

  TreeStore(const TreeStore&) = delete;
  TreeStore& operator=(const TreeStore&) = delete;

  // Loads the cached levels from disk (once, at Open).
  absl::Status LoadCache();

  // The stored node (level, index), level even; kDataLoss when missing or
  // malformed.
  absl::StatusOr<tlog::Hash> ReadNode(uint32_t level, uint64_t index) const;

  // A reader of every level: stored levels from disk, odd levels hashed
  // from their two children.
  tlog::NodeReader Reader() const;

  // Root of the first `size` leaves (size must not exceed the tree).
  absl::StatusOr<tlog::Hash> RootAt(uint64_t size) const;

  // RFC 6962 proofs over the stored nodes, each fetched with one MultiGet;
  // the caller has checked the sizes against the tree's.
  absl::StatusOr<std::vector<tlog::Hash>> InclusionProof(
      uint64_t index, uint64_t tree_size) const;
  absl::StatusOr<std::vector<tlog::Hash>> ConsistencyProof(uint64_t from,
                                                           uint64_t to) const;
  // The leaf hashes of `indexes` and their inclusion proofs in the tree of
  // `tree_size`, every node fetched with one MultiGet (a report's bundle
  // proves thousands of entries; their paths share the upper nodes). Each
  // index must be below tree_size, checked by the caller.
  struct LeafProof {
    tlog::Hash leaf_hash{};
    std::vector<tlog::Hash> path;
  };
  absl::StatusOr<std::vector<LeafProof>> InclusionProofs(
      const std::vector<uint64_t>& indexes, uint64_t tree_size) const;

  // Adds the stored levels of `completed` (tlog::CompactRange::Append) to
  // `batch`, and those to cache once written to `upper`.
  void Put(const std::vector<tlog::Node>& completed, rocksdb::WriteBatch* batch,
           std::vector<tlog::Node>* upper) const;

  // Caches the nodes Put set aside, once their batch is durable.
  void Committed(const std::vector<tlog::Node>& upper);

 private:
  // Stored nodes at level >= kCachedLevel (even levels: about 4/3 of a
  // node, ~43 bytes, per 4096 entries) are kept in memory: every proof reads
  // them, and they halve the node blocks a proof fetches from RocksDB.
  static constexpr uint32_t kCachedLevel = 12;

  bool CachedNode(uint32_t level, uint64_t index, tlog::Hash* out) const;
  // Returns a reader over exactly the nodes `plan` reads, fetched with one
  // MultiGet (proofs read O(log n) nodes; one batched read beats as many
  // point reads).
  absl::StatusOr<tlog::NodeReader> PrefetchedReader(
      const std::function<absl::Status(const tlog::NodeReader&)>& plan) const;

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const nodes_;
  mutable absl::Mutex upper_mu_;
  std::map<std::pair<uint32_t, uint64_t>, tlog::Hash> upper_nodes_
      ABSL_GUARDED_BY(upper_mu_);
};

}  // namespace aigov::journal
