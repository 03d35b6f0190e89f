#include "daemon/common/json.h"

#include <pthread.h>

#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::common {
namespace {

using ::testing::HasSubstr;

std::string Nested(size_t depth, char open, char close,
                   absl::string_view inner = "1") {
  std::string s;
  for (size_t i = 0; i < depth; ++i) {
    s.push_back(open);
    if (open == '{') s += "\"k\":";
  }
  s += std::string(inner);
  s.append(depth, close);
  return s;
}

// Runs `fn` on a thread with only `stack_bytes` of stack, as civetweb's
// workers have about 100 KiB: a recursion per nesting level overflows it.
void RunOnSmallStack(size_t stack_bytes, std::function<void()> fn) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, &attr,
                +[](void* arg) -> void* {
                  (*static_cast<std::function<void()>*>(arg))();
                  return nullptr;
                },
                &fn),
            0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

TEST(JsonTest, InvalidUtf8InATruncatedDocumentIsAnErrorThatSerializes) {
  auto doc = ParseJson("{\"producer\":\"\xff\xfe");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(doc.status().message(), HasSubstr("malformed JSON at byte"));
  EXPECT_THAT(doc.status().message(), HasSubstr("\\xff"));
  // The message holds no raw byte: it can itself be put in a JSON reply.
  Json reply;
  reply["error"] = std::string(doc.status().message());
  EXPECT_NO_THROW(reply.dump());
}

TEST(JsonTest, NestingIsBoundedBeforeParsing) {
  auto deep = ParseJson(Nested(200000, '[', ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_THAT(deep.status().message(),
              HasSubstr("nesting deeper than 512 arrays and objects at byte "
                        "512"));
  EXPECT_TRUE(ParseJson(Nested(kMaxJsonDepth, '{', '}')).ok());
  EXPECT_FALSE(ParseJson(Nested(kMaxJsonDepth + 1, '{', '}')).ok());
  // Brackets inside strings are text, not nesting.
  EXPECT_TRUE(ParseJson("[\"" + std::string(2000, '[') + "\"]").ok());
  EXPECT_TRUE(ParseJson("[\"\\\"[[[\"]").ok());
}

TEST(JsonTest, NumbersBeyondADoubleAreErrors) {
  auto big = ParseJson("{\"x\":1e999999}");
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.status().message(), HasSubstr("number out of range"));
  auto digits = ParseJson("[" + std::string(400, '9') + "]");
  ASSERT_FALSE(digits.ok());
  EXPECT_THAT(digits.status().message(), HasSubstr("number out of range"));
  EXPECT_TRUE(ParseJson("[18446744073709551615, -9223372036854775808]").ok());
}

TEST(JsonTest, NulByteIsRefusedNotTakenForTheEnd) {
  const std::string two("{\"a\":1}\0{\"b\":2}", 15);
  auto doc = ParseJson(two);
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(doc.status().message(), HasSubstr("NUL byte at byte 7"));
  EXPECT_FALSE(ParseJson(std::string("\"a\0b\"", 5)).ok());
}

TEST(JsonTest, DumpMatchesNlohmannAndKeepsKeyOrder) {
  const std::string text =
      R"({"z":1,"a":[true,null,-2.5,"\u00e9\n",{},[],{"y":[1,{"x":"q"}]}],)"
      R"("m":18446744073709551615})";
  auto doc = ParseJson(text);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(DumpJson(*doc), doc->dump());
  EXPECT_EQ(DumpJson(Json::array()), "[]");
  EXPECT_EQ(DumpJson(Json("s")), "\"s\"");
}

TEST(JsonTest, DumpReplacesInvalidUtf8BuiltInCode) {
  Json j;
  j["error"] = std::string("bad \xff byte");
  EXPECT_EQ(DumpJson(j), "{\"error\":\"bad \xef\xbf\xbd byte\"}");
}

TEST(JsonTest, DeepButLegalDocumentsNeverRecurseOnASmallStack) {
  const std::string arrays = Nested(kMaxJsonDepth, '[', ']');
  const std::string objects = Nested(kMaxJsonDepth, '{', '}');
  std::string out_arrays;
  std::string out_objects;
  RunOnSmallStack(64 << 10, [&] {
    auto a = ParseJson(arrays);
    auto o = ParseJson(objects);
    if (a.ok()) out_arrays = DumpJson(*a);
    if (o.ok()) out_objects = DumpJson(*o);
  });
  EXPECT_EQ(out_arrays, arrays);
  EXPECT_EQ(out_objects, objects);
}

TEST(JsonTest, EscapeForMessage) {
  EXPECT_EQ(EscapeForMessage("a\"b\\c\n\xff"), "a\"b\\x5cc\\x0a\\xff");
}

}  // namespace
}  // namespace aigov::common
