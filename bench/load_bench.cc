// Durable-append load against real `vellum serve` processes on loopback: concurrent keep-alive
// clients append single entries for a fixed time; appends/s and p50/p99 latency at 1, 16 and
// 64 clients, with group commit side by side with one transaction per append (the baseline),
// in the same run.
//
//   build/bench/vellum_load [seconds per measurement, default 3]
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/node_process.h"

namespace {

using Clock = std::chrono::steady_clock;

struct LoadResult {
  double appends_per_second = 0;
  double p50_ms = 0, p99_ms = 0;
  uint64_t errors = 0;
};

LoadResult RunLoad(int port, int clients, double seconds) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<uint64_t> errors{0};
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", port);
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);
      c.set_read_timeout(30);
      std::string body;
      for (uint64_t i = 0; Clock::now() < deadline; ++i) {
        body = "{\"data\":\"client " + std::to_string(t) + " event " + std::to_string(i) + "\"}";
        const auto t0 = Clock::now();
        auto r = c.Post("/v1/entries", body, "application/json");
        if (!r || r->status != 200) {
          if (++errors == 1) {
            std::fprintf(stderr, "first error: %s\n",
                         r ? (std::to_string(r->status) + " " + r->body).c_str()
                           : httplib::to_string(r.error()).c_str());
          }
          continue;
        }
        latencies[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  LoadResult out;
  out.errors = errors;
  if (all.empty()) return out;
  out.appends_per_second = static_cast<double>(all.size()) / elapsed;
  out.p50_ms = all[all.size() / 2];
  out.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
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
    vellum::testing::NodeProcess grouped(FreshLedger(dir, "grouped" + std::to_string(clients)));
    vellum::testing::NodeProcess single(FreshLedger(dir, "single" + std::to_string(clients)),
                                        {"--no-group-commit"});
    if (!grouped.ok() || !single.ok()) {
      std::fprintf(stderr, "could not start the nodes\n");
      return 1;
    }
    const LoadResult g = RunLoad(grouped.port(), clients, seconds);
    const LoadResult s = RunLoad(single.port(), clients, seconds);
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
