// Durable-append load against real `vellum serve` processes on loopback: concurrent keep-alive
// connections (driven by one epoll thread) append single entries for a fixed time; appends/s and p50/p99 latency at 1, 16 and
// 64 clients, with group commit side by side with one transaction per append (the baseline),
// in the same run.
//
//   build/bench/vellum_load [seconds per measurement, default 3]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "node/node_process.h"

namespace {

using Clock = std::chrono::steady_clock;

struct LoadResult {
  double appends_per_second = 0;
  double p50_ms = 0, p99_ms = 0;
  uint64_t errors = 0;
};

// One client connection driven by the event loop: sends a request, reads the whole response
// (status line, headers, Content-Length body), then sends the next.
struct Connection {
  int fd = -1;
  int id = 0;
  uint64_t sent = 0;
  std::string out, in;
  size_t out_done = 0;
  Clock::time_point started;
};

std::string Request(const std::string& token, int client, uint64_t n) {
  const std::string body =
      "{\"data\":\"client " + std::to_string(client) + " event " + std::to_string(n) + "\"}";
  return "POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Authorization: Bearer " + token + "\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Bytes of a complete response at the start of `in`, or 0 if it is not complete yet.
size_t CompleteResponse(const std::string& in, int* status) {
  const size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  size_t length = 0;
  const size_t cl = in.find("Content-Length: ");
  if (cl != std::string::npos && cl < end) length = std::strtoul(in.c_str() + cl + 16, nullptr, 10);
  if (in.size() < end + 4 + length) return 0;
  *status = std::atoi(in.c_str() + 9);
  return end + 4 + length;
}

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));  // completes in the loop
  return fd;
}

// `clients` keep-alive connections, each with one request in flight, driven by one epoll
// thread so that the load generator takes as little of the shared CPU as it can.
LoadResult RunLoad(int port, const std::string& token, int clients, double seconds) {
  const int ep = epoll_create1(0);
  std::vector<Connection> conns(static_cast<size_t>(clients));
  std::vector<double> latencies;
  uint64_t errors = 0;
  auto start_request = [&](Connection& c) {
    c.out = Request(token, c.id, c.sent++);
    c.out_done = 0;
    c.started = Clock::now();
    epoll_event ev{EPOLLOUT, {.ptr = &c}};
    epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
  };
  for (int i = 0; i < clients; ++i) {
    Connection& c = conns[static_cast<size_t>(i)];
    c.id = i;
    c.fd = Connect(port);
    epoll_event ev{EPOLLOUT, {.ptr = &c}};
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    c.out = Request(token, c.id, c.sent++);
    c.started = Clock::now();
  }
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  int open = clients;
  epoll_event events[256];
  while (open > 0) {
    const int n = epoll_wait(ep, events, 256, 1000);
    for (int k = 0; k < n; ++k) {
      Connection& c = *static_cast<Connection*>(events[k].data.ptr);
      bool failed = (events[k].events & (EPOLLERR | EPOLLHUP)) != 0;
      if (!failed && (events[k].events & EPOLLOUT)) {
        const ssize_t w = write(c.fd, c.out.data() + c.out_done, c.out.size() - c.out_done);
        if (w > 0) c.out_done += static_cast<size_t>(w);
        failed = w < 0 && errno != EAGAIN;
        if (!failed && c.out_done == c.out.size()) {
          epoll_event ev{EPOLLIN, {.ptr = &c}};
          epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        }
      } else if (!failed && (events[k].events & EPOLLIN)) {
        char buf[4096];
        const ssize_t r = read(c.fd, buf, sizeof(buf));
        failed = r == 0 || (r < 0 && errno != EAGAIN);
        if (r > 0) c.in.append(buf, static_cast<size_t>(r));
        int status = 0;
        if (const size_t used = CompleteResponse(c.in, &status); used > 0) {
          c.in.erase(0, used);
          if (status == 200) {
            latencies.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - c.started).count());
          } else {
            ++errors;
          }
          if (Clock::now() < deadline) {
            start_request(c);
          } else {
            close(c.fd);
            --open;
          }
        }
      }
      if (failed) {  // count it, reconnect, go on
        ++errors;
        close(c.fd);
        c.in.clear();
        if (Clock::now() < deadline) {
          c.fd = Connect(port);
          epoll_event ev{EPOLLOUT, {.ptr = &c}};
          epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
          c.out_done = 0;
          c.started = Clock::now();
        } else {
          --open;
        }
      }
    }
  }
  close(ep);
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  LoadResult out;
  out.errors = errors;
  if (latencies.empty()) return out;
  out.appends_per_second = static_cast<double>(latencies.size()) / elapsed;
  out.p50_ms = latencies[latencies.size() / 2];
  out.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
  return out;
}

std::string FreshLedger(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name + ".db";
  const std::string cmd = std::string(VELLUM_BIN) + " init " + path + " --origin bench/" + name +
                          " > /dev/null";
  if (std::system(cmd.c_str()) != 0) std::abort();
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  std::string pattern = (std::filesystem::temp_directory_path() / "vellum-load-XXXXXX").string();
  const std::string dir = mkdtemp(pattern.data());
  std::printf("durable appends over HTTP, %.0f s per row (single-entry requests, keep-alive)\n",
              seconds);
  std::printf("%8s | %14s %9s %9s | %14s %9s %9s | %6s\n", "clients", "grouped/s", "p50 ms",
              "p99 ms", "per-append/s", "p50 ms", "p99 ms", "ratio");
  for (int clients : {1, 16, 64}) {
    vellum::node::NodeProcess grouped(VELLUM_BIN, FreshLedger(dir, "grouped" + std::to_string(clients)));
    vellum::node::NodeProcess single(VELLUM_BIN, FreshLedger(dir, "single" + std::to_string(clients)),
                                        {"--no-group-commit"});
    if (!grouped.ok() || !single.ok()) {
      std::fprintf(stderr, "could not start the nodes\n");
      return 1;
    }
    const LoadResult g = RunLoad(grouped.port(), grouped.token(), clients, seconds);
    const LoadResult s = RunLoad(single.port(), single.token(), clients, seconds);
    std::printf("%8d | %14.0f %9.2f %9.2f | %14.0f %9.2f %9.2f | %5.1fx\n", clients,
                g.appends_per_second, g.p50_ms, g.p99_ms, s.appends_per_second, s.p50_ms,
                s.p99_ms, s.appends_per_second > 0 ? g.appends_per_second / s.appends_per_second : 0);
    if (g.errors + s.errors > 0) {
      std::printf("         errors: grouped %llu, per-append %llu\n",
                  static_cast<unsigned long long>(g.errors),
                  static_cast<unsigned long long>(s.errors));
    }
    grouped.Stop(SIGTERM);
    single.Stop(SIGTERM);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
