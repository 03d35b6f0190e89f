// aigovd: flags → config → Daemon::Create → wait for SIGTERM/SIGINT →
// Shutdown. Nothing else.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#include "daemon/common/logging.h"
#include "daemon/config/config_loader.h"
#include "daemon/daemon.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/registry/registry_projection.h"
#include "daemon/storage/allocator.h"
#ifdef AIGOV_CONTROLLED_CLOCK
#include "daemon/testing/controlled_clock.h"
#endif

ABSL_FLAG(
    std::string, config, "",
    "YAML configuration file (aigov.v1.DaemonConfig; see docs/CONFIG.md)");
ABSL_FLAG(std::string, data_dir, "",
          "Directory of the journal's RocksDB database (default ./var/aigov)");
ABSL_FLAG(std::string, grpc_listen, "",
          "gRPC listen address host:port (default 127.0.0.1:7420)");
ABSL_FLAG(std::string, http_listen, "",
          "HTTP listen address for /metrics, /healthz, /readyz "
          "(default 127.0.0.1:7421)");
ABSL_FLAG(bool, version, false, "Print the version and exit");
ABSL_FLAG(bool, verify, false,
          "Check every stored journal entry against its Merkle leaf hash and "
          "the tree against its head, then exit (0: intact; 1: names the "
          "first altered index). Needs the data directory not to be in use.");

ABSL_FLAG(bool, rebuild_views, false,
          "Rebuild the registry, lineage and drift views from the journal "
          "(they come out identical to those written live), then exit. "
          "Needs the data directory not to be in use.");

#ifdef AIGOV_CONTROLLED_CLOCK
ABSL_FLAG(int64_t, controlled_clock_start, 1767225600,
          "TEST BUILD ONLY: the clock's start (Unix seconds); it then moves "
          "only by commands on stdin (daemon/testing/controlled_clock.h)");
#endif

namespace {

using aigov::common::Log;
using aigov::common::LogLevel;

int Fail(absl::string_view msg, const absl::Status& status) {
  Log(LogLevel::kError, msg,
      {{"error", std::string(status.message())},
       {"code", absl::StatusCodeToString(status.code())}});
  std::fprintf(stderr, "aigovd: %s: %s\n", std::string(msg).c_str(),
               std::string(status.message()).c_str());
  if (status.code() == absl::StatusCode::kDataLoss) {
    std::fprintf(
        stderr,
        "aigovd: the data directory is damaged or was altered; keep it "
        "for investigation and restore from a backup (aigovd --verify "
        "names the first altered entry)\n");
  }
  return 1;
}

// Runs an offline job on a stopped daemon's data directory: opens the
// journal with every projection (so that every column family is opened),
// passes `job` a progress printer (on a terminal only), then prints the
// summary line `job` returns, or fails with `failure` and its error.
int RunOffline(const aigov::v1::DaemonConfig& config,
               const aigov::common::Clock& clock, const char* progress_label,
               const char* failure,
               const std::function<absl::StatusOr<std::string>(
                   aigov::journal::RocksDbJournal&,
                   const std::function<void(uint64_t, uint64_t)>&)>& job) {
  auto views = aigov::MakeViews(config);
  if (!views.ok()) return Fail("invalid configuration", views.status());
  aigov::journal::JournalOptions options;
  options.path = config.data_dir();
  options.projections = views->All();
  auto journal = aigov::journal::RocksDbJournal::Open(options, clock);
  if (!journal.ok()) return Fail("cannot open the journal", journal.status());
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  const auto progress = [tty, progress_label](uint64_t done, uint64_t total) {
    if (tty) {
      std::fprintf(stderr, "\r%s: %llu / %llu entries", progress_label,
                   static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total));
    }
  };
  const absl::Time start = absl::Now();
  const absl::StatusOr<std::string> summary = job(**journal, progress);
  if (tty) std::fprintf(stderr, "\n");
  if (!summary.ok()) return Fail(failure, summary.status());
  std::printf("%s (%.1fs)\n", summary->c_str(),
              absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}

// aigovd --verify: full offline check of the data directory.
int VerifyJournal(const aigov::v1::DaemonConfig& config,
                  const aigov::common::Clock& clock) {
  return RunOffline(config, clock, "verifying", "journal verification failed",
                    [](aigov::journal::RocksDbJournal& journal,
                       const auto& progress) -> absl::StatusOr<std::string> {
                      auto report = journal.VerifyAll(progress);
                      if (!report.ok()) return report.status();
                      return absl::StrCat(
                          "journal verified: ", report->entries_checked,
                          " entries, root ",
                          aigov::tlog::HashHex(report->head.root));
                    });
}

// aigovd --rebuild_views: the views, projected again from the journal.
int RebuildViews(const aigov::v1::DaemonConfig& config,
                 const aigov::common::Clock& clock) {
  return RunOffline(
      config, clock, "rebuilding views", "rebuilding views failed",
      [](aigov::journal::RocksDbJournal& journal,
         const auto& progress) -> absl::StatusOr<std::string> {
        auto pruned = journal.RebuildViews(progress);
        if (!pruned.ok()) return pruned.status();
        return absl::StrCat("views rebuilt from ", journal.tree_size(),
                            " entries (", *pruned,
                            " pruned by retention skipped)");
      });
}

}  // namespace

int main(int argc, char** argv) {
  aigov::storage::KeepFreedMemoryForReuse();
  absl::FlagsUsageConfig usage;
  // Help names the program, never the build tree's path of main.cc.
  usage.contains_help_flags = [](absl::string_view file) {
    return file == "aigovd" || absl::EndsWith(file, "daemon/main.cc");
  };
  usage.normalize_filename = [](absl::string_view file) {
    return absl::EndsWith(file, "daemon/main.cc") ? std::string("aigovd")
                                                  : std::string(file);
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.version_string = [] {
    return absl::StrCat("aigovd ", aigov::AigovVersion(), " (",
                        aigov::AigovRevision(), ")\n");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "AI governance daemon. Records AI systems, model versions, datasets, "
      "lineage, deployments and governance events in a tamper-evident audit "
      "journal and serves gRPC (aigov.v1) and HTTP (/metrics, /healthz, "
      "/readyz, OpenLineage at /api/v1/lineage).\n\n"
      "Usage: aigovd [--config FILE] [--data_dir DIR] [--grpc_listen "
      "HOST:PORT] [--http_listen HOST:PORT]\n"
      "Flags override the config file; the file overrides defaults.");
  absl::ParseCommandLine(argc, argv);

  if (absl::GetFlag(FLAGS_version)) {
    std::printf("aigovd %s (%s)\n", aigov::AigovVersion(),
                aigov::AigovRevision());
    return 0;
  }

  aigov::v1::DaemonConfig file;
  if (const std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    auto loaded = aigov::config::LoadConfigFile(path);
    if (!loaded.ok()) return Fail("bad configuration", loaded.status());
    file = *loaded;
  }
  aigov::v1::DaemonConfig flags;
  if (auto v = absl::GetFlag(FLAGS_data_dir); !v.empty()) flags.set_data_dir(v);
  if (auto v = absl::GetFlag(FLAGS_grpc_listen); !v.empty())
    flags.set_grpc_listen(v);
  if (auto v = absl::GetFlag(FLAGS_http_listen); !v.empty())
    flags.set_http_listen(v);
  auto config = aigov::config::ResolveConfig(file, flags);
  if (!config.ok()) return Fail("bad configuration", config.status());

  aigov::common::LogLevel level = LogLevel::kInfo;
  aigov::common::ParseLogLevel(config->log().level(), &level);
  aigov::common::SetMinLogLevel(level);

  // Signals are taken synchronously by this thread only; every thread
  // started after this inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

#ifdef AIGOV_CONTROLLED_CLOCK
  aigov::common::FakeClock clock(
      absl::FromUnixSeconds(absl::GetFlag(FLAGS_controlled_clock_start)));
  Log(LogLevel::kWarning,
      "TEST BUILD: this aigovd's clock moves only by commands on stdin; "
      "never run it in production");
  std::thread([&clock] {
    aigov::testing::ServeClockCommands(clock, stdin, stdout);
  }).detach();
#else
  aigov::common::RealClock clock;
#endif
  if (absl::GetFlag(FLAGS_verify)) return VerifyJournal(*config, clock);
  if (absl::GetFlag(FLAGS_rebuild_views)) return RebuildViews(*config, clock);

  auto daemon = aigov::Daemon::Create(*config, clock);
  if (!daemon.ok()) return Fail("cannot start", daemon.status());

  Log(LogLevel::kInfo, "aigovd ready",
      {{"version", aigov::AigovVersion()},
       {"data_dir", config->data_dir()},
       {"grpc_port", (*daemon)->grpc_port()},
       {"http_port", (*daemon)->http_port()}});

  int sig = 0;
  sigwait(&signals, &sig);
  Log(LogLevel::kInfo, "shutting down",
      {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // A second signal skips the drain. Nothing unsynced was acknowledged, so
  // exiting at once loses nothing a client was told is stored.
  std::thread([signals]() mutable {
    int again = 0;
    sigwait(&signals, &again);
    Log(LogLevel::kWarning, "second signal: exiting without draining");
    std::_Exit(1);
  }).detach();
  (*daemon)->Shutdown();
  daemon->reset();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}
