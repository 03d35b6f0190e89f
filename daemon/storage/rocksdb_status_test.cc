#include "daemon/storage/rocksdb_status.h"

#include "gtest/gtest.h"

namespace aigov::storage {
namespace {

TEST(FromRocksDbTest, OkStaysOk) {
  EXPECT_TRUE(FromRocksDb(rocksdb::Status::OK(), "reading").ok());
}

TEST(FromRocksDbTest, MapsCodesAnOperatorActsOn) {
  EXPECT_EQ(FromRocksDb(rocksdb::Status::Corruption("bad block"), "x").code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::NotFound(), "x").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::Busy(), "x").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::TimedOut(), "x").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(
      FromRocksDb(
          rocksdb::Status::IOError("lock /d/LOCK", "Resource temporarily"), "x")
          .code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::IOError("disk full"), "x").code(),
            absl::StatusCode::kUnavailable);
}

TEST(FromRocksDbTest, ContextPrefixesTheMessage) {
  const absl::Status s =
      FromRocksDb(rocksdb::Status::Corruption("bad block"), "reading entry 7");
  EXPECT_EQ(s.message().substr(0, 17), "reading entry 7: ");
  EXPECT_NE(s.message().find("bad block"), absl::string_view::npos);
}

}  // namespace
}  // namespace aigov::storage
