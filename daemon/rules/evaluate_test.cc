#include "daemon/rules/evaluate.h"

#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

#include "daemon/rules/snapshot.h"

namespace aigov::rules {
namespace {

using aigov::v1::FindingStatus;
using ::testing::HasSubstr;

constexpr FindingStatus kSatisfied = aigov::v1::FINDING_STATUS_SATISFIED;
constexpr FindingStatus kPending = aigov::v1::FINDING_STATUS_PENDING;
constexpr FindingStatus kAtRisk = aigov::v1::FINDING_STATUS_AT_RISK;
constexpr FindingStatus kViolated = aigov::v1::FINDING_STATUS_VIOLATED;
constexpr FindingStatus kNotApplicable =
    aigov::v1::FINDING_STATUS_NOT_APPLICABLE;
constexpr FindingStatus kNotYet = aigov::v1::FINDING_STATUS_NOT_YET_APPLICABLE;

const Catalog& TheCatalog() {
  static const Catalog* c = [] {
    absl::StatusOr<Catalog> parsed = EmbeddedCatalog();
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return new Catalog(*std::move(parsed));
  }();
  return *c;
}

// The test's clock: 30 days after the latest application date of the
// default regime, so that every obligation binds whatever today's date is.
absl::Time T0() {
  const Regime* r = TheCatalog().FindRegime("eu-ai-act-omnibus-2026");
  absl::CivilDay latest = r->in_force_from;
  for (const auto& [key, day] : r->dates) {
    if (day && *day > latest) latest = *day;
  }
  return absl::FromCivil(latest + 30, absl::UTCTimeZone());
}

absl::Duration H(int64_t hours) { return absl::Hours(hours); }
absl::Duration D(int64_t days) { return absl::Hours(24 * days); }

// One journal entry of a fixture: when it is recorded (from T0) and its
// event in text format, with $T(+N) replaced by T0 + N hours in RFC 3339.
struct Step {
  absl::Duration at;
  std::string event;
};

std::string Expand(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t p = text.find("$T(", i);
    if (p == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, p - i);
    const size_t close = text.find(')', p);
    const int64_t hours = std::stoll(text.substr(p + 3, close - p - 3));
    const absl::Time t = T0() + H(hours);
    absl::StrAppend(&out, "{ seconds: ", absl::ToUnixSeconds(t), " }");
    i = close + 1;
  }
  return out;
}

aigov::internal::v1::SystemRecord Build(const std::vector<Step>& steps) {
  aigov::internal::v1::SystemRecord record;
  record.set_system_id("credit");
  uint64_t seq = 100;
  for (const Step& s : steps) {
    aigov::v1::JournalEntry e;
    const std::string text = Expand(s.event);
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &e))
        << text;
    *e.mutable_recorded_at() = TimestampOf(T0() + s.at);
    if (e.has_dataset_version()) {
      aigov::internal::v1::Fact f;
      f.set_sequence(seq);
      *f.mutable_at() = e.recorded_at();
      FoldDataset(e.dataset_version(), f, &record);
    } else {
      Fold(e, seq, &record);
    }
    ++seq;
  }
  return record;
}

Finding Evaluate1(const std::vector<Step>& steps, const std::string& id,
                  absl::Duration at, const std::string& regime,
                  const Settings& settings = Settings()) {
  const Catalog& cat = TheCatalog();
  const Regime* r = cat.FindRegime(regime);
  EXPECT_NE(r, nullptr);
  absl::StatusOr<Evaluation> ev =
      Evaluate(Build(steps), cat, *r, settings, T0() + at);
  EXPECT_TRUE(ev.ok()) << ev.status();
  for (const Finding& f : ev->findings) {
    if (f.obligation->id == id) return f;
  }
  ADD_FAILURE() << "no finding for " << id;
  return Finding();
}

// A credit-scoring system (Annex III 5(b)), provider and deployer,
// processing personal data; `extra` adds fields to its profile.
std::string Credit(const std::string& extra = "",
                   const std::string& risk_extra = "",
                   const std::string& gdpr_extra = "") {
  return absl::StrCat(
      "ai_system { system_id: 'credit' intended_purpose: 'credit scoring' "
      "roles: ROLE_PROVIDER roles: ROLE_DEPLOYER "
      "people { role: 'overseer' } "
      "risk { annex_iii_point: '5(b)' performs_profiling: true "
      "decides_about_persons: true eu_market: true ",
      risk_extra,
      " } gdpr { personal_data: true lawful_basis: LAWFUL_BASIS_CONTRACT "
      "retention_days: 365 ",
      gdpr_extra, " } ", extra, " }");
}
// A system with no role and no flag.
const char kBare[] = "ai_system { system_id: 'credit' }";

std::string Version(const std::string& v, const std::string& extra = "") {
  return absl::StrCat("model_version { model_id: 'm' version: '", v,
                      "' system_id: 'credit' artifact_sha256: 'ab' ", extra,
                      " }");
}
std::string Deploy(const std::string& v,
                   const std::string& state = "DEPLOYMENT_STATE_ENABLED") {
  return absl::StrCat(
      "deployment { deployment_id: 'prod' model_version { "
      "model_id: 'm' version: '",
      v, "' } environment: ENVIRONMENT_PROD state: ", state, " }");
}
std::string Doc(const std::string& type, const std::string& id,
                const std::string& covers = "") {
  std::string c;
  if (!covers.empty()) {
    c = absl::StrCat("covers_model_versions { model_id: 'm' version: '", covers,
                     "' }");
  }
  return absl::StrCat("evidence_document { document_id: '", id,
                      "' type: DOCUMENT_TYPE_", type,
                      " content_sha256: 'ab' system_id: 'credit' ", c, " }");
}
std::string Notify(const std::string& to, const std::string& about,
                   int64_t sent_hours) {
  return absl::StrCat("notification { notification_id: 'n-", to, "-",
                      sent_hours, "' recipient: NOTIFICATION_RECIPIENT_", to,
                      " ", about, " sent_at: $T(", sent_hours,
                      ") system_id: 'credit' }");
}

struct Case {
  Case(std::string what_, std::vector<Step> steps_, absl::Duration at_,
       FindingStatus want_, std::string reason_,
       std::string regime_ = "eu-ai-act-omnibus-2026",
       std::string deadline_ = "")
      : what(std::move(what_)),
        steps(std::move(steps_)),
        at(at_),
        want(want_),
        reason(std::move(reason_)),
        regime(regime_.empty() ? "eu-ai-act-omnibus-2026" : regime_),
        deadline(std::move(deadline_)) {}
  std::string what;
  std::vector<Step> steps;
  absl::Duration at;
  FindingStatus want;
  std::string reason;  // a substring of the finding's reason
  std::string regime;
  std::string deadline;  // a substring of the deadline in RFC 3339
};

struct ObligationCases {
  std::string id;
  std::vector<Case> cases;
};

std::vector<ObligationCases> AllCases();

class ObligationTest : public ::testing::TestWithParam<ObligationCases> {};

TEST_P(ObligationTest, Cases) {
  const ObligationCases& oc = GetParam();
  ASSERT_NE(TheCatalog().Find(oc.id), nullptr);
  ASSERT_FALSE(oc.cases.empty());
  for (const Case& c : oc.cases) {
    SCOPED_TRACE(c.what);
    const Finding f = Evaluate1(c.steps, oc.id, c.at, c.regime);
    EXPECT_EQ(f.status, c.want) << StatusName(f.status) << " (want "
                                << StatusName(c.want) << "): " << f.reason;
    EXPECT_THAT(f.reason, HasSubstr(c.reason));
    // Every shortfall says what would remove it; what holds says nothing.
    if (f.status == kViolated ||
        f.status == aigov::v1::FINDING_STATUS_AT_RISK ||
        f.status == aigov::v1::FINDING_STATUS_PENDING) {
      EXPECT_THAT(f.to_fix, ::testing::Not(::testing::IsEmpty())) << f.reason;
      for (const std::string& x : f.to_fix) {
        EXPECT_TRUE(absl::StartsWith(x, "set ") ||
                    absl::StartsWith(x, "record ") ||
                    absl::StartsWith(x, "nothing to record"))
            << x;
      }
    } else {
      EXPECT_THAT(f.to_fix, ::testing::IsEmpty()) << f.reason;
    }
    if (!c.deadline.empty()) {
      ASSERT_TRUE(f.deadline.has_value()) << f.reason;
      EXPECT_THAT(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *f.deadline,
                                   absl::UTCTimeZone()),
                  HasSubstr(c.deadline));
    }
  }
}

std::string NameOf(const ::testing::TestParamInfo<ObligationCases>& info) {
  const Obligation* o = TheCatalog().Find(info.param.id);
  std::string name = absl::StrCat(info.param.id, "_", o ? o->article : "");
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Catalog, ObligationTest,
                         ::testing::ValuesIn(AllCases()), NameOf);

// Every obligation but AI literacy does not apply to a system with no role
// and no flag.
TEST(EvaluateTest, ABareSystemOwesOnlyAiLiteracy) {
  const Catalog& cat = TheCatalog();
  absl::StatusOr<Evaluation> ev =
      Evaluate(Build({{H(0), kBare}}), cat,
               *cat.FindRegime("eu-ai-act-omnibus-2026"), Settings(), T0());
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->findings.size(), 47u);
  for (const Finding& f : ev->findings) {
    if (f.obligation->id == "AIA-01") continue;
    EXPECT_EQ(f.status, kNotApplicable) << f.obligation->id << ": " << f.reason;
    EXPECT_THAT(f.reason, HasSubstr("applies only when"));
  }
}

TEST(EvaluateTest, EveryVocabularyNameIsBound) {
  EXPECT_THAT(Unbound(), ::testing::IsEmpty());
}

TEST(EvaluateTest, EveryObligationHasATable) {
  std::vector<std::string> ids;
  for (const ObligationCases& oc : AllCases()) ids.push_back(oc.id);
  for (const Obligation& o : TheCatalog().obligations) {
    EXPECT_THAT(ids, ::testing::Contains(o.id)) << o.id;
  }
}

TEST(EvaluateTest, TheTwoRegimesDifferInWhatIsNotYetApplicable) {
  const Catalog& cat = TheCatalog();
  // 2027-01-15: past the 2024 high-risk date, before the Omnibus one.
  const absl::Time at =
      absl::FromCivil(absl::CivilDay(2027, 1, 15), absl::UTCTimeZone());
  aigov::internal::v1::SystemRecord record = Build({{H(0), Credit()}});
  std::vector<std::string> nya[2];
  int i = 0;
  for (const char* id : {"eu-ai-act-2024", "eu-ai-act-omnibus-2026"}) {
    absl::StatusOr<Evaluation> ev =
        Evaluate(record, cat, *cat.FindRegime(id), Settings(), at);
    ASSERT_TRUE(ev.ok());
    for (const Finding& f : ev->findings) {
      if (f.status == kNotYet) nya[i].push_back(f.obligation->id);
    }
    ++i;
  }
  EXPECT_THAT(nya[0], ::testing::IsEmpty());
  EXPECT_THAT(nya[1], ::testing::Contains("AIA-04"));
  EXPECT_THAT(nya[1], ::testing::Contains("AIA-24"));
  EXPECT_THAT(nya[1], ::testing::Not(::testing::Contains("AIA-01")));
}

TEST(EvaluateTest, BeforeTheOmnibusEnteredIntoForceTheOriginalDatesAnswer) {
  const Catalog& cat = TheCatalog();
  const Regime& omnibus = *cat.FindRegime("eu-ai-act-omnibus-2026");
  const absl::Time before =
      absl::FromCivil(omnibus.in_force_from - 1, absl::UTCTimeZone());
  EXPECT_EQ(RegimeAt(cat, omnibus, before).id, "eu-ai-act-2024");
  EXPECT_EQ(RegimeAt(cat, omnibus, before + D(1)).id, "eu-ai-act-omnibus-2026");
}

TEST(EvaluateTest, NextDueIsTheNearestInstantAFindingMayChange) {
  const Catalog& cat = TheCatalog();
  aigov::internal::v1::SystemRecord record =
      Build({{H(0), Credit()},
             {H(1),
              "incident { incident_id: 'i1' system_id: 'credit' "
              "aware_at: $T(0) category: INCIDENT_CATEGORY_HEALTH death: "
              "true }"}});
  absl::StatusOr<Evaluation> ev =
      Evaluate(record, cat, *cat.FindRegime("eu-ai-act-omnibus-2026"),
               Settings(), T0() + H(2));
  ASSERT_TRUE(ev.ok());
  ASSERT_TRUE(ev->next_due.has_value());
  // Ten days from day 0 end with day 10; half of it is used at day 5.5.
  EXPECT_GT(*ev->next_due, T0() + H(2));
  EXPECT_LE(*ev->next_due, T0() + D(6));
}

TEST(EvaluateTest, EntriesRecordedAfterTheInstantAreNotSeen) {
  const Finding f = Evaluate1({{H(0), Credit()}, {H(10), Doc("DPIA", "dpia")}},
                              "GDPR-14", H(5), "eu-ai-act-omnibus-2026");
  EXPECT_NE(f.status, kSatisfied);
}

TEST(EvaluateTest, FindingsCiteTheirEvidence) {
  const Finding f = Evaluate1({{H(0), Credit()}, {H(1), Doc("DPIA", "dpia")}},
                              "GDPR-14", H(2), "eu-ai-act-omnibus-2026");
  EXPECT_EQ(f.status, kSatisfied);
  EXPECT_THAT(f.evidence, ::testing::ElementsAre(101u));
}

std::string Incident(const std::string& id, const std::string& extra) {
  return absl::StrCat("incident { incident_id: '", id,
                      "' system_id: 'credit' aware_at: $T(0) ", extra, " }");
}
std::string Breach(const std::string& risk) {
  return absl::StrCat(
      "personal_data_breach { breach_id: 'b1' system_id: 'credit' aware_at: "
      "$T(0) risk: BREACH_RISK_",
      risk, " }");
}
std::string Request(const std::string& type, const std::string& status,
                    const std::string& extra = "") {
  return absl::StrCat(
      "data_subject_request { request_id: 'q1' type: "
      "DATA_SUBJECT_REQUEST_TYPE_",
      type, " status: DATA_SUBJECT_REQUEST_STATUS_", status,
      " system_id: 'credit' received_at: $T(0) ", extra, " }");
}

// A deployed, documented credit system: the Annex IV set, instructions and
// conformity assessment cover v1, v1 is deployed.
std::vector<Step> Deployed(std::vector<Step> more = {}) {
  std::vector<Step> s = {{H(0), Credit()},
                         {H(0), Version("1",
                                        "declared_metrics { name: 'auc' "
                                        "value: 0.8 threshold: 0.7 "
                                        "direction: "
                                        "METRIC_DIRECTION_HIGHER_IS_"
                                        "BETTER }")}};
  for (int p = 1; p <= 9; ++p) {
    s.push_back(
        {H(0), Doc(absl::StrCat("ANNEX_IV_", p), absl::StrCat("a4-", p), "1")});
  }
  s.push_back({H(0), Doc("INSTRUCTIONS_FOR_USE", "ifu", "1")});
  s.push_back({H(0), Doc("CONFORMITY_ASSESSMENT", "ca", "1")});
  s.push_back({H(1), Deploy("1")});
  for (Step& m : more) s.push_back(std::move(m));
  return s;
}

std::vector<ObligationCases> AllCases() {
  const std::string risk_flagged = "prohibited_practices: 'c'";
  std::vector<ObligationCases> all;
  all.push_back({"AIA-01",
                 {{"applies to every system, met with a training record",
                   {{H(0), Credit()}, {H(1), Doc("TRAINING_RECORD", "t1")}},
                   H(2),
                   kSatisfied,
                   "met"},
                  {"no training record",
                   {{H(0), Credit()}},
                   H(2),
                   kViolated,
                   "TRAINING_RECORD document"},
                  {"fewer training records than overseers",
                   {{H(0), Credit("people { role: 'overseer' }")},
                    {H(1), Doc("TRAINING_RECORD", "t1")}},
                   H(2),
                   kViolated,
                   "1 training records for 2 people"}}});
  all.push_back({"AIA-02",
                 {{"no Art. 5 flag",
                   {{H(0), Credit()}},
                   H(1),
                   kNotApplicable,
                   "Art. 5 prohibited-practice flag"},
                  {"flagged, not deployed",
                   {{H(0), Credit("", risk_flagged)}, {H(0), Version("1")}},
                   H(1),
                   kSatisfied,
                   "no deployment"},
                  {"flagged and deployed",
                   {{H(0), Credit("", risk_flagged)},
                    {H(0), Version("1")},
                    {H(1), Deploy("1")}},
                   H(2),
                   kViolated,
                   "prohibited practice deployed (prod)"},
                  {"an Omnibus point only binds from 2 Dec 2026",
                   {{H(0), Credit("", "prohibited_practices: 'ba'")}},
                   H(1),
                   kNotApplicable,
                   "no such provision under eu-ai-act-2024",
                   "eu-ai-act-2024"}}});
  all.push_back(
      {"AIA-03",
       {{"no derogation claimed",
         {{H(0), Credit()}},
         H(1),
         kNotApplicable,
         "derogation is claimed"},
        {"claimed while profiling: void",
         {{H(0), Credit("",
                        "art6_3_derogation_claimed: true "
                        "art6_3_condition: 'a'")},
          {H(0), Doc("ART6_3_ASSESSMENT", "a63")},
          {H(0), Doc("EU_DATABASE_REGISTRATION", "reg")}},
         H(1),
         kViolated,
         "derogation is void"},
        {"claimed, documented, no profiling",
         {{H(0), absl::StrReplaceAll(Credit("",
                                            "art6_3_derogation_claimed: true "
                                            "art6_3_condition: 'a'"),
                                     {{"performs_profiling: true", ""}})},
          {H(0), Doc("ART6_3_ASSESSMENT", "a63")},
          {H(0), Doc("EU_DATABASE_REGISTRATION", "reg")}},
         H(1),
         kSatisfied,
         "ART6_3_ASSESSMENT a63"}}});
  all.push_back(
      {"AIA-04",
       {{"not high-risk", {{H(0), kBare}}, H(1), kNotApplicable, "high-risk"},
        {"no risk register",
         {{H(0), Credit()}},
         H(1),
         kViolated,
         "RISK_REGISTER not recorded"},
        {"drift ALERT opens a risk review",
         Deployed({{H(0), Doc("RISK_REGISTER", "rr")},
                   {H(0), Doc("TEST_REPORT", "tr", "1")},
                   {H(5),
                    "drift_evaluation { model_id: 'm' version: '1' "
                    "dataset_state: DRIFT_STATE_ALERT }"}}),
         H(6), kPending, "risk review"},
        {"reviewed after the alert",
         Deployed({{H(0), Doc("RISK_REGISTER", "rr")},
                   {H(0), Doc("TEST_REPORT", "tr", "1")},
                   {H(5),
                    "drift_evaluation { model_id: 'm' version: '1' "
                    "dataset_state: DRIFT_STATE_ALERT }"},
                   {H(7), Doc("RISK_REGISTER", "rr")}}),
         H(8), kSatisfied, "RISK_REGISTER rr"},
        {"deployed without a test report",
         Deployed({{H(0), Doc("RISK_REGISTER", "rr")}}), H(2), kViolated,
         "TEST_REPORT not recorded"}}});
  all.push_back(
      {"AIA-05",
       {{"not trained on data",
         {{H(0), Credit()}, {H(0), Version("1")}},
         H(1),
         kNotApplicable,
         "names training datasets"},
        {"dataset without provenance, before deployment",
         {{H(0), Credit()},
          {H(0), Version("1",
                         "training_datasets { dataset_id: 'd' version: "
                         "'1' }")},
          {H(0), "dataset_version { dataset_id: 'd' version: '1' }"}},
         H(1),
         kPending,
         "the source system of dataset d@1"},
        {"documented dataset",
         {{H(0), Credit()},
          {H(0), Version("1",
                         "training_datasets { dataset_id: 'd' version: "
                         "'1' }")},
          {H(0),
           "dataset_version { dataset_id: 'd' version: '1' "
           "source_system: 'crm' bias_examination_ref: 'b' "
           "representativeness_ref: 'r' }"}},
         H(1),
         kSatisfied,
         "met"}}});
  all.push_back({"AIA-06",
                 {{"covered", Deployed(), H(2), kSatisfied, "m@1 covered"},
                  {"a retrained version deployed without Annex IV coverage",
                   Deployed({{H(3), Version("2",
                                            "parent_version: '1' change_class: "
                                            "CHANGE_CLASS_RETRAIN")},
                             {H(4), Deploy("2")}}),
                   H(5), kViolated, "m@2: ANNEX_IV_1"}}});
  all.push_back(
      {"AIA-07",
       {{"no metric", Deployed(), H(2), kViolated, "performance sample"},
        {"sampled",
         Deployed(
             {{H(2), "performance_sample { model_id: 'm' version: '1' }"}}),
         H(3), kSatisfied, "met"}}});
  all.push_back({"AIA-08",
                 {{"logs hosted by the deployer",
                   {{H(0), Credit("hosting: 'deployer premises'")}},
                   H(1),
                   kNotApplicable,
                   "provider hosts the logs"},
                  {"retention long enough",
                   {{H(0), Credit()}},
                   H(1),
                   kSatisfied,
                   "met"}}});
  {
    ObligationCases c{"AIA-09",
                      {{"deployer, retention kept",
                        {{H(0), Credit()}},
                        H(1),
                        kSatisfied,
                        "met"}}};
    all.push_back(c);
  }
  all.push_back({"AIA-10",
                 {{"instructions cover the deployed version", Deployed(), H(2),
                   kSatisfied, "covered"},
                  {"no declared metrics", Deployed({{H(2), Version("1")}}),
                   H(3), kViolated, "declared metrics of m@1"}}});
  all.push_back(
      {"AIA-11",
       {{"no oversight action",
         {{H(0), Credit()}, {H(0), Doc("TRAINING_RECORD", "t")}},
         H(1),
         kViolated,
         "human-oversight action"},
        {"overseen",
         {{H(0), Credit()},
          {H(0), Doc("TRAINING_RECORD", "t")},
          {H(1),
           "oversight_action { action_id: 'o' system_id: 'credit' "
           "action: OVERSIGHT_ACTION_TYPE_APPROVE occurred_at: $T(1) }"}},
         H(2),
         kSatisfied,
         "met"}}});
  all.push_back({"AIA-12",
                 {{"in drift ALERT",
                   Deployed({{H(2),
                              "drift_evaluation { model_id: 'm' version: '1' "
                              "dataset_state: DRIFT_STATE_ALERT }"}}),
                   H(3), kViolated, "m@1 is in drift ALERT"},
                  {"back to OK",
                   Deployed({{H(2),
                              "drift_evaluation { model_id: 'm' version: '1' "
                              "dataset_state: DRIFT_STATE_ALERT }"},
                             {H(3),
                              "drift_evaluation { model_id: 'm' version: '1' "
                              "dataset_state: DRIFT_STATE_OK }"}}),
                   H(4), kSatisfied, "met"},
                  {"performance breach without correction",
                   Deployed({{H(2),
                              "performance_breach { model_id: 'm' version: '1' "
                              "metric: 'auc' }"}}),
                   H(3), kViolated, "PerformanceBreach of auc"}}});
  const std::string alert =
      "drift_evaluation { model_id: 'm' version: '1' dataset_state: "
      "DRIFT_STATE_ALERT }";
  all.push_back(
      {"AIA-13",
       {{"no drift", Deployed(), H(2), kNotApplicable, "drift ALERT"},
        {"clock runs (24 h SLA: at risk from the start)",
         Deployed({{H(2), alert}}), H(3), kAtRisk, "due by", "", "20"},
        {"expired", Deployed({{H(2), alert}}), H(27), kViolated, "overdue"},
        {"corrected and deployers told in time",
         Deployed({{H(2), alert},
                   {H(5), Deploy("1", "DEPLOYMENT_STATE_ROLLED_BACK")},
                   {H(6), Notify("DEPLOYER", "", 6)}}),
         H(7), kSatisfied, "done on"}}});
  all.push_back(
      {"AIA-14",
       {{"no QMS, not deployed",
         {{H(0), Credit()}},
         H(1),
         kPending,
         "QMS due before"},
        {"no QMS, deployed", Deployed(), H(2), kViolated, "QMS not recorded"},
        {"QMS", Deployed({{H(0), Doc("QMS", "qms")}}), H(2), kSatisfied,
         "QMS qms"}}});
  all.push_back(
      {"AIA-15",
       {{"ten years kept", {{H(0), Credit()}}, H(1), kSatisfied, "met"}}});
  all.push_back({"AIA-16",
                 {{"assessed", Deployed(), H(2), kSatisfied, "covered"},
                  {"a redesign needs its own assessment",
                   Deployed({{H(3), Version("2",
                                            "parent_version: '1' change_class: "
                                            "CHANGE_CLASS_REDESIGN")},
                             {H(4), Deploy("2")}}),
                   H(5), kViolated, "m@2: CONFORMITY_ASSESSMENT"}}});
  all.push_back(
      {"AIA-17",
       {{"declared",
         Deployed({{H(0), Doc("EU_DECLARATION_OF_CONFORMITY", "doc")}}), H(2),
         kSatisfied, "EU_DECLARATION_OF_CONFORMITY doc"},
        {"deployed without declaration", Deployed(), H(2), kViolated,
         "EU_DECLARATION_OF_CONFORMITY not recorded"}}});
  all.push_back({"AIA-18",
                 {{"registered",
                   Deployed({{H(0), Doc("EU_DATABASE_REGISTRATION", "reg")}}),
                   H(2), kSatisfied, "EU_DATABASE_REGISTRATION reg"},
                  {"not registered", Deployed(), H(2), kViolated,
                   "EU_DATABASE_REGISTRATION not recorded"}}});
  const std::string sample =
      "performance_sample { model_id: 'm' version: '1' }";
  all.push_back({"AIA-19",
                 {{"fresh",
                   Deployed({{H(0), Doc("POST_MARKET_MONITORING_PLAN", "pmm")},
                             {H(2), sample}}),
                   H(3), kSatisfied, "met"},
                  {"stale after seven days",
                   Deployed({{H(0), Doc("POST_MARKET_MONITORING_PLAN", "pmm")},
                             {H(2), sample}}),
                   D(8), kViolated, "compliance.metric_freshness"}}});
  const std::string death =
      Incident("i1", "category: INCIDENT_CATEGORY_HEALTH death: true");
  all.push_back(
      {"AIA-20",
       {{"no incident",
         {{H(0), Credit()}},
         H(1),
         kNotApplicable,
         "recorded as serious"},
        {"not serious",
         {{H(0), Credit()},
          {H(1), Incident("i1", "category: INCIDENT_CATEGORY_NOT_SERIOUS")}},
         H(2),
         kNotApplicable,
         "serious"},
        {"death: ten days, running",
         {{H(0), Credit()}, {H(1), death}},
         H(2),
         kPending,
         "incident i1 (death)",
         "eu-ai-act-omnibus-2026",
         ""},
        {"death: at risk past half",
         {{H(0), Credit()}, {H(1), death}},
         D(6),
         kAtRisk,
         "left"},
        {"death: still due on the tenth day",
         {{H(0), Credit()}, {H(1), death}},
         D(10) + H(1),
         kAtRisk,
         "due by"},
        {"death: expired after the tenth day",
         {{H(0), Credit()}, {H(1), death}},
         D(11) + H(1),
         kViolated,
         "overdue since"},
        {"death: notified in time",
         {{H(0), Credit()},
          {H(1), death},
          {D(3),
           Notify("MARKET_SURVEILLANCE_AUTHORITY", "incident_id: 'i1'", 72)}},
         D(11),
         kSatisfied,
         "done on"},
        {"critical infrastructure: two days",
         {{H(0), Credit()},
          {H(1), Incident("i1",
                          "category: "
                          "INCIDENT_CATEGORY_CRITICAL_INFRASTRUCTURE")}},
         D(3) + H(1),
         kViolated,
         "overdue"},
        {"other serious incidents: fifteen days",
         {{H(0), Credit()},
          {H(1), Incident("i1",
                          "category: "
                          "INCIDENT_CATEGORY_FUNDAMENTAL_RIGHTS")}},
         D(14),
         kAtRisk,
         "15 days"}}});
  all.push_back(
      {"AIA-21",
       {{"drift ALERT: the provider told in time",
         Deployed({{H(0), sample},
                   {H(2), alert},
                   {H(3), Notify("PROVIDER", "", 3)}}),
         H(4), kSatisfied, "done"},
        {"drift ALERT: nobody told", Deployed({{H(0), sample}, {H(2), alert}}),
         D(2), kViolated, "notification to the provider"}}});
  all.push_back(
      {"AIA-22",
       {{"affected persons informed",
         {{H(0), Credit()}, {H(0), Doc("WORKER_NOTICE", "wn")}},
         H(1),
         kSatisfied,
         "WORKER_NOTICE"},
        {"neither workplace nor decisions",
         {{H(0), absl::StrReplaceAll(Credit(),
                                     {{"decides_about_persons: true", ""}})}},
         H(1),
         kNotApplicable,
         "one of"}}});
  all.push_back({"AIA-23",
                 {{"private deployer",
                   {{H(0), Credit()}},
                   H(1),
                   kNotApplicable,
                   "public body"},
                  {"public body, unregistered, deployed",
                   Deployed({{H(0), Credit("", "deployer_public_body: true")}}),
                   H(2), kViolated, "EU_DATABASE_REGISTRATION not recorded"}}});
  all.push_back(
      {"AIA-24",
       {{"deployed without FRIA", Deployed(), H(2), kViolated,
         "FRIA not recorded"},
        {"FRIA and the authority notified",
         Deployed({{H(2), Doc("FRIA", "fria")},
                   {H(2), Notify("MARKET_SURVEILLANCE_AUTHORITY", "", 2)}}),
         H(3), kSatisfied, "FRIA fria"}}});
  all.push_back(
      {"AIA-25",
       {{"no interaction",
         {{H(0), Credit()}},
         H(1),
         kNotApplicable,
         "interacts"},
        {"chatbot deployed without notice",
         Deployed({{H(0), Credit("", "interacts_with_persons: true")}}), H(2),
         kViolated, "TRANSPARENCY_NOTICE not recorded"}}});
  // A generator deployed at H(1) (Deployed's 'prod'), marking sampled at
  // H(2) unless a case says otherwise.
  const std::string gen = "generates_synthetic_content: true";
  const auto mark = [](int64_t sampled_hours, int sampled, int marked) {
    return absl::StrCat(
        "marking_evidence { deployment_id: 'prod' system_id: 'credit' "
        "method: MARKING_METHOD_C2PA_MANIFEST sampled_sha256: 'ab' "
        "outputs_sampled: ",
        sampled, " outputs_marked: ", marked, " sampled_at: $T(", sampled_hours,
        ") }");
  };
  const auto generator = [&](std::vector<Step> more) {
    std::vector<Step> s = Deployed(std::move(more));
    s[0] = {H(0), Credit("", gen)};
    return s;
  };
  all.push_back(
      {"AIA-26",
       {{"generator not deployed",
         {{H(0), Credit("", gen)}},
         H(1),
         kSatisfied,
         "no enabled production deployment"},
        {"deployed without marking evidence", generator({}), H(2), kViolated,
         "deployment prod: no marking evidence recorded"},
        {"every sampled output marked", generator({{H(2), mark(2, 50, 50)}}),
         H(3), kSatisfied, "50 of 50 sampled outputs marked (c2pa_manifest)"},
        {"some outputs unmarked", generator({{H(2), mark(2, 50, 47)}}), H(3),
         kViolated, "3 of 50 sampled outputs carried no c2pa_manifest marking"},
        {"sample older than marking_freshness (30 days)",
         generator({{H(2), mark(2, 50, 50)}}), H(2) + D(30) + H(1), kViolated,
         "marking last sampled on"},
        {"a newer sample replaces a failed one",
         generator({{H(2), mark(2, 50, 40)}, {H(5), mark(5, 20, 20)}}), H(6),
         kSatisfied, "20 of 20"},
        {"a sample recorded after the instant is not seen",
         generator({{H(9), mark(9, 50, 50)}}), H(3), kViolated,
         "no marking evidence recorded"},
        {"a disabled deployment needs none",
         generator({{H(2), Deploy("1", "DEPLOYMENT_STATE_DISABLED")}}), H(3),
         kSatisfied, "no enabled production deployment"},
        {"not a generator", Deployed(), H(2), kNotApplicable,
         "generates synthetic"}}});
  all.push_back(
      {"AIA-27",
       {{"emotion recognition with notice",
         {{H(0), Credit("", "emotion_recognition: true")},
          {H(0), Doc("TRANSPARENCY_NOTICE", "tn")}},
         H(1),
         kSatisfied,
         "met"},
        {"none", {{H(0), Credit()}}, H(1), kNotApplicable, "emotion"}}});
  all.push_back(
      {"AIA-28",
       {{"deepfakes deployed without disclosure",
         Deployed({{H(0), Credit("", "deepfake: true")}}), H(2), kViolated,
         "TRANSPARENCY_NOTICE"},
        {"none", {{H(0), Credit()}}, H(1), kNotApplicable, "deepfakes"}}});
  const std::string gpai_sys =
      "ai_system { system_id: 'credit' roles: ROLE_GPAI_PROVIDER risk { "
      "is_gpai_model: true ";
  all.push_back(
      {"AIA-29",
       {{"GPAI deployed without documentation",
         Deployed({{H(0), gpai_sys + "} }"}}), H(2), kViolated,
         "GPAI_ANNEX_XI"},
        {"open source: only copyright policy and summary",
         Deployed({{H(0), gpai_sys + "open_source_licence: 'apache-2.0' } }"},
                   {H(0), Doc("COPYRIGHT_POLICY", "cp", "1")},
                   {H(0), Doc("TRAINING_DATA_SUMMARY", "tds", "1")}}),
         H(2), kSatisfied, "covered"},
        {"not GPAI",
         {{H(0), Credit()}},
         H(1),
         kNotApplicable,
         "general-purpose"}}});
  const std::string big = gpai_sys + "training_compute_flop: 2e25 } }";
  all.push_back({"AIA-30",
                 {{"two weeks from the compute record",
                   {{H(0), big}},
                   D(3),
                   kPending,
                   "due by"},
                  {"late", {{H(0), big}}, D(16), kViolated, "overdue"},
                  {"notified",
                   {{H(0), big}, {D(2), Notify("AI_OFFICE", "", 48)}},
                   D(16),
                   kSatisfied,
                   "done on"},
                  {"under the threshold",
                   {{H(0), gpai_sys + "} }"}},
                   H(1),
                   kNotApplicable,
                   "1e25"}}});
  all.push_back(
      {"AIA-31",
       {{"systemic, incident unreported",
         {{H(0), big},
          {H(1), Incident("i1", "category: INCIDENT_CATEGORY_HEALTH")}},
         D(2),
         kViolated,
         "notification to the AI Office"},
        {"not systemic",
         {{H(0), gpai_sys + "} }"}},
         H(1),
         kNotApplicable,
         "systemic risk"}}});
  all.push_back(
      {"AIA-32",
       {{"explanation requested, month running",
         {{H(0), Credit()}, {H(1), Request("ART86_EXPLANATION", "RECEIVED")}},
         D(3),
         kPending,
         "1 month"},
        {"answered",
         {{H(0), Credit()},
          {H(1), Request("ART86_EXPLANATION", "RECEIVED")},
          {D(5),
           Request("ART86_EXPLANATION", "COMPLETED", "completed_at: $T(120)")}},
         D(6),
         kSatisfied,
         "done on"}}});
  all.push_back(
      {"GDPR-01",
       {{"no personal data",
         {{H(0), kBare}},
         H(1),
         kNotApplicable,
         "personal data"},
        {"retention recorded", {{H(0), Credit()}}, H(1), kSatisfied, "met"},
        {"no retention",
         {{H(0), absl::StrReplaceAll(Credit(), {{"retention_days: 365", ""}})}},
         H(1),
         kViolated,
         "retention of inference logs"}}});
  all.push_back(
      {"GDPR-02",
       {{"contract", {{H(0), Credit()}}, H(1), kSatisfied, "met"},
        {"legitimate interests without an assessment",
         {{H(0), absl::StrReplaceAll(Credit(),
                                     {{"LAWFUL_BASIS_CONTRACT",
                                       "LAWFUL_BASIS_LEGITIMATE_INTERESTS"}})}},
         H(1),
         kViolated,
         "LEGITIMATE_INTEREST_ASSESSMENT"}}});
  all.push_back(
      {"GDPR-03",
       {{"special categories without conditions, deployed",
         Deployed({{H(0),
                    "dataset_version { dataset_id: 'h' version: '1' "
                    "contains_personal_data: true special_categories: "
                    "'health' }"}}),
         H(2), kViolated, "special categories"},
        {"none", {{H(0), Credit()}}, H(1), kNotApplicable, "special"}}});
  all.push_back({"GDPR-04",
                 {{"notice recorded",
                   {{H(0), Credit()}, {H(0), Doc("PRIVACY_NOTICE", "pn")}},
                   H(1),
                   kSatisfied,
                   "PRIVACY_NOTICE pn"},
                  {"indirect data, no notice after a month",
                   {{H(0), Credit()},
                    {H(0), Doc("PRIVACY_NOTICE", "pn")},
                    {H(0),
                     "dataset_version { dataset_id: 'x' version: '1' "
                     "contains_personal_data: true }"}},
                   D(40),
                   kSatisfied,
                   "met"},
                  {"deployed without notice", Deployed(), H(2), kViolated,
                   "PRIVACY_NOTICE not recorded"}}});
  all.push_back({"GDPR-05",
                 {{"access request, month running",
                   {{H(0), Credit()}, {H(1), Request("ACCESS", "RECEIVED")}},
                   D(3),
                   kPending,
                   "due by"},
                  {"extended in the first month: three months",
                   {{H(0), Credit()},
                    {H(1), Request("ACCESS", "RECEIVED")},
                    {D(10), Request("ACCESS", "EXTENDED")}},
                   D(45),
                   kPending,
                   "extended"},
                  {"not answered in a month",
                   {{H(0), Credit()}, {H(1), Request("ACCESS", "RECEIVED")}},
                   D(32),
                   kViolated,
                   "overdue"}}});
  all.push_back(
      {"GDPR-06",
       {{"erasure with an affected version without decision",
         {{H(0), Credit()},
          {H(0), Version("1")},
          {H(1), Request("ERASURE", "RECEIVED",
                         "affected_model_versions { model_id: 'm' version: "
                         "'1' }")},
          {D(3), Request("ERASURE", "COMPLETED", "completed_at: $T(72)")}},
         D(4),
         kPending,
         "recorded decision"},
        {"decided and completed",
         {{H(0), Credit()},
          {H(0), Version("1")},
          {H(1), Request("ERASURE", "RECEIVED",
                         "affected_model_versions { model_id: 'm' version: "
                         "'1' }")},
          {D(2),
           "oversight_action { action_id: 'o' system_id: 'credit' "
           "action: OVERSIGHT_ACTION_TYPE_APPROVE decision_ref: 'q1' "
           "model_version { model_id: 'm' version: '1' } reason: "
           "'retrain' occurred_at: $T(48) }"},
          {D(3), Request("ERASURE", "COMPLETED", "completed_at: $T(72)")}},
         D(4),
         kSatisfied,
         "done on"}}});
  all.push_back(
      {"GDPR-07",
       {{"objection under contract",
         {{H(0), Credit()}, {H(1), Request("OBJECTION", "RECEIVED")}},
         H(2),
         kNotApplicable,
         "Art. 21"},
        {"objection under legitimate interests",
         {{H(0), absl::StrReplaceAll(Credit(),
                                     {{"LAWFUL_BASIS_CONTRACT",
                                       "LAWFUL_BASIS_LEGITIMATE_INTERESTS"}})},
          {H(1), Request("OBJECTION", "RECEIVED")}},
         D(20),
         kAtRisk,
         "left"}}});
  all.push_back(
      {"GDPR-08",
       {{"solely automated, overseen",
         {{H(0), Credit("", "",
                        "solely_automated_decision_with_legal_effect: "
                        "true")},
          {H(1),
           "oversight_action { action_id: 'o' system_id: 'credit' "
           "action: OVERSIGHT_ACTION_TYPE_OVERRIDE occurred_at: $T(1) }"}},
         H(2),
         kSatisfied,
         "met"},
        {"contest unanswered",
         {{H(0), Credit("", "",
                        "solely_automated_decision_with_legal_effect: "
                        "true")},
          {H(1),
           "oversight_action { action_id: 'o' system_id: 'credit' "
           "action: OVERSIGHT_ACTION_TYPE_OVERRIDE occurred_at: $T(1) }"},
          {H(1), Request("ART22_CONTEST", "RECEIVED")}},
         D(40),
         kViolated,
         "overdue"}}});
  all.push_back({"GDPR-09",
                 {{"no dataset: nothing to check",
                   {{H(0), Credit()}},
                   H(1),
                   kSatisfied,
                   "met"},
                  {"personal dataset without anonymisation level",
                   {{H(0), Credit()},
                    {H(0),
                     "dataset_version { dataset_id: 'x' version: '1' "
                     "contains_personal_data: true }"}},
                   H(1),
                   kViolated,
                   "anonymisation level of dataset x@1"}}});
  all.push_back(
      {"GDPR-10",
       {{"no ROPA", {{H(0), Credit()}}, H(1), kViolated, "ROPA not recorded"},
        {"ROPA",
         {{H(0), Credit()}, {H(0), Doc("ROPA", "ropa")}},
         H(1),
         kSatisfied,
         "ROPA ropa"}}});
  all.push_back({"GDPR-11",
                 {{"aigovd's own controls",
                   {{H(0), Credit()}},
                   H(1),
                   kSatisfied,
                   "per-subject keys"},
                  {"no personal data",
                   {{H(0), kBare}},
                   H(1),
                   kNotApplicable,
                   "personal data"}}});
  all.push_back(
      {"GDPR-12",
       {{"unlikely to result in a risk",
         {{H(0), Credit()}, {H(1), Breach("UNLIKELY")}},
         H(2),
         kNotApplicable,
         "not recorded as unlikely"},
        {"72 h running",
         {{H(0), Credit()}, {H(1), Breach("RISK")}},
         H(10),
         kPending,
         "72h",
         "eu-ai-act-omnibus-2026",
         ""},
        {"72 h at risk",
         {{H(0), Credit()}, {H(1), Breach("RISK")}},
         H(50),
         kAtRisk,
         "22 hours left"},
        {"72 h expired",
         {{H(0), Credit()}, {H(1), Breach("RISK")}},
         H(73),
         kViolated,
         "overdue"},
        {"notified at 70 h",
         {{H(0), Credit()},
          {H(1), Breach("RISK")},
          {H(70), Notify("SUPERVISORY_AUTHORITY", "breach_id: 'b1'", 70)}},
         H(80),
         kSatisfied,
         "done on"},
        {"notified at 80 h: late",
         {{H(0), Credit()},
          {H(1), Breach("RISK")},
          {H(80), Notify("SUPERVISORY_AUTHORITY", "breach_id: 'b1'", 80)}},
         H(81),
         kViolated,
         "after the deadline"}}});
  all.push_back({"GDPR-13",
                 {{"high risk, subjects not told",
                   {{H(0), Credit()}, {H(1), Breach("HIGH")}},
                   H(30),
                   kViolated,
                   "notification to the data subjects"},
                  {"not high risk",
                   {{H(0), Credit()}, {H(1), Breach("RISK")}},
                   H(30),
                   kNotApplicable,
                   "high risk"}}});
  all.push_back(
      {"GDPR-14",
       {{"profiling decisions: DPIA before deployment, missing", Deployed(),
         H(2), kViolated, "DPIA not recorded"},
        {"DPIA recorded later: satisfied",
         Deployed({{H(5), Doc("DPIA", "dpia")}}), H(6), kSatisfied,
         "DPIA dpia"},
        {"no profiling", {{H(0), kBare}}, H(1), kNotApplicable, "personal"}}});
  all.push_back({"GDPR-15",
                 {{"destination without mechanism",
                   {{H(0), Credit("", "", "transfer_destinations: 'US'")}},
                   H(1),
                   kPending,
                   "transfer mechanism for US"},
                  {"with mechanism",
                   {{H(0), Credit("", "", "transfer_destinations: 'US:SCC'")}},
                   H(1),
                   kSatisfied,
                   "met"}}});
  return all;
}

}  // namespace
}  // namespace aigov::rules
