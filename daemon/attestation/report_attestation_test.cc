#include "daemon/attestation/report_attestation.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "aigov/v1/journal.pb.h"

namespace aigov::attestation {
namespace {

using aigov::v1::ComplianceReport;
using ::testing::HasSubstr;

// A signing key in a temporary file, removed with the fixture.
class ReportAttestationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pem_ = (std::filesystem::temp_directory_path() /
            ("aigov-attestation-" + std::to_string(::getpid()) + ".pem"))
               .string();
    std::filesystem::remove(pem_);
    auto signer = tlog::NoteSigner::LoadOrCreate(pem_, "aigov/test");
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::move(*signer);
    auto verifier =
        tlog::NoteVerifier::FromVerifierKey(signer_->verifier_key());
    ASSERT_TRUE(verifier.ok());
    verifier_ = std::make_unique<tlog::NoteVerifier>(*verifier);

    checkpoint_.origin = "aigov/test";
    checkpoint_.size = 50;
    checkpoint_.root.fill(0xab);

    report_.set_system_id("loans");
    report_.mutable_at()->set_seconds(1'800'000'000);
    report_.mutable_generated_at()->set_seconds(1'800'000'003);
    report_.set_regime("eu-ai-act-2024");
    report_.set_source("evaluated");
    report_.mutable_checkpoint()->set_tree_size(50);
    report_.mutable_checkpoint()->set_root_hash(
        tlog::HashHex(checkpoint_.root));
    report_.set_risk_class("high-risk");
    for (const uint64_t s : {3u, 7u, 41u, 42u}) report_.add_cited_sequences(s);
    auto* violated = report_.add_obligations();
    violated->set_obligation_id("AIA-03");
    violated->set_status(aigov::v1::FINDING_STATUS_VIOLATED);
    violated->set_reason("technical documentation not recorded");
    violated->add_to_fix("EvidenceDocument of type ANNEX_IV_1");
    violated->add_evidence_sequences(3);
    violated->set_finding_sequence(41);
    auto* pending = report_.add_obligations();
    pending->set_obligation_id("GDPR-05");
    pending->set_status(aigov::v1::FINDING_STATUS_AT_RISK);
    pending->set_reason("the request is due");
    pending->mutable_deadline()->set_seconds(1'800'500'000);
    pending->add_evidence_sequences(7);
    pending->set_finding_sequence(42);
    auto* na = report_.add_obligations();
    na->set_obligation_id("AIA-30");
    na->set_status(aigov::v1::FINDING_STATUS_NOT_APPLICABLE);
    na->set_reason("applies only when: GPAI");

    // The finding entries the obligations cite, as the journal holds them.
    for (const auto& o : report_.obligations()) {
      if (o.finding_sequence() == 0) continue;
      aigov::v1::JournalEntry e;
      auto* f = e.mutable_compliance_finding();
      f->set_system_id("loans");
      f->set_obligation_id(o.obligation_id());
      f->set_status(o.status());
      f->set_reason(o.reason());
      if (o.has_deadline()) *f->mutable_deadline() = o.deadline();
      *f->mutable_evidence_sequences() = o.evidence_sequences();
      entries_[o.finding_sequence()] = e.SerializeAsString();
    }
    Attest();
  }

  void TearDown() override { std::filesystem::remove(pem_); }

  void Attest() {
    auto note = signer_->Sign(StatementOf(report_));
    ASSERT_TRUE(note.ok());
    report_.set_attestation(*note);
  }

  absl::StatusOr<ReportCheck> Check(const ComplianceReport& r) {
    return CheckReport(r, *verifier_, checkpoint_,
                       [this](uint64_t s) -> std::optional<std::string> {
                         auto it = entries_.find(s);
                         if (it == entries_.end()) return std::nullopt;
                         return it->second;
                       });
  }

  std::string pem_;
  std::unique_ptr<tlog::NoteSigner> signer_;
  std::unique_ptr<tlog::NoteVerifier> verifier_;
  tlog::Checkpoint checkpoint_;
  ComplianceReport report_;
  std::map<uint64_t, std::string> entries_;
};

TEST_F(ReportAttestationTest, UneditedReportVerifiesAndRestsOnItsFindings) {
  auto check = Check(report_);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->obligations, 3u);
  EXPECT_EQ(check->rest_on_findings, 2u);
}

TEST_F(ReportAttestationTest, StatementHasOneLinePerObligationAndNoFreeText) {
  const std::string body = StatementOf(report_);
  EXPECT_TRUE(absl::StartsWith(body, "aigov-report-attestation/v1\n"));
  EXPECT_THAT(body, HasSubstr("\nobligation AIA-03 status=VIOLATED "
                              "deadline=- finding=41 evidence=3 reason="));
  EXPECT_THAT(body, HasSubstr("obligation GDPR-05 status=AT_RISK "
                              "deadline=2027-01-21T02:53:20Z finding=42"));
  EXPECT_THAT(body, HasSubstr("\ncheckpoint 50 abab"));
  EXPECT_THAT(body, ::testing::Not(HasSubstr("not recorded")));
  // A record's text cannot smuggle a line in.
  report_.set_system_id("loans\nobligation AIA-99 status=SATISFIED");
  EXPECT_THAT(StatementOf(report_),
              HasSubstr("system loans%0Aobligation%20AIA-99%20status%3D"));
  // A checkpoint body does not parse as a statement, nor the reverse.
  EXPECT_FALSE(tlog::ParseCheckpoint(body).ok());
}

TEST_F(ReportAttestationTest, EditedStatusIsRefusedNamingTheObligation) {
  ComplianceReport r = report_;
  r.mutable_obligations(0)->set_status(aigov::v1::FINDING_STATUS_SATISFIED);
  auto check = Check(r);
  ASSERT_EQ(check.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(check.status().message(),
              HasSubstr("obligation AIA-03: status is SATISFIED in "
                        "report.json but VIOLATED in the signed attestation"));
}

TEST_F(ReportAttestationTest, EditedDeadlineEvidenceReasonOrFixIsRefused) {
  ComplianceReport deadline = report_;
  deadline.mutable_obligations(1)->mutable_deadline()->set_seconds(
      1'900'000'000);
  EXPECT_THAT(Check(deadline).status().message(),
              HasSubstr("obligation GDPR-05: deadline is"));

  ComplianceReport evidence = report_;
  evidence.mutable_obligations(0)->add_evidence_sequences(9);
  EXPECT_THAT(Check(evidence).status().message(),
              HasSubstr("obligation AIA-03: evidence is 3,9 in report.json "
                        "but 3 in the signed attestation"));

  ComplianceReport reason = report_;
  reason.mutable_obligations(0)->set_reason("met");
  EXPECT_THAT(Check(reason).status().message(),
              HasSubstr("obligation AIA-03: its reason differ"));

  ComplianceReport fix = report_;
  fix.mutable_obligations(0)->clear_to_fix();
  EXPECT_THAT(Check(fix).status().message(),
              HasSubstr("obligation AIA-03: its fixes differ"));

  ComplianceReport finding = report_;
  finding.mutable_obligations(0)->set_finding_sequence(0);
  EXPECT_THAT(Check(finding).status().message(),
              HasSubstr("obligation AIA-03: finding is 0"));
}

TEST_F(ReportAttestationTest, OmittedOrAddedObligationIsRefused) {
  ComplianceReport omitted = report_;
  omitted.mutable_obligations()->DeleteSubrange(0, 1);
  auto check = Check(omitted);
  ASSERT_EQ(check.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(check.status().message(),
              HasSubstr("obligation AIA-03 is stated in the signed "
                        "attestation but missing from report.json"));

  ComplianceReport added = report_;
  added.add_obligations()->set_obligation_id("AIA-31");
  EXPECT_THAT(Check(added).status().message(),
              HasSubstr("obligation AIA-31 is in report.json but not in the "
                        "signed attestation"));
}

TEST_F(ReportAttestationTest, EditedHeaderOrSectionsAreRefused) {
  ComplianceReport at = report_;
  at.mutable_at()->set_seconds(1'700'000'000);
  EXPECT_THAT(Check(at).status().message(), HasSubstr("at is \"2023-11-14"));
  ComplianceReport cited = report_;
  cited.mutable_cited_sequences()->RemoveLast();
  EXPECT_THAT(Check(cited).status().message(), HasSubstr("cited is \"3 "));
  ComplianceReport sections = report_;
  sections.add_cases();
  EXPECT_THAT(Check(sections).status().message(), HasSubstr("cases=1"));
}

TEST_F(ReportAttestationTest, AttestationOfAnotherCheckpointIsRefused) {
  checkpoint_.size = 51;
  auto check = Check(report_);
  ASSERT_EQ(check.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(check.status().message(),
              HasSubstr("attested at checkpoint 50 abab"));
}

TEST_F(ReportAttestationTest, MissingOrForeignSignatureIsRefused) {
  ComplianceReport none = report_;
  none.clear_attestation();
  EXPECT_EQ(Check(none).status().code(), absl::StatusCode::kFailedPrecondition);

  const std::string other_pem = pem_ + ".other";
  std::filesystem::remove(other_pem);
  auto other = tlog::NoteSigner::LoadOrCreate(other_pem, "aigov/test");
  ASSERT_TRUE(other.ok());
  ComplianceReport forged = report_;
  forged.mutable_obligations(0)->set_status(
      aigov::v1::FINDING_STATUS_SATISFIED);
  forged.set_attestation(*(*other)->Sign(StatementOf(forged)));
  std::filesystem::remove(other_pem);
  EXPECT_EQ(Check(forged).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // A signed checkpoint is not an attestation.
  ComplianceReport swapped = report_;
  swapped.set_attestation(*signer_->Sign(tlog::FormatCheckpoint(checkpoint_)));
  EXPECT_EQ(Check(swapped).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReportAttestationTest, StatusResignedAgainstItsFindingEntryIsRefused) {
  // Whoever holds the key and re-signs an edited report still contradicts
  // the journalled finding, proven in the bundle.
  report_.mutable_obligations(0)->set_status(
      aigov::v1::FINDING_STATUS_SATISFIED);
  Attest();
  auto check = Check(report_);
  ASSERT_EQ(check.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(check.status().message(),
              HasSubstr("obligation AIA-03: its finding entry 41 states "
                        "VIOLATED, report.json SATISFIED"));

  report_.mutable_obligations(0)->set_status(
      aigov::v1::FINDING_STATUS_VIOLATED);
  report_.mutable_obligations(0)->set_finding_sequence(7);
  Attest();
  EXPECT_THAT(Check(report_).status().message(),
              HasSubstr("its finding entry 7 is not in the bundle"));
}

TEST_F(ReportAttestationTest, JournalReportsAlsoMatchTheFindingsEvidence) {
  report_.set_source("journal");
  report_.mutable_obligations(0)->add_evidence_sequences(5);
  Attest();
  EXPECT_THAT(Check(report_).status().message(),
              HasSubstr("cites evidence 3, report.json 3,5"));
}

}  // namespace
}  // namespace aigov::attestation
