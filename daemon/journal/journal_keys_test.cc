#include "daemon/journal/journal_keys.h"

#include "gtest/gtest.h"

namespace aigov::journal {
namespace {

TEST(JournalKeysTest, SequenceRoundTripsAndSortsNumerically) {
  for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 1ull << 40, ~0ull}) {
    uint64_t out = 7;
    ASSERT_TRUE(DecodeSequence(EncodeSequence(v), &out));
    EXPECT_EQ(out, v);
  }
  EXPECT_LT(EncodeSequence(255), EncodeSequence(256));
  EXPECT_LT(EncodeSequence(1), EncodeSequence(1ull << 40));
  uint64_t out = 0;
  EXPECT_FALSE(DecodeSequence("short", &out));
}

TEST(JournalKeysTest, EventIdValueRoundTrips) {
  const common::Sha256Digest d = common::Sha256("payload");
  uint64_t seq = 0;
  common::Sha256Digest back{};
  ASSERT_TRUE(DecodeEventIdValue(EncodeEventIdValue(42, d, "ev-1"), "ev-1",
                                 &seq, &back));
  EXPECT_EQ(seq, 42u);
  EXPECT_EQ(back, d);
  EXPECT_FALSE(DecodeEventIdValue("x", "ev-1", &seq, &back));
  // A record for another id (a hash collision) is not taken for this one.
  EXPECT_FALSE(DecodeEventIdValue(EncodeEventIdValue(42, d, "ev-2"), "ev-1",
                                  &seq, &back));
  EXPECT_EQ(EventIdKey("ev-1").size(), 16u);
  EXPECT_NE(EventIdKey("ev-1"), EventIdKey("ev-2"));
}

TEST(JournalKeysTest, ModelIndexPrefixesDoNotOverlap) {
  // "a" must not be a prefix match of model "ab".
  const std::string a = ModelIndexPrefix("a");
  const std::string ab_key = ModelIndexKey("ab", 3);
  EXPECT_NE(ab_key.compare(0, a.size(), a), 0);
  uint64_t seq = 0;
  ASSERT_TRUE(SequenceFromIndexKey(ModelIndexKey("m", 9), &seq));
  EXPECT_EQ(seq, 9u);
  EXPECT_LT(ModelIndexKey("m", 9), ModelIndexKey("m", 10));
  EXPECT_LT(KindRunKey(aigov::v1::EVENT_KIND_MODEL_VERSION, 1),
            KindRunKey(aigov::v1::EVENT_KIND_MODEL_VERSION, 2));
  EXPECT_TRUE(IsStoredLevel(0));
  EXPECT_FALSE(IsStoredLevel(1));
  EXPECT_TRUE(IsStoredLevel(12));
}

// Fields aigovd derives (an erasure's lineage walk) are not part of the
// event: a retry whose walk came out differently is the same event.
TEST(JournalKeysTest, PayloadDigestIgnoresDerivedFields) {
  aigov::v1::JournalEntry a;
  auto* r = a.mutable_data_subject_request();
  r->set_request_id("dsr-1");
  r->set_subject("alice@example.com");
  aigov::v1::JournalEntry b = a;
  b.mutable_data_subject_request()->set_erased_subject_id("ab12");
  b.mutable_data_subject_request()->add_affected_deployments("loans-prod");
  b.mutable_data_subject_request()->add_affected_datasets()->set_dataset_id(
      "features");
  EXPECT_EQ(PayloadDigest(a), PayloadDigest(b));
  // The digest leaves the entry as it was.
  EXPECT_EQ(b.data_subject_request().affected_deployments_size(), 1);
  b.mutable_data_subject_request()->set_subject("bob@example.com");
  EXPECT_NE(PayloadDigest(a), PayloadDigest(b));
}

TEST(JournalKeysTest, PayloadDigestIgnoresEnvelope) {
  aigov::v1::JournalEntry a;
  a.mutable_model_version()->set_model_id("m");
  aigov::v1::JournalEntry b = a;
  b.set_event_id("other");
  b.set_sequence(5);
  b.set_principal("p");
  EXPECT_EQ(PayloadDigest(a), PayloadDigest(b));
  b.mutable_model_version()->set_version("2");
  EXPECT_NE(PayloadDigest(a), PayloadDigest(b));
  EXPECT_EQ(ModelIdOf(a), "m");
}

}  // namespace
}  // namespace aigov::journal
