#include "daemon/kinds/kinds.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace aigov::kinds {
namespace {

TEST(KindsTest, EveryEventFieldDescribesExactlyOneKind) {
  const auto* oneof =
      aigov::v1::JournalEntry::descriptor()->FindOneofByName("event");
  ASSERT_EQ(All().size(), static_cast<size_t>(oneof->field_count()));
  // Every EventKind but UNSPECIFIED has its field.
  EXPECT_EQ(All().size(),
            static_cast<size_t>(
                aigov::v1::EventKind_descriptor()->value_count() - 1));
  std::set<std::string> labels;
  for (const Kind& k : All()) {
    EXPECT_EQ(&k, Of(k.kind));
    EXPECT_EQ(&k, Of(k.event_case));
    EXPECT_EQ(&k, Named(k.name));
    EXPECT_EQ(&All()[k.index], &k);
    EXPECT_TRUE(labels.insert(k.label).second) << k.label;
  }
}

TEST(KindsTest, TheCatalogSaysWhatEachPartNeeds) {
  const Kind* model = Of(aigov::v1::EVENT_KIND_MODEL_VERSION);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->name, "ModelVersion");
  EXPECT_EQ(model->label, "model_version");
  EXPECT_EQ(model->message, aigov::v1::ModelVersion::descriptor());
  EXPECT_EQ(model->retention, aigov::v1::RETENTION_CLASS_DOCUMENTATION);
  EXPECT_TRUE(model->record);
  EXPECT_TRUE(model->document);

  const Kind* run = Of(aigov::v1::JournalEntry::kRunEvent);
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->name, "Run");
  EXPECT_EQ(run->label, "run_event");
  EXPECT_FALSE(run->record);  // runs live in the lineage view
  EXPECT_TRUE(run->document);

  // Operating logs are kept for the shorter period.
  EXPECT_EQ(Of(aigov::v1::EVENT_KIND_OVERSIGHT_ACTION)->retention,
            aigov::v1::RETENTION_CLASS_OPERATIONAL);
  // What aigovd derives or takes in through OpenLineage is no document.
  EXPECT_FALSE(Of(aigov::v1::EVENT_KIND_SUBJECT_ERASURE)->document);
  EXPECT_FALSE(Of(aigov::v1::EVENT_KIND_LINEAGE_DECLARATION)->document);
}

TEST(KindsTest, NamesAreFoundInEverySpelling) {
  const Kind* breach = Of(aigov::v1::EVENT_KIND_PERSONAL_DATA_BREACH);
  EXPECT_EQ(Named("PersonalDataBreach"), breach);
  EXPECT_EQ(Named("personal_data_breach"), breach);
  EXPECT_EQ(Named("EVENT_KIND_PERSONAL_DATA_BREACH"), breach);
  EXPECT_EQ(Named("Breach"), nullptr);
  EXPECT_EQ(Named(""), nullptr);
  EXPECT_EQ(Of(aigov::v1::EVENT_KIND_UNSPECIFIED), nullptr);
  EXPECT_EQ(Of(aigov::v1::JournalEntry::EVENT_NOT_SET), nullptr);
}

TEST(KindsTest, EntriesAndNamesMapBothWays) {
  aigov::v1::JournalEntry entry;
  EXPECT_EQ(EventKindOf(entry), aigov::v1::EVENT_KIND_UNSPECIFIED);
  EXPECT_EQ(EventOf(entry), nullptr);
  entry.mutable_run_event()->set_run_id("r");
  EXPECT_EQ(EventKindOf(entry), aigov::v1::EVENT_KIND_RUN_EVENT);
  EXPECT_EQ(EventOf(entry), &entry.run_event());
  EXPECT_EQ(KindName(aigov::v1::EVENT_KIND_MODEL_VERSION), "ModelVersion");
  EXPECT_EQ(KindName(aigov::v1::EVENT_KIND_UNSPECIFIED), "Unspecified");
  aigov::v1::EventKind kind = aigov::v1::EVENT_KIND_UNSPECIFIED;
  ASSERT_TRUE(KindFromName("model_version", &kind));
  EXPECT_EQ(kind, aigov::v1::EVENT_KIND_MODEL_VERSION);
  EXPECT_FALSE(KindFromName("NoSuchKind", &kind));
  EXPECT_EQ(KindNames().size(), All().size());
  EXPECT_EQ(KindNames().front(), All().front().name);
}

}  // namespace
}  // namespace aigov::kinds
