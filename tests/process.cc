#include "tests/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace vellum::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Spawn(const std::vector<std::string>& argv, const std::string& in, const std::string& out,
          const std::string& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  if (!out.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

int WaitFor(int pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

KilledChild ForkAndKill(const std::function<void(int fd)>& child, std::chrono::milliseconds delay,
                        size_t min_reported) {
  KilledChild result;
  int fds[2];
  if (pipe(fds) != 0) return result;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child(fds[1]);
    _exit(1);  // children report and run until killed
  }
  close(fds[1]);
  // However slow the machine, the child gets to report `min_reported` bytes (a minute at most)
  // before the delay starts.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  char buf[4096];
  while (result.reported.size() < min_reported && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fds[0], POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    result.reported.append(buf, static_cast<size_t>(n));
  }
  std::this_thread::sleep_for(delay);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  result.killed = WIFSIGNALED(status);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) {
    result.reported.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  return result;
}

TestServer::TestServer(Handler handler) {
  auto server = net::HttpServer::Create(
      {.drain_timeout_ms = 1000, .threads = 8},
      [handler = std::move(handler)](net::Request& req, net::HttpServer::Respond respond) {
        net::Response res;
        handler(req, res);
        respond(std::move(res));
      });
  server_ = std::move(*server);
  port_ = server_->Bind("127.0.0.1", 0).value_or(0);
  thread_ = std::thread([this] { server_->Run(); });
}

TestServer::~TestServer() {
  server_->Stop();
  thread_.join();
}

bool WaitForStatus(int port, const std::function<bool(const nlohmann::json&)>& done, int seconds) {
  auto c = LocalClient(port, "", 5000);
  for (int i = 0; i < seconds * 20; ++i) {
    auto r = c.Get("/v1/status");
    if (r && r->status == 200 && done(nlohmann::json::parse(r->body))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

RunResult RunProgram(const std::vector<std::string>& argv, const std::string& input) {
  char dir_template[] = "/tmp/vellum-run-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string in = dir + "/in", out = dir + "/out", err = dir + "/err";
  std::ofstream(in, std::ios::binary) << input;
  RunResult result;
  int pid = Spawn(argv, in, out, err);
  int status = 0;
  rusage usage{};
  if (pid > 0 && wait4(pid, &status, 0, &usage) == pid) {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.max_rss_kb = usage.ru_maxrss;
  }
  result.out = Slurp(out);
  result.err = Slurp(err);
  for (const auto& f : {in, out, err}) unlink(f.c_str());
  rmdir(dir.c_str());
  return result;
}

RunResult Vellum(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv = {VELLUM_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, input);
}

RunResult BoundedVellum(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"timeout", "20", VELLUM_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv);
}

int StartProgram(const std::vector<std::string>& argv, const std::string& err_file) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // The child dies with the test (a crashed or killed test leaves no server behind).
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  const int in = open("/dev/null", O_RDWR),
            err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (in < 0 || err < 0) _exit(127);
  dup2(in, 0);
  dup2(in, 1);
  dup2(err, 2);
  execvp(args[0], args.data());
  _exit(127);
}

int StartVellum(const std::vector<std::string>& args, const std::string& input_file,
                const std::string& err_file) {
  std::vector<std::string> argv = {VELLUM_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return Spawn(argv, input_file, "/dev/null", err_file);
}

}  // namespace vellum::testing
