// Test helper: run a program to completion with given stdin, capturing stdout and stderr.
#ifndef VELLUM_TESTS_PROCESS_H_
#define VELLUM_TESTS_PROCESS_H_

#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/http_client.h"
#include "net/http_server.h"
#include "process/node_process.h"

namespace vellum::testing {

struct RunResult {
  int exit_code = -1;  // -1 if the process did not exit normally
  std::string out, err;
  long max_rss_kb = 0;  // the process's peak resident memory
};

// Runs argv[0] (looked up in PATH) with `input` on stdin. Blocks until it exits.
RunResult RunProgram(const std::vector<std::string>& argv, const std::string& input = "");

// Runs the vellum binary under test with `args`.
RunResult Vellum(const std::vector<std::string>& args, const std::string& input = "");
// The same under `timeout 20`, for a command that must not serve or wait: a regression that
// does is stopped (exit 124) rather than hanging the suite.
RunResult BoundedVellum(const std::vector<std::string>& args);

// Starts the vellum binary with `args` in the background, stderr to `err_file`; returns its pid.
int StartVellum(const std::vector<std::string>& args, const std::string& input_file,
                const std::string& err_file = "/dev/null");
// Starts `argv` (argv[0] looked up in PATH) in the background, stdin and stdout /dev/null,
// stderr to `err_file`; returns its pid.
int StartProgram(const std::vector<std::string>& argv, const std::string& err_file = "/dev/null");
// Waits for `pid`; returns its exit code (-1 if killed).
int WaitFor(int pid);

// Forks a child that runs `child(fd)`, which reports progress on `fd` and must never return,
// and SIGKILLs it `delay` after it has reported `min_reported` bytes (so that every round sees
// progress however slow the build or the machine).
struct KilledChild {
  bool killed = false;  // false: it had already exited, with `exit_code`
  int exit_code = 0;
  std::string reported;  // every byte it wrote to `fd`
};
KilledChild ForkAndKill(const std::function<void(int fd)>& child, std::chrono::milliseconds delay,
                        size_t min_reported = 0);

// Splits what a KilledChild reported into fixed-size records (a partial last one is dropped).
template <typename Record>
void AppendRecords(const std::string& reported, std::vector<Record>& out) {
  for (size_t at = 0; at + sizeof(Record) <= reported.size(); at += sizeof(Record)) {
    Record record;
    std::memcpy(&record, reported.data() + at, sizeof(Record));
    out.push_back(record);
  }
}

// Polls a node's /v1/status until `done(status)`; false after `seconds`.
bool WaitForStatus(int port, const std::function<bool(const nlohmann::json&)>& done,
                   int seconds = 60);

// A client for a node on 127.0.0.1:`port`, sending `token` as a bearer token when set.
inline net::HttpClient LocalClient(int port, const std::string& token = "",
                                   int deadline_ms = 30000) {
  return net::HttpClient("http://127.0.0.1:" + std::to_string(port),
                         {.deadline_ms = deadline_ms, .bearer_token = token});
}

// An HTTP server on 127.0.0.1 (port 0) for a test's fake or hostile peer, running until
// destroyed. `handler` may block: the server has threads to spare.
class TestServer {
 public:
  using Handler = std::function<void(const net::Request&, net::Response&)>;
  explicit TestServer(Handler handler);
  ~TestServer();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<net::HttpServer> server_;
  int port_ = 0;
  std::thread thread_;
};

// A `vellum serve` child of the binary under test.
class NodeProcess : public process::NodeProcess {
 public:
  explicit NodeProcess(const std::string& ledger, const std::vector<std::string>& extra = {},
                       const std::string& stderr_file = "",
                       const std::string& listen = "127.0.0.1:0", int max_open_files = 0)
      : process::NodeProcess(VELLUM_BIN, ledger, extra, stderr_file, listen, max_open_files) {}
  // The Authorization header for writes.
  std::pair<std::string, std::string> AuthHeader() const {
    return {"Authorization", "Bearer " + token()};
  }
};

}  // namespace vellum::testing

#endif  // VELLUM_TESTS_PROCESS_H_
