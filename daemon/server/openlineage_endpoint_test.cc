// POST /api/v1/lineage in process: the endpoint over the real write stack
// (server_test_util.h), without civetweb (server/http_server.cc is tested
// through the real aigovd in tests/integration).
#include "daemon/server/openlineage_endpoint.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "daemon/common/json.h"
#include "daemon/server/server_test_util.h"

namespace aigov::server {
namespace {

using ::testing::HasSubstr;

std::string RunEvent(const std::string& run_id, const std::string& job) {
  return R"({"eventType": "START", "eventTime": "2025-12-31T23:00:00Z",
             "producer": "https://example.com/test",
             "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json",
             "run": {"runId": ")" +
         run_id + R"("}, "job": {"namespace": "ns", "name": ")" + job +
         R"("}, "inputs": [{"namespace": "s3://b", "name": "in"}],
             "outputs": []})";
}

class OpenLineageEndpointTest : public ::testing::Test {
 protected:
  OpenLineageEndpointTest()
      : stack_("openlineage_endpoint_test"),
        endpoint_(stack_.pipeline(), stack_.clock()) {}

  WriteStack stack_;
  OpenLineageEndpoint endpoint_;
};

constexpr char kRun1[] = "0193f0a2-5c1e-7d3a-9b2f-4e8a1c6d7f01";

TEST_F(OpenLineageEndpointTest, AnEventIsAnswered201OnceDurable) {
  const HttpReply reply = endpoint_.Post(RunEvent(kRun1, "train"), false);
  EXPECT_EQ(reply.status, 201) << reply.json;
  EXPECT_EQ(common::ParseJson(reply.json).value()["sequences"][0], 0);
  EXPECT_EQ(stack_.journal().tree_size(), 1u);
  // The same event again is the same entry.
  const HttpReply again = endpoint_.Post(RunEvent(kRun1, "train"), false);
  EXPECT_EQ(again.status, 201) << again.json;
  EXPECT_EQ(stack_.journal().tree_size(), 1u);
  EXPECT_THAT(stack_.metrics().Render(),
              HasSubstr("aigov_ingest_events_total{kind=\"run_event\","
                        "result=\"duplicate\"} 1"));
}

TEST_F(OpenLineageEndpointTest,
       AMalformedBodyIs400WithItsPathAndQueuesNothing) {
  const HttpReply reply = endpoint_.Post(
      "[" + RunEvent(kRun1, "train") + R"(, {"eventType": "START"}])", true);
  EXPECT_EQ(reply.status, 400) << reply.json;
  const common::Json body = common::ParseJson(reply.json).value();
  EXPECT_THAT(body["path"].get<std::string>(), HasSubstr("$[1]"));
  EXPECT_EQ(stack_.journal().tree_size(), 0u);
}

TEST_F(OpenLineageEndpointTest, ARefusedEventSaysWhatWasStored) {
  // The second event reuses the first one's runId under another job.
  const HttpReply reply = endpoint_.Post(
      "[" + RunEvent(kRun1, "train") + "," + RunEvent(kRun1, "score") + "]",
      true);
  EXPECT_EQ(reply.status, 409) << reply.json;
  EXPECT_THAT(reply.json, HasSubstr("$[1]: "));
  EXPECT_THAT(reply.json, HasSubstr("(1 of 2 events stored"));
  EXPECT_EQ(stack_.journal().tree_size(), 1u);
}

TEST_F(OpenLineageEndpointTest, OnceClosingTheAnswerIs503) {
  ASSERT_TRUE(stack_.pipeline().CloseAndWait(absl::Seconds(10)));
  const HttpReply reply = endpoint_.Post(RunEvent(kRun1, "train"), false);
  EXPECT_EQ(reply.status, 503) << reply.json;
  EXPECT_THAT(reply.json, HasSubstr("shutting down"));
  EXPECT_EQ(stack_.journal().tree_size(), 0u);
}

}  // namespace
}  // namespace aigov::server
