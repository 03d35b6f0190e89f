#include "daemon/reports/web.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

#include "daemon/kinds/kinds.h"
#include "daemon/reports/report_render.h"
#include "daemon/rules/snapshot.h"

namespace aigov::reports {
namespace {

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
};

}  // namespace

WebPage WebView::Get(const std::string& path) const {
  if (path == "/compliance" || path == "/compliance/") return Systems();
  if (absl::StartsWith(path, kSystemsPrefix)) {
    return System(path.substr(sizeof(kSystemsPrefix) - 1));
  }
  if (absl::StartsWith(path, kEntriesPrefix)) {
    return Entry(path.substr(sizeof(kEntriesPrefix) - 1));
  }
  return Message(404, "Not found",
                 "aigovd serves /compliance, /compliance/systems/ID and "
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
  doc.subtitle = absl::StrCat(rows.size(), " registered AI systems, evaluated ",
                              TimeText(rules::TimestampOf(now), true),
                              "; systems with violations first");
  Section& s = doc.Add("AI systems");
  if (rows.empty()) {
    s.Paragraph(
        "No AI system is registered yet (record one with aigovctl apply, "
        "kind AiSystem).");
  } else {
    const std::vector<std::string> statuses = {
        "VIOLATED",           "AT_RISK",       "PENDING", "SATISFIED",
        "NOT_YET_APPLICABLE", "NOT_APPLICABLE"};
    std::vector<std::string> header = {"System", "Name", "Risk class"};
    header.insert(header.end(), statuses.begin(), statuses.end());
    Block& t = s.Table(header);
    for (const SystemRow& r : rows) {
      std::vector<Cell> cells;
      cells.push_back(Link(r.id, absl::StrCat(kSystemsPrefix, r.id)));
      cells.push_back(Text(r.name));
      cells.push_back(Text(r.risk_class));
      for (const std::string& st : statuses) {
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
  return WebPage{200, "text/html; charset=utf-8",
                 RenderHtml(ReportDocument(*report), options)};
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
