// Test harness: runs the real aigovd binary on loopback (ports chosen by the
// kernel, read back from its "aigovd ready" log line) over a temporary data
// directory, and speaks plain HTTP/1.0 to it.
//
// Not thread-safe; one harness per test.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace aigov::testing {

// A fresh directory under $TMPDIR, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct HttpResponse {
  int status = 0;  // 0 when the connection failed
  std::string body;
};

// GET http://127.0.0.1:port/path. Never throws.
HttpResponse HttpGet(int port, const std::string& path);
// POST of a JSON body to http://127.0.0.1:port/path, with `extra_headers`
// ("Name: value" lines without CRLF) added. Never throws.
HttpResponse HttpPost(int port, const std::string& path,
                      const std::string& body,
                      const std::vector<std::string>& extra_headers = {});

// Returns the value of the sample `series` (exact text before the value,
// e.g. `aigov_journal_tree_size` or `x_total{a="b"}`) in a text exposition,
// or -1 when absent.
double MetricValue(const std::string& exposition, const std::string& series);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` to completion with `stdin_text` as its standard input.
// argv[0] without a slash is looked up in PATH; exit code 127 when it
// could not be run.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& stdin_text = "");

// The whole content of the file at `path`; empty when it cannot be read.
std::string ReadFile(const std::string& path);

// Another program run for the length of a test (a Prometheus server):
// started by the constructor with stdin from /dev/null and stdout and
// stderr appended to `log`; stopped with SIGTERM and waited for by the
// destructor. argv[0] is looked up in PATH.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::string& log);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

 private:
  int pid_ = -1;
};

class DaemonProcess {
 public:
  // `data_dir` and `extra_args` are passed to aigovd with loopback port 0.
  DaemonProcess(std::string data_dir, std::vector<std::string> extra_args = {});
  ~DaemonProcess();  // SIGKILLs the daemon if still running
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts aigovd and waits (up to 60 s) for its ready line. Returns false
  // when it exited or never became ready; log() then says why.
  bool Start();
  // Sends `sig` and waits for exit; returns the exit code, or 128+signal.
  int Stop(int sig);
  // Sends `sig` without waiting.
  void Signal(int sig);
  // Waits for exit (up to 60 s); returns as Stop().
  int Wait();

  // Runs the test build aigovd-controlled-clock instead of aigovd
  // (daemon/testing/controlled_clock.h), its clock starting at
  // `start_unix_seconds`. Call before Start().
  void UseControlledClock(int64_t start_unix_seconds);
  // Moves the controlled clock by `seconds` and waits until every periodic
  // component the move made due has done its round. Returns the daemon's
  // time after the move (Unix seconds), or -1 when it did not answer.
  int64_t AdvanceClock(int64_t seconds);

  // Runs the aigovd binary at `path` instead of the build's (a benchmark
  // comparing two builds). Call before Start().
  void UseBinary(std::string path) { binary_ = std::move(path); }

  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_port_; }
  std::string grpc_target() const;
  // Everything aigovd wrote to stderr so far.
  std::string log() const;

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  std::string log_path_;
  std::string binary_;  // empty: AigovdPath()
  pid_t pid_ = -1;
  // Controlled clock: start time, command pipe (write end), answers file.
  int64_t clock_start_ = -1;
  int clock_in_ = -1;
  std::string clock_out_path_;
  size_t clock_answers_ = 0;
  int grpc_port_ = 0;
  int http_port_ = 0;
};

// Every key and value of one column family of a stopped daemon's RocksDB.
std::map<std::string, std::string> DumpFamily(const std::string& data_dir,
                                              const std::string& family);
// Damages a column family of a stopped daemon: deletes `key` and adds a
// stray record, so that only a real rebuild restores it.
void DamageFamily(const std::string& data_dir, const std::string& family,
                  const std::string& key);

// 1 March 2028 00:00 UTC in Unix seconds: past every application date of
// both regimes, where compliance tests start the controlled clock.
int64_t March2028();
// `unix_seconds` in RFC 3339, UTC, to the second ("2028-03-01T00:00:00Z").
std::string Rfc3339(int64_t unix_seconds);

// Paths of the binaries under test, from the build.
const char* AigovdPath();
const char* AigovctlPath();
const char* ControlledAigovdPath();

}  // namespace aigov::testing
