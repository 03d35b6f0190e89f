// The compliance officers' web view on aigovd's HTTP port: plain
// server-rendered HTML and CSS, readable without JavaScript, read-only,
// every recorded text escaped (document.h).
//
//   /compliance                 every registered AI system with its risk
//                               class and its findings counted by status,
//                               systems with violations first
//   /compliance/systems/ID      the system's compliance report (HTML), each
//                               cited entry linked, with download links:
//   /compliance/systems/ID/report.json, report.md
//                               the same report as JSON or Markdown
//   /compliance/systems/ID/bundle.tar
//                               its proof bundle (ID-bundle/, or bundle/ for
//                               an id over 78 bytes, with checkpoint,
//                               public_key, report.json, entries.jsonl), what
//                               `aigovctl compliance report --bundle` writes
//   /journal/entries/N          one entry as JSON (personal data left
//                               sealed), its leaf hash and its inclusion
//                               proof against the latest signed checkpoint
//   /runbooks                   docs/RUNBOOKS.md (compiled in), one anchor
//                               per alert: where the alert rules'
//                               runbook_url points by default
//
// Thread-safe: reads committed state only. Everything given to the
// constructor must outlive the view.
#pragma once

#include <functional>
#include <string>

#include "daemon/compliance/compliance_view.h"
#include "daemon/journal/checkpointer.h"
#include "daemon/journal/journal_reader.h"
#include "daemon/reports/report_builder.h"

namespace aigov::reports {

struct WebPage {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
};

class WebView {
 public:
  // `latest` returns the latest signed checkpoint (Checkpointer::Latest).
  WebView(const ReportBuilder& reports, const compliance::ComplianceView& view,
          const journal::JournalReader& journal,
          std::function<journal::SignedCheckpoint()> latest)
      : reports_(reports),
        view_(view),
        journal_(journal),
        latest_(std::move(latest)) {}

  // The page at `path` (URL-decoded, without the query): 404 for a path
  // it does not serve or a system or entry that does not exist.
  WebPage Get(const std::string& path) const;

 private:
  WebPage Systems() const;
  WebPage System(const std::string& id) const;
  WebPage Download(const std::string& id, const std::string& file) const;
  WebPage Runbooks() const;
  WebPage Entry(const std::string& sequence) const;

  const ReportBuilder& reports_;
  const compliance::ComplianceView& view_;
  const journal::JournalReader& journal_;
  const std::function<journal::SignedCheckpoint()> latest_;
};

}  // namespace aigov::reports
