#include "daemon/reports/web.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

#include "daemon/common/status_macros.h"
#include "daemon/kinds/kinds.h"
#include "daemon/reports/markdown_html.h"
#include "daemon/reports/report_render.h"
#include "daemon/rules/evaluate.h"
#include "daemon/rules/snapshot.h"
#include "daemon/tlog/bundle.h"

namespace aigov::reports {
namespace {

#include "daemon/reports/runbooks_data.inc"

constexpr char kSystemsPrefix[] = "/compliance/systems/";
constexpr char kEntriesPrefix[] = "/journal/entries/";

// A page with a message in a document of its own.
WebPage Message(int status, const std::string& title, const std::string& text) {
  Document doc;
  doc.title = title;
  doc.Add("What happened").Paragraph(text);
  HtmlOptions options;
  options.breadcrumbs = {{"Compliance", "/compliance"}, {title, ""}};
  return WebPage{status, "text/html; charset=utf-8", RenderHtml(doc, options)};
}

WebPage Failure(const absl::Status& s) {
  if (absl::IsNotFound(s)) {
    return Message(404, "Not found", std::string(s.message()));
  }
  return Message(500, "aigovd could not answer",
                 absl::StrCat(s.ToString(), " (see aigovd's log)"));
}

// The CSS tone of a status name.
std::string Tone(const std::string& status) {
  return status == "VIOLATED" ? "violated" : "at_risk";
}

struct SystemRow {
  std::string id;
  std::string name;
  std::string risk_class;
  std::map<std::string, int> counts;
  // The earliest deadline of an open obligation, and which.
  std::optional<google::protobuf::Timestamp> next_deadline;
  std::string next_obligation;
};

// A POSIX ustar archive of regular files, built in memory (the web view's
// bundle download); mode 0644, `mtime` for each. Names must be shorter than
// 100 bytes (the caller keeps them so; AIGOV_CHECKed).
class Tar {
 public:
  explicit Tar(int64_t mtime) : mtime_(mtime) {}

  void Add(const std::string& name, const std::string& data) {
    AIGOV_CHECK(name.size() < 100);
    char header[512] = {};
    std::snprintf(header, 100, "%s", name.c_str());
    std::snprintf(header + 100, 8, "%07o", 0644);
    std::snprintf(header + 108, 8, "%07o", 0);
    std::snprintf(header + 116, 8, "%07o", 0);
    std::snprintf(header + 124, 12, "%011llo",
                  static_cast<unsigned long long>(data.size()));
    std::snprintf(header + 136, 12, "%011llo",
                  static_cast<unsigned long long>(mtime_));
    header[156] = '0';
    std::memcpy(header + 257, "ustar", 6);
    std::memcpy(header + 263, "00", 2);
    std::memset(header + 148, ' ', 8);
    unsigned sum = 0;
    for (const char c : header) sum += static_cast<unsigned char>(c);
    std::snprintf(header + 148, 8, "%06o", sum);
    out_.append(header, sizeof(header));
    out_ += data;
    out_.append((512 - data.size() % 512) % 512, '\0');
  }

  // The archive, closed by its two zero blocks.
  std::string Finish() {
    out_.append(1024, '\0');
    return std::move(out_);
  }

 private:
  const int64_t mtime_;
  std::string out_;
};

using rules::IsOpen;

}  // namespace

WebPage WebView::Get(const std::string& path) const {
  if (path == "/compliance" || path == "/compliance/") return Systems();
  if (path == "/runbooks" || path == "/runbooks/") return Runbooks();
  if (absl::StartsWith(path, kSystemsPrefix)) {
    const std::string rest = path.substr(sizeof(kSystemsPrefix) - 1);
    const size_t slash = rest.find('/');
    if (slash == std::string::npos) return System(rest);
    return Download(rest.substr(0, slash), rest.substr(slash + 1));
  }
  if (absl::StartsWith(path, kEntriesPrefix)) {
    return Entry(path.substr(sizeof(kEntriesPrefix) - 1));
  }
  return Message(404, "Not found",
                 "aigovd serves /compliance, /compliance/systems/ID (with "
                 "report.json, report.md and bundle.tar beneath it) and "
                 "/journal/entries/N here.");
}

WebPage WebView::Systems() const {
  const absl::Time now = reports_.Now();
  std::vector<SystemRow> rows;
  std::string after;
  constexpr size_t kChunk = 256;
  for (;;) {
    auto ids = view_.Systems(after, kChunk);
    if (!ids.ok()) return Failure(ids.status());
    for (const std::string& id : *ids) {
      auto status = StatusAt(view_, journal_, id, now, now);
      if (absl::IsNotFound(status.status())) continue;  // named, unregistered
      if (!status.ok()) return Failure(status.status());
      auto record = view_.Record(id);
      SystemRow row;
      row.id = id;
      if (record.ok() && record->has_value()) {
        row.name = (*record)->system().name();
      }
      row.risk_class = status->risk_class();
      for (const auto& o : status->obligations()) {
        ++row.counts[EnumText(aigov::v1::FindingStatus_Name(o.status()),
                              "FINDING_STATUS_")];
        if (IsOpen(o.status()) && o.has_deadline() &&
            (!row.next_deadline ||
             o.deadline().seconds() < row.next_deadline->seconds())) {
          row.next_deadline = o.deadline();
          row.next_obligation = o.obligation_id();
        }
      }
      rows.push_back(std::move(row));
    }
    if (ids->size() < kChunk) break;
    after = ids->back();
  }
  auto count = [](const SystemRow& r, const char* status) {
    auto it = r.counts.find(status);
    return it == r.counts.end() ? 0 : it->second;
  };
  std::stable_sort(
      rows.begin(), rows.end(),
      [&count](const SystemRow& a, const SystemRow& b) {
        return std::make_pair(count(a, "VIOLATED"), count(a, "AT_RISK")) >
               std::make_pair(count(b, "VIOLATED"), count(b, "AT_RISK"));
      });
  Document doc;
  doc.title = "AI systems and their obligations";
  doc.subtitle = absl::StrCat(
      Counted(static_cast<int64_t>(rows.size()), "registered AI system"),
      ", evaluated ", TimeText(rules::TimestampOf(now), true),
      "; systems with violations first");
  Section& s = doc.Add("AI systems");
  if (rows.empty()) {
    s.Paragraph(
        "No AI system is registered yet (record one with aigovctl apply, "
        "kind AiSystem).");
  } else {
    const std::vector<aigov::v1::FindingStatus> statuses = {
        aigov::v1::FINDING_STATUS_VIOLATED,
        aigov::v1::FINDING_STATUS_AT_RISK,
        aigov::v1::FINDING_STATUS_PENDING,
        aigov::v1::FINDING_STATUS_SATISFIED,
        aigov::v1::FINDING_STATUS_NOT_YET_APPLICABLE,
        aigov::v1::FINDING_STATUS_NOT_APPLICABLE};
    std::vector<std::string> header = {"System", "Name", "Risk class",
                                       "Next deadline"};
    for (const auto st : statuses) header.push_back(StatusLabel(st));
    Block& t = s.Table(header);
    for (const SystemRow& r : rows) {
      std::vector<Cell> cells;
      cells.push_back(Link(r.id, absl::StrCat(kSystemsPrefix, r.id)));
      cells.push_back(Text(r.name));
      cells.push_back(Text(r.risk_class));
      if (r.next_deadline) {
        Cell c = When(*r.next_deadline, true);
        c.text = absl::StrCat(c.text, " (", r.next_obligation, ")");
        cells.push_back(std::move(c));
      } else {
        cells.push_back(Text("none"));
      }
      for (const auto status : statuses) {
        const std::string st = StatusText(status);
        auto it = r.counts.find(st);
        const int n = it == r.counts.end() ? 0 : it->second;
        cells.push_back(Toned(
            absl::StrCat(n),
            n > 0 && (st == "VIOLATED" || st == "AT_RISK") ? Tone(st) : ""));
      }
      t.rows.push_back(std::move(cells));
    }
  }
  HtmlOptions options;
  options.breadcrumbs = {{"Compliance", ""}};
  return WebPage{200, "text/html; charset=utf-8", RenderHtml(doc, options)};
}

WebPage WebView::System(const std::string& id) const {
  auto report = reports_.Build(id, std::nullopt);
  if (!report.ok()) return Failure(report.status());
  HtmlOptions options;
  options.entry_link_prefix = kEntriesPrefix;
  options.breadcrumbs = {{"Compliance", "/compliance"}, {id, ""}};
  const std::string base = absl::StrCat(kSystemsPrefix, id, "/");
  options.downloads = {
      {"report.json (the report as JSON)", base + "report.json"},
      {"report.md (Markdown)", base + "report.md"},
      {"bundle.tar (report.json with its signed attestation, the cited "
       "entries and their inclusion proofs, the checkpoint and key: check it "
       "with aigovctl journal verify)",
       base + "bundle.tar"}};
  return WebPage{200, "text/html; charset=utf-8",
                 RenderHtml(ReportDocument(*report), options)};
}

WebPage WebView::Download(const std::string& id,
                          const std::string& file) const {
  if (file != "report.json" && file != "report.md" && file != "bundle.tar") {
    return Message(404, "Not found",
                   absl::StrCat("a system's downloads are report.json, "
                                "report.md and bundle.tar, not \"",
                                file, "\""));
  }
  auto report = reports_.Build(id, std::nullopt);
  if (!report.ok()) return Failure(report.status());
  if (file == "report.md") {
    return WebPage{200, "text/markdown; charset=utf-8",
                   RenderMarkdown(ReportDocument(*report))};
  }
  auto json = ReportJson(*report);
  if (!json.ok()) return Failure(json.status());
  if (file == "report.json") {
    return WebPage{200, "application/json", *std::move(json)};
  }
  const std::vector<uint64_t> cited(report->cited_sequences().begin(),
                                    report->cited_sequences().end());
  auto proven = journal_.ProveEntries(cited, report->checkpoint().tree_size());
  if (!proven.ok()) return Failure(proven.status());
  std::string lines;
  for (const journal::ProvenEntry& e : *proven) {
    lines += tlog::FormatBundleLine(e.entry.index, e.entry.leaf_hash,
                                    e.entry.bytes, e.entry.pruned, &e.proof);
  }
  // A ustar name holds 99 bytes: a system id may hold 128, so a long one
  // gets a plain "bundle/" (report.json names the system).
  std::string dir = absl::StrCat(id, "-bundle/");
  if (dir.size() + sizeof("entries.jsonl") > 100) dir = "bundle/";
  Tar tar(report->generated_at().seconds());
  tar.Add(dir + "checkpoint", report->checkpoint().note());
  tar.Add(dir + "public_key", report->checkpoint().public_key() + "\n");
  tar.Add(dir + "report.json", *json);
  tar.Add(dir + "entries.jsonl", lines);
  return WebPage{200, "application/x-tar", tar.Finish()};
}

WebPage WebView::Runbooks() const {
  std::string body = absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\"><link rel=\"icon\" href=\"data:,\">"
      "<title>aigov runbooks</title><style>",
      Stylesheet(),
      "</style></head>\n<body>\n<nav class=\"crumbs\"><a "
      "href=\"/\">aigovd</a> / runbooks</nav>\n");
  for (const auto& [name, text] : kEmbeddedFiles) {
    (void)name;
    body += MarkdownToHtml(text);
  }
  body += "</body></html>\n";
  return WebPage{200, "text/html; charset=utf-8", std::move(body)};
}

WebPage WebView::Entry(const std::string& text) const {
  uint64_t sequence = 0;
  if (!absl::SimpleAtoi(text, &sequence)) {
    return Message(404, "Not found",
                   absl::StrCat("\"", text, "\" is not a sequence number"));
  }
  auto entry = journal_.Get(sequence);
  if (!entry.ok()) return Failure(entry.status());
  google::protobuf::util::JsonPrintOptions json_options;
  json_options.add_whitespace = true;
  json_options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*entry, &json, json_options)
           .ok()) {
    return Failure(absl::InternalError("the entry cannot be printed"));
  }
  const journal::SignedCheckpoint checkpoint = latest_();
  Document doc;
  doc.title = absl::StrCat("Journal entry ", sequence);
  doc.subtitle = absl::StrCat(
      kinds::KindName(kinds::EventKindOf(*entry)), " recorded ",
      TimeText(entry->recorded_at(), true), " by ", entry->principal());
  Section& s = doc.Add("Entry");
  Block& facts = s.Facts();
  facts.facts.emplace_back("Sequence", Text(absl::StrCat(sequence)));
  facts.facts.emplace_back("Kind",
                           Text(kinds::KindName(kinds::EventKindOf(*entry))));
  facts.facts.emplace_back("Event id", Text(entry->event_id()));
  if (entry->derived_from_size() > 0) {
    facts.facts.emplace_back("Derived from",
                             Cites("", {entry->derived_from().begin(),
                                        entry->derived_from().end()}));
  }
  s.Paragraph(
      "The entry as journalled; personal-data fields stay sealed (aigovctl "
      "journal get shows them to an operator).");
  s.Code(json);

  Section& p = doc.Add("Inclusion proof");
  if (sequence >= checkpoint.checkpoint.size) {
    p.Paragraph(absl::StrCat(
        "No signed checkpoint covers this entry yet (the latest covers ",
        checkpoint.checkpoint.size,
        " entries); aigovd signs one within a second while entries arrive. "
        "Reload to see its proof."));
  } else {
    auto proven = journal_.ProveEntries({sequence}, checkpoint.checkpoint.size);
    if (!proven.ok()) return Failure(proven.status());
    const journal::ProvenEntry& e = proven->front();
    Block& f = p.Facts();
    f.facts.emplace_back("Leaf hash", Text(tlog::HashHex(e.entry.leaf_hash)));
    f.facts.emplace_back(
        "Checkpoint",
        Text(absl::StrCat(checkpoint.checkpoint.origin, ", ",
                          checkpoint.checkpoint.size, " entries, root ",
                          tlog::HashHex(checkpoint.checkpoint.root))));
    std::string path;
    for (const tlog::Hash& h : e.proof) {
      absl::StrAppend(&path, tlog::HashHex(h), "\n");
    }
    p.Paragraph(
        absl::StrCat("The RFC 6962 audit path from the leaf to the root, ",
                     e.proof.size(), " hashes, leaf side first:"));
    p.Code(path.empty() ? "(empty: the tree holds this entry alone)" : path);
    p.Heading("Signed checkpoint");
    p.Code(checkpoint.note);
  }
  HtmlOptions options;
  options.entry_link_prefix = kEntriesPrefix;
  options.breadcrumbs = {{"Compliance", "/compliance"},
                         {absl::StrCat("entry ", sequence), ""}};
  return WebPage{200, "text/html; charset=utf-8", RenderHtml(doc, options)};
}

}  // namespace aigov::reports
