// Durable-append load against real `vellum serve` processes on loopback: N keep-alive
// connections (driven by one epoll thread) append single entries for a fixed time; appends/s and
// p50/p99 latency at 1, 16 and 64 clients. Measured in the same run, interleaved round by round
// so that drift cannot land on one side: the node with group commit, the node with one
// transaction per request, and raw SQLite (same pragmas as a ledger) inserting one row per
// durable transaction and N rows per durable transaction (what perfect grouping of N clients
// could reach without HTTP, hashing or tiles). Then a normal client's latency while 1,000 idle
// and 100 slow connections are held open. Each figure is the median of the rounds with its
// range.
//
//   build/bench/vellum_load [seconds per measurement, default 3] [rounds, default 3]
//                           [client counts, default 1,16,64]
//
// VELLUM_LOAD_BIN=path/to/vellum loads another build (to compare two builds).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "process/node_process.h"
#include "storage/schema.h"

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
         "Authorization: Bearer " +
         token +
         "\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
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
  // Writes the next request at once; only a write the socket does not take whole waits for
  // EPOLLOUT (so a request costs no epoll_ctl calls in the usual case).
  auto start_request = [&](Connection& c) {
    c.out = Request(token, c.id, c.sent++);
    c.started = Clock::now();
    const ssize_t w = write(c.fd, c.out.data(), c.out.size());
    c.out_done = w > 0 ? static_cast<size_t>(w) : 0;
    if (c.out_done < c.out.size()) {
      epoll_event ev{EPOLLOUT, {.ptr = &c}};
      epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    }
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
  // Requests still unanswered 5 s after the end count as errors (a node that stopped answering).
  const auto give_up = deadline + std::chrono::seconds(5);
  while (open > 0) {
    if (Clock::now() > give_up) {
      for (Connection& c : conns) {
        if (c.fd >= 0) close(c.fd);
      }
      errors += static_cast<uint64_t>(open);
      break;
    }
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
            c.fd = -1;
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
          c.fd = -1;
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

// The vellum binary to load: VELLUM_LOAD_BIN (to compare two builds), else this build's.
const char* Binary() {
  const char* other = getenv("VELLUM_LOAD_BIN");
  return other ? other : VELLUM_BIN;
}

std::string FreshLedger(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name + ".db";
  const std::string cmd =
      std::string(Binary()) + " init " + path + " --origin bench/" + name + " > /dev/null";
  if (std::system(cmd.c_str()) != 0) std::abort();
  return path;
}

// Raw SQLite: `rows` single-entry rows (an index, a time, a 30-byte text) per durable
// transaction, for `seconds`, into a plain table of `path`; rows/s and transaction latency.
LoadResult RawSqlite(const std::string& path, int rows, double seconds) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, vellum::storage::kConnectionPragmas, nullptr, nullptr, nullptr);
  sqlite3_exec(db,
               "CREATE TABLE IF NOT EXISTS entries(idx INTEGER PRIMARY KEY, ts INTEGER, "
               "data ANY NOT NULL) STRICT",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO entries(ts, data) VALUES (?, ?)", -1, &insert, nullptr);
  std::vector<double> latencies;
  uint64_t n = 0;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    const auto began = Clock::now();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int i = 0; i < rows; ++i, ++n) {
      const std::string data = "client " + std::to_string(i) + " event " + std::to_string(n);
      sqlite3_bind_int64(insert, 1, 1764000000000 + static_cast<int64_t>(n));
      sqlite3_bind_text(insert, 2, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - began).count());
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  std::sort(latencies.begin(), latencies.end());
  LoadResult out;
  out.appends_per_second = static_cast<double>(n) / elapsed;
  out.p50_ms = latencies[latencies.size() / 2];
  out.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
  return out;
}

// Holds `idle` connections that send nothing and `slow` that send a request's first bytes, one
// byte a second, until destroyed.
class HeldConnections {
 public:
  HeldConnections(int port, int idle, int slow) {
    for (int i = 0; i < idle + slow; ++i) {
      const int fd = Connect(port);
      (i < idle ? idle_ : slow_).push_back(fd);
    }
    dribbler_ = std::thread([this] {
      const std::string request = "POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      for (size_t k = 0; !stop_; k = (k + 1) % request.size()) {
        for (int fd : slow_) (void)!write(fd, &request[k], 1);
        for (int i = 0; i < 10 && !stop_; ++i) usleep(100000);
      }
    });
  }
  ~HeldConnections() {
    stop_ = true;
    dribbler_.join();
    for (int fd : idle_) close(fd);
    for (int fd : slow_) close(fd);
  }

 private:
  std::vector<int> idle_, slow_;
  std::atomic<bool> stop_{false};
  std::thread dribbler_;
};

struct Samples {
  std::vector<double> rate, p50, p99;
  uint64_t errors = 0;
  void Add(const LoadResult& r) {
    rate.push_back(r.appends_per_second);
    p50.push_back(r.p50_ms);
    p99.push_back(r.p99_ms);
    errors += r.errors;
  }
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// "median [min-max]"
std::string Spread(const std::vector<double>& v, const char* format) {
  if (v.empty()) return "-";
  char buf[128];
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  char m[32], a[32], b[32];
  std::snprintf(m, sizeof(m), format, Median(v));
  std::snprintf(a, sizeof(a), format, *lo);
  std::snprintf(b, sizeof(b), format, *hi);
  std::snprintf(buf, sizeof(buf), "%s [%s-%s]", m, a, b);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  signal(SIGPIPE, SIG_IGN);
  std::string pattern = (std::filesystem::temp_directory_path() / "vellum-load-XXXXXX").string();
  const std::string dir = mkdtemp(pattern.data());
  std::vector<int> client_counts;
  for (std::string_view list = argc > 3 ? argv[3] : "1,16,64"; !list.empty();) {
    client_counts.push_back(std::atoi(std::string(list.substr(0, list.find(','))).c_str()));
    list.remove_prefix(std::min(
        list.size(), list.find(',') == std::string_view::npos ? list.size() : list.find(',') + 1));
  }
  std::vector<std::unique_ptr<vellum::process::NodeProcess>> grouped, single;
  for (int clients : client_counts) {
    const std::string n = std::to_string(clients);
    grouped.push_back(std::make_unique<vellum::process::NodeProcess>(
        Binary(), FreshLedger(dir, "grouped" + n), std::vector<std::string>{}, "/dev/null"));
    single.push_back(std::make_unique<vellum::process::NodeProcess>(
        Binary(), FreshLedger(dir, "single" + n), std::vector<std::string>{"--no-group-commit"},
        "/dev/null"));
    if (!grouped.back()->ok() || !single.back()->ok()) {
      std::fprintf(stderr, "could not start the nodes\n");
      return 1;
    }
  }
  // Index by client count: grouped, per-request, raw 1 row/txn, raw N rows/txn.
  std::vector<std::array<Samples, 4>> samples(client_counts.size());
  Samples quiet, held;
  // A node for the held-connections rows, with room for them from one address.
  vellum::process::NodeProcess busy(Binary(), FreshLedger(dir, "held"),
                                    {"--max-connections-per-address", "2000"}, "/dev/null");
  // (A build from before that flag cannot run these rows; the others still compare.)
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < client_counts.size(); ++i) {
      const int clients = client_counts[i];
      samples[i][0].Add(RunLoad(grouped[i]->port(), grouped[i]->token(), clients, seconds));
      samples[i][1].Add(RunLoad(single[i]->port(), single[i]->token(), clients, seconds));
      samples[i][2].Add(RawSqlite(dir + "/raw1.db", 1, seconds));
      samples[i][3].Add(
          RawSqlite(dir + "/raw" + std::to_string(clients) + "x.db", clients, seconds));
    }
    if (!busy.ok()) continue;
    quiet.Add(RunLoad(busy.port(), busy.token(), 1, seconds));
    {
      HeldConnections hold(busy.port(), 1000, 100);
      usleep(300000);
      held.Add(RunLoad(busy.port(), busy.token(), 1, seconds));
    }
  }
  std::printf(
      "durable single-entry appends, %.0f s per measurement, median [min-max] of %d "
      "interleaved rounds\n\n",
      seconds, rounds);
  std::printf("%7s | %-22s %-19s | %-19s | %-19s | %-19s | %s\n", "clients", "node, group commit/s",
              "p99 ms", "node, txn/request/s", "raw SQLite 1 row/txn", "raw SQLite N rows/txn",
              "node / raw N");
  for (size_t i = 0; i < client_counts.size(); ++i) {
    const auto& s = samples[i];
    std::vector<double> ratio;
    for (size_t k = 0; k < s[0].rate.size(); ++k) ratio.push_back(s[0].rate[k] / s[3].rate[k]);
    std::printf("%7d | %-22s %-19s | %-19s | %-19s | %-19s | %s\n", client_counts[i],
                Spread(s[0].rate, "%.0f").c_str(), Spread(s[0].p99, "%.2f").c_str(),
                Spread(s[1].rate, "%.0f").c_str(), Spread(s[2].rate, "%.0f").c_str(),
                Spread(s[3].rate, "%.0f").c_str(), Spread(ratio, "%.2f").c_str());
    if (s[0].errors + s[1].errors > 0) {
      std::printf("        errors: group commit %llu, txn/request %llu\n",
                  static_cast<unsigned long long>(s[0].errors),
                  static_cast<unsigned long long>(s[1].errors));
    }
  }
  std::printf(
      "\none client appending, p50 / p99 ms: alone %s / %s; beside 1,000 idle and 100 "
      "slow connections %s / %s%s\n",
      Spread(quiet.p50, "%.2f").c_str(), Spread(quiet.p99, "%.2f").c_str(),
      Spread(held.p50, "%.2f").c_str(), Spread(held.p99, "%.2f").c_str(),
      quiet.errors + held.errors ? " (with errors)" : "");
  grouped.clear();
  single.clear();
  busy.Stop(SIGTERM);
  std::filesystem::remove_all(dir);
  return 0;
}
