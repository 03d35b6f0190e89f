#include "tests/integration/daemon_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace aigov::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(60);

// Starts `argv` with stdin from `in_path` and stdout/stderr appended to the
// given files (created if missing). Returns the child's pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& in_path,
            const std::string& out_path, const std::string& err_path) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in = ::open(in_path.c_str(), O_RDONLY);
    const int out =
        ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const int err =
        ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

// Every key and value of one column family of a stopped daemon's RocksDB.
std::map<std::string, std::string> DumpFamily(const std::string& data_dir,
                                              const std::string& family) {
  std::map<std::string, std::string> out;
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(options, data_dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& n : names)
    families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s =
      rocksdb::DB::OpenForReadOnly(options, data_dir, families, &handles, &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != family) continue;
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out[it->key().ToString()] = it->value().ToString();
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  return out;
}

void DamageFamily(const std::string& data_dir, const std::string& family,
                  const std::string& key) {
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, data_dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& n : names) {
    families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::Open(options, data_dir, families, &handles, &db).ok());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != family) continue;
    EXPECT_TRUE(db->Delete(rocksdb::WriteOptions(), handles[i], key).ok());
    EXPECT_TRUE(
        db->Put(rocksdb::WriteOptions(), handles[i], "\x7fstray", "junk").ok());
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
}

const char* AigovdPath() { return AIGOVD_PATH; }
const char* AigovctlPath() { return AIGOVCTL_PATH; }
const char* ControlledAigovdPath() { return AIGOVD_CONTROLLED_CLOCK_PATH; }

TempDir::TempDir() {
  std::random_device rd;
  const char* base = std::getenv("TMPDIR");
  path_ =
      (std::filesystem::path(base ? base : "/tmp") /
       ("aigov-it-" + std::to_string(::getpid()) + "-" + std::to_string(rd())))
          .string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

HttpResponse HttpRequest(int port, const std::string& head,
                         const std::string& payload) {
  HttpResponse r;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return r;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return r;
  }
  const std::string req = head + payload;
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return r;
  }
  std::string raw;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t sp = raw.find(' ');
  const size_t body = raw.find("\r\n\r\n");
  if (sp == std::string::npos || body == std::string::npos) return r;
  r.status = std::atoi(raw.c_str() + sp + 1);
  r.body = raw.substr(body + 4);
  return r;
}

}  // namespace

HttpResponse HttpGet(int port, const std::string& path) {
  return HttpRequest(
      port, "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", "");
}

HttpResponse HttpPost(int port, const std::string& path,
                      const std::string& body,
                      const std::vector<std::string>& extra_headers) {
  std::string head = "POST " + path +
                     " HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: " +
                     std::to_string(body.size()) + "\r\n";
  for (const std::string& h : extra_headers) head += h + "\r\n";
  return HttpRequest(port, head + "\r\n", body);
}

double MetricValue(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() &&
        line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::string& log)
    : pid_(Spawn(argv, "/dev/null", log, log)) {}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& stdin_text) {
  CommandResult result;
  TempDir dir;
  const std::string in_path = dir.path() + "/in";
  const std::string out_path = dir.path() + "/out";
  const std::string err_path = dir.path() + "/err";
  std::ofstream(in_path) << stdin_text;
  const pid_t pid = Spawn(argv, in_path, out_path, err_path);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = DecodeWaitStatus(status);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

DaemonProcess::DaemonProcess(std::string data_dir,
                             std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)) {
  static int counter = 0;
  log_path_ = data_dir_ + ".aigovd." + std::to_string(++counter) + ".log";
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) Stop(SIGKILL);
  if (clock_in_ >= 0) ::close(clock_in_);
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
  if (!clock_out_path_.empty()) {
    std::filesystem::remove(clock_out_path_, ec);
    std::filesystem::remove(log_path_ + ".clock", ec);
  }
}

void DaemonProcess::UseControlledClock(int64_t start_unix_seconds) {
  clock_start_ = start_unix_seconds;
}

int64_t DaemonProcess::AdvanceClock(int64_t seconds) {
  if (clock_in_ < 0) return -1;
  const std::string command = "advance " + std::to_string(seconds) + "\n";
  if (::write(clock_in_, command.data(), command.size()) !=
      static_cast<ssize_t>(command.size())) {
    return -1;
  }
  ++clock_answers_;
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream lines(ReadFile(clock_out_path_));
    std::vector<std::string> answers;
    for (std::string line; std::getline(lines, line);) answers.push_back(line);
    if (answers.size() >= clock_answers_) {
      const std::string& last = answers[clock_answers_ - 1];
      if (last.rfind("now ", 0) != 0) return -1;
      return std::stoll(last.substr(4));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

bool DaemonProcess::Start() {
  const bool controlled = clock_start_ >= 0;
  std::vector<std::string> argv = {controlled        ? ControlledAigovdPath()
                                   : binary_.empty() ? AigovdPath()
                                                     : binary_.c_str(),
                                   "--data_dir=" + data_dir_,
                                   "--grpc_listen=127.0.0.1:0",
                                   "--http_listen=127.0.0.1:0"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  std::string in_path = "/dev/null";
  std::string out_path = "/dev/null";
  if (controlled) {
    argv.push_back("--controlled_clock_start=" + std::to_string(clock_start_));
    // Commands through a FIFO (the daemon's stdin), answers into a file.
    in_path = log_path_ + ".clock";
    clock_out_path_ = out_path = log_path_ + ".clock-answers";
    std::error_code ec;
    std::filesystem::remove(in_path, ec);
    if (::mkfifo(in_path.c_str(), 0600) != 0) return false;
  }
  const pid_t pid = Spawn(argv, in_path, out_path, log_path_);
  pid_ = pid;
  if (controlled) {
    // Meets the child's open of its stdin.
    clock_in_ = ::open(in_path.c_str(), O_WRONLY);
    if (clock_in_ < 0) return false;
  }
  const std::regex ready(
      R"re("msg":"aigovd ready".*"grpc_port":(\d+),"http_port":(\d+))re");
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string text = ReadFile(log_path_);
    if (std::regex_search(text, m, ready)) {
      grpc_port_ = std::stoi(m[1]);
      http_port_ = std::stoi(m[2]);
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void DaemonProcess::Signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int DaemonProcess::Wait() {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return DecodeWaitStatus(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -2;  // did not exit in time
}

int DaemonProcess::Stop(int sig) {
  Signal(sig);
  return Wait();
}

std::string DaemonProcess::grpc_target() const {
  return "127.0.0.1:" + std::to_string(grpc_port_);
}

std::string DaemonProcess::log() const { return ReadFile(log_path_); }

int64_t March2028() {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilDay(2028, 3, 1), absl::UTCTimeZone()));
}

std::string Rfc3339(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

}  // namespace aigov::testing
