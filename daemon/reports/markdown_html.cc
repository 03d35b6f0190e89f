#include "daemon/reports/markdown_html.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#include "daemon/reports/document.h"

namespace aigov::reports {
namespace {

// `text` escaped, with **strong** and *emphasis* pairs as markup.
std::string Emphasis(const std::string& text) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    const bool strong = text.compare(at, 2, "**") == 0;
    const bool em = !strong && text[at] == '*';
    if (strong || em) {
      const std::string mark = strong ? "**" : "*";
      const size_t close = text.find(mark, at + mark.size());
      if (close != std::string::npos && close > at + mark.size()) {
        const char* tag = strong ? "strong" : "em";
        absl::StrAppend(
            &out, "<", tag, ">",
            HtmlEscape(text.substr(at + mark.size(), close - at - mark.size())),
            "</", tag, ">");
        at = close + mark.size();
        continue;
      }
    }
    out += HtmlEscape(std::string(1, text[at]));
    ++at;
  }
  return out;
}

// Inline markup: `code` spans verbatim (escaped), emphasis elsewhere.
std::string Inline(absl::string_view text) {
  return HtmlInline(std::string(text), Emphasis);
}

// "1. " or "12. " at the start: the length of the marker, else 0.
size_t NumberedMarker(absl::string_view line) {
  size_t i = 0;
  while (i < line.size() &&
         absl::ascii_isdigit(static_cast<unsigned char>(line[i]))) {
    ++i;
  }
  if (i == 0 || i + 1 >= line.size() || line[i] != '.' || line[i + 1] != ' ') {
    return 0;
  }
  return i + 2;
}

class Renderer {
 public:
  std::string Run(absl::string_view markdown) {
    std::vector<absl::string_view> lines = absl::StrSplit(markdown, '\n');
    for (size_t i = 0; i < lines.size(); ++i) {
      absl::string_view line = absl::StripTrailingAsciiWhitespace(lines[i]);
      if (absl::StartsWith(line, "```")) {
        Close();
        std::string code;
        for (++i; i < lines.size() && !absl::StartsWith(lines[i], "```"); ++i) {
          absl::StrAppend(&code, lines[i], "\n");
        }
        absl::StrAppend(&out_, "<pre>", HtmlEscape(code), "</pre>\n");
        continue;
      }
      if (line.empty()) {
        Close();
        continue;
      }
      if (line[0] == '#') {
        Close();
        size_t level = 0;
        while (level < line.size() && line[level] == '#') ++level;
        const absl::string_view text =
            absl::StripLeadingAsciiWhitespace(line.substr(level));
        if (level > 6) level = 6;
        absl::StrAppend(&out_, "<h", level, " id=\"", HeadingAnchor(text),
                        "\">", Inline(text), "</h", level, ">\n");
        continue;
      }
      if (absl::StartsWith(line, "- ")) {
        Item("ul", line.substr(2));
        continue;
      }
      if (const size_t n = NumberedMarker(line); n > 0) {
        Item("ol", line.substr(n));
        continue;
      }
      const bool indented = line[0] == ' ';
      if (indented && !list_.empty()) {
        absl::StrAppend(&text_, " ", absl::StripLeadingAsciiWhitespace(line));
        continue;
      }
      if (!list_.empty()) Close();
      absl::StrAppend(&text_, text_.empty() ? "" : " ",
                      absl::StripLeadingAsciiWhitespace(line));
      in_paragraph_ = true;
    }
    Close();
    return std::move(out_);
  }

 private:
  void Item(const std::string& list, absl::string_view text) {
    if (in_paragraph_ || (!list_.empty() && list_ != list)) Close();
    if (list_.empty()) {
      list_ = list;
      absl::StrAppend(&out_, "<", list_, ">\n");
    } else {
      FlushItem();
    }
    text_ = std::string(text);
  }

  void FlushItem() {
    if (!text_.empty())
      absl::StrAppend(&out_, "<li>", Inline(text_), "</li>\n");
    text_.clear();
  }

  void Close() {
    if (!list_.empty()) {
      FlushItem();
      absl::StrAppend(&out_, "</", list_, ">\n");
      list_.clear();
    } else if (in_paragraph_ && !text_.empty()) {
      absl::StrAppend(&out_, "<p>", Inline(text_), "</p>\n");
    }
    text_.clear();
    in_paragraph_ = false;
  }

  std::string out_;
  std::string text_;  // the paragraph or list item being read
  std::string list_;  // "ul", "ol" or empty
  bool in_paragraph_ = false;
};

}  // namespace

std::string HeadingAnchor(absl::string_view text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (absl::ascii_isalnum(c) || c == '-' || c == '_') {
      out.push_back(static_cast<char>(absl::ascii_tolower(c)));
    } else if (c == ' ') {
      out.push_back('-');
    }
  }
  return out;
}

std::string MarkdownToHtml(absl::string_view markdown) {
  return Renderer().Run(markdown);
}

}  // namespace aigov::reports
