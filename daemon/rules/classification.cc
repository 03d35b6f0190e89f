#include "daemon/rules/classification.h"

#include <cstdio>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace aigov::rules {
namespace {

// Art. 5(1) points, the Omnibus's (ba) and (bb) included.
const char* PracticeName(std::string_view letter) {
  static constexpr std::pair<std::string_view, const char*> kNames[] = {
      {"a", "subliminal, manipulative or deceptive techniques"},
      {"b", "exploitation of vulnerabilities"},
      {"ba", "generating non-consensual intimate content"},
      {"bb", "generating child sexual abuse material"},
      {"c", "social scoring"},
      {"d", "predicting criminal offences by profiling alone"},
      {"e", "untargeted scraping of facial images"},
      {"f", "emotion recognition at work or in education"},
      {"g", "biometric categorisation by sensitive attributes"},
      {"h", "real-time remote biometric identification for law enforcement"},
  };
  for (const auto& [l, name] : kNames) {
    if (l == letter) return name;
  }
  return nullptr;
}

// Annex III areas and the points REGULATION.md §1.3 names.
const char* AnnexIIIName(std::string_view point) {
  static constexpr std::pair<std::string_view, const char*> kPoints[] = {
      {"1(a)", "remote biometric identification"},
      {"1(b)", "biometric categorisation by sensitive attributes"},
      {"1(c)", "emotion recognition"},
      {"3(a)", "access or admission to education"},
      {"3(b)", "evaluating learning outcomes"},
      {"3(c)", "assessing the level of education"},
      {"3(d)", "detecting prohibited behaviour during tests"},
      {"4(a)", "recruitment or selection"},
      {"4(b)", "decisions on work relationships"},
      {"5(a)", "eligibility for public assistance"},
      {"5(b)", "creditworthiness or credit score"},
      {"5(c)", "life or health insurance risk and pricing"},
      {"5(d)", "emergency call triage or dispatch"},
  };
  static constexpr std::pair<char, const char*> kAreas[] = {
      {'1', "biometrics"},
      {'2', "critical infrastructure"},
      {'3', "education"},
      {'4', "employment"},
      {'5', "essential services"},
      {'6', "law enforcement"},
      {'7', "migration, asylum and border control"},
      {'8', "justice and democratic processes"},
  };
  for (const auto& [p, name] : kPoints) {
    if (p == point) return name;
  }
  for (const auto& [area, name] : kAreas) {
    if (!point.empty() && point[0] == area) return name;
  }
  return nullptr;
}

// "Annex III 5(b) (creditworthiness or credit score)".
std::string AnnexIII(const std::string& point) {
  const char* name = AnnexIIIName(point);
  return name == nullptr ? absl::StrCat("Annex III ", point)
                         : absl::StrCat("Annex III ", point, " (", name, ")");
}

const char* DerogationName(std::string_view condition) {
  if (condition == "a") return "a narrow procedural task";
  if (condition == "b") return "improving a completed human activity";
  if (condition == "c")
    return "detecting patterns without replacing human "
           "assessment";
  if (condition == "d") return "a preparatory task";
  return nullptr;
}

}  // namespace

const char* RiskClassName(RiskClass c) {
  switch (c) {
    case RiskClass::kMinimal:
      return "minimal";
    case RiskClass::kLimited:
      return "limited";
    case RiskClass::kHighRisk:
      return "high-risk";
    case RiskClass::kProhibited:
      return "prohibited";
  }
  return "minimal";
}

Classification Classify(const aigov::v1::RiskProfile& risk) {
  Classification c;
  // 1. Art. 5.
  for (const std::string& letter : risk.prohibited_practices()) {
    const char* name = PracticeName(letter);
    c.reasons.push_back(
        name == nullptr
            ? absl::StrCat("prohibited: Art. 5(1)(", letter, ")")
            : absl::StrCat("prohibited: Art. 5(1)(", letter, ") ", name));
  }
  // 2. Art. 6(1).
  if (risk.annex_i_product() && risk.third_party_conformity_assessment()) {
    c.high_risk = true;
    c.reasons.push_back(
        "high-risk: Art. 6(1), an Annex I product (or its safety component) "
        "needing third-party conformity assessment");
  }
  // 3, 4. Art. 6(2) and Annex III, unless a valid Art. 6(3) derogation.
  if (!risk.annex_iii_point().empty()) {
    const std::string point = AnnexIII(risk.annex_iii_point());
    if (!risk.art6_3_derogation_claimed()) {
      c.high_risk = true;
      c.reasons.push_back(
          absl::StrCat("high-risk: ", point, ", no Art. 6(3) derogation"));
    } else if (risk.performs_profiling()) {
      c.high_risk = true;
      c.reasons.push_back(absl::StrCat(
          "high-risk: ", point,
          "; the Art. 6(3) derogation claimed is void because the system "
          "profiles natural persons"));
    } else {
      const char* why = DerogationName(risk.art6_3_condition());
      c.reasons.push_back(absl::StrCat(
          "not high-risk: ", point, ", Art. 6(3)",
          risk.art6_3_condition().empty()
              ? std::string(" derogation claimed (condition not recorded)")
              : absl::StrCat("(", risk.art6_3_condition(), ") derogation",
                             why == nullptr ? "" : absl::StrCat(": ", why)),
          "; documented and registered under Art. 6(4), 49(2)"));
    }
  }
  // 5. Art. 50.
  std::vector<std::string> transparency;
  if (risk.interacts_with_persons()) {
    transparency.push_back("50(1) interaction with natural persons");
  }
  if (risk.generates_synthetic_content()) {
    transparency.push_back("50(2) synthetic content");
  }
  if (risk.emotion_recognition() || risk.biometric_categorisation()) {
    transparency.push_back(
        "50(3) emotion recognition or biometric categorisation");
  }
  if (risk.deepfake() || risk.public_interest_text()) {
    transparency.push_back("50(4) deepfakes or public-interest text");
  }
  if (!transparency.empty()) {
    c.transparency = true;
    c.reasons.push_back(absl::StrCat("transparency obligations: Art. ",
                                     absl::StrJoin(transparency, "; Art. ")));
  }
  // 6. GPAI.
  if (risk.is_gpai_model()) {
    c.gpai = true;
    const bool over = risk.training_compute_flop() > kSystemicRiskFlop;
    c.gpai_systemic_risk = over || risk.systemic_risk_designated();
    std::string reason = "general-purpose AI model (Art. 53)";
    if (over) {
      char flop[32];
      std::snprintf(flop, sizeof flop, "%.3g", risk.training_compute_flop());
      absl::StrAppend(&reason, " with systemic risk: training compute ", flop,
                      " FLOP > 1e25 (Art. 51(2))");
    } else if (risk.systemic_risk_designated()) {
      absl::StrAppend(&reason,
                      " with systemic risk: designated by the Commission "
                      "(Art. 51(1)(b))");
    }
    c.reasons.push_back(std::move(reason));
  }
  if (risk.prohibited_practices_size() > 0) {
    c.risk_class = RiskClass::kProhibited;
  } else if (c.high_risk) {
    c.risk_class = RiskClass::kHighRisk;
  } else if (c.transparency) {
    c.risk_class = RiskClass::kLimited;
  } else {
    c.risk_class = RiskClass::kMinimal;
  }
  if (c.reasons.empty()) {
    c.reasons.push_back(
        "minimal risk: no Art. 5 practice, no Art. 6 route to high-risk, no "
        "Art. 50 attribute, not a general-purpose AI model");
  }
  return c;
}

}  // namespace aigov::rules
