#include "daemon/journal/rocksdb_journal.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/time_util.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

#include "daemon/common/status_macros.h"
#include "daemon/journal/entry_scanner.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/kinds/kinds.h"
#include "daemon/storage/rocksdb_status.h"

namespace aigov::journal {
namespace {

// The principal of entries aigovd derives (deriver.h).
constexpr char kDerivedPrincipal[] = "aigovd";

// An earlier entry with a given event_id.
struct PriorEvent {
  uint64_t sequence = 0;
  common::Sha256Digest digest{};
};

// A derived event on its way to being sequenced: its event_id key, its
// digest, and the sequence of an identical entry already recorded.
struct DerivedPlan {
  const std::string* id_key = nullptr;
  common::Sha256Digest digest{};
  std::optional<uint64_t> already;
};

// The earlier entry an event_id record names, from the result of reading
// it (`read`, `value`): none when the record is not found.
absl::StatusOr<std::optional<PriorEvent>> StoredPrior(
    const rocksdb::Status& read, absl::string_view value,
    absl::string_view event_id) {
  if (read.IsNotFound()) return std::nullopt;
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(read, "looking up event_id"));
  PriorEvent prior;
  if (!DecodeEventIdValue(value, event_id, &prior.sequence, &prior.digest)) {
    return absl::DataLossError(
        absl::StrCat("malformed event_id record for ", event_id));
  }
  return prior;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbJournal>> RocksDbJournal::Open(
    const JournalOptions& options, const common::Clock& clock) {
  const rocksdb::DBOptions db_options = JournalDbOptions(options.env);
  const std::vector<rocksdb::ColumnFamilyDescriptor> families =
      JournalFamilies(options.projections);
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
    return storage::FromRocksDb(
        s, absl::StrCat("opening journal at ", options.path));
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  auto journal = std::unique_ptr<RocksDbJournal>(
      new RocksDbJournal(std::move(db), std::move(handles), options, clock));
  AIGOV_RETURN_IF_ERROR(journal->CheckHead());
  AIGOV_RETURN_IF_ERROR(journal->keys_.LoadOrCreateSecret());
  AIGOV_RETURN_IF_ERROR(journal->retention_.Load());
  AIGOV_RETURN_IF_ERROR(journal->tree_.LoadCache());
  for (size_t p = 0; p < journal->projections_.size(); ++p) {
    AIGOV_RETURN_IF_ERROR(journal->projections_[p]->Attach(
        journal->db_.get(), journal->handles_[kFirstProjection + p]));
  }
  AIGOV_RETURN_IF_ERROR(journal->LoadViewStates());
  return journal;
}

absl::Status RocksDbJournal::LoadViewStates() {
  pruned_skipped_.assign(projections_.size(), 0);
  stale_.clear();
  const uint64_t size = tree_size();
  for (size_t p = 0; p < projections_.size(); ++p) {
    const Projection& view = *projections_[p];
    std::string value;
    const rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), handles_[kDefault],
                 ViewStateKey(view.column_family()), &value);
    if (s.IsNotFound()) {
      if (size > 0) {
        stale_.emplace_back(p,
                            "no recorded state (a view new to this data "
                            "directory, or one written before views were "
                            "versioned)");
      }
      continue;
    }
    AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading a view's state"));
    ViewState state;
    if (!DecodeViewState(value, &state)) {
      stale_.emplace_back(p, "its recorded state does not parse");
      continue;
    }
    pruned_skipped_[p] = state.pruned_skipped;
    if (state.version > view.version()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "view ", view.column_family(),
          " was written by a newer aigovd (view "
          "version ",
          state.version, "; this aigovd has version ", view.version(),
          "): run that aigovd, or rebuild the views with "
          "this one (aigovd --rebuild_views)"));
    }
    if (state.rebuilding) {
      stale_.emplace_back(p, "a rebuild of it did not finish");
    } else if (state.version < view.version()) {
      stale_.emplace_back(p,
                          absl::StrCat("version ", state.version, " on disk, ",
                                       view.version(), " in this aigovd"));
    } else if (state.applied_through != size) {
      stale_.emplace_back(
          p, absl::StrCat("applied through ", state.applied_through,
                          " entries; the journal holds ", size));
    }
  }
  return absl::OkStatus();
}

void RocksDbJournal::PutViewState(size_t projection, uint64_t applied_through,
                                  bool rebuilding, uint64_t pruned_skipped,
                                  rocksdb::WriteBatch* batch) const {
  ViewState state;
  state.version = projections_[projection]->version();
  state.applied_through = applied_through;
  state.rebuilding = rebuilding;
  state.pruned_skipped = pruned_skipped;
  batch->Put(handles_[kDefault],
             ViewStateKey(projections_[projection]->column_family()),
             EncodeViewState(state));
}

std::vector<RocksDbJournal::StaleView> RocksDbJournal::StaleViews() const {
  std::vector<StaleView> out;
  for (const auto& [p, reason] : stale_) {
    out.push_back({projections_[p]->column_family(), reason});
  }
  return out;
}

absl::StatusOr<ViewState> RocksDbJournal::GetViewState(
    absl::string_view column_family) const {
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kDefault],
                                     ViewStateKey(column_family), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(
        absl::StrCat("view ", column_family, " has no recorded state"));
  }
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading a view's state"));
  ViewState state;
  if (!DecodeViewState(value, &state)) {
    return absl::DataLossError(
        absl::StrCat("the state of view ", column_family, " does not parse"));
  }
  return state;
}

RocksDbJournal::RocksDbJournal(
    std::unique_ptr<rocksdb::DB> db,
    std::vector<rocksdb::ColumnFamilyHandle*> handles,
    const JournalOptions& options, const common::Clock& clock)
    : db_(std::move(db)),
      handles_(std::move(handles)),
      tree_(db_.get(), handles_[kNodes]),
      keys_(db_.get(), handles_[kDefault], handles_[kSubjectKeys]),
      retention_(db_.get(), handles_[kDefault], handles_[kEntries]),
      projections_(options.projections),
      derivers_(options.derivers),
      rules_(options.rules),
      clock_(clock) {}

RocksDbJournal::~RocksDbJournal() {
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    db_->DestroyColumnFamilyHandle(h);
  }
  db_->Close();
}

absl::Status RocksDbJournal::CheckHead() {
  const rocksdb::ReadOptions read;
  std::string value;
  rocksdb::Status s = db_->Get(read, handles_[kDefault], kTreeSizeKey, &value);
  uint64_t persisted = 0;
  if (s.ok()) {
    if (!DecodeSequence(value, &persisted)) {
      return absl::DataLossError("journal head is malformed (tree_size)");
    }
  } else if (!s.IsNotFound()) {
    return storage::FromRocksDb(s, "reading journal head");
  }
  std::string format;
  const rocksdb::Status format_read =
      db_->Get(read, handles_[kDefault], kFormatKey, &format);
  if (!format_read.ok() && !format_read.IsNotFound()) {
    return storage::FromRocksDb(format_read, "reading journal format");
  }
  const bool has_format = format_read.ok();
  if ((has_format && format != kFormat) || (!has_format && persisted > 0)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "journal format \"", has_format ? format : "1",
        "\" is not this aigovd's (", kFormat,
        "); use the aigovd that wrote it, or start on an empty data_dir"));
  }

  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read, handles_[kEntries]));
  it->SeekToLast();
  AIGOV_RETURN_IF_ERROR(
      storage::FromRocksDb(it->status(), "reading last entry"));
  uint64_t stored = 0;
  if (it->Valid()) {
    uint64_t last = 0;
    if (!DecodeSequence(ToView(it->key()), &last)) {
      return absl::DataLossError("journal holds a malformed entry key");
    }
    stored = last + 1;
  }
  // Entries may be missing at the start (pruned by retention), never past
  // the head.
  bool head_ok = stored <= persisted;
  if (head_ok && stored < persisted) {
    std::string leaf;
    const rocksdb::Status has_leaf =
        db_->Get(read, handles_[kNodes], NodeKey(0, persisted - 1), &leaf);
    std::unique_ptr<rocksdb::Iterator> pr(
        db_->NewIterator(read, handles_[kDefault]));
    pr->SeekForPrev(std::string(kPrunedPrefix) + EncodeSequence(persisted));
    uint64_t end = 0;
    head_ok = has_leaf.ok() && pr->Valid() &&
              pr->key().starts_with(kPrunedPrefix) &&
              DecodeSequence(ToView(pr->value()), &end) && end >= persisted;
  }
  if (!head_ok) {
    return absl::DataLossError(
        absl::StrCat("journal head mismatch: head records ", persisted,
                     " entries but the last stored entry implies ", stored,
                     "; the data directory was altered outside aigovd"));
  }

  tlog::Hash root = tlog::EmptyRoot();
  if (persisted > 0) {
    s = db_->Get(read, handles_[kDefault], kRootKey, &value);
    if (!s.ok() || !tlog::HashFromBytes(value, &root)) {
      return absl::DataLossError("journal head has no valid root hash");
    }
  }
  auto range = tlog::CompactRange::FromNodes(persisted, tree_.Reader());
  if (!range.ok()) {
    return absl::DataLossError(
        absl::StrCat("journal tree nodes are missing for size ", persisted,
                     ": ", range.status().message()));
  }
  if (range->Root() != root) {
    return absl::DataLossError(absl::StrCat(
        "journal head mismatch: the head's root ", tlog::HashHex(root),
        " differs from the root ", tlog::HashHex(range->Root()),
        " recomputed from the stored tree nodes at size ", persisted,
        "; run aigovd --verify to find the altered entry"));
  }
  range_ = std::move(*range);
  {
    absl::MutexLock lock(&head_mu_);
    head_ = TreeHead{persisted, root};
  }
  tree_size_.store(persisted, std::memory_order_release);
  if (!has_format) {  // a new journal
    rocksdb::WriteOptions sync;
    sync.sync = true;
    AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(
        db_->Put(sync, handles_[kDefault], kFormatKey, kFormat),
        "writing journal format"));
  }
  return absl::OkStatus();
}

TreeHead RocksDbJournal::head() const {
  absl::MutexLock lock(&head_mu_);
  return head_;
}

absl::StatusOr<tlog::Hash> RocksDbJournal::RootAt(uint64_t size) const {
  const TreeHead h = head();
  if (size > h.size) {
    return absl::OutOfRangeError(absl::StrCat(
        "tree_size ", size, " is beyond the journal's size ", h.size));
  }
  if (size == h.size) return h.root;
  return tree_.RootAt(size);
}

absl::StatusOr<tlog::Hash> RocksDbJournal::LeafHash(uint64_t index) const {
  if (index >= tree_size()) {
    return absl::NotFoundError(
        absl::StrCat("index ", index, " is beyond the journal's end (size ",
                     tree_size(), ")"));
  }
  return tree_.ReadNode(0, index);
}

absl::StatusOr<std::vector<tlog::Hash>> RocksDbJournal::InclusionProof(
    uint64_t index, uint64_t tree_size) const {
  if (tree_size > this->tree_size()) {
    return absl::OutOfRangeError(absl::StrCat("tree_size ", tree_size,
                                              " is beyond the journal's size ",
                                              this->tree_size()));
  }
  return tree_.InclusionProof(index, tree_size);
}

absl::StatusOr<std::vector<ProvenEntry>> RocksDbJournal::ProveEntries(
    const std::vector<uint64_t>& indexes, uint64_t tree_size) const {
  if (tree_size > this->tree_size()) {
    return absl::OutOfRangeError(absl::StrCat("tree_size ", tree_size,
                                              " is beyond the journal's size ",
                                              this->tree_size()));
  }
  for (const uint64_t i : indexes) {
    if (i >= tree_size) {
      return absl::InvalidArgumentError(
          absl::StrCat("index ", i, " is not below the tree size ", tree_size));
    }
  }
  AIGOV_ASSIGN_OR_RETURN(std::vector<TreeStore::LeafProof> proofs,
                         tree_.InclusionProofs(indexes, tree_size));
  std::vector<std::string> keys;
  keys.reserve(indexes.size());
  for (const uint64_t i : indexes) keys.push_back(EncodeSequence(i));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  db_->MultiGet(read, handles_[kEntries], slices.size(), slices.data(),
                values.data(), statuses.data());
  std::vector<ProvenEntry> out(indexes.size());
  for (size_t k = 0; k < indexes.size(); ++k) {
    ProvenEntry& e = out[k];
    e.entry.index = indexes[k];
    e.entry.leaf_hash = proofs[k].leaf_hash;
    e.proof = std::move(proofs[k].path);
    if (IsPruned(indexes[k])) {
      e.entry.pruned = true;
      continue;
    }
    if (statuses[k].IsNotFound()) {
      return absl::DataLossError(
          absl::StrCat("entry ", indexes[k], " is missing from the journal"));
    }
    AIGOV_RETURN_IF_ERROR(
        storage::FromRocksDb(statuses[k], "reading journal entries"));
    e.entry.bytes = values[k].ToString();
  }
  return out;
}

absl::StatusOr<std::vector<tlog::Hash>> RocksDbJournal::ConsistencyProof(
    uint64_t from, uint64_t to) const {
  if (to > tree_size()) {
    return absl::OutOfRangeError(absl::StrCat(
        "to_size ", to, " is beyond the journal's size ", tree_size()));
  }
  return tree_.ConsistencyProof(from, to);
}

absl::StatusOr<std::vector<StoredEntry>> RocksDbJournal::ReadRange(
    uint64_t start, uint64_t end, size_t max_count, size_t max_bytes) const {
  if (end > tree_size()) {
    return absl::OutOfRangeError(absl::StrCat(
        "end ", end, " is beyond the journal's size ", tree_size()));
  }
  std::vector<StoredEntry> out;
  size_t bytes = 0;
  EntryScanner entries(db_.get(), handles_[kEntries], retention_, start, end);
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> leaves(
      db_->NewIterator(read, handles_[kNodes]));
  leaves->Seek(NodeKey(0, start));
  while (out.size() < max_count) {
    AIGOV_ASSIGN_OR_RETURN(const bool more, entries.Next());
    if (!more) break;
    const uint64_t i = entries.index();
    StoredEntry e;
    e.index = i;
    if (!leaves->Valid() || ToView(leaves->key()) != NodeKey(0, i) ||
        !tlog::HashFromBytes(ToView(leaves->value()), &e.leaf_hash)) {
      AIGOV_RETURN_IF_ERROR(
          storage::FromRocksDb(leaves->status(), "reading leaves"));
      return absl::DataLossError(
          absl::StrCat("leaf hash of entry ", i, " is missing"));
    }
    e.pruned = entries.pruned();
    if (!e.pruned) {
      if (!out.empty() && bytes + entries.bytes().size() > max_bytes) break;
      e.bytes = std::string(entries.bytes());
      bytes += e.bytes.size();
    }
    out.push_back(std::move(e));
    leaves->Next();
  }
  return out;
}

absl::Status RocksDbJournal::StoreCheckpointNote(absl::string_view note) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return storage::FromRocksDb(
      db_->Put(sync, handles_[kDefault], kCheckpointKey,
               rocksdb::Slice(note.data(), note.size())),
      "storing checkpoint");
}

absl::StatusOr<std::string> RocksDbJournal::LoadCheckpointNote() const {
  std::string note;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kDefault],
                                     kCheckpointKey, &note);
  if (s.IsNotFound()) return std::string();
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "loading checkpoint"));
  return note;
}

absl::StatusOr<VerifyReport> RocksDbJournal::VerifyAll(
    const std::function<void(uint64_t, uint64_t)>& progress) const {
  VerifyReport report;
  report.head = head();
  const uint64_t total = report.head.size;
  tlog::CompactRange range;
  std::vector<tlog::Node> completed;
  EntryScanner entries(db_.get(), handles_[kEntries], retention_, 0, total);
  while (true) {
    AIGOV_ASSIGN_OR_RETURN(const bool more, entries.Next());
    if (!more) break;
    const uint64_t index = entries.index();
    tlog::Hash leaf{};
    if (entries.pruned()) {
      // Payload pruned by retention: the stored leaf hash stands for it.
      AIGOV_ASSIGN_OR_RETURN(leaf, tree_.ReadNode(0, index));
      ++report.entries_pruned;
    } else {
      leaf = tlog::HashLeaf(entries.bytes());
    }
    completed.clear();
    range.Append(leaf, &completed);
    for (const tlog::Node& n : completed) {
      if (!IsStoredLevel(n.level)) continue;
      AIGOV_ASSIGN_OR_RETURN(const tlog::Hash stored,
                             tree_.ReadNode(n.level, n.index));
      if (stored != n.hash) {
        if (n.level == 0) {
          return absl::DataLossError(absl::StrCat(
              "entry ", index, ": its bytes hash to ", tlog::HashHex(n.hash),
              " but its recorded leaf hash is ", tlog::HashHex(stored),
              " (the entry was altered after it was sequenced)"));
        }
        return absl::DataLossError(absl::StrCat(
            "tree node (level ", n.level, ", index ", n.index,
            ") differs from the hash of its children (covers entries from ",
            n.index << n.level, ")"));
      }
    }
    if (progress && (index + 1) % 65536 == 0) progress(index + 1, total);
  }
  if (range.Root() != report.head.root) {
    return absl::DataLossError(absl::StrCat(
        "the root recomputed from all entries, ", tlog::HashHex(range.Root()),
        ", differs from the journal head's root ",
        tlog::HashHex(report.head.root)));
  }
  report.entries_checked = total;
  if (progress) progress(total, total);
  return report;
}

absl::Status RocksDbJournal::AppendGroup(std::vector<PendingEvent> events,
                                         std::vector<AppendOutcome>* outcomes) {
  outcomes->assign(events.size(), AppendOutcome());
  uint64_t next = tree_size();
  const absl::Time now_time = clock_.Now();
  const auto now = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(now_time));

  // The batch is reused from group to group: its buffer keeps its capacity,
  // so a group neither allocates nor faults in fresh pages for it.
  rocksdb::WriteBatch& batch = group_batch_;
  batch.Clear();
  absl::Cleanup clear_batch = [this, &batch] {
    batch.Clear();
    for (Projection* p : projections_) p->EndGroup();
  };
  // Entries sequenced in this group, kept alive for the projections.
  std::vector<aigov::v1::JournalEntry> sequenced;
  std::vector<std::string> sequenced_bytes;
  sequenced.reserve(events.size());
  sequenced_bytes.reserve(events.size());
  // event_id -> (sequence, digest, leaf hash) of events earlier in this
  // group.
  struct Sequenced {
    uint64_t sequence;
    common::Sha256Digest digest;
    tlog::Hash leaf_hash;
    size_t position;  // in `sequenced`
  };
  // Keyed by the event_id record key (it outlives the map).
  absl::flat_hash_map<absl::string_view, Sequenced> in_group;
  in_group.reserve(events.size());
  // The tree edge grows in place; on any early return it is restored, so a
  // group that was not written leaves no trace in memory either.
  const tlog::CompactRange saved_range = range_;
  bool committed = false;
  absl::Cleanup restore_range = [this, &saved_range, &committed] {
    if (!committed) range_ = saved_range;
  };
  std::vector<tlog::Node> completed;
  std::vector<tlog::Node> upper;  // completed nodes to cache once committed
  SubjectKeys::Group group_keys(keys_, &batch);
  const SubjectKeyFn subject_key = group_keys.KeyFn();

  // The run of one kind being sequenced (see KindRunKey).
  aigov::v1::EventKind run_kind = aigov::v1::EVENT_KIND_UNSPECIFIED;
  uint64_t run_first = 0;
  uint64_t run_count = 0;
  const auto put_run = [&] {
    batch.Put(handles_[kIndexes], KindRunKey(run_kind, run_first),
              EncodeSequence(run_count));
    run_count = 0;
  };

  // One batched lookup of every event_id of the group (earlier entries).
  std::vector<std::string> id_key_bytes;
  id_key_bytes.reserve(events.size());
  for (const PendingEvent& e : events)
    id_key_bytes.push_back(EventIdKey(e.entry.event_id()));
  std::vector<rocksdb::Slice> id_keys(id_key_bytes.begin(), id_key_bytes.end());
  std::vector<rocksdb::PinnableSlice> id_values(events.size());
  std::vector<rocksdb::Status> id_statuses(events.size());
  db_->MultiGet(rocksdb::ReadOptions(), handles_[kEventIds], id_keys.size(),
                id_keys.data(), id_values.data(), id_statuses.data());

  // Event_id keys of derived entries (in_group refers to them).
  std::deque<std::string> derived_id_keys;
  // Seals, numbers and stores one admitted entry at `next`, adds it to the
  // tree, and advances `next`. `id_key` must outlive the group.
  const auto sequence_one =
      [&](aigov::v1::JournalEntry entry, const common::Sha256Digest& digest,
          const std::string& id_key, uint64_t* sequence, tlog::Hash* leaf_hash,
          bool* subject_key_existed) -> absl::Status {
    AIGOV_RETURN_IF_ERROR(SealPii(&entry, keys_.secret(), subject_key));
    if (entry.has_subject_erasure()) {
      AIGOV_ASSIGN_OR_RETURN(
          *subject_key_existed,
          group_keys.Erase(entry.subject_erasure().subject_id()));
    }
    entry.set_sequence(next);
    *entry.mutable_recorded_at() = now;
    std::string bytes = SerializeDeterministic(entry);
    const std::string seq_key = EncodeSequence(next);
    batch.Put(handles_[kEntries], seq_key, bytes);
    batch.Put(handles_[kEventIds], id_key,
              EncodeEventIdValue(next, digest, entry.event_id()));
    const aigov::v1::EventKind kind = kinds::EventKindOf(entry);
    if (run_count > 0 && kind != run_kind) put_run();
    if (run_count == 0) {
      run_kind = kind;
      run_first = next;
    }
    ++run_count;
    const std::string model_id = ModelIdOf(entry);
    if (!model_id.empty()) {
      batch.Put(handles_[kIndexes], ModelIndexKey(model_id, next), "");
    }
    const tlog::Hash leaf = tlog::HashLeaf(bytes);
    completed.clear();
    range_.Append(leaf, &completed);
    tree_.Put(completed, &batch, &upper);
    in_group[id_key] = Sequenced{next, digest, leaf, sequenced.size()};
    *sequence = next;
    *leaf_hash = leaf;
    sequenced.push_back(std::move(entry));
    sequenced_bytes.push_back(std::move(bytes));
    ++next;
    return absl::OkStatus();
  };
  // The entry of this group with this event_id, if any.
  const auto in_group_prior =
      [&](absl::string_view id_key,
          const std::string& event_id) -> const Sequenced* {
    const auto it = in_group.find(id_key);
    if (it == in_group.end() ||
        sequenced[it->second.position].event_id() != event_id) {
      return nullptr;
    }
    return &it->second;
  };
  // An earlier entry with this event_id (in this group, or stored).
  const auto find_prior = [&](const std::string& id_key,
                              const std::string& event_id)
      -> absl::StatusOr<std::optional<PriorEvent>> {
    if (const Sequenced* s = in_group_prior(id_key, event_id)) {
      return PriorEvent{s->sequence, s->digest};
    }
    std::string value;
    const rocksdb::Status read =
        db_->Get(rocksdb::ReadOptions(), handles_[kEventIds], id_key, &value);
    return StoredPrior(read, value, event_id);
  };
  // Whether a new event may be recorded: every view keeps its references
  // whole, then every rule of the domain; once admitted, later events of the
  // group see it.
  const auto admit = [&](const aigov::v1::JournalEntry& e) -> absl::Status {
    for (Projection* p : projections_) AIGOV_RETURN_IF_ERROR(p->Check(e));
    for (AdmissionRule* r : rules_) AIGOV_RETURN_IF_ERROR(r->Check(e));
    for (Projection* p : projections_) p->Admitted(e);
    return absl::OkStatus();
  };

  // Plans what an entry (at `source`) or the time (no source) entails:
  // principal "aigovd", derived_from, and for each derived entry either the
  // one already recorded or its admission. A refusal lands in out->status;
  // an error return fails the group.
  const auto plan_derived = [&](std::vector<aigov::v1::JournalEntry>& derived,
                                std::optional<uint64_t> source,
                                std::vector<DerivedPlan>* plans,
                                AppendOutcome* out) -> absl::Status {
    for (size_t k = 0; k < derived.size() && out->status.ok(); ++k) {
      aigov::v1::JournalEntry& e = derived[k];
      e.set_principal(kDerivedPrincipal);
      if (source) e.add_derived_from(*source);
      DerivedPlan& plan = plans->emplace_back();
      plan.id_key = &derived_id_keys.emplace_back(EventIdKey(e.event_id()));
      plan.digest = PayloadDigest(e);
      AIGOV_ASSIGN_OR_RETURN(const std::optional<PriorEvent> recorded,
                             find_prior(*plan.id_key, e.event_id()));
      if (recorded) {
        if (recorded->digest != plan.digest) {
          out->status = absl::AlreadyExistsError(
              absl::StrCat("what this event entails, \"", e.event_id(),
                           "\", was already recorded otherwise at sequence ",
                           recorded->sequence));
        }
        plan.already = recorded->sequence;
        continue;
      }
      out->status = admit(e);
    }
    return absl::OkStatus();
  };
  // Sequences the planned derived entries not already recorded, and lists
  // every one in out->derived.
  const auto sequence_derived =
      [&](std::vector<aigov::v1::JournalEntry>& derived,
          const std::vector<DerivedPlan>& plans,
          AppendOutcome* out) -> absl::Status {
    for (size_t k = 0; k < derived.size(); ++k) {
      AppendOutcome::Derived& d = out->derived.emplace_back();
      d.event_id = derived[k].event_id();
      d.kind = kinds::EventKindOf(derived[k]);
      d.sequenced = !plans[k].already;
      if (plans[k].already) {
        d.sequence = *plans[k].already;
        continue;
      }
      tlog::Hash leaf;
      AIGOV_RETURN_IF_ERROR(sequence_one(std::move(derived[k]), plans[k].digest,
                                         *plans[k].id_key, &d.sequence, &leaf,
                                         &d.subject_key_existed));
    }
    return absl::OkStatus();
  };

  for (size_t i = 0; i < events.size(); ++i) {
    aigov::v1::JournalEntry& in = events[i].entry;
    if (events[i].tick) {
      // What the time entails (Deriver::DeriveAt), with no entry of its own.
      AppendOutcome& out = (*outcomes)[i];
      std::vector<aigov::v1::JournalEntry> derived;
      for (Deriver* d : derivers_) {
        AIGOV_RETURN_IF_ERROR(d->DeriveAt(now_time, next, &derived));
      }
      std::vector<DerivedPlan> plans;
      AIGOV_RETURN_IF_ERROR(plan_derived(derived, std::nullopt, &plans, &out));
      if (!out.status.ok()) continue;
      AIGOV_RETURN_IF_ERROR(sequence_derived(derived, plans, &out));
      continue;
    }
    common::Sha256Digest digest;
    if (HasPii(in)) {
      aigov::v1::JournalEntry pseudonymized = in;
      PseudonymizePii(&pseudonymized, keys_.secret());
      digest = PayloadDigest(pseudonymized);
    } else {
      digest = PayloadDigest(in);
    }
    AppendOutcome& out = (*outcomes)[i];

    std::optional<PriorEvent> prior;
    const Sequenced* earlier = in_group_prior(id_key_bytes[i], in.event_id());
    if (earlier != nullptr) {
      prior = PriorEvent{earlier->sequence, earlier->digest};
    } else {
      AIGOV_ASSIGN_OR_RETURN(
          prior,
          StoredPrior(id_statuses[i], ToView(id_values[i]), in.event_id()));
    }
    if (prior) {
      out.sequence = prior->sequence;
      if (prior->digest == digest) {
        out.deduplicated = true;
        if (earlier != nullptr) {
          out.leaf_hash = earlier->leaf_hash;
        } else {
          AIGOV_ASSIGN_OR_RETURN(out.leaf_hash,
                                 tree_.ReadNode(0, prior->sequence));
        }
      } else {
        out.status = absl::AlreadyExistsError(absl::StrCat(
            "event_id \"", in.event_id(),
            "\" was already used for a different payload at sequence ",
            prior->sequence));
      }
      continue;
    }

    out.status = admit(in);
    if (!out.status.ok()) continue;

    // What the entry entails, checked before anything of it is sequenced:
    // refused together, or sequenced together right after it.
    std::vector<aigov::v1::JournalEntry> derived;
    *in.mutable_recorded_at() = now;
    for (Deriver* d : derivers_) {
      AIGOV_RETURN_IF_ERROR(d->Derive(in, next, &derived));
    }
    std::vector<DerivedPlan> plans;
    AIGOV_RETURN_IF_ERROR(plan_derived(derived, next, &plans, &out));
    if (!out.status.ok()) continue;

    bool key_existed = false;
    AIGOV_RETURN_IF_ERROR(sequence_one(std::move(in), digest, id_key_bytes[i],
                                       &out.sequence, &out.leaf_hash,
                                       &key_existed));
    out.subject_key_existed = key_existed;
    AIGOV_RETURN_IF_ERROR(sequence_derived(derived, plans, &out));
  }

  if (sequenced.empty()) {
    committed = true;  // nothing appended
    return absl::OkStatus();
  }
  put_run();

  std::vector<SequencedEntry> views;
  views.reserve(sequenced.size());
  for (size_t i = 0; i < sequenced.size(); ++i) {
    views.push_back({&sequenced[i], &sequenced_bytes[i]});
  }
  const tlog::Hash root = range_.Root();
  for (size_t p = 0; p < projections_.size(); ++p) {
    AIGOV_RETURN_IF_ERROR(
        projections_[p]->Apply(views, handles_[kFirstProjection + p], &batch));
  }
  batch.Put(handles_[kDefault], kTreeSizeKey, EncodeSequence(next));
  batch.Put(handles_[kDefault], kRootKey, ToSlice(root));
  for (size_t p = 0; p < projections_.size(); ++p) {
    PutViewState(p, next, /*rebuilding=*/false, pruned_skipped_[p], &batch);
  }

  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(db_->Write(write_options, &batch),
                                             "writing journal group"));
  committed = true;
  for (Projection* p : projections_) p->GroupWritten();
  tree_.Committed(upper);
  {
    absl::MutexLock lock(&head_mu_);
    head_ = TreeHead{next, root};
  }
  tree_size_.store(next, std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<uint64_t>> RocksDbJournal::SequenceOfEventId(
    absl::string_view event_id) const {
  std::string value;
  const rocksdb::Status read =
      db_->Get(rocksdb::ReadOptions(), handles_[kEventIds],
               EventIdKey(event_id), &value);
  AIGOV_ASSIGN_OR_RETURN(const std::optional<PriorEvent> prior,
                         StoredPrior(read, value, event_id));
  if (!prior) return std::nullopt;
  return prior->sequence;
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
    if (IsPruned(sequence)) {
      return absl::NotFoundError(
          absl::StrCat("entry ", sequence,
                       " was pruned by retention; its leaf hash remains and "
                       "proofs still verify"));
    }
    return absl::DataLossError(
        absl::StrCat("entry ", sequence, " is missing from the journal"));
  }
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(s, "reading journal entry"));
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
  size_t bytes = 0;
  // Adds the entry at `seq` to the page unless it is filtered out; false
  // when the page is full (the result then says where to resume).
  const auto add = [&](uint64_t seq, aigov::v1::JournalEntry entry) {
    if (query.kind != aigov::v1::EVENT_KIND_UNSPECIFIED &&
        kinds::EventKindOf(entry) != query.kind) {
      return true;
    }
    const size_t entry_bytes = entry.ByteSizeLong();
    if (result.entries.size() == page ||
        (query.max_bytes > 0 && !result.entries.empty() &&
         bytes + entry_bytes > query.max_bytes)) {
      result.has_more = true;
      result.next_sequence = seq;
      return false;
    }
    bytes += entry_bytes;
    result.entries.push_back(std::move(entry));
    return true;
  };
  // Adds the entry at `seq` named by an index; index keys outlive pruned
  // entries (indexes are append-only), so pruned ones are skipped.
  const auto add_indexed = [&](uint64_t seq) -> absl::StatusOr<bool> {
    if (IsPruned(seq)) return true;
    AIGOV_ASSIGN_OR_RETURN(aigov::v1::JournalEntry entry, Get(seq));
    return add(seq, std::move(entry));
  };

  rocksdb::ReadOptions read_options;
  std::unique_ptr<rocksdb::Iterator> it;
  if (!query.model_id.empty()) {
    const std::string prefix = ModelIndexPrefix(query.model_id);
    it.reset(db_->NewIterator(read_options, handles_[kIndexes]));
    for (it->Seek(prefix + EncodeSequence(query.start_sequence));
         it->Valid() && it->key().starts_with(prefix); it->Next()) {
      uint64_t seq = 0;
      if (!SequenceFromIndexKey(ToView(it->key()), &seq)) {
        return absl::DataLossError("malformed index key");
      }
      if (seq >= size) break;  // written by a group not yet published
      AIGOV_ASSIGN_OR_RETURN(const bool more, add_indexed(seq));
      if (!more) return result;
    }
  } else if (query.kind != aigov::v1::EVENT_KIND_UNSPECIFIED) {
    // The run holding start_sequence begins at or before it.
    const std::string prefix = KindIndexPrefix(query.kind);
    const std::string start = prefix + EncodeSequence(query.start_sequence);
    it.reset(db_->NewIterator(read_options, handles_[kIndexes]));
    it->SeekForPrev(start);
    if (!it->Valid() || !it->key().starts_with(prefix)) it->Seek(start);
    bool past_end = false;
    for (; !past_end && it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      uint64_t first = 0;
      uint64_t count = 0;
      if (!SequenceFromIndexKey(ToView(it->key()), &first) ||
          !DecodeSequence(ToView(it->value()), &count)) {
        return absl::DataLossError("malformed kind index record");
      }
      for (uint64_t seq = std::max(first, query.start_sequence);
           seq < first + count; ++seq) {
        if (seq >= size) {
          past_end = true;  // written by a group not yet published
          break;
        }
        AIGOV_ASSIGN_OR_RETURN(const bool more, add_indexed(seq));
        if (!more) return result;
      }
    }
  } else {
    it.reset(db_->NewIterator(read_options, handles_[kEntries]));
    for (it->Seek(EncodeSequence(query.start_sequence)); it->Valid();
         it->Next()) {
      uint64_t seq = 0;
      if (!DecodeSequence(ToView(it->key()), &seq)) {
        return absl::DataLossError("malformed entry key");
      }
      if (seq >= size) break;  // written by a group not yet published
      aigov::v1::JournalEntry entry;
      if (!entry.ParseFromArray(it->value().data(),
                                static_cast<int>(it->value().size()))) {
        return absl::DataLossError(
            absl::StrCat("entry ", seq, " does not parse"));
      }
      if (!add(seq, std::move(entry))) return result;
    }
  }
  AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(it->status(), "listing journal"));
  result.next_sequence = size;
  return result;
}

absl::StatusOr<uint64_t> RocksDbJournal::RebuildViews(
    const std::function<void(uint64_t done, uint64_t total)>& progress,
    bool stale_only) {
  constexpr size_t kGroup = 1024;
  std::vector<size_t> chosen;
  if (stale_only) {
    for (const auto& [p, reason] : stale_) chosen.push_back(p);
  } else {
    for (size_t p = 0; p < projections_.size(); ++p) chosen.push_back(p);
  }
  if (chosen.empty()) return 0;
  const uint64_t total = tree_size();
  // Durably marked before anything is cleared: a kill from here on leaves
  // a state the next Open finds stale.
  const auto mark = [&](bool rebuilding, uint64_t pruned) -> absl::Status {
    rocksdb::WriteBatch batch;
    for (size_t p : chosen) {
      PutViewState(p, rebuilding ? 0 : total, rebuilding, pruned, &batch);
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    return storage::FromRocksDb(db_->Write(sync, &batch),
                                "recording the views' state");
  };
  AIGOV_RETURN_IF_ERROR(mark(true, 0));
  for (size_t p : chosen) {
    rocksdb::ColumnFamilyHandle* family = handles_[kFirstProjection + p];
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), family));
    it->SeekToFirst();
    if (!it->Valid()) {
      AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(it->status(), "reading view"));
      continue;
    }
    const std::string first = it->key().ToString();
    it->SeekToLast();
    AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(it->status(), "reading view"));
    const std::string last = it->key().ToString();
    rocksdb::WriteBatch clear;
    clear.DeleteRange(family, first, last);
    clear.Delete(family, last);
    AIGOV_RETURN_IF_ERROR(storage::FromRocksDb(
        db_->Write(rocksdb::WriteOptions(), &clear), "clearing view"));
  }

  uint64_t pruned = 0;
  std::vector<aigov::v1::JournalEntry> entries;
  std::vector<std::string> bytes;
  const auto apply = [&]() -> absl::Status {
    std::vector<SequencedEntry> views;
    views.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      views.push_back({&entries[i], &bytes[i]});
    }
    rocksdb::WriteBatch batch;
    for (size_t p : chosen) {
      AIGOV_RETURN_IF_ERROR(projections_[p]->Apply(
          views, handles_[kFirstProjection + p], &batch));
    }
    entries.clear();
    bytes.clear();
    return storage::FromRocksDb(db_->Write(rocksdb::WriteOptions(), &batch),
                                "writing rebuilt views");
  };
  EntryScanner scan(db_.get(), handles_[kEntries], retention_, 0, total);
  uint64_t done = 0;
  while (true) {
    AIGOV_ASSIGN_OR_RETURN(const bool more, scan.Next());
    if (!more) break;
    if (scan.pruned()) {
      ++pruned;
      continue;
    }
    entries.emplace_back();
    if (!entries.back().ParseFromArray(scan.bytes().data(),
                                       static_cast<int>(scan.bytes().size()))) {
      return absl::DataLossError(
          absl::StrCat("entry ", scan.index(), " does not parse"));
    }
    bytes.emplace_back(scan.bytes());
    if (entries.size() == kGroup) AIGOV_RETURN_IF_ERROR(apply());
    if (progress && ++done % 65536 == 0) progress(done, total);
  }
  if (!entries.empty()) AIGOV_RETURN_IF_ERROR(apply());
  AIGOV_RETURN_IF_ERROR(Flush());
  AIGOV_RETURN_IF_ERROR(mark(false, pruned));
  for (size_t p : chosen) pruned_skipped_[p] = pruned;
  stale_.clear();
  if (progress) progress(total, total);
  return pruned;
}

absl::Status RocksDbJournal::Flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  return storage::FromRocksDb(db_->Flush(options, handles_),
                              "flushing journal");
}

}  // namespace aigov::journal
