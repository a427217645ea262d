#include "process/node_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

extern char** environ;

namespace vellum::process {

NodeProcess::NodeProcess(const std::string& binary, const std::string& ledger,
                         const std::vector<std::string>& extra, const std::string& stderr_file,
                         const std::string& listen, int max_open_files) {
  token_file_ = ledger + ".token";
  for (size_t i = 0; i + 1 < extra.size(); ++i) {
    if (extra[i] == "--token-file") token_file_ = extra[i + 1];
  }
  int out[2];
  if (pipe(out) != 0) return;
  std::vector<std::string> argv = {binary, "serve", ledger, "--listen", listen};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const int null_fd = open("/dev/null", O_RDONLY);
  const int err_fd = stderr_file.empty() ? -1
                                         : open(stderr_file.c_str(),
                                                O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const pid_t pid = fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    // The node dies with the thread that started it, even if that process is killed or aborts
    // (a sanitizer report), so no node outlives its owner holding a port and a pipe.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(out[1], 1);
    dup2(null_fd, 0);
    if (err_fd >= 0) dup2(err_fd, 2);
    close(out[0]);
    close(out[1]);
    close(null_fd);
    if (max_open_files > 0) {
      const rlimit files{static_cast<rlim_t>(max_open_files), static_cast<rlim_t>(max_open_files)};
      setrlimit(RLIMIT_NOFILE, &files);
    }
    execve(args[0], args.data(), environ);
    _exit(127);
  }
  if (pid > 0) pid_ = pid;
  close(null_fd);
  if (err_fd >= 0) close(err_fd);
  close(out[1]);
  // The first line of stdout is the port; give the node 10 s to say it.
  std::string line;
  pollfd pfd{out[0], POLLIN, 0};
  while (pid_ > 0 && line.find('\n') == std::string::npos && poll(&pfd, 1, 10000) > 0) {
    char buf[64];
    const ssize_t n = read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  if (line.find('\n') != std::string::npos) port_ = std::atoi(line.c_str());
}

std::string NodeProcess::token() const {
  std::ifstream in(token_file_);
  std::string line;
  std::getline(in, line);
  return line;
}

int NodeProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  for (int i = 0; i < 1000; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -2;  // did not stop in time
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) Stop(SIGKILL);
}

}  // namespace vellum::process
