#include "daemon/rules/catalog.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"

#include "aigov/v1/config.pb.h"
#include "aigov/v1/monitoring.pb.h"
#include "aigov/v1/records.pb.h"
#include "daemon/rules/vocabulary.h"

namespace aigov::rules {
namespace {

using ::testing::HasSubstr;

TEST(CatalogTest, TheEmbeddedCatalogHoldsAllFortySevenObligations) {
  const absl::StatusOr<Catalog> c = EmbeddedCatalog();
  ASSERT_TRUE(c.ok()) << c.status();
  std::set<std::string> want;
  for (int i = 1; i <= 32; ++i) {
    want.insert(absl::StrCat("AIA-", i < 10 ? "0" : "", i));
  }
  for (int i = 1; i <= 15; ++i) {
    want.insert(absl::StrCat("GDPR-", i < 10 ? "0" : "", i));
  }
  std::set<std::string> got;
  for (const Obligation& o : c->obligations) got.insert(o.id);
  EXPECT_EQ(got, want);
  EXPECT_EQ(c->obligations.size(), 47u);

  // Spot checks against REGULATION.md.
  const Obligation* incident = c->Find("AIA-20");
  ASSERT_NE(incident, nullptr);
  EXPECT_EQ(incident->article, "Art. 73");
  ASSERT_TRUE(incident->clock.has_value());
  EXPECT_EQ(incident->clock->start, "incident_aware");
  EXPECT_EQ(incident->clock->stop, "notified_msa");
  EXPECT_EQ(incident->clock->period.unit, Period::Unit::kDays);
  EXPECT_EQ(incident->clock->period.count, 15);
  ASSERT_EQ(incident->clock->cases.size(), 2u);
  EXPECT_EQ(incident->clock->cases[0].period.count, 2);
  EXPECT_EQ(incident->clock->cases[1].when, "incident_death");
  EXPECT_EQ(incident->clock->cases[1].period.count, 10);
  const Obligation* breach = c->Find("GDPR-12");
  ASSERT_NE(breach, nullptr);
  EXPECT_EQ(breach->clock->period.unit, Period::Unit::kConfig);
  EXPECT_EQ(breach->clock->period.config_key, "gdpr_breach_window");
  const Obligation* access = c->Find("GDPR-05");
  EXPECT_EQ(access->clock->period.unit, Period::Unit::kMonths);
  EXPECT_EQ(access->clock->extension_when, "dsr_extended");
  EXPECT_EQ(access->clock->extension.count, 2);
  const Obligation* annex_iv = c->Find("AIA-06");
  EXPECT_EQ(annex_iv->documents.size(), 9u);
  EXPECT_EQ(annex_iv->cover, Cover::kDeployedModelVersions);
  EXPECT_EQ(c->Find("AIA-02")->severity, Severity::kCritical);
}

TEST(CatalogTest, ClocksReadInTheCatalogsOwnWords) {
  const absl::StatusOr<Catalog> c = EmbeddedCatalog();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(ClockText(*c->Find("GDPR-05")->clock),
            "1mo from dsr_received until dsr_completed; +2mo when "
            "dsr_extended");
  EXPECT_EQ(PeriodText(c->Find("GDPR-12")->clock->period),
            "config:gdpr_breach_window");
  EXPECT_STREQ(SeverityName(c->Find("AIA-02")->severity), "critical");
}

TEST(CatalogTest, TheTwoRegimesDifferWhereTheOmnibusMovedDates) {
  const absl::StatusOr<Catalog> c = EmbeddedCatalog();
  ASSERT_TRUE(c.ok()) << c.status();
  const Regime* original = c->FindRegime("eu-ai-act-2024");
  const Regime* omnibus = c->FindRegime("eu-ai-act-omnibus-2026");
  ASSERT_NE(original, nullptr);
  ASSERT_NE(omnibus, nullptr);
  EXPECT_EQ(omnibus->before, "eu-ai-act-2024");
  EXPECT_EQ(omnibus->in_force_from, absl::CivilDay(2026, 7, 27));
  EXPECT_EQ(original->dates.at("high_risk_annex_iii"),
            absl::CivilDay(2026, 8, 2));
  EXPECT_EQ(omnibus->dates.at("high_risk_annex_iii"),
            absl::CivilDay(2027, 12, 2));
  EXPECT_EQ(omnibus->dates.at("high_risk_annex_i"), absl::CivilDay(2028, 8, 2));
  EXPECT_EQ(original->dates.at("prohibitions_omnibus"), std::nullopt);
  EXPECT_EQ(omnibus->dates.at("prohibitions_omnibus"),
            absl::CivilDay(2026, 12, 2));
  EXPECT_EQ(omnibus->dates.at("transparency_marking_legacy"),
            absl::CivilDay(2026, 12, 2));
  EXPECT_EQ(original->dates.at("literacy"), omnibus->dates.at("literacy"));
}

TEST(CatalogTest, EveryObligationThatCannotBeSaidInDataSaysWhy) {
  // The obligations REGULATION.md describes by per-person, per-action or
  // per-use checks are evaluated in code; their records must say so.
  const absl::StatusOr<Catalog> c = EmbeddedCatalog();
  ASSERT_TRUE(c.ok()) << c.status();
  for (const char* id : {"AIA-01", "AIA-02", "AIA-03", "AIA-04", "AIA-11",
                         "AIA-12", "AIA-20", "GDPR-06"}) {
    EXPECT_FALSE(c->Find(id)->in_code.empty()) << id;
  }
}

TEST(CatalogTest, ADirectoryOfTheSameFilesLoadsTheSameCatalog) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      ("catalog_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const CatalogFile& f : EmbeddedCatalogFiles()) {
    std::ofstream(dir / f.name) << f.text;
  }
  std::ofstream(dir / "README.txt") << "not a catalog file";
  const absl::StatusOr<Catalog> loaded = LoadCatalogDir(dir.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->obligations.size(), 47u);
  EXPECT_EQ(loaded->regimes.size(), 2u);
  // The embedded files are the source tree's.
  for (const CatalogFile& f : EmbeddedCatalogFiles()) {
    std::ifstream in(std::string(AIGOV_SOURCE_DIR) + "/daemon/rules/catalog/" +
                     f.name);
    std::ostringstream source;
    source << in.rdbuf();
    EXPECT_EQ(source.str(), f.text) << f.name;
  }
  std::filesystem::remove_all(dir);
  const absl::StatusOr<Catalog> missing = LoadCatalogDir(dir.string());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.status().message(), HasSubstr(dir.string()));
}

// A small valid catalog; each malformed case replaces one piece of it.
constexpr char kValid[] = R"(regimes:
  - id: r1
    title: t
    in_force_from: 2024-08-01
    dates: {gdpr: 2018-05-25, hr: never}
obligations:
  - id: AIA-01
    article: Art. 4
    title: t
    actors: [provider]
    applies: [always]
    applies_from: gdpr
    evidence: {documents: [DPIA]}
    clock: {start: incident_aware, stop: notified_msa, period: 15d}
    severity: low
)";

struct Malformed {
  const char* name;
  const char* from;
  const char* to;
  const char* error;
};

class MalformedCatalogTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedCatalogTest, NamesTheFileTheRecordAndTheReason) {
  const Malformed& m = GetParam();
  const std::string text = absl::StrReplaceAll(kValid, {{m.from, m.to}});
  ASSERT_NE(text, kValid) << "the case changes nothing";
  const CatalogFile file{"mine.yaml", text};
  const absl::StatusOr<Catalog> c = ParseCatalog({&file, 1});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr(m.error));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedCatalogTest,
    ::testing::Values(
        Malformed{"syntax", "[provider]", "[provider",
                  "mine.yaml:11: invalid YAML"},
        Malformed{"unknown_condition", "[always]", "[allways]",
                  "mine.yaml: AIA-01: applies: unknown condition "
                  "\"allways\""},
        Malformed{"unknown_key", "severity: low", "severity: low\n    owner: x",
                  "mine.yaml: AIA-01: owner: unknown key"},
        Malformed{"bad_id", "AIA-01", "AIA-1",
                  "mine.yaml: obligations[0]: id: expected AIA-NN or GDPR-NN"},
        Malformed{"bad_period", "period: 15d", "period: 15",
                  "mine.yaml: AIA-01: clock.period: expected Nh, Nd, Nw, Nmo "
                  "or config:NAME"},
        Malformed{"unknown_setting", "period: 15d", "period: config:nope",
                  "clock.period: unknown setting \"nope\""},
        Malformed{"unknown_event", "stop: notified_msa", "stop: told_msa",
                  "AIA-01: clock.stop: unknown event \"told_msa\""},
        Malformed{"unknown_document", "[DPIA]", "[DPIAA]",
                  "AIA-01: evidence.documents[0]: unknown document type "
                  "\"DPIAA\""},
        Malformed{"unknown_date_key", "applies_from: gdpr",
                  "applies_from: gdprr",
                  "AIA-01: applies_from: no regime date \"gdprr\""},
        Malformed{"bad_day", "2018-05-25", "2018-02-30",
                  "r1: dates.gdpr: expected YYYY-MM-DD"},
        Malformed{"bad_severity", "severity: low", "severity: dire",
                  "AIA-01: severity: expected low, medium, high or critical"},
        Malformed{"unknown_actor", "[provider]", "[vendor]",
                  "AIA-01: actors[0]: unknown actor \"vendor\""},
        Malformed{"nothing_to_check",
                  "    evidence: {documents: [DPIA]}\n    clock: {start: "
                  "incident_aware, stop: notified_msa, period: 15d}\n",
                  "", "AIA-01: states no evidence, no clock and no in_code"},
        Malformed{"regime_before_unknown", "in_force_from: 2024-08-01",
                  "in_force_from: 2024-08-01\n    before: r0",
                  "regime r1: before: no other regime named \"r0\""}));

TEST(CatalogTest, ADuplicateIdIsRefused) {
  std::string text = kValid;
  text += R"(  - id: AIA-01
    article: Art. 5
    title: again
    actors: [operator]
    applies: [prohibited_practice]
    applies_from: hr
    in_code: x
    severity: critical
)";
  const CatalogFile file{"mine.yaml", text};
  const absl::StatusOr<Catalog> c = ParseCatalog({&file, 1});
  EXPECT_THAT(c.status().message(),
              HasSubstr("mine.yaml: AIA-01: id: defined twice"));
}

TEST(VocabularyTest, NamesAreUniqueAndDescribed) {
  for (const auto terms : {Conditions(), Events(), Attributes(), Remedies()}) {
    std::set<absl::string_view> names;
    for (const Term& t : terms) {
      EXPECT_TRUE(names.insert(t.name).second) << t.name;
      EXPECT_FALSE(t.description.empty()) << t.name;
    }
  }
}

// Resolves one fix spec item ("Kind.a.b=VALUE") against the descriptors of
// aigov.v1; returns what does not resolve, or "".
std::string Unresolved(absl::string_view item) {
  if (const size_t open = item.find(" ("); open != absl::string_view::npos) {
    item = item.substr(0, open);
  }
  std::pair<absl::string_view, absl::string_view> path_value =
      absl::StrSplit(item, absl::MaxSplits('=', 1));
  std::vector<absl::string_view> path = absl::StrSplit(path_value.first, '.');
  if (path.size() < 2) return "no field path";
  const google::protobuf::Descriptor* message =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          absl::StrCat("aigov.v1.", path[0]));
  if (message == nullptr) return absl::StrCat("no record kind ", path[0]);
  const google::protobuf::FieldDescriptor* field = nullptr;
  for (size_t i = 1; i < path.size(); ++i) {
    if (message == nullptr) return absl::StrCat(path[i - 1], " is no message");
    field = message->FindFieldByName(std::string(path[i]));
    if (field == nullptr) {
      return absl::StrCat(message->name(), " has no field ", path[i]);
    }
    message = field->message_type();
  }
  if (path_value.second.empty()) return "";
  const google::protobuf::EnumDescriptor* e = field->enum_type();
  if (e == nullptr) return absl::StrCat(field->name(), " is no enum");
  absl::string_view prefix = e->value(0)->name();
  if (!absl::ConsumeSuffix(&prefix, "UNSPECIFIED")) return "no UNSPECIFIED";
  if (e->FindValueByName(absl::StrCat(prefix, path_value.second)) == nullptr) {
    return absl::StrCat(e->name(), " has no value ", path_value.second);
  }
  return "";
}

TEST(VocabularyTest, EveryFixNamesARecordFieldAndValueThatExist) {
  // Linked in: the descriptors the specs name.
  ASSERT_NE(aigov::v1::AiSystem::descriptor(), nullptr);
  ASSERT_NE(aigov::v1::DaemonConfig::descriptor(), nullptr);
  ASSERT_NE(aigov::v1::PerformanceSample::descriptor(), nullptr);
  size_t items = 0;
  for (const auto terms : {Events(), Attributes(), Remedies()}) {
    for (const Term& t : terms) {
      EXPECT_FALSE(t.fix.empty()) << t.name << " says nothing to record";
      for (absl::string_view item :
           absl::StrSplit(t.fix, "; ", absl::SkipEmpty())) {
        EXPECT_EQ(Unresolved(item), "") << t.name << ": " << item;
        ++items;
      }
      EXPECT_EQ(
          FixWords(t.fix).size(),
          static_cast<size_t>(std::count(t.fix.begin(), t.fix.end(), ';') + 1))
          << t.name;
    }
  }
  EXPECT_GT(items, 40u);
  // Every document type a catalog record requires is a value of
  // EvidenceDocument.type, and so every document fix.
  EXPECT_EQ(Unresolved("Unknown.type"), "no record kind Unknown");
  EXPECT_EQ(Unresolved("EvidenceDocument.kind"),
            "EvidenceDocument has no field kind");
  EXPECT_EQ(Unresolved("EvidenceDocument.type=NOPE"),
            "DocumentType has no value NOPE");
  EXPECT_EQ(Unresolved("EvidenceDocument.type=ROPA (a note)"), "");
  EXPECT_THAT(FixWords("AiSystem.gdpr.retention_days"),
              ::testing::ElementsAre("set AiSystem.gdpr.retention_days"));
  EXPECT_THAT(
      FixWords("EvidenceDocument.type=ROPA (for the system)", " covering m@1"),
      ::testing::ElementsAre("record EvidenceDocument.type = ROPA "
                             "covering m@1 (for the system)"));
}

TEST(VocabularyTest, EveryCatalogTermAnObligationNeedsHasAFix) {
  const absl::StatusOr<Catalog> catalog = EmbeddedCatalog();
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  for (const Obligation& o : catalog->obligations) {
    std::vector<std::string> events = o.evidence_events;
    if (o.clock) events.push_back(o.clock->stop);
    for (const std::string& e : events) {
      const Term* t = Find(Events(), e);
      ASSERT_NE(t, nullptr) << o.id << ": " << e;
      EXPECT_FALSE(t->fix.empty()) << o.id << ": " << e;
    }
    for (const std::string& a : o.attributes) {
      const Term* t = Find(Attributes(), a);
      ASSERT_NE(t, nullptr) << o.id << ": " << a;
      EXPECT_FALSE(t->fix.empty()) << o.id << ": " << a;
    }
    for (const aigov::v1::DocumentType d : o.documents) {
      EXPECT_EQ(Unresolved(absl::StrCat(
                    "EvidenceDocument.type=",
                    absl::StripPrefix(aigov::v1::DocumentType_Name(d),
                                      "DOCUMENT_TYPE_"))),
                "")
          << o.id;
    }
  }
}

}  // namespace
}  // namespace aigov::rules
