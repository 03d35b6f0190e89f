#include "daemon/server/compliance_service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"

#include "daemon/common/status_macros.h"
#include "daemon/ingest/event_validator.h"
#include "daemon/reports/annex_iv.h"
#include "daemon/reports/report_render.h"
#include "daemon/reports/training_summary.h"
#include "daemon/rules/evaluate.h"
#include "daemon/rules/snapshot.h"
#include "daemon/server/grpc_status.h"

namespace aigov::server {
namespace {

using aigov::internal::v1::StoredFinding;
using aigov::v1::FindingStatus;

// The range of google.protobuf.Timestamp: years 1 to 9999.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

std::string DayText(const std::optional<absl::CivilDay>& day) {
  return day ? absl::FormatCivilTime(*day) : "never";
}

std::string DateOf(const rules::Regime& regime, const std::string& key) {
  auto it = regime.dates.find(key);
  return it == regime.dates.end() ? "never" : DayText(it->second);
}

void Describe(const rules::Obligation& o, const rules::Regime& regime,
              aigov::v1::Obligation* out) {
  out->set_id(o.id);
  out->set_article(o.article);
  out->set_title(o.title);
  for (const std::string& a : o.actors) out->add_actors(a);
  out->set_severity(rules::SeverityName(o.severity));
  out->set_applies_from(DateOf(regime, o.applies_from));
  for (const rules::DateCase& c : o.applies_from_cases) {
    out->add_applies_from_cases(
        absl::StrCat(c.when, ": ", DateOf(regime, c.date)));
  }
  for (const aigov::v1::DocumentType d : o.documents) out->add_documents(d);
  out->set_cover_deployed_versions(o.cover ==
                                   rules::Cover::kDeployedModelVersions);
  for (const std::string& e : o.evidence_events) out->add_evidence_events(e);
  for (const std::string& a : o.attributes) out->add_attributes(a);
  if (o.clock) out->set_clock(rules::ClockText(*o.clock));
  out->set_in_code(o.in_code);
}

// The catalog index of each obligation id.
std::map<std::string, size_t> CatalogOrder(const rules::Catalog& catalog) {
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < catalog.obligations.size(); ++i) {
    order[catalog.obligations[i].id] = i;
  }
  return order;
}

// An instant inside google.protobuf.Timestamp's range.
absl::Status CheckInstant(const google::protobuf::Timestamp& t,
                          absl::string_view field = "at") {
  if (t.seconds() < kMinTimestampSeconds ||
      t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() >= 1000000000) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": not a valid time (years 1 to 9999)"));
  }
  return absl::OkStatus();
}

// The system and instant a report request names (unset `at`: now).
absl::StatusOr<std::optional<absl::Time>> ReportTarget(
    const std::string& system_id, const google::protobuf::Timestamp* at) {
  AIGOV_RETURN_IF_ERROR(ingest::ValidateId(system_id, "system_id"));
  if (at == nullptr) return std::nullopt;
  AIGOV_RETURN_IF_ERROR(CheckInstant(*at));
  return rules::TimeOf(*at);
}

// `message` in `format`: its JSON, or `document()` as Markdown or HTML;
// empty for UNSPECIFIED.
template <typename DocumentFn>
absl::StatusOr<std::string> Render(aigov::v1::ReportFormat format,
                                   const google::protobuf::Message& message,
                                   DocumentFn document) {
  switch (format) {
    case aigov::v1::REPORT_FORMAT_JSON:
      return reports::ReportJson(message);
    case aigov::v1::REPORT_FORMAT_MARKDOWN:
      return reports::RenderMarkdown(document());
    case aigov::v1::REPORT_FORMAT_HTML:
      return reports::RenderHtml(document(), {});
    default:
      return std::string();
  }
}

// A model version a request names: both parts required, as ids.
absl::Status ValidateModelVersionRef(const aigov::v1::ModelVersionRef& mv) {
  AIGOV_RETURN_IF_ERROR(
      ingest::ValidateId(mv.model_id(), "model_version.model_id"));
  return ingest::ValidateId(mv.version(), "model_version.version");
}

// A page token: the system and obligation of the last finding returned.
std::string TokenOf(const std::string& system, const std::string& obligation) {
  return absl::StrCat(system, "/", obligation);
}

}  // namespace

grpc::ServerUnaryReactor* ComplianceServiceImpl::ListObligations(
    grpc::CallbackServerContext* context,
    const aigov::v1::ListObligationsRequest* request,
    aigov::v1::ListObligationsResponse* response) {
  const rules::Catalog& catalog = view_.catalog();
  const rules::Regime* regime = &view_.regime();
  if (!request->regime().empty()) {
    regime = catalog.FindRegime(request->regime());
    if (regime == nullptr) {
      std::vector<std::string> known;
      for (const rules::Regime& r : catalog.regimes) known.push_back(r.id);
      return FinishUnary(
          context,
          absl::InvalidArgumentError(absl::StrCat(
              "regime: unknown regime \"", request->regime(),
              "\"; the catalog defines ", absl::StrJoin(known, ", "))));
    }
  }
  response->set_regime(regime->id);
  for (const rules::Obligation& o : catalog.obligations) {
    Describe(o, *regime, response->add_obligations());
  }
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::GetStatus(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetStatusRequest* request,
    aigov::v1::GetStatusResponse* response) {
  const std::string& system_id = request->system_id();
  if (absl::Status s = ingest::ValidateId(system_id, "system_id"); !s.ok()) {
    return FinishUnary(context, s);
  }
  const absl::Time now = clock_.Now();
  absl::Time at = now;
  if (request->has_at()) {
    if (absl::Status s = CheckInstant(request->at()); !s.ok()) {
      return FinishUnary(context, s);
    }
    at = rules::TimeOf(request->at());
  }
  auto status = reports::StatusAt(view_, journal_, system_id, at, now);
  if (!status.ok()) return FinishUnary(context, status.status());
  *response = std::move(*status);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::GetReport(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetReportRequest* request,
    aigov::v1::GetReportResponse* response) {
  auto at = ReportTarget(request->system_id(),
                         request->has_at() ? &request->at() : nullptr);
  if (!at.ok()) return FinishUnary(context, at.status());
  if (!aigov::v1::ReportFormat_IsValid(request->format())) {
    return FinishUnary(context,
                       absl::InvalidArgumentError(absl::StrCat(
                           "format: unknown value ", request->format())));
  }
  std::optional<absl::Time> since;
  if (request->has_since()) {
    if (absl::Status s = CheckInstant(request->since(), "since"); !s.ok()) {
      return FinishUnary(context, s);
    }
    since = rules::TimeOf(request->since());
  }
  auto report = reports_.Build(request->system_id(), *at, since);
  if (!report.ok()) return FinishUnary(context, report.status());
  auto document = Render(request->format(), *report,
                         [&] { return reports::ReportDocument(*report); });
  if (!document.ok()) return FinishUnary(context, document.status());
  response->set_document(*std::move(document));
  *response->mutable_report() = *std::move(report);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::GetAnnexIv(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetAnnexIvRequest* request,
    aigov::v1::GetAnnexIvResponse* response) {
  auto at = ReportTarget(request->system_id(),
                         request->has_at() ? &request->at() : nullptr);
  if (!at.ok()) return FinishUnary(context, at.status());
  const aigov::v1::ModelVersionRef& mv = request->model_version();
  if (absl::Status s = ValidateModelVersionRef(mv); !s.ok()) {
    return FinishUnary(context, s);
  }
  const aigov::v1::ReportFormat format = request->format();
  if (format != aigov::v1::REPORT_FORMAT_MARKDOWN &&
      format != aigov::v1::REPORT_FORMAT_HTML) {
    return FinishUnary(context,
                       absl::InvalidArgumentError(
                           "format: the Annex IV dossier is rendered as "
                           "REPORT_FORMAT_MARKDOWN or REPORT_FORMAT_HTML"));
  }
  auto report = reports_.Build(request->system_id(), *at);
  if (!report.ok()) return FinishUnary(context, report.status());
  auto dossier = reports::AnnexIvDossier(*report, mv);
  if (!dossier.ok()) return FinishUnary(context, dossier.status());
  response->set_document(format == aigov::v1::REPORT_FORMAT_HTML
                             ? reports::RenderHtml(dossier->document, {})
                             : reports::RenderMarkdown(dossier->document));
  for (std::string& gap : dossier->gaps) response->add_gaps(std::move(gap));
  *response->mutable_report() = *std::move(report);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::GetTrainingSummary(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetTrainingSummaryRequest* request,
    aigov::v1::GetTrainingSummaryResponse* response) {
  const aigov::v1::ModelVersionRef& mv = request->model_version();
  if (absl::Status s = ValidateModelVersionRef(mv); !s.ok()) {
    return FinishUnary(context, s);
  }
  if (!aigov::v1::ReportFormat_IsValid(request->format())) {
    return FinishUnary(context,
                       absl::InvalidArgumentError(absl::StrCat(
                           "format: unknown value ", request->format())));
  }
  auto summary = reports_.TrainingSummary(mv);
  if (!summary.ok()) return FinishUnary(context, summary.status());
  auto document = Render(request->format(), *summary, [&] {
    return reports::TrainingSummaryDocument(*summary);
  });
  if (!document.ok()) return FinishUnary(context, document.status());
  response->set_document(*std::move(document));
  *response->mutable_summary() = *std::move(summary);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ComplianceServiceImpl::ListFindings(
    grpc::CallbackServerContext* context,
    const aigov::v1::ListFindingsRequest* request,
    aigov::v1::ListFindingsResponse* response) {
  const rules::Catalog& catalog = view_.catalog();
  if (!request->system_id().empty()) {
    if (absl::Status s = ingest::ValidateId(request->system_id(), "system_id");
        !s.ok()) {
      return FinishUnary(context, s);
    }
  }
  if (!request->obligation_id().empty() &&
      catalog.Find(request->obligation_id()) == nullptr) {
    return FinishUnary(
        context,
        absl::InvalidArgumentError(absl::StrCat(
            "obligation_id: unknown obligation \"", request->obligation_id(),
            "\"; ids are AIA-01 to AIA-32 and GDPR-01 to GDPR-15 "
            "(aigovctl compliance obligations)")));
  }
  if (!aigov::v1::FindingStatus_IsValid(request->status())) {
    return FinishUnary(context,
                       absl::InvalidArgumentError(absl::StrCat(
                           "status: unknown value ", request->status())));
  }
  const std::map<std::string, size_t> order = CatalogOrder(catalog);
  std::string resume_system;
  size_t resume_after = 0;  // catalog index + 1 of the last returned
  if (!request->page_token().empty()) {
    const size_t slash = request->page_token().rfind('/');
    auto it = slash == std::string::npos
                  ? order.end()
                  : order.find(request->page_token().substr(slash + 1));
    if (it == order.end()) {
      return FinishUnary(context,
                         absl::InvalidArgumentError(
                             "page_token: not one this service returned"));
    }
    resume_system = request->page_token().substr(0, slash);
    resume_after = it->second + 1;
  }
  const size_t page =
      request->page_size() == 0
          ? 100
          : std::min<size_t>(request->page_size(), size_t{1000});

  auto full = [&] {
    return static_cast<size_t>(response->findings_size()) == page;
  };
  // Appends the system's matching findings from catalog index `from` until
  // the page is full.
  auto take = [&](const std::string& system, size_t from) -> absl::Status {
    AIGOV_ASSIGN_OR_RETURN(const auto record, view_.Record(system));
    if (!record) return absl::OkStatus();
    std::vector<std::pair<size_t, const StoredFinding*>> found;
    for (const StoredFinding& f : record->findings()) {
      auto it = order.find(f.obligation_id());
      const size_t index = it == order.end() ? order.size() : it->second;
      if (index < from) continue;
      if (!request->obligation_id().empty() &&
          f.obligation_id() != request->obligation_id()) {
        continue;
      }
      if (request->status() != aigov::v1::FINDING_STATUS_UNSPECIFIED &&
          f.status() != request->status()) {
        continue;
      }
      found.emplace_back(index, &f);
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [index, f] : found) {
      if (full()) break;
      AIGOV_ASSIGN_OR_RETURN(aigov::v1::JournalEntry entry,
                             journal_.Get(f->sequence()));
      aigov::v1::ComplianceFindingEntry* out = response->add_findings();
      out->set_sequence(f->sequence());
      *out->mutable_recorded_at() = entry.recorded_at();
      *out->mutable_finding() = std::move(*entry.mutable_compliance_finding());
    }
    return absl::OkStatus();
  };
  auto finish_page = [&] {
    if (full()) {
      const auto& last = response->findings(response->findings_size() - 1);
      response->set_next_page_token(
          TokenOf(last.finding().system_id(), last.finding().obligation_id()));
    }
    return FinishUnary(context, absl::OkStatus());
  };

  if (!request->system_id().empty()) {
    if (!resume_system.empty() && resume_system != request->system_id()) {
      return FinishUnary(context,
                         absl::InvalidArgumentError(
                             "page_token: from a query of another system"));
    }
    if (absl::Status s = take(request->system_id(), resume_after); !s.ok()) {
      return FinishUnary(context, s);
    }
    return finish_page();
  }
  std::string after;
  if (!resume_system.empty()) {
    if (absl::Status s = take(resume_system, resume_after); !s.ok()) {
      return FinishUnary(context, s);
    }
    after = resume_system;
  }
  constexpr size_t kChunk = 256;
  while (!full()) {
    const auto systems = view_.Systems(after, kChunk);
    if (!systems.ok()) return FinishUnary(context, systems.status());
    for (const std::string& s : *systems) {
      if (full()) break;
      if (absl::Status st = take(s, 0); !st.ok()) {
        return FinishUnary(context, st);
      }
    }
    if (systems->size() < kChunk) break;
    after = systems->back();
  }
  return finish_page();
}

}  // namespace aigov::server
