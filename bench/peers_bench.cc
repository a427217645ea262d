// Peers: locating a fork between two nodes, and a mirror catching up, over loopback.
//
//   build/bench/vellum_peers [entries, default 1000000]
//
// Two raw-format ledgers of N entries that differ from a random index on are served by real
// `vellum serve` processes; `Compare` finds the index (round trips, bytes, wall time). Then an
// empty mirror syncs all N entries from one node, verifying everything (entries/s). The
// baseline for the fork search is fetching every leaf hash (N * 32 bytes) from one side, which
// is what finding the fork without the tree would take at the least.
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "node/compare.h"
#include "node/ledger_view.h"
#include "node/sync.h"
#include "process/node_process.h"
#include "vellum/checkpoint.h"
#include "vellum/ledger.h"

namespace {

using Clock = std::chrono::steady_clock;
using vellum::Ledger;

void Build(const std::string& path, const vellum::SignerKey& key, uint64_t n, uint64_t fork_at) {
  auto ledger = Ledger::Create(path, {.origin = "bench/peers",
                                      .format = vellum::EntryFormat::kRaw,
                                      .verifier_key = key.verifier().ToString()});
  if (!ledger) std::abort();
  std::vector<vellum::NewEntry> batch;
  for (uint64_t i = 0; i < n; ++i) {
    batch.push_back(
        {.payload = vellum::ToBytes(i == fork_at ? std::string("fork") : std::to_string(i))});
    if (batch.size() == 10000 || i + 1 == n) {
      if (!(*ledger)->AppendBatch(batch)) std::abort();
      batch.clear();
    }
  }
  std::ofstream(path + ".key") << key.ToString() << "\n";
  std::filesystem::permissions(path + ".key", std::filesystem::perms::owner_read);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  std::string pattern = (std::filesystem::temp_directory_path() / "vellum-peers-XXXXXX").string();
  const std::string dir = mkdtemp(pattern.data());
  const auto key = *vellum::SignerKey::Generate("bench/peers");
  std::mt19937_64 rng(42);
  const uint64_t fork_at = rng() % n;
  auto t = Clock::now();
  Build(dir + "/a.db", key, n, UINT64_MAX);
  Build(dir + "/b.db", key, n, fork_at);
  std::printf("built two ledgers of %llu entries in %.1f s (b differs from %llu on)\n",
              static_cast<unsigned long long>(n), Seconds(t),
              static_cast<unsigned long long>(fork_at));
  {
    vellum::process::NodeProcess a(VELLUM_BIN, dir + "/a.db"), b(VELLUM_BIN, dir + "/b.db");
    if (!a.ok() || !b.ok()) return 1;
    std::vector<vellum::VerifierKey> keys = {key.verifier()};
    auto va =
        std::move(*vellum::node::OpenView("http://127.0.0.1:" + std::to_string(a.port()), keys));
    auto vb =
        std::move(*vellum::node::OpenView("http://127.0.0.1:" + std::to_string(b.port()), keys));
    t = Clock::now();
    auto c = vellum::node::Compare(*va, *vb);
    const double took = Seconds(t);
    if (!c || c->fork_index != fork_at) {
      std::fprintf(stderr, "compare failed\n");
      return 1;
    }
    std::printf(
        "fork located at %llu: %.1f ms; round trips a=%llu b=%llu (incl. checkpoint and "
        "the entry shown); bytes %llu (baseline, every leaf hash of one side: %llu, %.0fx)\n",
        static_cast<unsigned long long>(*c->fork_index), took * 1000,
        static_cast<unsigned long long>(va->round_trips()),
        static_cast<unsigned long long>(vb->round_trips()),
        static_cast<unsigned long long>(va->bytes_received() + vb->bytes_received()),
        static_cast<unsigned long long>(n * 32),
        static_cast<double>(n * 32) /
            static_cast<double>(va->bytes_received() + vb->bytes_received()));

    auto mirror = Ledger::Create(dir + "/mirror.db", {.origin = "bench/peers",
                                                      .format = vellum::EntryFormat::kRaw,
                                                      .verifier_key = key.verifier().ToString()});
    auto up =
        std::move(*vellum::node::OpenView("http://127.0.0.1:" + std::to_string(a.port()), keys));
    t = Clock::now();
    auto synced = vellum::node::SyncFrom(**mirror, *up);
    const double sync_s = Seconds(t);
    if (!synced) {
      std::fprintf(stderr, "sync failed: %s\n", synced.error().message().c_str());
      return 1;
    }
    std::printf(
        "mirror caught up %llu entries in %.2f s: %.0f verified entries/s (%llu requests)\n",
        static_cast<unsigned long long>(synced->new_size), sync_s,
        static_cast<double>(synced->new_size) / sync_s,
        static_cast<unsigned long long>(up->round_trips()));
    a.Stop(SIGTERM);
    b.Stop(SIGTERM);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
