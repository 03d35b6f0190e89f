#include "daemon/reports/annex_iv.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace aigov::reports {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// A high-risk system with three versions of one model (1.0 -> 1.1 -> 2.0,
// the last deployed), an EU declaration covering 1.1 only, a test report
// covering 2.0, a risk register, and a declared metric never observed.
aigov::v1::ComplianceReport Fixture() {
  aigov::v1::ComplianceReport r;
  const bool parsed = google::protobuf::TextFormat::ParseFromString(
      R"pb(
        system_id: "loans"
        risk_class: "high-risk"
        system_sequence: 1
        system {
          system_id: "loans"
          name: "Loan scoring"
          intended_purpose: "score applicants"
          risk { annex_iii_point: "5(b)" continuous_learning: true }
          people { role: "dpo" }
        }
        checkpoint { origin: "aigov" tree_size: 40 root_hash: "ab" }
        obligations {
          obligation_id: "AIA-17"
          article: "Art. 47"
          status: FINDING_STATUS_VIOLATED
          reason: "no EU declaration covers scorer@2.0"
          evidence_sequences: 7
          finding_sequence: 30
        }
        documents {
          sequence: 7
          document_id: "doc-eu"
          type: DOCUMENT_TYPE_EU_DECLARATION_OF_CONFORMITY
          version: "1"
          content_sha256: "e0"
          covers_model_versions { model_id: "scorer" version: "1.1" }
        }
        documents {
          sequence: 8
          document_id: "tests-2"
          type: DOCUMENT_TYPE_TEST_REPORT
          content_sha256: "e1"
          covers_model_versions { model_id: "scorer" version: "2.0" }
        }
        documents {
          sequence: 9
          document_id: "risks"
          type: DOCUMENT_TYPE_RISK_REGISTER
          content_sha256: "e2"
        }
        deployments {
          deployment_id: "prod"
          model_version { model_id: "scorer" version: "2.0" }
          environment: ENVIRONMENT_PROD
          state: DEPLOYMENT_STATE_ENABLED
          sequence: 12
        }
        model_versions { model_id: "scorer" version: "1.0" sequence: 3 }
        model_versions {
          model_id: "scorer"
          version: "1.1"
          sequence: 4
          parent_version: "1.0"
        }
        model_versions {
          model_id: "scorer"
          version: "2.0"
          sequence: 5
          parent_version: "1.1"
          change_class: CHANGE_CLASS_RETRAIN
          code_ref: "git@x:scorer@abc"
          deployed: true
          training_datasets { dataset_id: "apps" version: "2026" }
          source_datasets {
            summary {
              dataset { dataset_id: "apps" version: "2026" }
              registered: true
              licence: "internal"
              contains_personal_data: true
            }
            sequence: 2
          }
          indicators {
            metric: "auc"
            direction: METRIC_DIRECTION_HIGHER_IS_BETTER
            declared_value: 0.8
            threshold: 0.75
          }
          drift_events { what: "drift ALERT" sequence: 20 }
        }
        model_versions { model_id: "other" version: "1" sequence: 6 }
      )pb",
      &r);
  EXPECT_TRUE(parsed);
  return r;
}

aigov::v1::ModelVersionRef Version(const std::string& id,
                                   const std::string& version) {
  aigov::v1::ModelVersionRef ref;
  ref.set_model_id(id);
  ref.set_version(version);
  return ref;
}

TEST(AnnexIvTest, HasTheNinePointsInOrder) {
  const auto dossier = AnnexIvDossier(Fixture(), Version("scorer", "2.0"));
  ASSERT_TRUE(dossier.ok()) << dossier.status();
  const Document& doc = dossier->document;
  ASSERT_EQ(doc.sections.size(), 9u);
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(doc.sections[i].title, kAnnexIvSections[i]);
  }
  EXPECT_EQ(doc.title, "Annex IV technical documentation: scorer@2.0");
  EXPECT_THAT(doc.subtitle, HasSubstr("checkpoint 40 of aigov"));
}

TEST(AnnexIvTest, StatesEachGapAsOneSentence) {
  const auto dossier = AnnexIvDossier(Fixture(), Version("scorer", "2.0"));
  ASSERT_TRUE(dossier.ok()) << dossier.status();
  const std::vector<std::string>& gaps = dossier->gaps;
  EXPECT_THAT(gaps, Contains("No EU declaration of conformity covering "
                             "scorer@2.0 is recorded."));
  EXPECT_THAT(gaps, Contains("No Annex IV point 7 document covering "
                             "scorer@2.0 is recorded."));
  EXPECT_THAT(gaps, Contains("No human overseer is named for system loans."));
  EXPECT_THAT(gaps, Contains("System loans learns after deployment but "
                             "records no pre-determined change plan."));
  EXPECT_THAT(gaps, Contains("No evaluation dataset is declared for "
                             "scorer@2.0."));
  EXPECT_THAT(gaps, Contains("Declared metric auc of scorer@2.0 has no "
                             "observation in operation."));
  EXPECT_THAT(gaps, Contains("scorer@1.1 records no change class against its "
                             "parent 1.0."));
  EXPECT_THAT(gaps, Contains("scorer@2.0 is deployed but no drift window of "
                             "it has been evaluated."));
  // What is recorded is not called missing.
  EXPECT_THAT(gaps, Not(Contains(HasSubstr("test report"))));
  EXPECT_THAT(gaps, Not(Contains(HasSubstr("risk register"))));
  EXPECT_THAT(gaps, Not(Contains(HasSubstr("training dataset"))));
  EXPECT_THAT(gaps, Not(Contains(HasSubstr("source revision"))));
  for (const std::string& gap : gaps) {
    EXPECT_TRUE(absl::EndsWith(gap, ".")) << gap;
    EXPECT_EQ(gap.find(". "), std::string::npos) << gap;
  }
  const std::string md = RenderMarkdown(dossier->document);
  for (const std::string& gap : gaps) {
    EXPECT_THAT(md, HasSubstr(absl::StrCat("\n\n", gap, "\n\n")));
  }
}

TEST(AnnexIvTest, CitesWhatItStatesAndFollowsTheVersionChain) {
  const auto dossier = AnnexIvDossier(Fixture(), Version("scorer", "2.0"));
  ASSERT_TRUE(dossier.ok()) << dossier.status();
  const std::string md = RenderMarkdown(dossier->document);
  EXPECT_THAT(md, HasSubstr("- **Version chain**: 1.0 → 1.1 → 2.0 (#3, #4, "
                            "#5)"));
  // The declaration is listed, as not covering this version.
  EXPECT_THAT(md, HasSubstr("| doc-eu | 1 | e0 | no |"));
  EXPECT_THAT(md, HasSubstr("| tests-2 | - | e1 | yes |"));
  EXPECT_THAT(md, HasSubstr("| risks | - | e2 | - |"));
  EXPECT_THAT(md, HasSubstr("- **AIA-17 (Art. 47)**: VIOLATED: no EU "
                            "declaration covers scorer@2.0 (#7, #30)"));
  EXPECT_THAT(md, HasSubstr("| apps@2026 (#2) | internal |"));
  EXPECT_THAT(md, HasSubstr("| prod | PROD | ENABLED |"));
  EXPECT_THAT(md, HasSubstr("drift ALERT"));
  EXPECT_THAT(md, HasSubstr("scorer@2.0 declares 1 metric with a threshold; "
                            "0 observed in operation, 0 beyond the "
                            "threshold."));
  EXPECT_THAT(md, HasSubstr("| 2.0 | 1.1 | retrain | 1970-01-01T00:00:00Z "
                            "(#5) | prod ENABLED (#12) |"));
  // Each point that has gaps ends with them.
  EXPECT_THAT(md, HasSubstr("### Gaps\n\nNo EU declaration of conformity "
                            "covering scorer@2.0 is recorded.\n\n"));
  // Another model's versions are not in the chain.
  EXPECT_THAT(md, Not(HasSubstr("other@1")));
}

TEST(AnnexIvTest, AVersionWithoutParentIsItsOwnChain) {
  const auto dossier = AnnexIvDossier(Fixture(), Version("scorer", "1.0"));
  ASSERT_TRUE(dossier.ok()) << dossier.status();
  const std::string md = RenderMarkdown(dossier->document);
  EXPECT_THAT(md, HasSubstr("- **Version chain**: 1.0 (#3)"));
  EXPECT_THAT(md, HasSubstr("scorer@1.0 has no recorded deployment."));
  EXPECT_THAT(dossier->gaps,
              Contains("No training dataset is declared for scorer@1.0."));
  EXPECT_THAT(dossier->gaps,
              Contains("No source revision is recorded for scorer@1.0."));
}

TEST(AnnexIvTest, AVersionOfAnotherSystemIsNotFound) {
  const auto dossier = AnnexIvDossier(Fixture(), Version("scorer", "9"));
  EXPECT_EQ(dossier.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(dossier.status().message()),
              HasSubstr("model_version: scorer@9 is not a model version of "
                        "AI system \"loans\""));
}

}  // namespace
}  // namespace aigov::reports
