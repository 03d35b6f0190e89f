#include "daemon/journal/pii.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::journal {
namespace {

using ::testing::ElementsAre;

class PiiTest : public ::testing::Test {
 protected:
  PiiTest() : secret_(RandomKey()) {}

  SubjectKeyFn Keys() {
    return [this](const std::string& id,
                  bool create) -> absl::StatusOr<std::optional<SecretKey>> {
      auto it = keys_.find(id);
      if (it != keys_.end()) return std::optional<SecretKey>(it->second);
      if (!create) return std::optional<SecretKey>();
      keys_[id] = RandomKey();
      return std::optional<SecretKey>(keys_[id]);
    };
  }

  static aigov::v1::JournalEntry Entry(const std::string& created_by) {
    aigov::v1::JournalEntry e;
    e.set_sequence(4);
    auto* mv = e.mutable_model_version();
    mv->set_model_id("m");
    mv->set_version("1");
    mv->set_created_by(created_by);
    return e;
  }

  SecretKey secret_;
  std::map<std::string, SecretKey> keys_;
};

TEST_F(PiiTest, SealMovesTheFieldOutAndUnsealRestoresIt) {
  aigov::v1::JournalEntry e = Entry("alice@example.com");
  ASSERT_TRUE(SealPii(&e, secret_, Keys()).ok());
  EXPECT_TRUE(e.model_version().created_by().empty());
  ASSERT_EQ(e.sealed_fields_size(), 1);
  EXPECT_EQ(e.sealed_fields(0).field_path(), "model_version.created_by");
  EXPECT_EQ(e.sealed_fields(0).subject_id(),
            SubjectId(secret_, "alice@example.com"));
  EXPECT_EQ(e.SerializeAsString().find("alice"), std::string::npos);

  ASSERT_TRUE(UnsealPii(&e, Keys()).ok());
  EXPECT_EQ(e.model_version().created_by(), "alice@example.com");
  EXPECT_EQ(e.sealed_fields_size(), 0);
  EXPECT_EQ(e.erased_fields_size(), 0);
}

TEST_F(PiiTest, ADeletedKeyReadsAsErased) {
  aigov::v1::JournalEntry e = Entry("bob@example.com");
  ASSERT_TRUE(SealPii(&e, secret_, Keys()).ok());
  keys_.clear();  // crypto-shredding
  ASSERT_TRUE(UnsealPii(&e, Keys()).ok());
  EXPECT_TRUE(e.model_version().created_by().empty());
  EXPECT_THAT(e.erased_fields(), ElementsAre("model_version.created_by"));
}

TEST_F(PiiTest, CiphertextIsBoundToItsFieldAndSubject) {
  aigov::v1::JournalEntry e = Entry("carol@example.com");
  ASSERT_TRUE(SealPii(&e, secret_, Keys()).ok());
  aigov::v1::JournalEntry moved = e;
  moved.mutable_sealed_fields(0)->set_field_path("model_version.model_id");
  EXPECT_EQ(UnsealPii(&moved, Keys()).code(), absl::StatusCode::kDataLoss);
  aigov::v1::JournalEntry flipped = e;
  (*flipped.mutable_sealed_fields(0)->mutable_ciphertext())[0] ^= 1;
  EXPECT_EQ(UnsealPii(&flipped, Keys()).code(), absl::StatusCode::kDataLoss);
}

TEST_F(PiiTest, EmptyFieldsAreNotSealedAndPseudonymsAreStable) {
  aigov::v1::JournalEntry e = Entry("");
  ASSERT_TRUE(SealPii(&e, secret_, Keys()).ok());
  EXPECT_EQ(e.sealed_fields_size(), 0);
  EXPECT_TRUE(keys_.empty());

  aigov::v1::JournalEntry p = Entry("dave@example.com");
  PseudonymizePii(&p, secret_);
  EXPECT_EQ(p.model_version().created_by(),
            SubjectId(secret_, "dave@example.com"));
  EXPECT_NE(SubjectId(secret_, "dave@example.com"),
            SubjectId(RandomKey(), "dave@example.com"));
  EXPECT_EQ(SubjectId(secret_, "x").size(), 64u);
}

}  // namespace
}  // namespace aigov::journal
