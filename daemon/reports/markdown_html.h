// A small Markdown-to-HTML renderer for the project's own documents (the
// runbooks aigovd serves at /runbooks, so that an alert's runbook_url is a
// page an on-call engineer can open). It reads the subset docs/RUNBOOKS.md
// is written in: ATX headings ("## AigovFeatureDriftAlert"), paragraphs,
// "- " and "1. " lists whose items continue on indented lines, fenced code
// blocks, and inline `code`, **strong** and *emphasis*. Anything else is
// text. Every text is escaped (document.h's HtmlEscape), so no input turns
// into markup.
//
// Headings get GitHub's anchors: lower case, spaces as '-', other
// punctuation dropped ("## AigovdDown" -> id="aigovddown"), which is what
// the alert rules' runbook_url fragments name.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace aigov::reports {

// The anchor GitHub gives a heading of `text`.
std::string HeadingAnchor(absl::string_view text);

// `markdown` as an HTML fragment (no <html> or <body>).
std::string MarkdownToHtml(absl::string_view markdown);

}  // namespace aigov::reports
