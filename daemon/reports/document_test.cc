#include "daemon/reports/document.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::reports {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Document Hostile() {
  Document doc;
  doc.title = "Report <script>alert(1)</script>";
  Section& s = doc.Add("Profile & <b>risk</b>");
  s.Paragraph("purpose: <script>alert('x')</script> & \"more\"");
  Block& f = s.Facts();
  f.facts.emplace_back("Name", Cites("<img src=x onerror=alert(1)>", {7}));
  Block& t = s.Table({"A|B", "C"});
  t.rows.push_back({Toned("x | y\nz", "violated"), Cites("", {3, 4})});
  s.Code("note ``` <tag>");
  doc.Add("Second");
  return doc;
}

TEST(DocumentTest, HtmlEscapesEveryText) {
  HtmlOptions options;
  options.entry_link_prefix = "/journal/entries/";
  options.breadcrumbs = {{"<home>", "/compliance?a=\"b\""}, {"here", ""}};
  const std::string html = RenderHtml(Hostile(), options);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;x&#39;)"));
  EXPECT_THAT(html, HasSubstr("&quot;more&quot;"));
  EXPECT_THAT(html,
              HasSubstr("<a class=\"seq\" href=\"/journal/entries/7\">#7"));
  EXPECT_THAT(html, HasSubstr("<td class=\"violated\">x | y\nz</td>"));
  EXPECT_THAT(html, HasSubstr("href=\"/compliance?a=&quot;b&quot;\""));
  EXPECT_THAT(html, HasSubstr("<h2>1. Profile &amp; &lt;b&gt;risk"));
  EXPECT_THAT(html, HasSubstr("<h2>2. Second</h2>"));
  EXPECT_THAT(html, HasSubstr("<pre>note ``` &lt;tag&gt;</pre>"));
}

TEST(DocumentTest, HtmlWithoutLinksCitesAsText) {
  const std::string html = RenderHtml(Hostile(), {});
  EXPECT_THAT(html, HasSubstr("<span class=\"seq\">#3</span>"));
  EXPECT_THAT(html, Not(HasSubstr("href=\"/journal")));
  EXPECT_THAT(html, Not(HasSubstr("<nav")));
}

TEST(DocumentTest, MarkdownKeepsTablesIntactAndTextInert) {
  const std::string md = RenderMarkdown(Hostile());
  EXPECT_THAT(md, HasSubstr("# Report &lt;script&gt;"));
  EXPECT_THAT(md, HasSubstr("## 1. Profile &amp; &lt;b&gt;risk&lt;/b&gt;\n"));
  EXPECT_THAT(md, HasSubstr("## 2. Second\n"));
  EXPECT_THAT(md, HasSubstr("| A\\|B | C |\n|---|---|\n"));
  EXPECT_THAT(md, HasSubstr("| x \\| y z | (#3, #4) |\n"));
  EXPECT_THAT(md,
              HasSubstr("- **Name**: &lt;img src=x onerror=alert(1)&gt; (#7)"));
  EXPECT_THAT(md, HasSubstr("```text\nnote ''' <tag>\n```"));
  EXPECT_THAT(md, Not(HasSubstr("<script")));
}

}  // namespace
}  // namespace aigov::reports
