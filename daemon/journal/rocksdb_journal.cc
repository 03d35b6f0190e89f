#include "daemon/journal/rocksdb_journal.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/time_util.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

#include "daemon/common/status_macros.h"
#include "daemon/common/status_util.h"
#include "daemon/journal/journal_keys.h"

namespace aigov::journal {
namespace {

constexpr size_t kDefault = 0;
constexpr size_t kEntries = 1;
constexpr size_t kEventIds = 2;
constexpr size_t kIndexes = 3;
constexpr size_t kFirstProjection = 4;

absl::string_view ToView(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

std::string SerializeDeterministic(const aigov::v1::JournalEntry& entry) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  entry.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbJournal>> RocksDbJournal::Open(
    const JournalOptions& options, const common::Clock& clock) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  if (options.env != nullptr) db_options.env = options.env;

  rocksdb::ColumnFamilyOptions cf_options;
  // Nearly every event_id lookup is a miss (a new event): a bloom filter
  // answers those without reading data blocks.
  rocksdb::ColumnFamilyOptions event_id_options;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  event_id_options.table_factory.reset(
      rocksdb::NewBlockBasedTableFactory(table_options));
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, cf_options},
      {kEntriesFamily, cf_options},
      {kEventIdsFamily, event_id_options},
      {kIndexesFamily, cf_options},
  };
  for (Projection* p : options.projections) {
    families.emplace_back(p->column_family(), cf_options);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, families, &handles, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", options.path,
          " is in use by another process (is another aigovd running on it?): ",
          s.ToString()));
    }
    if (s.IsInvalidArgument() &&
        absl::StrContains(s.ToString(), "Column famil")) {
      // Opened with fewer families than exist on disk: a newer schema.
      return absl::FailedPreconditionError(
          absl::StrCat("data directory ", options.path,
                       " was written by a newer aigovd: ", s.ToString()));
    }
    return common::FromRocksDb(
        s, absl::StrCat("opening journal at ", options.path));
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  auto journal = std::unique_ptr<RocksDbJournal>(new RocksDbJournal(
      std::move(db), std::move(handles), options.projections, clock, 0));
  uint64_t tree_size = 0;
  AIGOV_RETURN_IF_ERROR(journal->CheckHead(&tree_size));
  journal->tree_size_.store(tree_size, std::memory_order_release);
  return journal;
}

RocksDbJournal::RocksDbJournal(
    std::unique_ptr<rocksdb::DB> db,
    std::vector<rocksdb::ColumnFamilyHandle*> handles,
    std::vector<Projection*> projections, const common::Clock& clock,
    uint64_t tree_size)
    : db_(std::move(db)),
      handles_(std::move(handles)),
      projections_(std::move(projections)),
      clock_(clock),
      tree_size_(tree_size) {}

RocksDbJournal::~RocksDbJournal() {
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    db_->DestroyColumnFamilyHandle(h);
  }
  db_->Close();
}

absl::Status RocksDbJournal::CheckHead(uint64_t* tree_size) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kDefault],
                               kTreeSizeKey, &value);
  uint64_t persisted = 0;
  if (s.ok()) {
    if (!DecodeSequence(value, &persisted)) {
      return absl::DataLossError("journal head is malformed (tree_size)");
    }
  } else if (!s.IsNotFound()) {
    return common::FromRocksDb(s, "reading journal head");
  }
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEntries]));
  it->SeekToLast();
  AIGOV_RETURN_IF_ERROR(
      common::FromRocksDb(it->status(), "reading last entry"));
  uint64_t stored = 0;
  if (it->Valid()) {
    uint64_t last = 0;
    if (!DecodeSequence(ToView(it->key()), &last)) {
      return absl::DataLossError("journal holds a malformed entry key");
    }
    stored = last + 1;
  }
  if (stored != persisted) {
    return absl::DataLossError(
        absl::StrCat("journal head mismatch: head records ", persisted,
                     " entries but the last stored entry implies ", stored,
                     "; the data directory was altered outside aigovd"));
  }
  *tree_size = persisted;
  return absl::OkStatus();
}

absl::Status RocksDbJournal::AppendGroup(absl::Span<const PendingEvent> events,
                                         std::vector<AppendOutcome>* outcomes) {
  outcomes->assign(events.size(), AppendOutcome());
  uint64_t next = tree_size();
  const auto now = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(clock_.Now()));

  rocksdb::WriteBatch batch;
  // Entries sequenced in this group, kept alive for the projections.
  std::vector<aigov::v1::JournalEntry> sequenced;
  std::vector<std::string> sequenced_bytes;
  sequenced.reserve(events.size());
  sequenced_bytes.reserve(events.size());
  // event_id -> (sequence, digest) of events earlier in this group.
  std::unordered_map<std::string, std::pair<uint64_t, common::Sha256Digest>>
      in_group;

  for (size_t i = 0; i < events.size(); ++i) {
    const aigov::v1::JournalEntry& in = events[i].entry;
    const common::Sha256Digest digest = PayloadDigest(in);
    AppendOutcome& out = (*outcomes)[i];

    uint64_t prior_seq = 0;
    common::Sha256Digest prior_digest{};
    bool seen = false;
    if (auto it = in_group.find(in.event_id()); it != in_group.end()) {
      prior_seq = it->second.first;
      prior_digest = it->second.second;
      seen = true;
    } else {
      std::string value;
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kEventIds],
                                   in.event_id(), &value);
      if (s.ok()) {
        if (!DecodeEventIdValue(value, &prior_seq, &prior_digest)) {
          return absl::DataLossError(
              absl::StrCat("malformed event_id record for ", in.event_id()));
        }
        seen = true;
      } else if (!s.IsNotFound()) {
        return common::FromRocksDb(s, "looking up event_id");
      }
    }
    if (seen) {
      out.sequence = prior_seq;
      if (prior_digest == digest) {
        out.deduplicated = true;
      } else {
        out.status = absl::AlreadyExistsError(absl::StrCat(
            "event_id \"", in.event_id(),
            "\" was already used for a different payload at sequence ",
            prior_seq));
      }
      continue;
    }

    aigov::v1::JournalEntry entry = in;
    entry.set_sequence(next);
    *entry.mutable_recorded_at() = now;
    std::string bytes = SerializeDeterministic(entry);
    const std::string seq_key = EncodeSequence(next);
    batch.Put(handles_[kEntries], seq_key, bytes);
    batch.Put(handles_[kEventIds], entry.event_id(),
              EncodeEventIdValue(next, digest));
    batch.Put(handles_[kIndexes], KindIndexKey(EventKindOf(entry), next), "");
    const std::string model_id = ModelIdOf(entry);
    if (!model_id.empty()) {
      batch.Put(handles_[kIndexes], ModelIndexKey(model_id, next), "");
    }
    in_group[entry.event_id()] = {next, digest};
    out.sequence = next;
    sequenced.push_back(std::move(entry));
    sequenced_bytes.push_back(std::move(bytes));
    ++next;
  }

  if (sequenced.empty()) return absl::OkStatus();

  std::vector<SequencedEntry> views;
  views.reserve(sequenced.size());
  for (size_t i = 0; i < sequenced.size(); ++i) {
    views.push_back({&sequenced[i], &sequenced_bytes[i]});
  }
  for (size_t p = 0; p < projections_.size(); ++p) {
    AIGOV_RETURN_IF_ERROR(
        projections_[p]->Apply(views, handles_[kFirstProjection + p], &batch));
  }
  batch.Put(handles_[kDefault], kTreeSizeKey, EncodeSequence(next));

  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  AIGOV_RETURN_IF_ERROR(common::FromRocksDb(db_->Write(write_options, &batch),
                                            "writing journal group"));
  tree_size_.store(next, std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<std::string> RocksDbJournal::GetBytes(uint64_t sequence) const {
  if (sequence >= tree_size()) {
    return absl::NotFoundError(
        absl::StrCat("sequence ", sequence,
                     " is beyond the journal's end (size ", tree_size(), ")"));
  }
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kEntries],
                               EncodeSequence(sequence), &value);
  if (s.IsNotFound()) {
    return absl::DataLossError(
        absl::StrCat("entry ", sequence, " is missing from the journal"));
  }
  AIGOV_RETURN_IF_ERROR(common::FromRocksDb(s, "reading journal entry"));
  return value;
}

absl::StatusOr<aigov::v1::JournalEntry> RocksDbJournal::Get(
    uint64_t sequence) const {
  AIGOV_ASSIGN_OR_RETURN(std::string bytes, GetBytes(sequence));
  aigov::v1::JournalEntry entry;
  if (!entry.ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("entry ", sequence, " does not parse"));
  }
  return entry;
}

absl::StatusOr<ListResult> RocksDbJournal::List(const ListQuery& query) const {
  ListResult result;
  const uint64_t size = tree_size();
  const uint32_t page = std::max<uint32_t>(1, query.page_size);
  // Candidate sequence numbers come from the narrowest index that applies.
  std::string prefix;
  if (!query.model_id.empty()) {
    prefix = ModelIndexPrefix(query.model_id);
  } else if (query.kind != aigov::v1::EVENT_KIND_UNSPECIFIED) {
    prefix = KindIndexPrefix(query.kind);
  }

  rocksdb::ReadOptions read_options;
  std::unique_ptr<rocksdb::Iterator> it;
  if (prefix.empty()) {
    it.reset(db_->NewIterator(read_options, handles_[kEntries]));
    it->Seek(EncodeSequence(query.start_sequence));
  } else {
    it.reset(db_->NewIterator(read_options, handles_[kIndexes]));
    it->Seek(prefix + EncodeSequence(query.start_sequence));
  }
  size_t bytes = 0;
  for (; it->Valid(); it->Next()) {
    uint64_t seq = 0;
    if (prefix.empty()) {
      if (!DecodeSequence(ToView(it->key()), &seq)) {
        return absl::DataLossError("malformed entry key");
      }
    } else {
      if (!it->key().starts_with(prefix)) break;
      if (!SequenceFromIndexKey(ToView(it->key()), &seq)) {
        return absl::DataLossError("malformed index key");
      }
    }
    if (seq >= size) break;  // written by a group not yet published
    aigov::v1::JournalEntry entry;
    if (prefix.empty()) {
      if (!entry.ParseFromArray(it->value().data(),
                                static_cast<int>(it->value().size()))) {
        return absl::DataLossError(
            absl::StrCat("entry ", seq, " does not parse"));
      }
    } else {
      AIGOV_ASSIGN_OR_RETURN(entry, Get(seq));
    }
    if (query.kind != aigov::v1::EVENT_KIND_UNSPECIFIED &&
        EventKindOf(entry) != query.kind) {
      continue;
    }
    const size_t entry_bytes = entry.ByteSizeLong();
    if (result.entries.size() == page ||
        (query.max_bytes > 0 && !result.entries.empty() &&
         bytes + entry_bytes > query.max_bytes)) {
      result.has_more = true;
      result.next_sequence = seq;
      return result;
    }
    bytes += entry_bytes;
    result.entries.push_back(std::move(entry));
  }
  AIGOV_RETURN_IF_ERROR(common::FromRocksDb(it->status(), "listing journal"));
  result.next_sequence = size;
  return result;
}

absl::Status RocksDbJournal::Flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  return common::FromRocksDb(db_->Flush(options, handles_), "flushing journal");
}

}  // namespace aigov::journal
