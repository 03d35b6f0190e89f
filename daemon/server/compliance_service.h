// aigov.v1.ComplianceService over the gRPC callback API: the obligation
// catalog, a system's status at an instant, and the findings in force.
//
// Read-only. A status at or after now is evaluated from the system's
// committed record (rules::Evaluate, the same code the deriver runs); a
// status at a past instant is read from the ComplianceFinding entries
// journalled by then, each cited by its sequence, so the answer is what
// aigovd concluded at the time, provable against a signed checkpoint
// (reports::StatusAt). GetReport assembles and renders the report
// (reports::ReportBuilder, reports/report_render.h); GetAnnexIv draws a model
// version's Annex IV dossier from it (reports/annex_iv.h); GetTrainingSummary
// builds a model version's Art. 53(1)(d) summary
// (reports/training_summary.h).
//
// Thread-safe. Everything passed to the constructor must outlive it.
#pragma once

#include "aigov/v1/compliance_service.grpc.pb.h"
#include "daemon/common/clock.h"
#include "daemon/compliance/compliance_view.h"
#include "daemon/journal/journal_reader.h"
#include "daemon/reports/report_builder.h"

namespace aigov::server {

class ComplianceServiceImpl final
    : public aigov::v1::ComplianceService::CallbackService {
 public:
  ComplianceServiceImpl(const compliance::ComplianceView& view,
                        const journal::JournalReader& journal,
                        const reports::ReportBuilder& reports,
                        const common::Clock& clock)
      : view_(view), journal_(journal), reports_(reports), clock_(clock) {}

  grpc::ServerUnaryReactor* ListObligations(
      grpc::CallbackServerContext* context,
      const aigov::v1::ListObligationsRequest* request,
      aigov::v1::ListObligationsResponse* response) override;
  grpc::ServerUnaryReactor* GetStatus(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetStatusRequest* request,
      aigov::v1::GetStatusResponse* response) override;
  grpc::ServerUnaryReactor* ListFindings(
      grpc::CallbackServerContext* context,
      const aigov::v1::ListFindingsRequest* request,
      aigov::v1::ListFindingsResponse* response) override;
  grpc::ServerUnaryReactor* GetReport(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetReportRequest* request,
      aigov::v1::GetReportResponse* response) override;
  grpc::ServerUnaryReactor* GetAnnexIv(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetAnnexIvRequest* request,
      aigov::v1::GetAnnexIvResponse* response) override;
  grpc::ServerUnaryReactor* GetTrainingSummary(
      grpc::CallbackServerContext* context,
      const aigov::v1::GetTrainingSummaryRequest* request,
      aigov::v1::GetTrainingSummaryResponse* response) override;

 private:
  const compliance::ComplianceView& view_;
  const journal::JournalReader& journal_;
  const reports::ReportBuilder& reports_;
  const common::Clock& clock_;
};

}  // namespace aigov::server
