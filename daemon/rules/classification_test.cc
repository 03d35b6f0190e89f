#include "daemon/rules/classification.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ClassificationTest, CreditScoringIsHighRiskUnderAnnexIII5b) {
  aigov::v1::RiskProfile risk;
  risk.set_annex_iii_point("5(b)");
  const Classification c = Classify(risk);
  EXPECT_EQ(c.risk_class, RiskClass::kHighRisk);
  EXPECT_TRUE(c.high_risk);
  EXPECT_THAT(c.reasons,
              ElementsAre("high-risk: Annex III 5(b) (creditworthiness or "
                          "credit score), no Art. 6(3) derogation"));
  EXPECT_STREQ(RiskClassName(c.risk_class), "high-risk");
}

TEST(ClassificationTest, AValidDerogationTakesAnAnnexIIISystemOut) {
  aigov::v1::RiskProfile risk;
  risk.set_annex_iii_point("4(a)");
  risk.set_art6_3_derogation_claimed(true);
  risk.set_art6_3_condition("a");
  const Classification c = Classify(risk);
  EXPECT_FALSE(c.high_risk);
  EXPECT_EQ(c.risk_class, RiskClass::kMinimal);
  ASSERT_EQ(c.reasons.size(), 1u);
  EXPECT_THAT(c.reasons[0],
              HasSubstr("not high-risk: Annex III 4(a) (recruitment or "
                        "selection), Art. 6(3)(a) derogation: a narrow "
                        "procedural task"));
}

TEST(ClassificationTest, ProfilingVoidsTheDerogation) {
  aigov::v1::RiskProfile risk;
  risk.set_annex_iii_point("4(a)");
  risk.set_art6_3_derogation_claimed(true);
  risk.set_art6_3_condition("d");
  risk.set_performs_profiling(true);
  const Classification c = Classify(risk);
  EXPECT_TRUE(c.high_risk);
  EXPECT_THAT(c.reasons[0], HasSubstr("derogation claimed is void because "
                                      "the system profiles natural persons"));
}

TEST(ClassificationTest, AnnexIProductsNeedThirdPartyAssessment) {
  aigov::v1::RiskProfile risk;
  risk.set_annex_i_product(true);
  EXPECT_FALSE(Classify(risk).high_risk);
  risk.set_third_party_conformity_assessment(true);
  const Classification c = Classify(risk);
  EXPECT_TRUE(c.high_risk);
  EXPECT_THAT(c.reasons[0], HasSubstr("Art. 6(1)"));
}

TEST(ClassificationTest, AProhibitedPracticeOutranksEverything) {
  aigov::v1::RiskProfile risk;
  risk.set_annex_iii_point("1(a)");
  risk.add_prohibited_practices("h");
  risk.add_prohibited_practices("bb");
  const Classification c = Classify(risk);
  EXPECT_EQ(c.risk_class, RiskClass::kProhibited);
  EXPECT_THAT(c.reasons,
              ElementsAre(HasSubstr("prohibited: Art. 5(1)(h) real-time "
                                    "remote biometric identification"),
                          HasSubstr("prohibited: Art. 5(1)(bb) generating "
                                    "child sexual abuse material"),
                          HasSubstr("high-risk: Annex III 1(a)")));
}

TEST(ClassificationTest, TransparencyAndGpaiTiers) {
  aigov::v1::RiskProfile risk;
  risk.set_interacts_with_persons(true);
  risk.set_generates_synthetic_content(true);
  risk.set_is_gpai_model(true);
  risk.set_training_compute_flop(3e25);
  Classification c = Classify(risk);
  EXPECT_EQ(c.risk_class, RiskClass::kLimited);
  EXPECT_TRUE(c.transparency);
  EXPECT_TRUE(c.gpai_systemic_risk);
  EXPECT_THAT(c.reasons,
              ElementsAre("transparency obligations: Art. 50(1) interaction "
                          "with natural persons; Art. 50(2) synthetic "
                          "content",
                          "general-purpose AI model (Art. 53) with systemic "
                          "risk: training compute 3e+25 FLOP > 1e25 "
                          "(Art. 51(2))"));
  // Exactly at the threshold is not "greater than".
  risk.set_training_compute_flop(1e25);
  EXPECT_FALSE(Classify(risk).gpai_systemic_risk);
  risk.set_systemic_risk_designated(true);
  c = Classify(risk);
  EXPECT_TRUE(c.gpai_systemic_risk);
  EXPECT_THAT(c.reasons.back(), HasSubstr("designated by the Commission"));
}

TEST(ClassificationTest, NothingDeclaredIsMinimalAndSaysWhy) {
  const Classification c = Classify(aigov::v1::RiskProfile());
  EXPECT_EQ(c.risk_class, RiskClass::kMinimal);
  EXPECT_THAT(c.reasons, ElementsAre(HasSubstr("minimal risk")));
}

}  // namespace
}  // namespace aigov::rules
