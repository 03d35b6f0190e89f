#include "daemon/server/http_body.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::server {
namespace {

using ::testing::HasSubstr;

TEST(HttpBodyTest, IdentityPassesThroughUnderTheLimit) {
  auto plain = DecodeBody("", "{\"a\":1}", 100);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "{\"a\":1}");
  EXPECT_TRUE(DecodeBody("identity", "x", 100).ok());
  EXPECT_EQ(DecodeBody("", std::string(101, 'x'), 100).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(HttpBodyTest, GzipInflates) {
  const std::string text = std::string(5000, 'a') + "{\"end\":true}";
  auto out = DecodeBody("gzip", GzipForTest(text), 1 << 20);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, text);
  EXPECT_TRUE(DecodeBody(" GZIP ", GzipForTest("x"), 10).ok());
  EXPECT_TRUE(DecodeBody("x-gzip", GzipForTest("x"), 10).ok());
}

TEST(HttpBodyTest, InflatedSizeIsHeldToTheLimitAsItInflates) {
  // 64 MiB of zeros compress to about 64 KiB.
  const std::string bomb = GzipForTest(std::string(64 << 20, '\0'));
  ASSERT_LT(bomb.size(), 1u << 20);
  auto out = DecodeBody("gzip", bomb, 16 << 20);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(out.status().message(), HasSubstr("inflates to more than"));
}

TEST(HttpBodyTest, MalformedOrTruncatedGzipIsInvalid) {
  EXPECT_EQ(DecodeBody("gzip", "{\"not\":\"gzip\"}", 100).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string whole = GzipForTest(std::string(1000, 'q'));
  auto cut = DecodeBody("gzip", whole.substr(0, whole.size() / 2), 10000);
  EXPECT_EQ(cut.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cut.status().message(), HasSubstr("not valid gzip"));
  auto trailing = DecodeBody("gzip", whole + "junk", 10000);
  EXPECT_EQ(trailing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeBody("gzip", "", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HttpBodyTest, OtherEncodingsAreUnsupportedNotMalformed) {
  for (const char* e : {"br", "zstd", "deflate", "compress", "\xff"}) {
    auto out = DecodeBody(e, "abc", 100);
    EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << e;
    EXPECT_THAT(out.status().message(), HasSubstr("is not supported"));
  }
}

}  // namespace
}  // namespace aigov::server
