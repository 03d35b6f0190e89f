#include "daemon/journal/entry_scanner.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"

#include "daemon/journal/column_families.h"
#include "daemon/journal/journal_keys.h"
#include "daemon/journal/retention.h"

namespace aigov::journal {
namespace {

using ::testing::HasSubstr;

// A database with only what the scanner reads: entries at the given
// sequences and pruned-range records, in an in-memory filesystem.
class EntryScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    rocksdb::DBOptions options = JournalDbOptions(env_.get());
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, {}}, {kEntriesFamily, {}}};
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(options, "/scan", families, &handles_, &raw).ok());
    db_.reset(raw);
  }
  void TearDown() override {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  }

  void PutEntry(uint64_t seq) {
    ASSERT_TRUE(db_->Put({}, handles_[1], EncodeSequence(seq),
                         "entry-" + std::to_string(seq))
                    .ok());
  }
  void PutPruned(uint64_t first, uint64_t end) {
    ASSERT_TRUE(db_->Put({}, handles_[0],
                         std::string(kPrunedPrefix) + EncodeSequence(first),
                         EncodeSequence(end))
                    .ok());
  }
  // "3" for an entry, "p" for a pruned one, then the error if any.
  std::string Scan(uint64_t start, uint64_t end) {
    Retention retention(db_.get(), handles_[0], handles_[1]);
    if (!retention.Load().ok()) return "load failed";
    EntryScanner scan(db_.get(), handles_[1], retention, start, end);
    std::string seen;
    while (true) {
      absl::StatusOr<bool> more = scan.Next();
      if (!more.ok())
        return seen + "error: " + std::string(more.status().message());
      if (!*more) return seen;
      if (scan.pruned()) {
        EXPECT_TRUE(scan.bytes().empty());
        seen += "p ";
      } else {
        EXPECT_EQ(scan.bytes(), "entry-" + std::to_string(scan.index()));
        seen += std::to_string(scan.index()) + " ";
      }
    }
  }

  std::unique_ptr<rocksdb::Env> env_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(EntryScannerTest, YieldsEveryIndexStoredOrPruned) {
  PutPruned(0, 2);
  PutEntry(2);
  PutPruned(3, 4);
  PutEntry(4);
  EXPECT_EQ(Scan(0, 5), "p p 2 p 4 ");
  EXPECT_EQ(Scan(2, 4), "2 p ");
  EXPECT_EQ(Scan(4, 4), "");
}

TEST_F(EntryScannerTest, StopsAtEndEvenWhenMoreIsStored) {
  for (uint64_t i = 0; i < 4; ++i) PutEntry(i);
  EXPECT_EQ(Scan(1, 3), "1 2 ");
}

TEST_F(EntryScannerTest, AMissingEntryThatWasNotPrunedIsDataLoss) {
  PutEntry(0);
  PutEntry(2);
  EXPECT_THAT(Scan(0, 3), HasSubstr("0 error: entry 1 is missing and was not "
                                    "pruned by retention"));
  // Missing at the end too: the head says 4 entries, 3 is not there.
  EXPECT_THAT(Scan(2, 4), HasSubstr("2 error: entry 3 is missing"));
}

}  // namespace
}  // namespace aigov::journal
