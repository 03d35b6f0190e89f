#include "daemon/reports/markdown_html.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::reports {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MarkdownHtmlTest, HeadingsGetGithubAnchors) {
  EXPECT_EQ(HeadingAnchor("AigovFeatureDriftAlert"), "aigovfeaturedriftalert");
  EXPECT_EQ(HeadingAnchor("What to do, first (now)"), "what-to-do-first-now");
  EXPECT_EQ(MarkdownToHtml("## AigovdDown\n"),
            "<h2 id=\"aigovddown\">AigovdDown</h2>\n");
}

TEST(MarkdownHtmlTest, ParagraphsListsAndInlineMarkup) {
  const std::string html = MarkdownToHtml(
      "**Means:** one feature\nis in `ALERT`.\n\n**Do:**\n"
      "1. Check the *pipeline*\n   first.\n2. Tell the owner.\n"
      "- a\n- b\n  continued\n\nafter\n");
  EXPECT_THAT(html, HasSubstr("<p><strong>Means:</strong> one feature is in "
                              "<code>ALERT</code>.</p>"));
  EXPECT_THAT(html, HasSubstr("<p><strong>Do:</strong></p>\n<ol>\n<li>Check "
                              "the <em>pipeline</em> first.</li>\n<li>Tell "
                              "the owner.</li>\n</ol>\n<ul>\n<li>a</li>\n"
                              "<li>b continued</li>\n</ul>\n<p>after</p>"));
}

TEST(MarkdownHtmlTest, CodeBlocksAndEveryTextAreEscaped) {
  const std::string html = MarkdownToHtml(
      "```sh\naigovctl drift status --model m@1 <x>\n```\n"
      "<script>alert(1)</script> & `<b>`\n# <i>t</i>\n");
  EXPECT_THAT(html, HasSubstr("<pre>aigovctl drift status --model m@1 "
                              "&lt;x&gt;\n</pre>"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                              "<code>&lt;b&gt;</code>"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<i>")));
  // An unpaired marker is text.
  EXPECT_THAT(MarkdownToHtml("2 * 3 and `open\n"),
              HasSubstr("<p>2 * 3 and `open</p>"));
}

}  // namespace
}  // namespace aigov::reports
