// A child `vellum serve` process on 127.0.0.1, port chosen by the OS: for tests, benchmarks and
// the demo. The child is killed when the thread that created it ends (PR_SET_PDEATHSIG), also if
// its process dies without running destructors. Not thread-safe.
#ifndef VELLUM_PROCESS_NODE_PROCESS_H_
#define VELLUM_PROCESS_NODE_PROCESS_H_

#include <string>
#include <vector>

namespace vellum::process {

class NodeProcess {
 public:
  // Starts `BINARY serve LEDGER --listen 127.0.0.1:0 EXTRA...` and reads the port it prints.
  // Its stderr (the node's event lines) goes to `stderr_file` when given, else to ours.
  // `listen` chooses the address (a test restarting a node on the port it had).
  // `max_open_files` > 0 caps the child's descriptors, soft and hard limit alike.
  NodeProcess(const std::string& binary, const std::string& ledger,
              const std::vector<std::string>& extra = {}, const std::string& stderr_file = "",
              const std::string& listen = "127.0.0.1:0", int max_open_files = 0);
  ~NodeProcess();  // SIGKILL if still running
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  int pid() const { return pid_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The node's write token: from its --token-file, else the one it made beside the ledger.
  std::string token() const;
  // Sends `signal` and waits (at most 10 s); returns the exit code, -1 if killed by a signal.
  int Stop(int signal);

 private:
  int pid_ = -1;
  int port_ = -1;
  std::string token_file_;
};

}  // namespace vellum::process

#endif  // VELLUM_PROCESS_NODE_PROCESS_H_
