#include "daemon/journal/tree_store.h"

#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

#include "daemon/common/status_macros.h"
#include "daemon/journal/column_families.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/storage/rocksdb_status.h"

namespace aigov::journal {
namespace {

// Returns a reader of every tree level over `stored`, which reads stored
// levels only (IsStoredLevel): a node at an odd level is hashed from its two
// children at the level below.
tlog::NodeReader EveryLevel(tlog::NodeReader stored) {
  return [stored = std::move(stored)](
             uint32_t level, uint64_t index) -> absl::StatusOr<tlog::Hash> {
    if (IsStoredLevel(level)) return stored(level, index);
    AIGOV_ASSIGN_OR_RETURN(const tlog::Hash left, stored(level - 1, 2 * index));
    AIGOV_ASSIGN_OR_RETURN(const tlog::Hash right,
                           stored(level - 1, 2 * index + 1));
    return tlog::HashChildren(left, right);
  };
}

absl::Status MissingNode(uint32_t level, uint64_t index) {
  return absl::DataLossError(absl::StrCat("tree node (level ", level,
                                          ", index ", index, ") is missing"));
}

}  // namespace

absl::StatusOr<tlog::Hash> TreeStore::ReadNode(uint32_t level,
                                               uint64_t index) const {
  std::string value;
  const rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), nodes_, NodeKey(level, index), &value);
  if (s.IsNotFound()) return MissingNode(level, index);
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading tree node"));
  tlog::Hash h{};
  if (!tlog::HashFromBytes(value, &h)) {
    return absl::DataLossError(absl::StrCat(
        "tree node (level ", level, ", index ", index, ") is malformed"));
  }
  return h;
}

absl::Status TreeStore::LoadCache() {
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, nodes_));
  absl::MutexLock lock(&upper_mu_);
  for (it->Seek(NodeKey(kCachedLevel, 0)); it->Valid(); it->Next()) {
    const absl::string_view key = ToView(it->key());
    uint64_t index = 0;
    tlog::Hash h{};
    if (key.size() != 9 || !DecodeSequence(key.substr(1), &index) ||
        !tlog::HashFromBytes(ToView(it->value()), &h)) {
      return absl::DataLossError("a tree node record is malformed");
    }
    upper_nodes_[{static_cast<uint8_t>(key[0]), index}] = h;
  }
  return storage::FromRocksDb(it->status(), "loading upper tree nodes");
}

bool TreeStore::CachedNode(uint32_t level, uint64_t index,
                           tlog::Hash* out) const {
  if (level < kCachedLevel) return false;
  absl::MutexLock lock(&upper_mu_);
  auto it = upper_nodes_.find({level, index});
  if (it == upper_nodes_.end()) return false;
  *out = it->second;
  return true;
}

absl::StatusOr<tlog::NodeReader> TreeStore::PrefetchedReader(
    const std::function<absl::Status(const tlog::NodeReader&)>& plan) const {
  // Dry run: record which nodes `plan` reads (every node is needed whatever
  // the hashes are), then fetch them all with one MultiGet.
  std::vector<std::pair<uint32_t, uint64_t>> wanted;
  const tlog::NodeReader recorder =
      [&wanted](uint32_t level, uint64_t index) -> absl::StatusOr<tlog::Hash> {
    wanted.emplace_back(level, index);
    return tlog::Hash{};
  };
  AIGOV_RETURN_IF_ERROR(plan(EveryLevel(recorder)));
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  auto fetched =
      std::make_shared<std::map<std::pair<uint32_t, uint64_t>, tlog::Hash>>();
  {
    std::vector<std::pair<uint32_t, uint64_t>> uncached;
    for (const auto& node : wanted) {
      tlog::Hash h{};
      if (CachedNode(node.first, node.second, &h)) {
        (*fetched)[node] = h;
      } else {
        uncached.push_back(node);
      }
    }
    wanted.swap(uncached);
  }
  std::vector<std::string> keys;
  keys.reserve(wanted.size());
  for (const auto& [level, index] : wanted)
    keys.push_back(NodeKey(level, index));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), nodes_, slices.size(), slices.data(),
                values.data(), statuses.data(),
                /*sorted_input=*/true);
  for (size_t i = 0; i < keys.size(); ++i) {
    tlog::Hash h{};
    if (statuses[i].ok() && tlog::HashFromBytes(ToView(values[i]), &h)) {
      (*fetched)[wanted[i]] = h;
    } else if (!statuses[i].ok() && !statuses[i].IsNotFound()) {
      return storage::FromRocksDb(statuses[i], "reading tree nodes");
    }
  }
  return EveryLevel(
      [fetched](uint32_t level, uint64_t index) -> absl::StatusOr<tlog::Hash> {
        auto it = fetched->find({level, index});
        if (it == fetched->end()) return MissingNode(level, index);
        return it->second;
      });
}

tlog::NodeReader TreeStore::Reader() const {
  return EveryLevel([this](uint32_t level, uint64_t index) {
    return ReadNode(level, index);
  });
}

absl::StatusOr<tlog::Hash> TreeStore::RootAt(uint64_t size) const {
  return tlog::RootAt(size, Reader());
}

absl::StatusOr<std::vector<tlog::Hash>> TreeStore::InclusionProof(
    uint64_t index, uint64_t tree_size) const {
  auto plan = [index, tree_size](const tlog::NodeReader& nodes) {
    return tlog::InclusionProof(index, tree_size, nodes).status();
  };
  AIGOV_ASSIGN_OR_RETURN(const tlog::NodeReader nodes, PrefetchedReader(plan));
  return tlog::InclusionProof(index, tree_size, nodes);
}

absl::StatusOr<std::vector<TreeStore::LeafProof>> TreeStore::InclusionProofs(
    const std::vector<uint64_t>& indexes, uint64_t tree_size) const {
  auto plan = [&indexes, tree_size](const tlog::NodeReader& nodes) {
    for (const uint64_t i : indexes) {
      AIGOV_RETURN_IF_ERROR(nodes(0, i).status());
      AIGOV_RETURN_IF_ERROR(tlog::InclusionProof(i, tree_size, nodes).status());
    }
    return absl::OkStatus();
  };
  AIGOV_ASSIGN_OR_RETURN(const tlog::NodeReader nodes, PrefetchedReader(plan));
  std::vector<LeafProof> out(indexes.size());
  for (size_t k = 0; k < indexes.size(); ++k) {
    AIGOV_ASSIGN_OR_RETURN(out[k].leaf_hash, nodes(0, indexes[k]));
    AIGOV_ASSIGN_OR_RETURN(out[k].path,
                           tlog::InclusionProof(indexes[k], tree_size, nodes));
  }
  return out;
}

absl::StatusOr<std::vector<tlog::Hash>> TreeStore::ConsistencyProof(
    uint64_t from, uint64_t to) const {
  auto plan = [from, to](const tlog::NodeReader& nodes) {
    return tlog::ConsistencyProof(from, to, nodes).status();
  };
  AIGOV_ASSIGN_OR_RETURN(const tlog::NodeReader nodes, PrefetchedReader(plan));
  return tlog::ConsistencyProof(from, to, nodes);
}

void TreeStore::Put(const std::vector<tlog::Node>& completed,
                    rocksdb::WriteBatch* batch,
                    std::vector<tlog::Node>* upper) const {
  for (const tlog::Node& n : completed) {
    if (!IsStoredLevel(n.level)) continue;
    batch->Put(nodes_, NodeKey(n.level, n.index), ToSlice(n.hash));
    if (n.level >= kCachedLevel) upper->push_back(n);
  }
}

void TreeStore::Committed(const std::vector<tlog::Node>& upper) {
  if (upper.empty()) return;
  absl::MutexLock lock(&upper_mu_);
  for (const tlog::Node& n : upper) upper_nodes_[{n.level, n.index}] = n.hash;
}

}  // namespace aigov::journal
