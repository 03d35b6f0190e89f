#include "daemon/reports/document.h"

#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace aigov::reports {
namespace {

// Markdown text: entities for the characters that would become HTML.
std::string MdText(const std::string& text) {
  return absl::StrReplaceAll(text,
                             {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

// A Markdown table cell: one line, no column separator.
std::string MdCellText(const std::string& text) {
  std::string out;
  for (const char c : MdText(text)) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Citations(const std::vector<uint64_t>& sequences) {
  std::vector<std::string> parts;
  for (const uint64_t s : sequences) parts.push_back(absl::StrCat("#", s));
  return absl::StrJoin(parts, ", ");
}

std::string MdCell(const Cell& c) {
  std::string out = MdCellText(c.text);
  if (!c.sequences.empty()) {
    absl::StrAppend(&out, out.empty() ? "" : " ", "(", Citations(c.sequences),
                    ")");
  }
  return out.empty() ? "-" : out;
}

// True when `text` holds a run of more than 24 characters without a space
// (a hash, a URL): such a cell may break anywhere, so that it does not
// widen its column past the page, while words elsewhere stay whole.
bool HasLongToken(absl::string_view text) {
  size_t run = 0;
  for (const char ch : text) {
    run = absl::ascii_isspace(static_cast<unsigned char>(ch)) ? 0 : run + 1;
    if (run > 24) return true;
  }
  return false;
}

std::string HtmlCell(const Cell& c, const HtmlOptions& options) {
  std::string out = c.href.empty() || c.text.empty()
                        ? HtmlEscape(c.text)
                        : absl::StrCat("<a href=\"", HtmlEscape(c.href), "\">",
                                       HtmlEscape(c.text), "</a>");
  if (!c.sequences.empty()) {
    std::vector<std::string> links;
    for (const uint64_t s : c.sequences) {
      links.push_back(options.entry_link_prefix.empty()
                          ? absl::StrCat("<span class=\"seq\">#", s, "</span>")
                          : absl::StrCat("<a class=\"seq\" href=\"",
                                         HtmlEscape(options.entry_link_prefix),
                                         s, "\">#", s, "</a>"));
    }
    absl::StrAppend(&out, out.empty() ? "" : " ", "<span class=\"cites\">",
                    absl::StrJoin(links, ", "), "</span>");
  }
  return out.empty() ? "-" : out;
}

}  // namespace

Cell Text(std::string text) {
  Cell c;
  c.text = std::move(text);
  return c;
}

Cell Cites(std::string text, std::vector<uint64_t> sequences) {
  Cell c = Text(std::move(text));
  c.sequences = std::move(sequences);
  return c;
}

Cell Toned(std::string text, std::string tone) {
  Cell c = Text(std::move(text));
  c.tone = std::move(tone);
  return c;
}

Cell Link(std::string text, std::string href) {
  Cell c = Text(std::move(text));
  c.href = std::move(href);
  return c;
}

void Section::Paragraph(std::string text) {
  Block b;
  b.kind = Block::Kind::kParagraph;
  b.text = std::move(text);
  blocks.push_back(std::move(b));
}

void Section::Heading(std::string text) {
  Block b;
  b.kind = Block::Kind::kHeading;
  b.text = std::move(text);
  blocks.push_back(std::move(b));
}

void Section::Code(std::string text) {
  Block b;
  b.kind = Block::Kind::kCode;
  b.text = std::move(text);
  blocks.push_back(std::move(b));
}

Block& Section::Facts() {
  Block b;
  b.kind = Block::Kind::kFacts;
  blocks.push_back(std::move(b));
  return blocks.back();
}

Block& Section::Table(std::vector<std::string> header) {
  Block b;
  b.kind = Block::Kind::kTable;
  b.header = std::move(header);
  blocks.push_back(std::move(b));
  return blocks.back();
}

Section& Document::Add(std::string section_title) {
  sections.emplace_back();
  sections.back().title = std::move(section_title);
  return sections.back();
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderMarkdown(const Document& doc) {
  std::string out = absl::StrCat("# ", MdCellText(doc.title), "\n\n");
  if (!doc.subtitle.empty())
    absl::StrAppend(&out, MdText(doc.subtitle), "\n\n");
  int n = 0;
  for (const Section& s : doc.sections) {
    ++n;
    absl::StrAppend(&out, "## ", n, ". ", MdCellText(s.title), "\n\n");
    for (const Block& b : s.blocks) {
      switch (b.kind) {
        case Block::Kind::kParagraph:
          absl::StrAppend(&out, MdText(b.text), "\n\n");
          break;
        case Block::Kind::kHeading:
          absl::StrAppend(&out, "### ", MdCellText(b.text), "\n\n");
          break;
        case Block::Kind::kCode:
          absl::StrAppend(
              &out, "```text\n", absl::StrReplaceAll(b.text, {{"```", "'''"}}),
              b.text.empty() || b.text.back() != '\n' ? "\n" : "", "```\n\n");
          break;
        case Block::Kind::kFacts:
          for (const auto& [label, value] : b.facts) {
            absl::StrAppend(&out, "- **", MdCellText(label),
                            "**: ", MdCell(value), "\n");
          }
          out += "\n";
          break;
        case Block::Kind::kTable: {
          std::vector<std::string> head;
          for (const std::string& h : b.header) head.push_back(MdCellText(h));
          absl::StrAppend(&out, "| ", absl::StrJoin(head, " | "), " |\n|");
          for (size_t i = 0; i < b.header.size(); ++i) out += "---|";
          out += "\n";
          for (const auto& row : b.rows) {
            std::vector<std::string> cells;
            for (const Cell& c : row) cells.push_back(MdCell(c));
            absl::StrAppend(&out, "| ", absl::StrJoin(cells, " | "), " |\n");
          }
          out += "\n";
          break;
        }
      }
    }
  }
  return out;
}

const char* Stylesheet() {
  return R"css(
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: #1b1f24; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #d0d7de; padding-bottom: .2rem;
     margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-top: 1.2rem; }
p.subtitle { color: #57606a; margin-top: 0; }
nav.crumbs { font-size: .9rem; margin-bottom: 1rem; }
nav.crumbs a { color: #0969da; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem;
        font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .45rem; text-align: left;
         vertical-align: top; overflow-wrap: break-word; }
td.long { overflow-wrap: anywhere; }
th { background: #f6f8fa; }
dl.facts { display: grid; grid-template-columns: max-content 1fr;
           gap: .2rem 1rem; margin: .5rem 0 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.seq, .cites { font-family: ui-monospace, monospace; font-size: .85em; }
a.seq { color: #0969da; }
td.violated { background: #ffebe9; font-weight: 600; }
td.at_risk { background: #fff8c5; }
td.pending { background: #fff8c5; }
td.satisfied { background: #dafbe1; }
td.not_applicable, td.not_yet_applicable { color: #57606a; }
td.alert { background: #ffebe9; font-weight: 600; }
td.warn { background: #fff8c5; }
td.gap { background: #ffebe9; }
td.time { white-space: nowrap; }
code { font-family: ui-monospace, monospace; font-size: .9em;
       background: #f6f8fa; padding: 0 .2em; }
ul.downloads { padding-left: 1.2rem; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto;
      white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85rem; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  nav.crumbs, nav.downloads { display: none; }
  section + section { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr { break-inside: avoid; }
  a.seq { color: inherit; text-decoration: none; }
  td.violated, td.at_risk, td.pending, td.satisfied, td.alert, td.warn,
  td.gap { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)css";
}

std::string HtmlInline(
    const std::string& text,
    const std::function<std::string(const std::string&)>& plain) {
  std::string out;
  size_t at = 0;
  for (;;) {
    const size_t open = text.find('`', at);
    const size_t close =
        open == std::string::npos ? open : text.find('`', open + 1);
    if (close == std::string::npos) {
      out += plain ? plain(text.substr(at)) : HtmlEscape(text.substr(at));
      return out;
    }
    const std::string before = text.substr(at, open - at);
    absl::StrAppend(&out, plain ? plain(before) : HtmlEscape(before), "<code>",
                    HtmlEscape(text.substr(open + 1, close - open - 1)),
                    "</code>");
    at = close + 1;
  }
}

std::string RenderHtml(const Document& doc, const HtmlOptions& options) {
  std::string out = absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>",
      HtmlEscape(doc.title), "</title><style>", Stylesheet(),
      "</style></head>\n<body>\n");
  if (!options.breadcrumbs.empty()) {
    std::vector<std::string> crumbs;
    for (const auto& [text, href] : options.breadcrumbs) {
      crumbs.push_back(href.empty()
                           ? HtmlEscape(text)
                           : absl::StrCat("<a href=\"", HtmlEscape(href), "\">",
                                          HtmlEscape(text), "</a>"));
    }
    absl::StrAppend(&out, "<nav class=\"crumbs\">",
                    absl::StrJoin(crumbs, " / "), "</nav>\n");
  }
  absl::StrAppend(&out, "<header><h1>", HtmlEscape(doc.title), "</h1>");
  if (!doc.subtitle.empty()) {
    absl::StrAppend(&out, "<p class=\"subtitle\">", HtmlEscape(doc.subtitle),
                    "</p>");
  }
  if (!options.downloads.empty()) {
    out += "<nav class=\"downloads\">Download:<ul class=\"downloads\">";
    for (const auto& [text, href] : options.downloads) {
      absl::StrAppend(&out, "<li><a href=\"", HtmlEscape(href), "\">",
                      HtmlEscape(text), "</a></li>");
    }
    out += "</ul></nav>";
  }
  out += "</header>\n";
  int n = 0;
  for (const Section& s : doc.sections) {
    ++n;
    absl::StrAppend(&out, "<section id=\"s", n, "\"><h2>", n, ". ",
                    HtmlEscape(s.title), "</h2>\n");
    for (const Block& b : s.blocks) {
      switch (b.kind) {
        case Block::Kind::kParagraph:
          absl::StrAppend(&out, "<p>", HtmlInline(b.text), "</p>\n");
          break;
        case Block::Kind::kHeading:
          absl::StrAppend(&out, "<h3>", HtmlEscape(b.text), "</h3>\n");
          break;
        case Block::Kind::kCode:
          absl::StrAppend(&out, "<pre>", HtmlEscape(b.text), "</pre>\n");
          break;
        case Block::Kind::kFacts:
          out += "<dl class=\"facts\">";
          for (const auto& [label, value] : b.facts) {
            absl::StrAppend(&out, "<dt>", HtmlEscape(label), "</dt><dd>",
                            HtmlCell(value, options), "</dd>");
          }
          out += "</dl>\n";
          break;
        case Block::Kind::kTable:
          out += "<table><thead><tr>";
          for (const std::string& h : b.header) {
            absl::StrAppend(&out, "<th>", HtmlEscape(h), "</th>");
          }
          out += "</tr></thead><tbody>\n";
          for (const auto& row : b.rows) {
            out += "<tr>";
            for (const Cell& c : row) {
              std::string classes = c.tone;
              if (HasLongToken(c.text)) {
                absl::StrAppend(&classes, classes.empty() ? "" : " ", "long");
              }
              absl::StrAppend(&out,
                              classes.empty()
                                  ? std::string("<td>")
                                  : absl::StrCat("<td class=\"",
                                                 HtmlEscape(classes), "\">"),
                              HtmlCell(c, options), "</td>");
            }
            out += "</tr>\n";
          }
          out += "</tbody></table>\n";
          break;
      }
    }
    out += "</section>\n";
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace aigov::reports
