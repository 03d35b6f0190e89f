// Risk classification of an AI system by the procedure of REGULATION.md
// §1.3, explained in words: Art. 5 prohibited practices, high-risk by
// Art. 6(1) (Annex I products) or Art. 6(2) (Annex III) unless a valid
// Art. 6(3) derogation, the Art. 50 transparency tier and the GPAI tier.
// Pure and date-independent (when each tier binds is the regime's, applied
// by the evaluator); thread-safe.
#pragma once

#include <string>
#include <vector>

#include "aigov/v1/records.pb.h"

namespace aigov::rules {

// The most severe tier that applies.
enum class RiskClass { kMinimal, kLimited, kHighRisk, kProhibited };

// "minimal", "limited", "high-risk", "prohibited".
const char* RiskClassName(RiskClass c);

struct Classification {
  RiskClass risk_class = RiskClass::kMinimal;
  bool high_risk = false;  // also true under a prohibited practice
  bool transparency = false;
  bool gpai = false;
  bool gpai_systemic_risk = false;
  // One sentence per finding of the procedure, in its order, e.g.
  // "high-risk: Annex III 5(b) (creditworthiness or credit score), no
  // Art. 6(3) derogation".
  std::vector<std::string> reasons;
};

// The training compute above which a GPAI model is presumed to have
// systemic risk (Art. 51(2): "greater than").
inline constexpr double kSystemicRiskFlop = 1e25;

Classification Classify(const aigov::v1::RiskProfile& risk);

}  // namespace aigov::rules
