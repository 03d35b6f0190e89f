#include "daemon/journal/rocksdb_journal.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

#include "daemon/journal/journal_keys.h"
#include "daemon/journal/journal_test_util.h"
#include "daemon/tlog/merkle.h"

namespace aigov::journal {
namespace {

using ::testing::HasSubstr;

// Direct RocksDB access behind the journal's back, as an attacker with
// write access to the data directory would have.
class RawDb {
 public:
  explicit RawDb(rocksdb::Env* env, const std::string& path = "/journal") {
    rocksdb::DBOptions options;
    options.env = env;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(options, path, &names_).ok());
    for (const std::string& name : names_) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    const rocksdb::Status s =
        rocksdb::DB::Open(options, path, families, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~RawDb() { Close(); }
  rocksdb::Status Put(const std::string& family, const std::string& key,
                      const std::string& value) {
    return db_->Put(rocksdb::WriteOptions(), Handle(family), key, value);
  }
  rocksdb::Status Delete(const std::string& family, const std::string& key) {
    return db_->Delete(rocksdb::WriteOptions(), Handle(family), key);
  }
  std::string Get(const std::string& family, const std::string& key) {
    std::string v;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), Handle(family), key, &v).ok());
    return v;
  }
  void Close() {
    if (!db_) return;
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    db_.reset();
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(const std::string& family) {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == family) return handles_[i];
    }
    return nullptr;
  }
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

class RocksDbJournalTest : public ::testing::Test {
 protected:
  RocksDbJournalTest()
      : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())),
        clock_(absl::FromUnixSeconds(1767225600)) {}

  absl::StatusOr<std::unique_ptr<RocksDbJournal>> TryOpen() {
    JournalOptions options;
    options.path = "/journal";
    options.env = env_.get();
    return RocksDbJournal::Open(options, clock_);
  }

  std::unique_ptr<RocksDbJournal> OpenJournal() {
    auto j = TryOpen();
    EXPECT_TRUE(j.ok()) << j.status();
    return j.ok() ? std::move(*j) : nullptr;
  }

  AppendOutcome AppendOne(RocksDbJournal& j, const PendingEvent& e) {
    std::vector<AppendOutcome> out;
    const absl::Status s = j.AppendGroup({e}, &out);
    EXPECT_TRUE(s.ok()) << s;
    return out.at(0);
  }

  std::unique_ptr<rocksdb::Env> env_;
  common::FakeClock clock_;
};

TEST_F(RocksDbJournalTest, AppendAssignsMonotonicSequenceAndReadsBack) {
  auto j = OpenJournal();
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->tree_size(), 0u);
  std::vector<AppendOutcome> out;
  ASSERT_TRUE(
      j->AppendGroup({ModelEvent("e0", "m", "1"), ModelEvent("e1", "m", "2")},
                     &out)
          .ok());
  EXPECT_EQ(out[0].sequence, 0u);
  EXPECT_EQ(out[1].sequence, 1u);
  EXPECT_EQ(AppendOne(*j, ModelEvent("e2", "n", "1")).sequence, 2u);
  EXPECT_EQ(j->tree_size(), 3u);

  auto e = j->Get(1);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->sequence(), 1u);
  EXPECT_EQ(e->event_id(), "e1");
  EXPECT_EQ(e->model_version().version(), "2");
  EXPECT_EQ(e->recorded_at().seconds(), 1767225600);
  EXPECT_EQ(j->Get(3).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RocksDbJournalTest, StoredBytesAreTheSequencedSerialization) {
  auto j = OpenJournal();
  AppendOne(*j, ModelEvent("e0", "m", "1"));
  auto bytes = j->GetBytes(0);
  ASSERT_TRUE(bytes.ok());
  aigov::v1::JournalEntry parsed;
  ASSERT_TRUE(parsed.ParseFromString(*bytes));
  EXPECT_EQ(parsed.sequence(), 0u);
  EXPECT_EQ(parsed.model_version().model_id(), "m");
}

TEST_F(RocksDbJournalTest, ReopenKeepsEverything) {
  {
    auto j = OpenJournal();
    for (int i = 0; i < 10; ++i) {
      AppendOne(*j,
                ModelEvent("e" + std::to_string(i), "m", std::to_string(i)));
    }
  }
  auto j = OpenJournal();
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->tree_size(), 10u);
  EXPECT_EQ(j->Get(9)->model_version().version(), "9");
  // Idempotency survives the restart too.
  EXPECT_TRUE(AppendOne(*j, ModelEvent("e3", "m", "3")).deduplicated);
  EXPECT_EQ(AppendOne(*j, ModelEvent("e10", "m", "10")).sequence, 10u);
}

TEST_F(RocksDbJournalTest, SameEventIdSamePayloadIsDeduplicated) {
  auto j = OpenJournal();
  AppendOne(*j, ModelEvent("x", "m", "0"));
  AppendOne(*j, ModelEvent("id-1", "m", "1"));
  clock_.Advance(absl::Hours(1));
  const AppendOutcome again = AppendOne(*j, ModelEvent("id-1", "m", "1"));
  EXPECT_TRUE(again.status.ok());
  EXPECT_TRUE(again.deduplicated);
  EXPECT_EQ(again.sequence, 1u);
  EXPECT_EQ(j->tree_size(), 2u);
}

TEST_F(RocksDbJournalTest, SameEventIdOtherPayloadIsAlreadyExists) {
  auto j = OpenJournal();
  AppendOne(*j, ModelEvent("x", "m", "0"));
  AppendOne(*j, ModelEvent("id-1", "m", "1"));
  const AppendOutcome conflict = AppendOne(*j, ModelEvent("id-1", "m", "2"));
  EXPECT_EQ(conflict.status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(conflict.status.message()),
              HasSubstr("at sequence 1"));
  EXPECT_EQ(j->tree_size(), 2u);
}

TEST_F(RocksDbJournalTest, DuplicatesWithinOneGroup) {
  auto j = OpenJournal();
  std::vector<AppendOutcome> out;
  ASSERT_TRUE(
      j->AppendGroup({ModelEvent("a", "m", "1"), ModelEvent("a", "m", "1"),
                      ModelEvent("a", "m", "2"), ModelEvent("b", "m", "3")},
                     &out)
          .ok());
  EXPECT_EQ(out[0].sequence, 0u);
  EXPECT_FALSE(out[0].deduplicated);
  EXPECT_TRUE(out[1].deduplicated);
  EXPECT_EQ(out[1].sequence, 0u);
  EXPECT_EQ(out[2].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(out[3].sequence, 1u);
  EXPECT_EQ(j->tree_size(), 2u);
}

TEST_F(RocksDbJournalTest, ListPagesAndFilters) {
  auto j = OpenJournal();
  for (int i = 0; i < 7; ++i) {
    AppendOne(*j, ModelEvent("e" + std::to_string(i), i % 2 ? "odd" : "even",
                             std::to_string(i)));
  }
  ListQuery q;
  q.page_size = 3;
  auto page = j->List(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 3u);
  EXPECT_TRUE(page->has_more);
  EXPECT_EQ(page->next_sequence, 3u);
  q.start_sequence = page->next_sequence;
  q.page_size = 10;
  page = j->List(q);
  ASSERT_EQ(page->entries.size(), 4u);
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(page->next_sequence, 7u);

  ListQuery by_model;
  by_model.model_id = "odd";
  by_model.page_size = 2;
  page = j->List(by_model);
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].sequence(), 1u);
  EXPECT_EQ(page->entries[1].sequence(), 3u);
  EXPECT_TRUE(page->has_more);
  EXPECT_EQ(page->next_sequence, 5u);

  by_model.model_id = "od";  // a prefix of a model id matches nothing
  EXPECT_TRUE(j->List(by_model)->entries.empty());

  ListQuery by_kind;
  by_kind.kind = aigov::v1::EVENT_KIND_MODEL_VERSION;
  by_kind.start_sequence = 5;
  page = j->List(by_kind);
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].sequence(), 5u);
}

TEST_F(RocksDbJournalTest, KindRunsSpanGroupsAndStartInsideARun) {
  auto j = OpenJournal();
  ASSERT_NE(j, nullptr);
  // Groups [mv mv er mv] [er er mv] [mv]: runs break on a change of kind
  // and at every group's end.
  const auto erasure = [](const std::string& id) {
    PendingEvent e;
    e.entry.set_event_id(id);
    e.entry.mutable_subject_erasure()->set_subject_id("subject-" + id);
    return e;
  };
  std::vector<AppendOutcome> out;
  std::vector<PendingEvent> g1;
  g1.push_back(ModelEvent("a", "m", "1"));
  g1.push_back(ModelEvent("b", "m", "2"));
  g1.push_back(erasure("c"));
  g1.push_back(ModelEvent("d", "m", "3"));
  ASSERT_TRUE(j->AppendGroup(std::move(g1), &out).ok());
  std::vector<PendingEvent> g2;
  g2.push_back(erasure("e"));
  g2.push_back(erasure("f"));
  g2.push_back(ModelEvent("g", "m", "4"));
  ASSERT_TRUE(j->AppendGroup(std::move(g2), &out).ok());
  ASSERT_TRUE(j->AppendGroup({ModelEvent("h", "m", "5")}, &out).ok());

  const auto sequences = [&j](aigov::v1::EventKind kind, uint64_t start,
                              uint32_t page_size) {
    ListQuery q;
    q.kind = kind;
    q.start_sequence = start;
    q.page_size = page_size;
    std::vector<uint64_t> seqs;
    for (;;) {
      auto page = j->List(q);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& e : page->entries) seqs.push_back(e.sequence());
      if (!page->has_more) break;
      q.start_sequence = page->next_sequence;
    }
    return seqs;
  };
  using Seqs = std::vector<uint64_t>;
  EXPECT_EQ(sequences(aigov::v1::EVENT_KIND_MODEL_VERSION, 0, 100),
            (Seqs{0, 1, 3, 6, 7}));
  EXPECT_EQ(sequences(aigov::v1::EVENT_KIND_SUBJECT_ERASURE, 0, 100),
            (Seqs{2, 4, 5}));
  // Starting inside a run, and paging one entry at a time.
  EXPECT_EQ(sequences(aigov::v1::EVENT_KIND_MODEL_VERSION, 1, 1),
            (Seqs{1, 3, 6, 7}));
  EXPECT_EQ(sequences(aigov::v1::EVENT_KIND_SUBJECT_ERASURE, 5, 1), (Seqs{5}));
  EXPECT_EQ(sequences(aigov::v1::EVENT_KIND_SUBJECT_ERASURE, 6, 1), Seqs{});
}

TEST_F(RocksDbJournalTest, ListStopsBeforeMaxBytesButReturnsAtLeastOne) {
  auto j = OpenJournal();
  for (int i = 0; i < 5; ++i) {
    PendingEvent e =
        ModelEvent("e" + std::to_string(i), "m", std::to_string(i));
    (*e.entry.mutable_model_version()->mutable_hyperparameters())["blob"] =
        std::string(1000, 'x');
    AppendOne(*j, e);
  }
  ListQuery q;
  q.max_bytes = 2500;  // room for two ~1.1 kB entries
  auto page = j->List(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->entries.size(), 2u);
  EXPECT_TRUE(page->has_more);
  EXPECT_EQ(page->next_sequence, 2u);
  q.max_bytes = 10;  // smaller than one entry: still one per page
  page = j->List(q);
  EXPECT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->next_sequence, 1u);
}

// A projection whose writes must land with the entries, and whose failure
// must leave nothing written.
class CountingProjection : public Projection {
 public:
  explicit CountingProjection(std::string family = "test_view",
                              uint32_t version = 1)
      : family_(std::move(family)), version_(version) {}
  uint32_t version() const override { return version_; }
  std::string column_family() const override { return family_; }
  absl::Status Apply(absl::Span<const SequencedEntry> entries,
                     rocksdb::ColumnFamilyHandle* family,
                     rocksdb::WriteBatch* batch) override {
    if (fail) return absl::InternalError("projection failed");
    if (fail_after != 0 && applied >= fail_after) {
      return absl::InternalError("projection failed midway");
    }
    for (const SequencedEntry& e : entries) {
      batch->Put(family, e.entry->event_id(), *e.bytes);
    }
    applied += entries.size();
    return absl::OkStatus();
  }
  bool fail = false;
  // When non-zero: fails once this many entries were applied.
  size_t fail_after = 0;
  size_t applied = 0;

 private:
  std::string family_;
  uint32_t version_;
};

TEST_F(RocksDbJournalTest, ProjectionFailureWritesNothing) {
  CountingProjection view;
  JournalOptions options;
  options.path = "/journal";
  options.env = env_.get();
  options.projections = {&view};
  auto j = RocksDbJournal::Open(options, clock_);
  ASSERT_TRUE(j.ok()) << j.status();
  AppendOne(**j, ModelEvent("a", "m", "1"));
  EXPECT_EQ(view.applied, 1u);
  view.fail = true;
  std::vector<AppendOutcome> out;
  EXPECT_FALSE((*j)->AppendGroup({ModelEvent("b", "m", "2")}, &out).ok());
  EXPECT_EQ((*j)->tree_size(), 1u);
  view.fail = false;
  // "b" was not recorded, so it is new now, at the next free sequence.
  EXPECT_EQ(AppendOne(**j, ModelEvent("b", "m", "2")).sequence, 1u);
}

TEST_F(RocksDbJournalTest, AnotherFormatIsRefusedWithAClearMessage) {
  {
    auto j = OpenJournal();
    AppendOne(*j, ModelEvent("a", "m", "1"));
  }
  {
    RawDb raw(env_.get());
    EXPECT_EQ(raw.Get(rocksdb::kDefaultColumnFamilyName, kFormatKey), kFormat);
    ASSERT_TRUE(
        raw.Put(rocksdb::kDefaultColumnFamilyName, kFormatKey, "9").ok());
  }
  auto j = TryOpen();
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(j.status().message()),
              HasSubstr("journal format \"9\""));
}

TEST_F(RocksDbJournalTest, HeadMismatchStopsOpen) {
  { OpenJournal(); }
  {
    // Remove the head record behind the journal's back.
    auto j = OpenJournal();
    AppendOne(*j, ModelEvent("a", "m", "1"));
  }
  RawDb raw(env_.get());
  ASSERT_TRUE(raw.Put(kEntriesFamily, EncodeSequence(1), "x").ok());
  raw.Close();

  auto j = TryOpen();
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(j.status().message()),
              HasSubstr("journal head mismatch"));
}

TEST_F(RocksDbJournalTest, TreeHeadIsTheMerkleRootOfTheStoredBytes) {
  auto j = OpenJournal();
  EXPECT_EQ(j->head().size, 0u);
  EXPECT_EQ(j->head().root, tlog::EmptyRoot());
  tlog::CompactRange expected;
  for (int i = 0; i < 20; ++i) {
    const AppendOutcome out = AppendOne(
        *j, ModelEvent("e" + std::to_string(i), "m", std::to_string(i)));
    const tlog::Hash leaf = tlog::HashLeaf(*j->GetBytes(out.sequence));
    EXPECT_EQ(out.leaf_hash, leaf);
    EXPECT_EQ(*j->LeafHash(out.sequence), leaf);
    expected.Append(leaf, nullptr);
    EXPECT_EQ(j->head().size, expected.size());
    EXPECT_EQ(j->head().root, expected.Root());
  }
  // A deduplicated retry reports the original's leaf hash.
  const AppendOutcome again = AppendOne(*j, ModelEvent("e7", "m", "7"));
  EXPECT_TRUE(again.deduplicated);
  EXPECT_EQ(again.leaf_hash, *j->LeafHash(7));
}

TEST_F(RocksDbJournalTest, ProofsVerifyAgainstEarlierAndCurrentHeads) {
  auto j = OpenJournal();
  std::vector<TreeHead> heads;
  for (int i = 0; i < 13; ++i) {
    AppendOne(*j, ModelEvent("e" + std::to_string(i), "m", std::to_string(i)));
    heads.push_back(j->head());
  }
  j.reset();
  j = OpenJournal();  // proofs come from stored nodes, not memory
  for (const TreeHead& h : heads) {
    EXPECT_EQ(*j->RootAt(h.size), h.root);
    for (uint64_t i = 0; i < h.size; ++i) {
      auto proof = j->InclusionProof(i, h.size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(
          tlog::VerifyInclusion(*j->LeafHash(i), i, h.size, *proof, h.root)
              .ok());
    }
    auto consistency = j->ConsistencyProof(h.size, 13);
    ASSERT_TRUE(consistency.ok());
    EXPECT_TRUE(tlog::VerifyConsistency(h.size, 13, *consistency, h.root,
                                        j->head().root)
                    .ok());
  }
  EXPECT_EQ(j->InclusionProof(13, 13).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(j->InclusionProof(0, 14).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(j->ConsistencyProof(5, 4).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(j->ConsistencyProof(5, 99).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(j->RootAt(14).status().code(), absl::StatusCode::kOutOfRange);
}

TEST_F(RocksDbJournalTest, ProofsAboveTheInMemoryLevelsMatchAfterRestart) {
  // 9000 entries: level-12 nodes (4096 leaves each) exist and are served
  // from memory, before and after a restart.
  auto j = OpenJournal();
  for (int g = 0; g < 9; ++g) {
    std::vector<PendingEvent> group;
    for (int i = 0; i < 1000; ++i) {
      group.push_back(ModelEvent(
          "g" + std::to_string(g) + "-" + std::to_string(i), "m", "v"));
    }
    std::vector<AppendOutcome> out;
    ASSERT_TRUE(j->AppendGroup(std::move(group), &out).ok());
  }
  const TreeHead head = j->head();
  for (int pass = 0; pass < 2; ++pass) {
    for (uint64_t index : {0ull, 4095ull, 4096ull, 8191ull, 8192ull, 8999ull}) {
      auto proof = j->InclusionProof(index, head.size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(tlog::VerifyInclusion(*j->LeafHash(index), index, head.size,
                                        *proof, head.root)
                      .ok())
          << index;
    }
    auto consistency = j->ConsistencyProof(4096, head.size);
    ASSERT_TRUE(consistency.ok());
    EXPECT_TRUE(tlog::VerifyConsistency(4096, head.size, *consistency,
                                        *j->RootAt(4096), head.root)
                    .ok());
    j.reset();
    j = OpenJournal();
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(j->head().root, head.root);
  }
}

// The views' states: a view new to a data directory, one of another
// version, and one whose rebuild was cut short are each found stale at open
// and rebuilt; a newer one refuses the open.
TEST_F(RocksDbJournalTest, StaleViewsAreFoundAtOpenAndRebuilt) {
  JournalOptions options;
  options.path = "/journal";
  options.env = env_.get();
  {
    CountingProjection a("view_a");
    options.projections = {&a};
    auto j = std::move(RocksDbJournal::Open(options, clock_)).value();
    EXPECT_TRUE(j->StaleViews().empty());  // an empty journal: nothing to do
    for (int i = 0; i < 5; ++i) {
      AppendOne(*j,
                ModelEvent("e" + std::to_string(i), "m", std::to_string(i)));
    }
    const ViewState state = j->GetViewState("view_a").value();
    EXPECT_EQ(state.version, 1u);
    EXPECT_EQ(state.applied_through, 5u);
    EXPECT_FALSE(state.rebuilding);
  }
  {
    // A new view on an existing journal.
    CountingProjection a("view_a"), b("view_b");
    options.projections = {&a, &b};
    auto j = std::move(RocksDbJournal::Open(options, clock_)).value();
    const auto stale = j->StaleViews();
    ASSERT_EQ(stale.size(), 1u);
    EXPECT_EQ(stale[0].column_family, "view_b");
    EXPECT_THAT(stale[0].reason, HasSubstr("no recorded state"));
    EXPECT_EQ(j->RebuildViews(nullptr, /*stale_only=*/true).value(), 0u);
    EXPECT_EQ(a.applied, 0u);  // only the stale view was rebuilt
    EXPECT_EQ(b.applied, 5u);
    EXPECT_TRUE(j->StaleViews().empty());
    EXPECT_EQ(j->GetViewState("view_b")->applied_through, 5u);
  }
  {
    // A new version of view_b's code; its rebuild dies midway.
    CountingProjection a("view_a"), b("view_b", 2);
    options.projections = {&a, &b};
    auto j = std::move(RocksDbJournal::Open(options, clock_)).value();
    const auto stale = j->StaleViews();
    ASSERT_EQ(stale.size(), 1u);
    EXPECT_EQ(stale[0].reason, "version 1 on disk, 2 in this aigovd");
    b.fail_after = 1;
    // Groups of 1024: the first Apply gets all five, so fail on the second
    // call by rebuilding every view twice.
    ASSERT_TRUE(j->RebuildViews(nullptr, /*stale_only=*/false).ok());
    EXPECT_FALSE(j->RebuildViews(nullptr, /*stale_only=*/false).ok());
  }
  {
    CountingProjection a("view_a"), b("view_b", 2);
    options.projections = {&a, &b};
    auto j = std::move(RocksDbJournal::Open(options, clock_)).value();
    const auto stale = j->StaleViews();
    ASSERT_EQ(stale.size(), 2u);
    EXPECT_EQ(stale[0].reason, "a rebuild of it did not finish");
    ASSERT_TRUE(j->RebuildViews(nullptr, /*stale_only=*/true).ok());
    EXPECT_TRUE(j->StaleViews().empty());
    EXPECT_EQ(b.applied, 5u);
  }
  {
    // An older aigovd (view version 1) on a view written by version 2.
    CountingProjection a("view_a"), b("view_b", 1);
    options.projections = {&a, &b};
    auto j = RocksDbJournal::Open(options, clock_);
    ASSERT_FALSE(j.ok());
    EXPECT_EQ(j.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(j.status().message()),
                HasSubstr("view view_b was written by a newer aigovd"));
  }
}

// Derives, from each model version, an evidence document whose event_id is
// a function of the version's.
class EchoDeriver : public Deriver {
 public:
  absl::Status Derive(const aigov::v1::JournalEntry& entry, uint64_t sequence,
                      std::vector<aigov::v1::JournalEntry>* derived) override {
    (void)sequence;
    if (!entry.has_model_version()) return absl::OkStatus();
    aigov::v1::JournalEntry& e = derived->emplace_back();
    e.set_event_id("echo:" + entry.event_id());
    e.mutable_evidence_document()->set_document_id(
        payload.empty() ? entry.model_version().version() : payload);
    ++calls;
    return absl::OkStatus();
  }
  std::string payload;
  int calls = 0;
};

TEST_F(RocksDbJournalTest, DerivedEntriesAreSequencedWithTheirSource) {
  EchoDeriver deriver;
  JournalOptions options;
  options.path = "/journal";
  options.env = env_.get();
  options.derivers = {&deriver};
  auto j = std::move(RocksDbJournal::Open(options, clock_)).value();
  std::vector<AppendOutcome> out;
  ASSERT_TRUE(j->AppendGroup(
                   {ModelEvent("a", "m", "1"), ModelEvent("b", "m", "2")}, &out)
                  .ok());
  // a@0, its echo@1, b@2, its echo@3: each right after its source.
  EXPECT_EQ(j->tree_size(), 4u);
  EXPECT_EQ(out[0].sequence, 0u);
  ASSERT_EQ(out[0].derived.size(), 1u);
  EXPECT_EQ(out[0].derived[0].event_id, "echo:a");
  EXPECT_EQ(out[0].derived[0].sequence, 1u);
  EXPECT_EQ(out[1].sequence, 2u);
  EXPECT_EQ(out[1].derived[0].sequence, 3u);
  const aigov::v1::JournalEntry echo = j->Get(1).value();
  EXPECT_EQ(echo.principal(), "aigovd");
  ASSERT_EQ(echo.derived_from_size(), 1);
  EXPECT_EQ(echo.derived_from(0), 0u);
  EXPECT_EQ(echo.evidence_document().document_id(), "1");
  EXPECT_EQ(j->SequenceOfEventId("echo:b").value(), std::optional<uint64_t>(3));

  // A retry of the source is deduplicated: nothing is derived again.
  out.clear();
  ASSERT_TRUE(j->AppendGroup({ModelEvent("a", "m", "1")}, &out).ok());
  EXPECT_TRUE(out[0].deduplicated);
  EXPECT_TRUE(out[0].derived.empty());
  EXPECT_EQ(deriver.calls, 2);
  EXPECT_EQ(j->tree_size(), 4u);

  // A derived event_id already used for another payload refuses the source
  // with it: neither is written.
  ASSERT_TRUE(j->AppendGroup({ModelEvent("echo:c", "x", "1")}, &out).ok());
  EXPECT_EQ(j->tree_size(), 6u);  // and its own echo:echo:c
  out.clear();
  ASSERT_TRUE(j->AppendGroup({ModelEvent("c", "m", "3")}, &out).ok());
  EXPECT_EQ(out[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(out[0].status.message()),
              HasSubstr("\"echo:c\", was already recorded otherwise"));
  EXPECT_EQ(j->tree_size(), 6u);
  // A derived event already recorded identically is not recorded twice.
  PendingEvent same;
  same.entry.set_event_id("echo:g");
  same.entry.mutable_evidence_document()->set_document_id("8");
  ASSERT_TRUE(j->AppendGroup({same}, &out).ok());
  EXPECT_EQ(j->tree_size(), 7u);
  out.clear();
  ASSERT_TRUE(j->AppendGroup({ModelEvent("g", "m", "8")}, &out).ok());
  ASSERT_TRUE(out[0].status.ok()) << out[0].status;
  EXPECT_EQ(out[0].sequence, 7u);
  ASSERT_EQ(out[0].derived.size(), 1u);
  EXPECT_EQ(out[0].derived[0].sequence, 6u);
  EXPECT_EQ(j->tree_size(), 8u);
  ASSERT_TRUE(j->AppendGroup({ModelEvent("e", "m", "5")}, &out).ok());
  auto report = j->VerifyAll(nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
}

// Derives, at each tick, one evidence document per whole hour of the
// clock not yet marked, resting on entry 0.
class HourDeriver : public Deriver {
 public:
  absl::Status Derive(const aigov::v1::JournalEntry&, uint64_t,
                      std::vector<aigov::v1::JournalEntry>*) override {
    return absl::OkStatus();
  }
  absl::Status DeriveAt(
      absl::Time now, uint64_t /*next_sequence*/,
      std::vector<aigov::v1::JournalEntry>* derived) override {
    const int64_t hour = absl::ToUnixSeconds(now) / 3600;
    for (; marked < hour; ++marked) {
      aigov::v1::JournalEntry& e = derived->emplace_back();
      e.set_event_id("aigovd:hour:" + std::to_string(marked + 1));
      e.mutable_evidence_document()->set_document_id(
          std::to_string(marked + 1));
      e.add_derived_from(0);
    }
    return absl::OkStatus();
  }
  int64_t marked = 0;
};

TEST_F(RocksDbJournalTest, ATickSequencesWhatTheTimeEntails) {
  HourDeriver deriver;
  deriver.marked = absl::ToUnixSeconds(clock_.Now()) / 3600;
  JournalOptions options;
  options.path = "/journal";
  options.env = env_.get();
  options.derivers = {&deriver};
  auto j = std::move(RocksDbJournal::Open(options, clock_)).value();
  AppendOne(*j, ModelEvent("a", "m", "1"));
  PendingEvent tick;
  tick.tick = true;
  std::vector<AppendOutcome> out;
  ASSERT_TRUE(j->AppendGroup({tick}, &out).ok());
  ASSERT_TRUE(out[0].status.ok());
  EXPECT_TRUE(out[0].derived.empty());
  EXPECT_EQ(j->tree_size(), 1u);

  // Two hours later a tick, between two events, derives two entries in
  // place, each with the derived_from the deriver set and nothing added.
  clock_.Advance(absl::Hours(2));
  ASSERT_TRUE(
      j->AppendGroup(
           {ModelEvent("b", "m", "2"), tick, ModelEvent("c", "m", "3")}, &out)
          .ok());
  EXPECT_EQ(out[0].sequence, 1u);
  ASSERT_EQ(out[1].derived.size(), 2u);
  EXPECT_EQ(out[1].derived[0].sequence, 2u);
  EXPECT_EQ(out[1].derived[1].sequence, 3u);
  EXPECT_EQ(out[2].sequence, 4u);
  const aigov::v1::JournalEntry hour = j->Get(3).value();
  EXPECT_EQ(hour.principal(), "aigovd");
  EXPECT_EQ(std::vector<uint64_t>(hour.derived_from().begin(),
                                  hour.derived_from().end()),
            std::vector<uint64_t>{0});
  EXPECT_EQ(hour.event_id(), out[1].derived[1].event_id);

  // What a tick derived again is deduplicated, not recorded twice.
  deriver.marked -= 2;
  ASSERT_TRUE(j->AppendGroup({tick}, &out).ok());
  ASSERT_EQ(out[0].derived.size(), 2u);
  EXPECT_EQ(out[0].derived[0].sequence, 2u);
  EXPECT_EQ(j->tree_size(), 5u);
  auto report = j->VerifyAll(nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
}

TEST_F(RocksDbJournalTest, FailedGroupLeavesTheTreeAsItWas) {
  CountingProjection view;
  JournalOptions options;
  options.path = "/journal";
  options.env = env_.get();
  options.projections = {&view};
  auto j = std::move(RocksDbJournal::Open(options, clock_)).value();
  AppendOne(*j, ModelEvent("a", "m", "1"));
  const TreeHead before = j->head();
  view.fail = true;
  std::vector<AppendOutcome> out;
  EXPECT_FALSE(
      j->AppendGroup({ModelEvent("b", "m", "2"), ModelEvent("c", "m", "3")},
                     &out)
          .ok());
  EXPECT_EQ(j->head().root, before.root);
  view.fail = false;
  AppendOne(*j, ModelEvent("b", "m", "2"));
  auto report = j->VerifyAll(nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries_checked, 2u);
}

TEST_F(RocksDbJournalTest, VerifyAllNamesARewrittenEntry) {
  {
    auto j = OpenJournal();
    for (int i = 0; i < 40; ++i) {
      AppendOne(*j,
                ModelEvent("e" + std::to_string(i), "m", std::to_string(i)));
    }
    auto report = j->VerifyAll(nullptr);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->entries_checked, 40u);
  }
  {
    // Rewrite entry 17 with a well-formed, different entry: RocksDB's own
    // checksums are valid, only the Merkle tree can tell.
    RawDb raw(env_.get());
    aigov::v1::JournalEntry e;
    ASSERT_TRUE(e.ParseFromString(raw.Get(kEntriesFamily, EncodeSequence(17))));
    e.mutable_model_version()->set_artifact_sha256(std::string(64, 'b'));
    ASSERT_TRUE(
        raw.Put(kEntriesFamily, EncodeSequence(17), e.SerializeAsString())
            .ok());
  }
  auto j = OpenJournal();  // the head still matches the nodes: startup is cheap
  ASSERT_NE(j, nullptr);
  auto report = j->VerifyAll(nullptr);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("entry 17:"));
}

TEST_F(RocksDbJournalTest, RewrittenTreeNodeStopsStartup) {
  {
    auto j = OpenJournal();
    for (int i = 0; i < 6; ++i) {
      AppendOne(*j,
                ModelEvent("e" + std::to_string(i), "m", std::to_string(i)));
    }
  }
  {
    // Size 6 = subtrees of 4 and 2: forge the level-2 node.
    RawDb raw(env_.get());
    ASSERT_TRUE(
        raw.Put(kNodesFamily, NodeKey(2, 0), std::string(32, 'x')).ok());
  }
  auto j = TryOpen();
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(j.status().message()),
              HasSubstr("recomputed from the stored tree nodes"));
}

TEST_F(RocksDbJournalTest,
       PersonalDataIsSealedAndErasedWhileTheTreeStillVerifies) {
  auto j = OpenJournal();
  PendingEvent e = ModelEvent("pii-1", "m", "1");
  e.entry.mutable_model_version()->set_created_by("alice@example.com");
  const AppendOutcome first = AppendOne(*j, e);
  // A retry with the same payload is recognised (digest over pseudonyms).
  EXPECT_TRUE(AppendOne(*j, e).deduplicated);
  auto bytes = j->GetBytes(first.sequence);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->find("alice"), std::string::npos);

  auto stored = j->Get(first.sequence);
  ASSERT_TRUE(j->Unseal(&*stored).ok());
  EXPECT_EQ(stored->model_version().created_by(), "alice@example.com");

  PendingEvent erase;
  erase.entry.set_event_id("erase-alice");
  erase.entry.mutable_subject_erasure()->set_subject_id(
      j->SubjectIdOf("alice@example.com"));
  const AppendOutcome erased = AppendOne(*j, erase);
  EXPECT_TRUE(erased.subject_key_existed);
  const absl::Status purged = j->PurgeErasedKeys();
  ASSERT_TRUE(purged.ok()) << purged;

  stored = j->Get(first.sequence);
  ASSERT_TRUE(j->Unseal(&*stored).ok());
  EXPECT_TRUE(stored->model_version().created_by().empty());
  EXPECT_THAT(stored->erased_fields(),
              ::testing::ElementsAre("model_version.created_by"));
  auto report = j->VerifyAll(nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries_checked, 2u);

  // Erasing again finds no key.
  erase.entry.set_event_id("erase-alice-again");
  EXPECT_FALSE(AppendOne(*j, erase).subject_key_existed);
}

TEST_F(RocksDbJournalTest, RetentionPrunesPayloadsWhileProofsStillVerify) {
  auto j = OpenJournal();
  for (int i = 0; i < 10; ++i)
    AppendOne(*j, ModelEvent("old" + std::to_string(i), "m", "o"));
  clock_.Advance(absl::Hours(24 * 365 * 5));
  for (int i = 0; i < 6; ++i)
    AppendOne(*j, ModelEvent("new" + std::to_string(i), "m", "n"));
  const TreeHead before = j->head();

  RetentionPolicy policy;
  // Five years on, documentation (10 years) is not due: nothing pruned.
  EXPECT_EQ(*j->Prune(clock_.Now(), policy), 0u);
  // Eleven years after the first entries, only they are due.
  auto pruned = j->Prune(clock_.Now() + absl::Hours(24 * 365 * 6), policy);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 10u);
  EXPECT_TRUE(j->IsPruned(3));
  EXPECT_FALSE(j->IsPruned(10));

  const absl::Status gone = j->Get(3).status();
  EXPECT_EQ(gone.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(gone.message()), HasSubstr("pruned by retention"));
  auto page = j->List(ListQuery());
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 6u);
  EXPECT_EQ(page->entries[0].sequence(), 10u);
  ListQuery by_model;
  by_model.model_id = "m";
  EXPECT_EQ(j->List(by_model)->entries.size(), 6u);

  // The tree is untouched: same head, proofs for pruned leaves verify.
  EXPECT_EQ(j->head().root, before.root);
  auto proof = j->InclusionProof(3, before.size);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(tlog::VerifyInclusion(*j->LeafHash(3), 3, before.size, *proof,
                                    before.root)
                  .ok());
  auto report = j->VerifyAll(nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries_pruned, 10u);
  auto range = j->ReadRange(0, before.size, 100, 1 << 20);
  ASSERT_TRUE(range.ok());
  EXPECT_TRUE((*range)[0].pruned);
  EXPECT_FALSE((*range)[12].pruned);

  // Survives a restart, including the startup head check.
  j.reset();
  j = OpenJournal();
  ASSERT_NE(j, nullptr);
  EXPECT_TRUE(j->IsPruned(9));
  EXPECT_TRUE(j->VerifyAll(nullptr).ok());
}

TEST_F(RocksDbJournalTest, AnEntryDeletedOutsideRetentionIsNamed) {
  {
    auto j = OpenJournal();
    for (int i = 0; i < 8; ++i)
      AppendOne(*j, ModelEvent("e" + std::to_string(i), "m", "x"));
  }
  {
    RawDb raw(env_.get());
    ASSERT_TRUE(raw.Delete(kEntriesFamily, EncodeSequence(2)).ok());
  }
  auto j = OpenJournal();
  auto report = j->VerifyAll(nullptr);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(std::string(report.status().message()),
              HasSubstr("entry 2 is missing and was not pruned by retention"));
}

TEST(RetentionPolicyTest, NeverBelowTheLegalMinimums) {
  RetentionPolicy p;
  EXPECT_TRUE(ValidateRetention(p).ok());
  p.operational = absl::Hours(24 * 90);
  EXPECT_THAT(std::string(ValidateRetention(p).message()),
              HasSubstr("183 days"));
  p = RetentionPolicy();
  p.documentation = absl::Hours(24 * 365);
  EXPECT_THAT(std::string(ValidateRetention(p).message()),
              HasSubstr("10 years"));
  aigov::v1::JournalEntry e;
  e.mutable_model_version();
  EXPECT_EQ(RetentionClassOf(e), aigov::v1::RETENTION_CLASS_DOCUMENTATION);
  e.mutable_oversight_action();
  EXPECT_EQ(RetentionClassOf(e), aigov::v1::RETENTION_CLASS_OPERATIONAL);
}

TEST(RocksDbJournalDiskTest, ErasureLeavesNoCopyOfTheKeyOnDisk) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("aigov-erasure-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  common::RealClock clock;
  JournalOptions options;
  options.path = dir.string();
  std::string key_bytes;
  {
    auto j = std::move(RocksDbJournal::Open(options, clock)).value();
    std::vector<AppendOutcome> out;
    for (int i = 0; i < 50; ++i) {
      PendingEvent e =
          ModelEvent("e" + std::to_string(i), "m", std::to_string(i));
      e.entry.mutable_model_version()->set_created_by(
          i == 7 ? "erin@example.com" : "someone@example.com");
      ASSERT_TRUE(j->AppendGroup({e}, &out).ok());
    }
    const std::string id = j->SubjectIdOf("erin@example.com");
    auto key = j->SubjectKeyForTest(id);
    ASSERT_TRUE(key.ok() && key->has_value());
    key_bytes.assign(reinterpret_cast<const char*>((*key)->data()),
                     (*key)->size());
    ASSERT_TRUE(j->Flush().ok());  // the key is now in an SST file too

    PendingEvent erase;
    erase.entry.set_event_id("erase-erin");
    erase.entry.mutable_subject_erasure()->set_subject_id(id);
    ASSERT_TRUE(j->AppendGroup({erase}, &out).ok());
    ASSERT_TRUE(j->PurgeErasedKeys().ok());
  }
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string content = buf.str();
    EXPECT_EQ(content.find(key_bytes), std::string::npos) << f.path();
    EXPECT_EQ(content.find("erin@example.com"), std::string::npos) << f.path();
  }
  std::filesystem::remove_all(dir);
}

TEST(RocksDbJournalDiskTest, SecondOpenOfSameDirectoryIsRefused) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("aigov-journal-lock-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  common::RealClock clock;
  JournalOptions options;
  options.path = dir.string();
  auto first = RocksDbJournal::Open(options, clock);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = RocksDbJournal::Open(options, clock);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("in use by another process"));
  first->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aigov::journal
