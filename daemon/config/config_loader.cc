#include "daemon/config/config_loader.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/logging.h"
#include "daemon/common/status_macros.h"
#include "daemon/config/yaml_to_proto.h"

namespace aigov::config {
namespace {

absl::Status CheckListen(absl::string_view value, absl::string_view path) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(value, &host, &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected host:port (e.g. 127.0.0.1:7420), got \"",
                     value, "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckDuration(const google::protobuf::Duration& d,
                           absl::string_view path) {
  if (d.seconds() < 0 || d.nanos() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must not be negative"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string DefaultOrigin() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    return "aigov/localhost";
  }
  return absl::StrCat("aigov/", host);
}

aigov::v1::DaemonConfig DefaultConfig() {
  aigov::v1::DaemonConfig c;
  c.set_data_dir("./var/aigov");
  c.set_grpc_listen("127.0.0.1:7420");
  c.set_http_listen("127.0.0.1:7421");
  c.set_max_message_bytes(4u << 20);
  c.mutable_journal()->set_max_batch_events(1024);
  c.mutable_journal()->mutable_max_batch_delay()->set_seconds(0);
  c.mutable_journal()->set_queue_capacity(65536);
  c.mutable_journal()->set_origin(DefaultOrigin());
  c.mutable_journal()->mutable_checkpoint_interval()->set_seconds(1);
  c.mutable_journal()->mutable_retention()->mutable_operational()->set_seconds(
      183 * 86400);
  c.mutable_journal()
      ->mutable_retention()
      ->mutable_documentation()
      ->set_seconds(int64_t{3653} * 86400);
  c.mutable_journal()
      ->mutable_retention()
      ->mutable_sweep_interval()
      ->set_seconds(3600);
  c.mutable_server()->mutable_drain_delay()->set_seconds(0);
  c.mutable_server()->mutable_shutdown_timeout()->set_seconds(10);
  c.mutable_log()->set_level("info");
  c.mutable_monitoring()->mutable_allowed_lateness()->set_seconds(300);
  c.mutable_monitoring()->mutable_sweep_interval()->set_seconds(10);
  c.mutable_monitoring()->set_breach_windows(2);
  c.mutable_compliance()->set_regime("eu-ai-act-omnibus-2026");
  c.mutable_compliance()->mutable_gdpr_breach_window()->set_seconds(72 * 3600);
  c.mutable_compliance()->mutable_immediate_action_sla()->set_seconds(24 *
                                                                      3600);
  c.mutable_compliance()->set_at_risk_share(0.5);
  c.mutable_compliance()->mutable_metric_freshness()->set_seconds(7 * 86400);
  c.mutable_compliance()->mutable_marking_freshness()->set_seconds(30 * 86400);
  c.mutable_metrics()->set_max_features_per_model(20);
  return c;
}

absl::StatusOr<aigov::v1::DaemonConfig> ParseConfigYaml(
    absl::string_view yaml, absl::string_view source) {
  aigov::v1::DaemonConfig config;
  AIGOV_RETURN_IF_ERROR(YamlTextToProto(yaml, source, &config));
  return config;
}

absl::StatusOr<aigov::v1::DaemonConfig> LoadConfigFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseConfigYaml(buf.str(), path);
}

absl::StatusOr<aigov::v1::DaemonConfig> ResolveConfig(
    const aigov::v1::DaemonConfig& file,
    const aigov::v1::DaemonConfig& overrides) {
  aigov::v1::DaemonConfig config = DefaultConfig();
  // Message-typed Durations in the defaults would otherwise be merged
  // field-wise; replace them whole when a layer sets them.
  for (const aigov::v1::DaemonConfig* layer : {&file, &overrides}) {
    aigov::v1::DaemonConfig copy = *layer;
    if (copy.has_journal() && copy.journal().has_max_batch_delay()) {
      config.mutable_journal()->clear_max_batch_delay();
    }
    if (copy.has_journal() && copy.journal().has_retention()) {
      const auto& r = copy.journal().retention();
      auto* mine = config.mutable_journal()->mutable_retention();
      if (r.has_operational()) mine->clear_operational();
      if (r.has_documentation()) mine->clear_documentation();
      if (r.has_sweep_interval()) mine->clear_sweep_interval();
    }
    if (copy.has_journal() && copy.journal().has_checkpoint_interval()) {
      config.mutable_journal()->clear_checkpoint_interval();
    }
    if (copy.has_server() && copy.server().has_drain_delay()) {
      config.mutable_server()->clear_drain_delay();
    }
    if (copy.has_server() && copy.server().has_shutdown_timeout()) {
      config.mutable_server()->clear_shutdown_timeout();
    }
    if (copy.has_monitoring() && copy.monitoring().has_allowed_lateness()) {
      config.mutable_monitoring()->clear_allowed_lateness();
    }
    if (copy.has_monitoring() && copy.monitoring().has_sweep_interval()) {
      config.mutable_monitoring()->clear_sweep_interval();
    }
    if (copy.has_compliance() && copy.compliance().has_gdpr_breach_window()) {
      config.mutable_compliance()->clear_gdpr_breach_window();
    }
    if (copy.has_compliance() && copy.compliance().has_immediate_action_sla()) {
      config.mutable_compliance()->clear_immediate_action_sla();
    }
    if (copy.has_compliance() && copy.compliance().has_metric_freshness()) {
      config.mutable_compliance()->clear_metric_freshness();
    }
    if (copy.has_compliance() && copy.compliance().has_marking_freshness()) {
      config.mutable_compliance()->clear_marking_freshness();
    }
    config.MergeFrom(copy);
  }
  AIGOV_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

absl::Status ValidateConfig(const aigov::v1::DaemonConfig& c) {
  if (c.data_dir().empty()) {
    return absl::InvalidArgumentError("data_dir: must not be empty");
  }
  AIGOV_RETURN_IF_ERROR(CheckListen(c.grpc_listen(), "grpc_listen"));
  AIGOV_RETURN_IF_ERROR(CheckListen(c.http_listen(), "http_listen"));
  if (c.max_message_bytes() < 1024) {
    return absl::InvalidArgumentError(
        "max_message_bytes: must be at least 1024");
  }
  if (c.journal().max_batch_events() == 0 ||
      c.journal().max_batch_events() > 100000) {
    return absl::InvalidArgumentError(
        "journal.max_batch_events: must be between 1 and 100000");
  }
  if (c.journal().queue_capacity() == 0) {
    return absl::InvalidArgumentError(
        "journal.queue_capacity: must be at least 1");
  }
  AIGOV_RETURN_IF_ERROR(
      CheckDuration(c.journal().max_batch_delay(), "journal.max_batch_delay"));
  const auto& interval = c.journal().checkpoint_interval();
  if (interval.seconds() < 0 || interval.nanos() < 0 ||
      (interval.seconds() == 0 && interval.nanos() < 10000000)) {
    return absl::InvalidArgumentError(
        "journal.checkpoint_interval: must be at least 10ms");
  }
  const auto& retention = c.journal().retention();
  if (retention.operational().seconds() < 183 * 86400) {
    return absl::InvalidArgumentError(
        "journal.retention.operational: at least 183d (6 months, AI Act Art. "
        "19 and 26(6))");
  }
  if (retention.documentation().seconds() < int64_t{3653} * 86400) {
    return absl::InvalidArgumentError(
        "journal.retention.documentation: at least 3653d (10 years, AI Act "
        "Art. 18)");
  }
  if (retention.sweep_interval().seconds() < 1) {
    return absl::InvalidArgumentError(
        "journal.retention.sweep_interval: at least 1s");
  }
  const std::string& origin = c.journal().origin();
  if (origin.empty() || origin.find('+') != std::string::npos ||
      std::any_of(origin.begin(), origin.end(), [](char ch) {
        return static_cast<unsigned char>(ch) <= 0x20;
      })) {
    return absl::InvalidArgumentError(
        absl::StrCat("journal.origin: \"", origin,
                     "\" must be non-empty, without spaces or '+' (it names "
                     "the signing key)"));
  }
  AIGOV_RETURN_IF_ERROR(
      CheckDuration(c.server().drain_delay(), "server.drain_delay"));
  AIGOV_RETURN_IF_ERROR(
      CheckDuration(c.server().shutdown_timeout(), "server.shutdown_timeout"));
  AIGOV_RETURN_IF_ERROR(CheckDuration(c.monitoring().allowed_lateness(),
                                      "monitoring.allowed_lateness"));
  const auto& sweep = c.monitoring().sweep_interval();
  if (sweep.seconds() < 0 || sweep.nanos() < 0 ||
      (sweep.seconds() == 0 && sweep.nanos() < 100000000)) {
    return absl::InvalidArgumentError(
        "monitoring.sweep_interval: must be at least 100ms");
  }
  if (c.monitoring().breach_windows() == 0) {
    return absl::InvalidArgumentError(
        "monitoring.breach_windows: must be at least 1");
  }
  if (c.metrics().max_features_per_model() > 10000) {
    return absl::InvalidArgumentError(
        "metrics.max_features_per_model: at most 10000");
  }
  if (c.compliance().regime().empty()) {
    return absl::InvalidArgumentError(
        "compliance.regime: must not be empty (eu-ai-act-omnibus-2026 or "
        "eu-ai-act-2024)");
  }
  for (const auto& [d, name] :
       {std::pair(&c.compliance().gdpr_breach_window(),
                  "compliance.gdpr_breach_window"),
        std::pair(&c.compliance().immediate_action_sla(),
                  "compliance.immediate_action_sla"),
        std::pair(&c.compliance().metric_freshness(),
                  "compliance.metric_freshness"),
        std::pair(&c.compliance().marking_freshness(),
                  "compliance.marking_freshness")}) {
    AIGOV_RETURN_IF_ERROR(CheckDuration(*d, name));
    if (d->seconds() < 60) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": must be at least 1m"));
    }
  }
  const double share = c.compliance().at_risk_share();
  if (!(share > 0 && share < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "compliance.at_risk_share: expected a number in (0, 1), got ", share));
  }
  common::LogLevel level;
  if (!common::ParseLogLevel(c.log().level(), &level)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log.level: expected debug, info, warning or error, got \"",
        c.log().level(), "\""));
  }
  return absl::OkStatus();
}

bool SplitHostPort(absl::string_view address, std::string* host, int* port) {
  absl::string_view h;
  absl::string_view p;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return false;
    }
    h = address.substr(1, close - 1);
    p = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) return false;
    h = address.substr(0, colon);
    p = address.substr(colon + 1);
    if (h.find(':') != absl::string_view::npos) return false;
  }
  int value = 0;
  if (h.empty() || !absl::SimpleAtoi(p, &value) || value < 0 || value > 65535) {
    return false;
  }
  *host = std::string(h);
  *port = value;
  return true;
}

}  // namespace aigov::config
