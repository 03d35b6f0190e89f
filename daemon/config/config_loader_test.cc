#include "daemon/config/config_loader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aigov::config {
namespace {

using ::testing::HasSubstr;

TEST(ConfigLoaderTest, DefaultsAreValid) {
  const aigov::v1::DaemonConfig c = DefaultConfig();
  EXPECT_TRUE(ValidateConfig(c).ok());
  EXPECT_EQ(c.data_dir(), "./var/aigov");
  EXPECT_EQ(c.grpc_listen(), "127.0.0.1:7420");
  EXPECT_EQ(c.http_listen(), "127.0.0.1:7421");
  EXPECT_EQ(c.max_message_bytes(), 4u * 1024 * 1024);
}

TEST(ConfigLoaderTest, GoodFileOverridesDefaults) {
  auto file = ParseConfigYaml(R"(
data_dir: /srv/aigov
grpc_listen: "0.0.0.0:9000"
journal:
  max_batch_events: 256
  max_batch_delay: 2ms
server:
  drain_delay: 1.5s
log:
  level: debug
)",
                              "config.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  auto c = ResolveConfig(*file, aigov::v1::DaemonConfig());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->data_dir(), "/srv/aigov");
  EXPECT_EQ(c->grpc_listen(), "0.0.0.0:9000");
  EXPECT_EQ(c->http_listen(), "127.0.0.1:7421");  // default kept
  EXPECT_EQ(c->journal().max_batch_events(), 256u);
  EXPECT_EQ(c->journal().queue_capacity(), 65536u);  // default kept
  EXPECT_EQ(c->journal().max_batch_delay().seconds(), 0);
  EXPECT_EQ(c->journal().max_batch_delay().nanos(), 2000000);
  EXPECT_EQ(c->server().drain_delay().seconds(), 1);
  EXPECT_EQ(c->server().drain_delay().nanos(), 500000000);
  EXPECT_EQ(c->server().shutdown_timeout().seconds(), 10);  // default kept
  EXPECT_EQ(c->log().level(), "debug");
}

TEST(ConfigLoaderTest, FlagsOverrideFile) {
  auto file = ParseConfigYaml(
      "data_dir: /from/file\nhttp_listen: 127.0.0.1:1\n", "c.yaml");
  ASSERT_TRUE(file.ok());
  aigov::v1::DaemonConfig flags;
  flags.set_data_dir("/from/flag");
  auto c = ResolveConfig(*file, flags);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->data_dir(), "/from/flag");
  EXPECT_EQ(c->http_listen(), "127.0.0.1:1");
}

TEST(ConfigLoaderTest, EmptyFileMeansDefaults) {
  auto file = ParseConfigYaml("", "empty.yaml");
  ASSERT_TRUE(file.ok());
  auto c = ResolveConfig(*file, aigov::v1::DaemonConfig());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->data_dir(), "./var/aigov");
}

struct BadCase {
  const char* yaml;
  const char* expected;
};

class BadConfigTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfigTest, NamesLineAndKeyPath) {
  auto c = ParseConfigYaml(GetParam().yaml, "config.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadConfigTest,
    ::testing::Values(
        BadCase{"data_dir: x\njournal:\n  max_batch_delay: soon\n",
                "config.yaml:3: journal.max_batch_delay: expected a duration"},
        BadCase{"grpc_listen: a\nbogus: 1\n",
                "config.yaml:2: bogus: unknown field (known: data_dir"},
        BadCase{"journal:\n  nope: 3\n",
                "config.yaml:2: journal.nope: unknown field"},
        BadCase{"journal:\n  max_batch_events: many\n",
                "config.yaml:2: journal.max_batch_events: expected a "
                "non-negative integer"},
        BadCase{"journal:\n  max_batch_events: -4\n",
                "config.yaml:2: journal.max_batch_events: expected a "
                "non-negative integer"},
        BadCase{"max_message_bytes: 99999999999\n",
                "config.yaml:1: max_message_bytes: out of range"},
        BadCase{"journal: 5\n", "config.yaml:1: journal: expected a mapping"},
        BadCase{"data_dir: [a, b]\n",
                "config.yaml:1: data_dir: expected a string"},
        BadCase{"data_dir: x\n  bad: [indent\n",
                "config.yaml:2: invalid YAML"}));

TEST(ConfigLoaderTest, ValidationNamesTheKey) {
  aigov::v1::DaemonConfig flags;
  flags.set_grpc_listen("localhost");
  auto c = ResolveConfig(aigov::v1::DaemonConfig(), flags);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("grpc_listen: expected host:port"));

  auto file = ParseConfigYaml("log:\n  level: loud\n", "c.yaml");
  ASSERT_TRUE(file.ok());
  c = ResolveConfig(*file, aigov::v1::DaemonConfig());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("log.level"));

  file = ParseConfigYaml("journal:\n  max_batch_events: 0\n", "c.yaml");
  ASSERT_TRUE(file.ok());
  c = ResolveConfig(*file, aigov::v1::DaemonConfig());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("journal.max_batch_events"));
}

TEST(ConfigLoaderTest, ComplianceDefaultsAndBounds) {
  auto file = ParseConfigYaml("", "c.yaml");
  ASSERT_TRUE(file.ok());
  auto c = ResolveConfig(*file, aigov::v1::DaemonConfig());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->compliance().regime(), "eu-ai-act-omnibus-2026");
  EXPECT_EQ(c->compliance().gdpr_breach_window().seconds(), 72 * 3600);
  EXPECT_EQ(c->compliance().immediate_action_sla().seconds(), 24 * 3600);
  EXPECT_EQ(c->compliance().at_risk_share(), 0.5);
  EXPECT_EQ(c->compliance().metric_freshness().seconds(), 7 * 86400);
  EXPECT_EQ(c->compliance().marking_freshness().seconds(), 30 * 86400);
  EXPECT_TRUE(c->compliance().catalog_dir().empty());
  EXPECT_EQ(c->metrics().max_features_per_model(), 20u);

  // A window set in the file replaces the default whole (96 h, as the
  // proposed data omnibus would have it).
  file = ParseConfigYaml("compliance:\n  gdpr_breach_window: 96h\n", "c.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  c = ResolveConfig(*file, aigov::v1::DaemonConfig());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->compliance().gdpr_breach_window().seconds(), 96 * 3600);
  EXPECT_EQ(c->compliance().gdpr_breach_window().nanos(), 0);

  for (const auto& [yaml, error] :
       {std::pair("compliance:\n  at_risk_share: 1\n",
                  "compliance.at_risk_share: expected a number in (0, 1)"),
        std::pair("compliance:\n  gdpr_breach_window: 30s\n",
                  "compliance.gdpr_breach_window: must be at least 1m"),
        std::pair("compliance:\n  metric_freshness: 0s\n",
                  "compliance.metric_freshness: must be at least 1m"),
        std::pair("compliance:\n  marking_freshness: 59s\n",
                  "compliance.marking_freshness: must be at least 1m"),
        std::pair("compliance:\n  regime: \"\"\n",
                  "compliance.regime: must not be empty"),
        std::pair("metrics:\n  max_features_per_model: 10001\n",
                  "metrics.max_features_per_model: at most 10000")}) {
    file = ParseConfigYaml(yaml, "c.yaml");
    ASSERT_TRUE(file.ok()) << file.status();
    c = ResolveConfig(*file, aigov::v1::DaemonConfig());
    ASSERT_FALSE(c.ok()) << yaml;
    EXPECT_THAT(std::string(c.status().message()), HasSubstr(error));
  }
}

TEST(ConfigLoaderTest, MissingFileIsNotFound) {
  auto c = LoadConfigFile("/nonexistent/aigov.yaml");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
}

TEST(SplitHostPortTest, Forms) {
  std::string host;
  int port = 0;
  EXPECT_TRUE(SplitHostPort("127.0.0.1:7420", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 7420);
  EXPECT_TRUE(SplitHostPort("[::1]:0", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  EXPECT_FALSE(SplitHostPort("::1:80", &host, &port));
  EXPECT_FALSE(SplitHostPort("host:99999", &host, &port));
  EXPECT_FALSE(SplitHostPort(":80", &host, &port));
}

}  // namespace
}  // namespace aigov::config

namespace aigov::config {
namespace {

TEST(ConfigLoaderTest, JournalOriginAndCheckpointInterval) {
  const aigov::v1::DaemonConfig d = DefaultConfig();
  EXPECT_EQ(d.journal().origin().rfind("aigov/", 0), 0u);
  EXPECT_EQ(d.journal().checkpoint_interval().seconds(), 1);
  auto file = ParseConfigYaml(
      "journal:\n  origin: example.com/log\n  checkpoint_interval: 250ms\n",
      "c.yaml");
  ASSERT_TRUE(file.ok());
  auto c = ResolveConfig(*file, aigov::v1::DaemonConfig());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->journal().origin(), "example.com/log");
  EXPECT_EQ(c->journal().checkpoint_interval().seconds(), 0);
  EXPECT_EQ(c->journal().checkpoint_interval().nanos(), 250000000);
  file = ParseConfigYaml("journal:\n  origin: a+b\n", "c.yaml");
  ASSERT_TRUE(file.ok());
  EXPECT_THAT(
      std::string(
          ResolveConfig(*file, aigov::v1::DaemonConfig()).status().message()),
      HasSubstr("journal.origin"));
}

}  // namespace
}  // namespace aigov::config

namespace aigov::config {
namespace {

TEST(ConfigLoaderTest, RetentionNeverBelowTheLegalMinimum) {
  auto file = ParseConfigYaml(
      "journal:\n  retention:\n    operational: 2160h\n", "c.yaml");
  ASSERT_TRUE(file.ok());
  auto c = ResolveConfig(*file, aigov::v1::DaemonConfig());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("journal.retention.operational: at least 183d"));
  file = ParseConfigYaml("journal:\n  retention:\n    operational: 8760h\n",
                         "c.yaml");
  c = ResolveConfig(*file, aigov::v1::DaemonConfig());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->journal().retention().operational().seconds(), 8760 * 3600);
  EXPECT_EQ(c->journal().retention().documentation().seconds(),
            int64_t{3653} * 86400);
}

}  // namespace
}  // namespace aigov::config
