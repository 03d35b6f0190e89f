// A rendered document's structure (sections of paragraphs, fact lists and
// tables whose cells may cite journal entries), and its two renderings:
// Markdown and one self-contained HTML page. The compliance report, the
// Annex IV dossier and the training-data summary are built as a Document,
// so each reads the same in both formats.
//
// Every text is escaped where it is rendered: in HTML, & < > " ' become
// entities; in Markdown, table cells escape | and line breaks, and < > & are
// written as entities so no recorded text turns into markup.
//
// Thread-compatible values; the renderers are pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace aigov::reports {

struct Cell {
  std::string text;
  // Journal entries the cell cites (rendered "#12", linked in HTML when the
  // options ask for it).
  std::vector<uint64_t> sequences;
  // A CSS class for the HTML cell ("violated", "satisfied", ...).
  std::string tone;
  // In HTML, the text links here (a path of the web view).
  std::string href;
};

// Cells: plain text; text citing entries; text in a tone; a link.
Cell Text(std::string text);
Cell Cites(std::string text, std::vector<uint64_t> sequences);
Cell Toned(std::string text, std::string tone);
Cell Link(std::string text, std::string href);

struct Block {
  enum class Kind { kParagraph, kFacts, kTable, kHeading, kCode };
  Kind kind = Kind::kParagraph;
  // kParagraph, kHeading (a sub-heading) and kCode (preformatted): the
  // text.
  std::string text;
  // kFacts: (label, value) pairs; kTable: the header and rows.
  std::vector<std::pair<std::string, Cell>> facts;
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
};

struct Section {
  // Rendered numbered: "1. System profile".
  std::string title;
  std::vector<Block> blocks;

  void Paragraph(std::string text);
  void Heading(std::string text);
  void Code(std::string text);
  // A fact list; add pairs to the returned block.
  Block& Facts();
  Block& Table(std::vector<std::string> header);
};

struct Document {
  std::string title;
  // A line under the title.
  std::string subtitle;
  std::vector<Section> sections;

  Section& Add(std::string section_title);
};

struct HtmlOptions {
  // Cited sequences link to this prefix plus the sequence
  // ("/journal/entries/"); plain "#N" text when empty.
  std::string entry_link_prefix;
  // A navigation line above the title (the web view's breadcrumbs), as
  // (text, href) pairs; the last one without href is the current page.
  std::vector<std::pair<std::string, std::string>> breadcrumbs;
  // Links under the title ("Download: ..."), as (text, href) pairs; not
  // printed.
  std::vector<std::pair<std::string, std::string>> downloads;
};

std::string HtmlEscape(const std::string& text);
// `text` escaped, with each pair of backticks rendered as <code>; the text
// between code spans goes through `plain` (HtmlEscape when empty), which
// must escape it.
std::string HtmlInline(
    const std::string& text,
    const std::function<std::string(const std::string&)>& plain = nullptr);

std::string RenderMarkdown(const Document& doc);

// One HTML page: inline CSS (screen and print), no script, no external
// asset; each section starts a printed page after the first.
std::string RenderHtml(const Document& doc, const HtmlOptions& options);

// The stylesheet RenderHtml inlines (the web view's other pages share it).
const char* Stylesheet();

}  // namespace aigov::reports
