// Peers: locating a fork between two nodes, and a mirror catching up, over loopback.
//
//   build/bench/vellum_peers [entries, default 1000000]
//
// Two raw-format ledgers of N entries that differ from a random index on are served by real
// `vellum serve` processes; `Compare` finds the index (round trips, bytes, wall time). Then an
// empty mirror syncs all N entries from one node, verifying everything (entries/s), beside the
// raw SQLite insert rate of the same rows in the same run: a plain table (idx, data) with the
// ledger's pragmas, 65,536 rows per transaction (the sync's batch), one prepared insert. Three
// rounds, alternating which goes first; medians and ranges. The baseline for the fork search is
// fetching every leaf hash (N * 32 bytes) from one side, which is what finding the fork without
// the tree would take at the least.
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "node/compare.h"
#include "node/ledger_view.h"
#include "node/sync.h"
#include "process/node_process.h"
#include "storage/schema.h"
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
  // Signed here, as a node would have signed it while the entries came: a node's first
  // signature re-hashes every entry since the last one (never signing over edited entries), and
  // that is not what the fork search or the catch-up measure.
  if (!(*ledger)->SignCheckpoint(key, std::nullopt)) std::abort();
  std::ofstream(path + ".key") << key.ToString() << "\n";
  std::filesystem::permissions(path + ".key", std::filesystem::perms::owner_read);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The same rows as Build's first ledger, inserted into a plain table; returns rows/s.
double RawInsertRate(const std::string& path, uint64_t n) {
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK ||
      sqlite3_exec(db, vellum::storage::kConnectionPragmas, nullptr, nullptr, nullptr) !=
          SQLITE_OK ||
      sqlite3_exec(db, "CREATE TABLE entries(idx INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT",
                   nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO entries(idx, data) VALUES (?, ?)", -1, &insert,
                         nullptr) != SQLITE_OK) {
    std::abort();
  }
  const auto t = Clock::now();
  for (uint64_t i = 0; i < n; ++i) {
    if (i % 65536 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    const std::string data = std::to_string(i);
    sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(i));
    sqlite3_bind_blob(insert, 2, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(insert) != SQLITE_DONE) std::abort();
    sqlite3_reset(insert);
    if (i % 65536 == 65535 || i + 1 == n) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const double rate = static_cast<double>(n) / Seconds(t);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  std::filesystem::remove(path);
  return rate;
}

struct Spread {
  double median, low, high;
};
Spread SpreadOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
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

    std::vector<double> sync_rates, raw_rates, ratios;
    for (int round = 0; round < 3; ++round) {
      double raw = 0;
      if (round % 2 == 1) raw = RawInsertRate(dir + "/raw.db", n);
      std::filesystem::remove(dir + "/mirror.db");
      std::filesystem::remove(dir + "/mirror.db-wal");
      std::filesystem::remove(dir + "/mirror.db-shm");
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
      if (round % 2 == 0) raw = RawInsertRate(dir + "/raw.db", n);
      const double rate = static_cast<double>(synced->new_size) / sync_s;
      std::printf(
          "round %d: mirror caught up %llu entries in %.2f s: %.0f verified entries/s (%llu "
          "requests); raw SQLite insert of the same rows: %.0f rows/s\n",
          round + 1, static_cast<unsigned long long>(synced->new_size), sync_s, rate,
          static_cast<unsigned long long>(up->round_trips()), raw);
      sync_rates.push_back(rate);
      raw_rates.push_back(raw);
      ratios.push_back(rate / raw);
    }
    const Spread s = SpreadOf(sync_rates), r = SpreadOf(raw_rates), q = SpreadOf(ratios);
    std::printf(
        "mirror catch-up: median %.0f verified entries/s (%.0f-%.0f); raw insert %.0f rows/s "
        "(%.0f-%.0f); ratio %.2f (%.2f-%.2f)\n",
        s.median, s.low, s.high, r.median, r.low, r.high, q.median, q.low, q.high);
    a.Stop(SIGTERM);
    b.Stop(SIGTERM);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
