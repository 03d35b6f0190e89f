#include "daemon/journal/column_families.h"

#include <memory>

#include "rocksdb/filter_policy.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"

#include "daemon/journal/journal_keys.h"

namespace aigov::journal {
namespace {

// Index keys end in a BE64 sequence number; everything before it names one
// index (a kind, or a model). Each index is appended in sequence order only.
class IndexPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "aigov.IndexPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() > 8;
  }
};

}  // namespace

rocksdb::DBOptions JournalDbOptions(rocksdb::Env* env) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  // One writer (the sequencer) writes every batch; the hash memtable of
  // event_ids does not support concurrent inserts anyway.
  db_options.allow_concurrent_memtable_write = false;
  if (env != nullptr) db_options.env = env;
  return db_options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> JournalFamilies(
    const std::vector<Projection*>& projections) {
  rocksdb::ColumnFamilyOptions cf_options;
  // Nearly every event_id lookup is a miss (a new event): a bloom filter
  // answers those without reading data blocks.
  rocksdb::ColumnFamilyOptions event_id_options;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  event_id_options.table_factory.reset(
      rocksdb::NewBlockBasedTableFactory(table_options));
  // Event ids arrive in random order (their keys are hashes) and are only
  // ever read by point lookups: a hash-bucketed memtable keeps each insert
  // and lookup in a tiny skiplist instead of one deep one.
  event_id_options.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(4));
  event_id_options.memtable_factory.reset(
      rocksdb::NewHashSkipListRepFactory(/*bucket_count=*/1 << 16));
  // The same holds in the memtable: a whole-key bloom filter answers the
  // lookup of a new event without walking its bucket.
  event_id_options.memtable_prefix_bloom_size_ratio = 0.02;
  event_id_options.memtable_whole_key_filtering = true;
  // Tree nodes (per level) and index keys (per index) are only ever
  // appended in key order, never rewritten or deleted; keys of different
  // levels or indexes interleave, which defeats the skiplist's sequential
  // splice. A per-prefix insert hint makes each such insert O(1). (Debian's
  // RocksDB asserts on an out-of-order hinted insert; entries are not hinted
  // since retention deletes them.)
  rocksdb::ColumnFamilyOptions nodes_options;
  // Proofs read nodes by point lookups: the bloom filter skips SST files
  // that do not hold a node.
  nodes_options.table_factory = event_id_options.table_factory;
  nodes_options.memtable_insert_with_hint_prefix_extractor.reset(
      rocksdb::NewCappedPrefixTransform(1));
  rocksdb::ColumnFamilyOptions indexes_options;
  indexes_options.memtable_insert_with_hint_prefix_extractor =
      std::make_shared<IndexPrefix>();
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, cf_options},
      {kEntriesFamily, cf_options},
      {kEventIdsFamily, event_id_options},
      {kIndexesFamily, indexes_options},
      {kNodesFamily, nodes_options},
      {kSubjectKeysFamily, cf_options},
  };
  for (Projection* p : projections) {
    families.emplace_back(p->column_family(), cf_options);
  }
  return families;
}

}  // namespace aigov::journal
