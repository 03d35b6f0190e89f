// The HTTP edge against the real aigovd: bodies that once terminated the
// process (invalid UTF-8 echoed in an error, nesting deeper than a worker's
// stack, numbers beyond a double, a NUL byte taken for the end of the body)
// and OpenLineage as producers send it (gzip, other encodings). After each,
// the daemon still answers and nothing of a refused request was stored.
#include <signal.h>
#include <zlib.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/integration/daemon_process.h"

namespace aigov::testing {
namespace {

using ::testing::HasSubstr;

std::string Gzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// An RFC 3339 time `ago` before now: fixtures never depend on the date.
std::string TimeAgo(absl::Duration ago) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now() - ago,
                          absl::UTCTimeZone());
}

// A RunEvent of job `job` with `extra` members spliced into its run facets.
std::string Event(const std::string& type, const std::string& run_id,
                  const std::string& job, const std::string& time,
                  const std::string& run_facets = "{}",
                  const std::string& inputs = "[]",
                  const std::string& outputs = "[]") {
  return absl::StrCat(
      R"({"eventType":")", type, R"(","eventTime":")", time,
      R"(","producer":"https://example.com/edge-test","schemaURL":)",
      R"("https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",)",
      R"("run":{"runId":")", run_id, R"(","facets":)", run_facets,
      R"(},"job":{"namespace":"edge","name":")", job, R"("},"inputs":)", inputs,
      R"(,"outputs":)", outputs, "}");
}

std::string Nested(size_t depth, char open, char close) {
  std::string s;
  for (size_t i = 0; i < depth; ++i) {
    s.push_back(open);
    if (open == '{') s += "\"k\":";
  }
  s += "1";
  s.append(depth, close);
  return s;
}

class EdgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(tmp_.path() + "/data");
    ASSERT_TRUE(daemon_->Start()) << daemon_->log();
  }

  HttpResponse Post(const std::string& body,
                    const std::vector<std::string>& headers = {},
                    const std::string& path = "/api/v1/lineage") {
    return HttpPost(daemon_->http_port(), path, body, headers);
  }

  double TreeSize() {
    return MetricValue(HttpGet(daemon_->http_port(), "/metrics").body,
                       "aigov_journal_tree_size");
  }

  // The daemon still serves both HTTP and a write after the request.
  void ExpectAlive() {
    EXPECT_EQ(HttpGet(daemon_->http_port(), "/healthz").status, 200)
        << daemon_->log();
    const HttpResponse ok =
        Post(Event("START", NextRunId(), "alive", TimeAgo(absl::Minutes(1))));
    EXPECT_EQ(ok.status, 201) << ok.body << daemon_->log();
  }

  std::string NextRunId() {
    return absl::StrCat("00000000-0000-4000-8000-",
                        absl::StrFormat("%012d", ++runs_));
  }

  TempDir tmp_;
  std::unique_ptr<DaemonProcess> daemon_;
  int runs_ = 0;
};

TEST_F(EdgeTest, InvalidUtf8InATruncatedEventIsA400) {
  const HttpResponse r = Post(
      absl::StrCat(R"({"eventType":"START","eventTime":")",
                   TimeAgo(absl::Minutes(1)), "\",\"producer\":\"\xff\xfe"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, HasSubstr("malformed JSON at byte"));
  EXPECT_THAT(r.body, HasSubstr("\\\\xff"));
  ExpectAlive();
}

TEST_F(EdgeTest, ArrayNested200000DeepIsA400) {
  const double before = TreeSize();
  const std::string facet =
      absl::StrCat(R"({"deep":)", Nested(200000, '[', ']'), "}");
  const HttpResponse r = Post(
      Event("START", NextRunId(), "deep", TimeAgo(absl::Minutes(1)), facet));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, HasSubstr("nesting deeper than 512"));
  EXPECT_EQ(TreeSize(), before);
  ExpectAlive();
}

TEST_F(EdgeTest, NumbersBeyondADoubleAreA400) {
  for (const std::string& number :
       {std::string("1e999999"), std::string(400, '7')}) {
    const HttpResponse r =
        Post(Event("START", NextRunId(), "numbers", TimeAgo(absl::Minutes(1)),
                   absl::StrCat(R"({"x":)", number, "}")));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_THAT(r.body, HasSubstr("number out of range"));
  }
  ExpectAlive();
}

TEST_F(EdgeTest, DeepButLegalFacetsAreStored) {
  // 55 arrays and 60 objects overflowed a worker's stack in dump(); a Spark
  // schema facet of 27 nested structs nests about 60 levels.
  std::string spark = R"({"name":"leaf","type":"string"})";
  for (int i = 0; i < 27; ++i) {
    spark = absl::StrCat(R"({"name":"s)", i, R"(","type":"struct","fields":[)",
                         spark, "]}");
  }
  const std::string schema =
      absl::StrCat(R"({"schema":{"_producer":"https://example.com",)",
                   R"("_schemaURL":"https://openlineage.io/spec/facets/1-1-1/)",
                   R"(SchemaDatasetFacet.json","fields":[)", spark, "]}}");
  const std::string outputs = absl::StrCat(
      R"([{"namespace":"s3://lake","name":"nested","facets":)", schema, "}]");
  for (const std::string& facet :
       {absl::StrCat(R"({"a":)", Nested(55, '[', ']'), "}"),
        absl::StrCat(R"({"o":)", Nested(60, '{', '}'), "}"),
        absl::StrCat(R"({"a":)", Nested(500, '[', ']'), "}")}) {
    const HttpResponse r =
        Post(Event("COMPLETE", NextRunId(), "nested", TimeAgo(absl::Minutes(1)),
                   facet, "[]", outputs));
    EXPECT_EQ(r.status, 201) << r.body;
  }
  ExpectAlive();
}

TEST_F(EdgeTest, NulByteIsRefusedNotTakenForTheEnd) {
  const double before = TreeSize();
  const std::string a =
      Event("START", NextRunId(), "nul", TimeAgo(absl::Minutes(1)));
  const std::string b =
      Event("START", NextRunId(), "nul", TimeAgo(absl::Minutes(1)));
  const HttpResponse r = Post(a + std::string(1, '\0') + b);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, HasSubstr("NUL byte at byte"));
  EXPECT_EQ(TreeSize(), before);
  ExpectAlive();
}

TEST_F(EdgeTest, GzipBodiesAreAcceptedAndHeldToTheBodyLimit) {
  const std::string batch = absl::StrCat(
      "[", Event("START", NextRunId(), "gz", TimeAgo(absl::Minutes(2))), ",",
      Event("START", NextRunId(), "gz", TimeAgo(absl::Minutes(1))), "]");
  const double before = TreeSize();
  HttpResponse r =
      Post(Gzip(batch), {"Content-Encoding: gzip"}, "/api/v1/lineage/batch");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(TreeSize(), before + 2);

  // 64 MiB of spaces inside a JSON array compress to ~64 KiB.
  const std::string bomb = "[" + std::string(64 << 20, ' ') + "]";
  r = Post(Gzip(bomb), {"Content-Encoding: gzip"});
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_THAT(r.body, HasSubstr("inflates to more than"));

  r = Post(batch, {"Content-Encoding: gzip"}, "/api/v1/lineage/batch");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, HasSubstr("not valid gzip"));
  EXPECT_EQ(TreeSize(), before + 2);
  ExpectAlive();
}

TEST_F(EdgeTest, UnsupportedEncodingIs415NotMalformedJson) {
  const HttpResponse r =
      Post(Event("START", NextRunId(), "br", TimeAgo(absl::Minutes(1))),
           {"Content-Encoding: br"});
  EXPECT_EQ(r.status, 415) << r.body;
  EXPECT_THAT(r.body,
              HasSubstr("Content-Encoding \\\"br\\\" is not supported"));
  ExpectAlive();
}

TEST_F(EdgeTest, ScrapesDuringShutdownNeverReadAClosedJournal) {
  // Shutdown once closed the journal before the HTTP server stopped: a
  // scrape in that window read a deleted database. Scrape without pause
  // from two threads while aigovd drains and exits.
  std::atomic<bool> done{false};
  std::atomic<int> scrapes{0};
  std::vector<std::thread> scrapers;
  for (int i = 0; i < 2; ++i) {
    scrapers.emplace_back([&] {
      while (!done.load()) {
        if (HttpGet(daemon_->http_port(), "/metrics").status == 200) ++scrapes;
      }
    });
  }
  while (scrapes.load() < 10) std::this_thread::yield();
  const int code = daemon_->Stop(SIGTERM);
  done = true;
  for (std::thread& t : scrapers) t.join();
  EXPECT_EQ(code, 0) << daemon_->log();
}

}  // namespace
}  // namespace aigov::testing
