#include "agents/cli/compliance_cmd.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

#include "agents/cli/client.h"
#include "aigov/v1/compliance_service.grpc.pb.h"
#include "aigov/v1/journal_service.grpc.pb.h"
#include "daemon/tlog/bundle.h"
#include "nlohmann/json.hpp"

namespace aigov::cli {
namespace {

using Json = nlohmann::ordered_json;
using aigov::v1::FindingStatus;

constexpr char kStatusPrefix[] = "FINDING_STATUS_";

// "SATISFIED", "AT_RISK", ...
std::string StatusName(FindingStatus s) {
  std::string name = aigov::v1::FindingStatus_Name(s);
  if (absl::StartsWith(name, kStatusPrefix)) {
    name = name.substr(sizeof(kStatusPrefix) - 1);
  }
  return name;
}

// Violated, at risk or pending: what someone has to act on.
bool IsOpen(FindingStatus s) {
  return s == aigov::v1::FINDING_STATUS_VIOLATED ||
         s == aigov::v1::FINDING_STATUS_AT_RISK ||
         s == aigov::v1::FINDING_STATUS_PENDING;
}

Json Time(const google::protobuf::Timestamp& t, bool present) {
  if (!present) return nullptr;
  return google::protobuf::util::TimeUtil::ToString(t);
}

std::string Text(const Json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

std::string DocumentName(int d) {
  std::string name =
      aigov::v1::DocumentType_Name(static_cast<aigov::v1::DocumentType>(d));
  const std::string prefix = "DOCUMENT_TYPE_";
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return name;
}

int Failed(const grpc::Status& s, const std::string& target) {
  std::fprintf(stderr, "error: %s\n", Describe(s, target).c_str());
  return 1;
}

// Parses --at into `out`; prints the error and returns false when it is not
// an RFC 3339 instant.
bool ParseAt(const std::string& at, google::protobuf::Timestamp* out,
             const char* flag = "--at") {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, at, &t, &error)) {
    std::fprintf(stderr,
                 "error: %s: expected an RFC 3339 time such as "
                 "2027-01-15T00:00:00Z, got \"%s\" (%s)\n",
                 flag, at.c_str(), error.c_str());
    return false;
  }
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) /
                                      absl::Nanoseconds(1)));
  return true;
}

// Writes `text` to `path`; prints the error and returns false on failure.
bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

// What a proof bundle proves: a report's checkpoint and cited entries, and
// the report itself as JSON, written as `json_name`.
struct Proven {
  const aigov::v1::ReportCheckpoint& checkpoint;
  const google::protobuf::RepeatedField<uint64_t>& cited;
  std::string json_name;
};

// Writes the proof bundle of `what` into `dir`: its cited entries with
// inclusion proofs against its checkpoint (JournalService.ProveEntries),
// the checkpoint, the verifier key, and `json`.
int WriteBundle(const std::string& target, const Proven& what,
                const std::string& json, const std::string& dir) {
  aigov::tlog::BundleWriter writer(dir);
  const absl::Status begun =
      writer.Begin(what.checkpoint.note(), what.checkpoint.public_key());
  if (!begun.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(begun.message()).c_str());
    return 1;
  }
  if (!WriteFile(dir + "/" + what.json_name, json)) return 1;
  aigov::v1::ProveEntriesRequest req;
  req.set_tree_size(what.checkpoint.tree_size());
  *req.mutable_sequences() = what.cited;
  auto stub = aigov::v1::JournalService::NewStub(MakeChannel(target));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  auto reader = stub->ProveEntries(&ctx, req);
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  const uint64_t total = static_cast<uint64_t>(req.sequences_size());
  uint64_t count = 0;
  aigov::v1::ProveEntriesResponse resp;
  while (reader->Read(&resp)) {
    for (const aigov::v1::ProvenEntry& e : resp.entries()) {
      aigov::tlog::Hash leaf{};
      std::vector<aigov::tlog::Hash> proof;
      bool ok = aigov::tlog::HashFromBytes(e.leaf_hash(), &leaf);
      for (const std::string& node : e.inclusion_proof()) {
        aigov::tlog::Hash h{};
        ok = ok && aigov::tlog::HashFromBytes(node, &h);
        proof.push_back(h);
      }
      if (!ok ||
          !writer.Add(e.index(), leaf, e.entry(), e.pruned(), &proof).ok()) {
        ctx.TryCancel();
        std::fprintf(stderr, "error: writing the bundle failed at entry %llu\n",
                     static_cast<unsigned long long>(e.index()));
        return 1;
      }
      ++count;
    }
    if (tty) {
      std::fprintf(stderr, "\rproving: %llu / %llu entries",
                   static_cast<unsigned long long>(count),
                   static_cast<unsigned long long>(total));
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  const grpc::Status s = reader->Finish();
  if (!s.ok()) return Failed(s, target);
  if (count != total || !writer.Finish().ok()) {
    std::fprintf(stderr,
                 "error: the bundle in %s is incomplete (%llu of %llu "
                 "entries)\n",
                 dir.c_str(), static_cast<unsigned long long>(count),
                 static_cast<unsigned long long>(total));
    return 1;
  }
  std::fprintf(stderr,
               "bundle: %llu cited entries with inclusion proofs against the "
               "checkpoint at size %llu in %s (check it with aigovctl journal "
               "verify %s)\n",
               static_cast<unsigned long long>(count),
               static_cast<unsigned long long>(what.checkpoint.tree_size()),
               dir.c_str(), dir.c_str());
  return 0;
}

}  // namespace

int ComplianceObligations(const std::string& target, const std::string& regime,
                          bool json) {
  aigov::v1::ListObligationsRequest req;
  req.set_regime(regime);
  auto stub = aigov::v1::ComplianceService::NewStub(MakeChannel(target));
  aigov::v1::ListObligationsResponse resp;
  const grpc::Status s = stub->ListObligations(Context().get(), req, &resp);
  if (!s.ok()) return Failed(s, target);
  Json obligations = Json::array();
  for (const aigov::v1::Obligation& o : resp.obligations()) {
    Json j;
    j["id"] = o.id();
    j["article"] = o.article();
    j["title"] = o.title();
    j["actors"] =
        std::vector<std::string>(o.actors().begin(), o.actors().end());
    j["severity"] = o.severity();
    j["applies_from"] = o.applies_from();
    j["applies_from_cases"] = std::vector<std::string>(
        o.applies_from_cases().begin(), o.applies_from_cases().end());
    Json docs = Json::array();
    for (const int d : o.documents()) docs.push_back(DocumentName(d));
    j["documents"] = std::move(docs);
    j["cover_deployed_versions"] = o.cover_deployed_versions();
    j["evidence_events"] = std::vector<std::string>(o.evidence_events().begin(),
                                                    o.evidence_events().end());
    j["attributes"] =
        std::vector<std::string>(o.attributes().begin(), o.attributes().end());
    j["clock"] = o.clock().empty() ? Json(nullptr) : Json(o.clock());
    j["in_code"] = o.in_code().empty() ? Json(nullptr) : Json(o.in_code());
    obligations.push_back(std::move(j));
  }
  if (json) {
    Json out;
    out["regime"] = resp.regime();
    out["obligations"] = std::move(obligations);
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::printf("regime %s\n", resp.regime().c_str());
  std::printf("%-8s %-16s %-12s %-9s %s\n", "ID", "ARTICLE", "APPLIES",
              "SEVERITY", "TITLE");
  for (const Json& o : obligations) {
    std::printf("%-8s %-16s %-12s %-9s %s\n", Text(o["id"]).c_str(),
                Text(o["article"]).c_str(), Text(o["applies_from"]).c_str(),
                Text(o["severity"]).c_str(), Text(o["title"]).c_str());
  }
  return 0;
}

int ComplianceStatus(const std::string& target, const std::string& system,
                     const std::string& at, bool open_only, bool json) {
  aigov::v1::GetStatusRequest req;
  req.set_system_id(system);
  if (!at.empty() && !ParseAt(at, req.mutable_at())) return 2;
  auto stub = aigov::v1::ComplianceService::NewStub(MakeChannel(target));
  aigov::v1::GetStatusResponse resp;
  const grpc::Status s = stub->GetStatus(Context().get(), req, &resp);
  if (!s.ok()) return Failed(s, target);
  const bool journal = resp.source() == aigov::v1::STATUS_SOURCE_JOURNAL;
  Json out;
  out["system_id"] = resp.system_id();
  out["regime"] = resp.regime();
  out["at"] = Time(resp.at(), true);
  out["risk_class"] = resp.risk_class();
  out["reasons"] =
      std::vector<std::string>(resp.reasons().begin(), resp.reasons().end());
  out["source"] = journal ? "journal" : "evaluated";
  out["next_due"] = Time(resp.next_due(), resp.has_next_due());
  out["tree_size"] = resp.tree_size();
  Json obligations = Json::array();
  std::map<std::string, int> counts;
  for (const aigov::v1::ObligationStatus& o : resp.obligations()) {
    Json j;
    j["id"] = o.obligation_id();
    j["article"] = o.article();
    j["title"] = o.title();
    j["status"] = StatusName(o.status());
    j["reason"] = o.reason();
    j["deadline"] = Time(o.deadline(), o.has_deadline());
    j["evidence_sequences"] = std::vector<uint64_t>(
        o.evidence_sequences().begin(), o.evidence_sequences().end());
    j["finding_sequence"] =
        o.finding_sequence() == 0 ? Json(nullptr) : Json(o.finding_sequence());
    j["to_fix"] =
        std::vector<std::string>(o.to_fix().begin(), o.to_fix().end());
    ++counts[StatusName(o.status())];
    if (open_only && !IsOpen(o.status())) continue;
    obligations.push_back(std::move(j));
  }
  out["obligations"] = std::move(obligations);
  if (json) {
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::printf("%s  %s  regime %s  at %s (%s)\n", resp.system_id().c_str(),
              resp.risk_class().c_str(), resp.regime().c_str(),
              Text(out["at"]).c_str(),
              journal ? "as journalled then" : "evaluated now");
  for (const std::string& r : resp.reasons()) {
    std::printf("  %s\n", r.c_str());
  }
  std::vector<std::string> summary;
  for (const char* name : {"VIOLATED", "AT_RISK", "PENDING", "SATISFIED",
                           "NOT_YET_APPLICABLE", "NOT_APPLICABLE"}) {
    if (counts[name] > 0)
      summary.push_back(absl::StrCat(counts[name], " ", name));
  }
  std::printf("  %s\n", absl::StrJoin(summary, ", ").c_str());
  std::printf("%-8s %-16s %-18s %-20s %s\n", "ID", "ARTICLE", "STATUS",
              "DEADLINE", "REASON");
  for (const Json& o : out["obligations"]) {
    std::printf("%-8s %-16s %-18s %-20s %s\n", Text(o["id"]).c_str(),
                Text(o["article"]).c_str(), Text(o["status"]).c_str(),
                Text(o["deadline"]).c_str(), Text(o["reason"]).c_str());
    for (const Json& fix : o["to_fix"]) {
      std::printf("%-8s to fix: %s\n", "", Text(fix).c_str());
    }
  }
  if (open_only && out["obligations"].empty()) {
    std::printf("no open obligation: nothing violated, at risk or pending\n");
  }
  if (resp.has_next_due()) {
    std::printf("next change due %s\n", Text(out["next_due"]).c_str());
  }
  return 0;
}

int ComplianceFindings(const std::string& target, const std::string& system,
                       const std::string& status, const std::string& obligation,
                       bool json) {
  aigov::v1::ListFindingsRequest req;
  req.set_system_id(system);
  req.set_obligation_id(obligation);
  if (!status.empty()) {
    FindingStatus parsed;
    if (!aigov::v1::FindingStatus_Parse(
            absl::StrCat(kStatusPrefix, absl::AsciiStrToUpper(status)),
            &parsed) ||
        parsed == aigov::v1::FINDING_STATUS_UNSPECIFIED) {
      std::fprintf(stderr,
                   "error: --status: expected SATISFIED, PENDING, AT_RISK, "
                   "VIOLATED, NOT_APPLICABLE or NOT_YET_APPLICABLE, got "
                   "\"%s\"\n",
                   status.c_str());
      return 2;
    }
    req.set_status(parsed);
  }
  req.set_page_size(1000);
  auto stub = aigov::v1::ComplianceService::NewStub(MakeChannel(target));
  Json findings = Json::array();
  for (;;) {
    aigov::v1::ListFindingsResponse resp;
    const grpc::Status s = stub->ListFindings(Context().get(), req, &resp);
    if (!s.ok()) return Failed(s, target);
    for (const aigov::v1::ComplianceFindingEntry& e : resp.findings()) {
      const aigov::v1::ComplianceFinding& f = e.finding();
      Json j;
      j["sequence"] = e.sequence();
      j["recorded_at"] = Time(e.recorded_at(), true);
      j["system_id"] = f.system_id();
      j["obligation_id"] = f.obligation_id();
      j["article"] = f.article();
      j["status"] = StatusName(f.status());
      j["previous_status"] =
          f.previous_status() == aigov::v1::FINDING_STATUS_UNSPECIFIED
              ? Json(nullptr)
              : Json(StatusName(f.previous_status()));
      j["reason"] = f.reason();
      j["to_fix"] =
          std::vector<std::string>(f.to_fix().begin(), f.to_fix().end());
      j["deadline"] = Time(f.deadline(), f.has_deadline());
      j["evidence_sequences"] = std::vector<uint64_t>(
          f.evidence_sequences().begin(), f.evidence_sequences().end());
      j["risk_class"] = f.risk_class();
      j["regime"] = f.regime();
      j["evaluated_at"] = Time(f.evaluated_at(), true);
      findings.push_back(std::move(j));
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  if (json) {
    std::printf("%s\n", findings.dump().c_str());
    return 0;
  }
  if (findings.empty()) {
    std::printf("no finding matches\n");
    return 0;
  }
  std::printf("%-24s %-8s %-18s %-20s %-9s %s\n", "SYSTEM", "ID", "STATUS",
              "DEADLINE", "SEQUENCE", "REASON");
  for (const Json& f : findings) {
    std::printf("%-24s %-8s %-18s %-20s %-9s %s\n",
                Text(f["system_id"]).c_str(), Text(f["obligation_id"]).c_str(),
                Text(f["status"]).c_str(), Text(f["deadline"]).c_str(),
                Text(f["sequence"]).c_str(), Text(f["reason"]).c_str());
    for (const Json& fix : f["to_fix"]) {
      std::printf("%-33s to fix: %s\n", "", Text(fix).c_str());
    }
  }
  return 0;
}

namespace {

// --format as a ReportFormat: md, json (when `json_allowed`) or html; false
// after printing the error.
bool ParseFormat(const std::string& format, bool json_allowed,
                 aigov::v1::ReportFormat* out) {
  const std::string f = absl::AsciiStrToLower(format);
  if (f == "md" || f == "markdown") {
    *out = aigov::v1::REPORT_FORMAT_MARKDOWN;
  } else if (f == "json" && json_allowed) {
    *out = aigov::v1::REPORT_FORMAT_JSON;
  } else if (f == "html") {
    *out = aigov::v1::REPORT_FORMAT_HTML;
  } else {
    std::fprintf(stderr, "error: --format: expected md%s or html, got \"%s\"\n",
                 json_allowed ? ", json" : "", format.c_str());
    return false;
  }
  return true;
}

// Writes `document` (what: "report of credit-scoring") to stdout or `out`,
// then the proof bundle of `report` into `bundle` when set. `report_json`
// is the report as JSON when already rendered, else empty.
int Deliver(const std::string& target, const std::string& what,
            const std::string& document,
            const google::protobuf::Message& report, const Proven& proven,
            std::string report_json, const std::string& out,
            const std::string& bundle) {
  if (out.empty()) {
    std::fwrite(document.data(), 1, document.size(), stdout);
  } else {
    if (!WriteFile(out, document)) return 1;
    std::fprintf(
        stderr,
        "%s written to %s (%d entries cited, checkpoint at size %llu)\n",
        what.c_str(), out.c_str(), proven.cited.size(),
        static_cast<unsigned long long>(proven.checkpoint.tree_size()));
  }
  if (bundle.empty()) return 0;
  if (report_json.empty()) {
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    if (!google::protobuf::util::MessageToJsonString(report, &report_json,
                                                     options)
             .ok()) {
      std::fprintf(stderr, "error: cannot print the report as JSON\n");
      return 1;
    }
  }
  return WriteBundle(target, proven, report_json, bundle);
}

// A report's call context: reports of large records take time.
std::unique_ptr<grpc::ClientContext> ReportContext() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  return ctx;
}

// The gaps a document states, on stderr (its text went to a file).
void PrintGaps(const google::protobuf::RepeatedPtrField<std::string>& gaps) {
  std::fprintf(stderr, "%d gaps stated%s\n", gaps.size(),
               gaps.empty() ? "" : ":");
  for (const std::string& gap : gaps) {
    std::fprintf(stderr, "  - %s\n", gap.c_str());
  }
}

// The proof of a compliance report.
Proven ReportProof(const aigov::v1::ComplianceReport& r) {
  return Proven{r.checkpoint(), r.cited_sequences(), "report.json"};
}

}  // namespace

int ComplianceReport(const std::string& target, const std::string& system,
                     const std::string& at, const std::string& since,
                     const std::string& format, const std::string& out,
                     const std::string& bundle) {
  aigov::v1::GetReportRequest req;
  req.set_system_id(system);
  if (!at.empty() && !ParseAt(at, req.mutable_at())) return 2;
  if (!since.empty() && !ParseAt(since, req.mutable_since(), "--since")) {
    return 2;
  }
  aigov::v1::ReportFormat f;
  if (!ParseFormat(format, true, &f)) return 2;
  req.set_format(f);
  auto stub = aigov::v1::ComplianceService::NewStub(MakeChannel(target));
  aigov::v1::GetReportResponse resp;
  const grpc::Status s = stub->GetReport(ReportContext().get(), req, &resp);
  if (!s.ok()) return Failed(s, target);
  return Deliver(target, absl::StrCat("report of ", system), resp.document(),
                 resp.report(), ReportProof(resp.report()),
                 f == aigov::v1::REPORT_FORMAT_JSON ? resp.document() : "", out,
                 bundle);
}

int ComplianceAnnexIv(const std::string& target, const std::string& system,
                      const std::string& model, const std::string& at,
                      const std::string& format, const std::string& out,
                      const std::string& bundle) {
  aigov::v1::GetAnnexIvRequest req;
  req.set_system_id(system);
  if (!SplitModelFlag(model, req.mutable_model_version()->mutable_model_id(),
                      req.mutable_model_version()->mutable_version())) {
    return 2;
  }
  if (!at.empty() && !ParseAt(at, req.mutable_at())) return 2;
  aigov::v1::ReportFormat f;
  if (!ParseFormat(format, true, &f)) return 2;
  // JSON is assembled here: the dossier in Markdown, its gaps, and the
  // report it is drawn from.
  const bool json = f == aigov::v1::REPORT_FORMAT_JSON;
  req.set_format(json ? aigov::v1::REPORT_FORMAT_MARKDOWN : f);
  auto stub = aigov::v1::ComplianceService::NewStub(MakeChannel(target));
  aigov::v1::GetAnnexIvResponse resp;
  const grpc::Status s = stub->GetAnnexIv(ReportContext().get(), req, &resp);
  if (!s.ok()) return Failed(s, target);
  std::string document = resp.document();
  if (json) {
    Json j;
    j["system_id"] = system;
    j["model"] = model;
    j["gaps"] =
        std::vector<std::string>(resp.gaps().begin(), resp.gaps().end());
    j["markdown"] = resp.document();
    j["report"] = Json::parse(ToJson(resp.report()));
    document = j.dump(2) + "\n";
  }
  const int rc =
      Deliver(target, absl::StrCat("Annex IV dossier of ", model), document,
              resp.report(), ReportProof(resp.report()), "", out, bundle);
  if (rc == 0 && !out.empty()) PrintGaps(resp.gaps());
  return rc;
}

int ComplianceTrainingSummary(const std::string& target,
                              const std::string& model,
                              const std::string& format, const std::string& out,
                              const std::string& bundle) {
  aigov::v1::GetTrainingSummaryRequest req;
  if (!SplitModelFlag(model, req.mutable_model_version()->mutable_model_id(),
                      req.mutable_model_version()->mutable_version())) {
    return 2;
  }
  aigov::v1::ReportFormat f;
  if (!ParseFormat(format, true, &f)) return 2;
  req.set_format(f);
  auto stub = aigov::v1::ComplianceService::NewStub(MakeChannel(target));
  aigov::v1::GetTrainingSummaryResponse resp;
  const grpc::Status s =
      stub->GetTrainingSummary(ReportContext().get(), req, &resp);
  if (!s.ok()) return Failed(s, target);
  const aigov::v1::TrainingDataSummary& summary = resp.summary();
  const int rc = Deliver(
      target, absl::StrCat("training-data summary of ", model), resp.document(),
      summary,
      Proven{summary.checkpoint(), summary.cited_sequences(), "summary.json"},
      f == aigov::v1::REPORT_FORMAT_JSON ? resp.document() : "", out, bundle);
  if (rc == 0 && !out.empty()) PrintGaps(summary.gaps());
  return rc;
}

}  // namespace aigov::cli
