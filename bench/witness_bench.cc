// A witness's add-checkpoint throughput (C2SP tlog-witness): logs that grow send each new
// checkpoint with its consistency proof; the witness checks the log's signature and the proof,
// moves its state forward durably (SQLite, synchronous=FULL) and cosigns (Ed25519).
//
// Measured side by side in the same run, interleaved round by round, with a fresh witness state
// each time and the same precomputed requests:
//   http       a `vellum serve --witness` process on loopback, one keep-alive client per log;
//   in-process Witness::AddCheckpoint called directly from as many threads (the ceiling: the
//              same checks and commits without HTTP).
// Each figure is the median of the rounds with its range.
//
//   build/bench/vellum_witness [rounds, default 5] [seconds per measurement, default 2]
//                              [client counts, default 1,8]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "process/node_process.h"
#include "testing/reference_tree.h"
#include "vellum/ledger.h"
#include "vellum/witness.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// One log's requests: checkpoint j of size `step * j`, with the proof from the size before.
struct LogRequests {
  std::string origin;
  vellum::SignerKey key;
  std::vector<std::string> bodies;
};

LogRequests MakeLog(int index, size_t steps, uint64_t step) {
  LogRequests log{"example.com/log-" + std::to_string(index),
                  *vellum::SignerKey::Generate("example.com/log-" + std::to_string(index)),
                  {}};
  const auto leaves = vellum::merkle::testing::MakeLeaves(steps * step);
  vellum::merkle::testing::MemoryHashSource source(leaves);
  uint64_t old_size = 0;
  for (size_t j = 1; j <= steps; ++j) {
    const uint64_t size = j * step;
    auto root = vellum::merkle::RootAt(source, size);
    auto proof = old_size == 0 ? std::vector<vellum::Hash>{}
                               : *vellum::merkle::ConsistencyProof(source, old_size, size);
    auto note = vellum::SignNote(vellum::CheckpointBody({log.origin, size, *root, {}}), log.key);
    log.bodies.push_back(vellum::FormatAddCheckpoint({old_size, std::move(proof), *note}));
    old_size = size;
  }
  return log;
}

std::vector<vellum::WitnessedLogKey> LogKeys(const std::vector<LogRequests>& logs) {
  std::vector<vellum::WitnessedLogKey> out;
  for (const auto& log : logs) out.push_back({log.origin, log.key.verifier()});
  return out;
}

// Runs `send(client, body)` for each client's log in turn for `seconds`; returns requests/s.
// Every answer must be a 200: a witness that refuses is not being measured.
template <typename Send>
double Drive(const std::vector<LogRequests>& logs, int clients, double seconds, Send send) {
  std::atomic<uint64_t> done{0};
  std::atomic<bool> failed{false};
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (const std::string& body : logs[c].bodies) {
        if (Clock::now() >= deadline) return;
        if (!send(c, body)) {
          failed = true;
          return;
        }
        done.fetch_add(1, std::memory_order_relaxed);
      }
      std::fprintf(stderr, "warning: client %d ran out of requests before the time was up\n", c);
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) {
    std::fprintf(stderr, "a request was refused; the figure is void\n");
    std::exit(1);
  }
  return static_cast<double>(done) / elapsed;
}

struct Figures {
  std::vector<double> values;
  void Add(double v) { values.push_back(v); }
  double Median() const {
    auto v = values;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
  double Min() const { return *std::min_element(values.begin(), values.end()); }
  double Max() const { return *std::max_element(values.begin(), values.end()); }
};

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  std::vector<int> client_counts = {1, 8};
  if (argc > 3) {
    client_counts.clear();
    for (std::string list = argv[3]; !list.empty();) {
      const size_t comma = list.find(',');
      client_counts.push_back(std::atoi(list.substr(0, comma).c_str()));
      list = comma == std::string::npos ? "" : list.substr(comma + 1);
    }
  }
  const int max_clients = *std::max_element(client_counts.begin(), client_counts.end());
  // Enough requests for any client to keep busy for the whole measurement at 20,000/s.
  const size_t steps = static_cast<size_t>(20000 * seconds) + 100;
  std::fprintf(stderr, "preparing %d logs of %zu signed checkpoints each...\n", max_clients, steps);
  std::vector<LogRequests> logs;
  for (int i = 0; i < max_clients; ++i) logs.push_back(MakeLog(i, steps, 7));

  const fs::path dir =
      fs::temp_directory_path() / ("vellum-witness-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const auto witness_key =
      *vellum::SignerKey::Generate("example.com/witness", vellum::KeyType::kCosignature);
  const std::string key_file = (dir / "w.key").string();
  if (!vellum::WriteKeyFile(key_file, witness_key)) return 1;
  const std::string host = (dir / "host.db").string();
  if (!vellum::Ledger::Create(host, {.origin = "example.com/host"})) return 1;
  std::vector<std::string> log_args;
  for (const auto& log : logs) {
    log_args.push_back("--witness-log");
    log_args.push_back(log.key.verifier().ToString());
  }

  std::printf("witness add-checkpoint, requests/s: median [min-max] of %d rounds of %.1f s\n",
              rounds, seconds);
  std::printf("%8s %26s %26s %8s\n", "clients", "http (vellum serve)", "in-process (ceiling)",
              "ratio");
  for (int clients : client_counts) {
    Figures http, direct, ratio;
    for (int round = 0; round < rounds; ++round) {
      const std::string state = (dir / ("w" + std::to_string(round) + ".db")).string();
      const std::string state2 = (dir / ("d" + std::to_string(round) + ".db")).string();
      double h = 0, d = 0;
      for (int side = 0; side < 2; ++side) {
        const bool http_side = (side + round) % 2 == 0;  // alternate which side goes first
        if (http_side) {
          fs::remove(state);
          if (!vellum::Witness::Create(state)) return 1;
          std::vector<std::string> extra = {"--witness", state, "--witness-key", key_file};
          extra.insert(extra.end(), log_args.begin(), log_args.end());
          vellum::process::NodeProcess node(VELLUM_BIN, host, extra, "/dev/null");
          if (!node.ok()) return 1;
          std::vector<vellum::net::HttpClient> conns;
          for (int c = 0; c < clients; ++c) conns.emplace_back(node.url());
          h = Drive(logs, clients, seconds, [&](int c, const std::string& body) {
            auto answer = conns[c].Post("/add-checkpoint", body, "text/plain");
            return answer && answer->status == 200;
          });
          node.Stop(SIGTERM);
        } else {
          fs::remove(state2);
          if (!vellum::Witness::Create(state2)) return 1;
          auto witness = vellum::Witness::Open(state2, witness_key, LogKeys(logs));
          if (!witness) return 1;
          d = Drive(logs, clients, seconds, [&](int, const std::string& body) {
            return (*witness)->AddCheckpoint(body, 1700000000).status == 200;
          });
        }
      }
      http.Add(h);
      direct.Add(d);
      ratio.Add(h / d);
    }
    std::printf("%8d %10.0f [%5.0f-%5.0f] %10.0f [%5.0f-%5.0f] %8.2f [%.2f-%.2f]\n", clients,
                http.Median(), http.Min(), http.Max(), direct.Median(), direct.Min(), direct.Max(),
                ratio.Median(), ratio.Min(), ratio.Max());
    std::fflush(stdout);
  }
  fs::remove_all(dir);
  return 0;
}
