// Ledger benchmarks, each beside its baseline in the same run:
//   append:  vellum AppendBatch vs raw SQLite inserts of the same rows (idx, ts, data; same
//            pragmas; one transaction per batch) into an equivalent plain table. A third row
//            shows the same plain table with an ordinary B-tree index on a hash key, the
//            design vellum's sorted-run lookup index (storage/leaf_index.h) replaces;
//   proofs:  root / inclusion / consistency at 1,000,000 entries from stored tiles, vs the
//            pure core over a tree held in memory (the floor) and vs recomputing the root from
//            all leaf hashes (what the original demonstration did on every call);
//   verify:  Verify() on 1,000,000 entries vs the least any verifier must do: scan every entry
//            and hash it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <sqlite3.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "ratio_reporter.h"
#include "storage/schema.h"
#include "testing/reference_tree.h"
#include "vellum/ledger.h"
#include "vellum/merkle.h"

namespace {

using vellum::Bytes;
using vellum::Hash;
using vellum::Ledger;
using vellum::NewEntry;
using vellum::bench::RatioPair;

constexpr size_t kPayload = 40;
constexpr uint64_t kBig = 1'000'000;

// A scratch directory removed at exit.
const std::string& ScratchDir() {
  static const std::string dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "vellum-bench-XXXXXX").string();
    std::string made = mkdtemp(pattern.data());
    static std::string to_remove = made;
    atexit([] { std::filesystem::remove_all(to_remove); });
    return made;
  }();
  return dir;
}

std::string FreshPath(const std::string& name) {
  static int counter = 0;
  return ScratchDir() + "/" + name + "-" + std::to_string(counter++) + ".db";
}

// Writes a distinct 40-byte text payload for `n` into `out`.
void FillPayload(uint64_t n, uint8_t* out) {
  char buf[kPayload + 1];
  std::snprintf(buf, sizeof(buf), "event %020llu payload-pad--",
                static_cast<unsigned long long>(n));
  std::memcpy(out, buf, kPayload);
}

uint64_t Mix(uint64_t x) {  // stands in for a hash-distributed index key
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  return x ^ (x >> 33);
}

void BM_VellumAppendBatch(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  auto ledger = std::move(*Ledger::Create(FreshPath("append"), {.origin = "bench/append"}));
  std::vector<NewEntry> entries(batch);
  for (auto& e : entries) e = {Bytes(kPayload), 1764000000000};
  uint64_t n = 0;
  for (auto _ : state) {
    for (auto& e : entries) FillPayload(n++, e.payload.data());
    if (!ledger->AppendBatch(entries)) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
}

void RawAppend(benchmark::State& state, bool with_hash_index) {
  const auto batch = static_cast<size_t>(state.range(0));
  sqlite3* db = nullptr;
  sqlite3_open(FreshPath("raw").c_str(), &db);
  sqlite3_exec(db, vellum::storage::kConnectionPragmas, nullptr, nullptr, nullptr);
  sqlite3_exec(db,
               "CREATE TABLE entries(idx INTEGER PRIMARY KEY, ts INTEGER, data ANY NOT NULL,"
               " hash_key INTEGER) STRICT;",
               nullptr, nullptr, nullptr);
  if (with_hash_index) {
    sqlite3_exec(db, "CREATE INDEX k ON entries(hash_key)", nullptr, nullptr, nullptr);
  }
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO entries VALUES (?, ?, ?, ?)", -1, &insert, nullptr);
  Bytes payload(kPayload);
  uint64_t n = 0;
  for (auto _ : state) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (size_t i = 0; i < batch; ++i, ++n) {
      FillPayload(n, payload.data());
      sqlite3_bind_int64(insert, 1, static_cast<int64_t>(n));
      sqlite3_bind_int64(insert, 2, 1764000000000);
      sqlite3_bind_text(insert, 3, reinterpret_cast<const char*>(payload.data()), kPayload,
                        SQLITE_TRANSIENT);
      if (with_hash_index) sqlite3_bind_int64(insert, 4, static_cast<int64_t>(Mix(n)));
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      state.SkipWithError("commit failed");
    }
  }
  sqlite3_finalize(insert);
  sqlite3_close(db);
  state.SetItemsProcessed(static_cast<int64_t>(n));
}

void BM_RawSqliteAppend(benchmark::State& state) { RawAppend(state, false); }
void BM_RawSqliteAppendHashIndexed(benchmark::State& state) { RawAppend(state, true); }

// Each run appends to its own file for at least 3 s, so the ledgers grow to ~1M entries.
BENCHMARK(BM_VellumAppendBatch)->Arg(1000)->Arg(10000)->MinTime(3)->UseRealTime();
BENCHMARK(BM_RawSqliteAppend)->Arg(1000)->Arg(10000)->MinTime(3)->UseRealTime();
BENCHMARK(BM_RawSqliteAppendHashIndexed)->Arg(1000)->Arg(10000)->MinTime(3)->UseRealTime();
RatioPair append1k{"BM_VellumAppendBatch/1000/min_time:3.000/real_time",
                   "BM_RawSqliteAppend/1000/min_time:3.000/real_time"};
RatioPair append10k{"BM_VellumAppendBatch/10000/min_time:3.000/real_time",
                    "BM_RawSqliteAppend/10000/min_time:3.000/real_time"};
RatioPair hash_index1k{"BM_RawSqliteAppendHashIndexed/1000/min_time:3.000/real_time",
                       "BM_RawSqliteAppend/1000/min_time:3.000/real_time"};

// --- 1,000,000 entries ---------------------------------------------------------------------

struct BigLedger {
  std::unique_ptr<Ledger> ledger;
  std::vector<Hash> leaves;
  std::unique_ptr<vellum::merkle::testing::MemoryHashSource> memory;
};

BigLedger& Big() {
  static BigLedger big = [] {
    BigLedger b;
    b.ledger = std::move(*Ledger::Create(
        FreshPath("big"), {.origin = "bench/big", .format = vellum::EntryFormat::kRaw}));
    std::vector<NewEntry> batch(10000);
    for (auto& e : batch) e.payload.resize(kPayload);
    for (uint64_t n = 0; n < kBig;) {
      for (auto& e : batch) {
        FillPayload(n++, e.payload.data());
        b.leaves.push_back(vellum::merkle::LeafHash(e.payload));
      }
      if (!b.ledger->AppendBatch(batch)) std::abort();
    }
    b.memory = std::make_unique<vellum::merkle::testing::MemoryHashSource>(b.leaves);
    return b;
  }();
  return big;
}

void BM_RootAtArbitrarySize(benchmark::State& state) {
  auto& big = Big();
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(big.ledger->RootAt(1 + rng() % (kBig - 1)));
  state.SetItemsProcessed(state.iterations());
}

void BM_InclusionProof(benchmark::State& state) {
  auto& big = Big();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    const uint64_t size = 1 + rng() % kBig;
    benchmark::DoNotOptimize(big.ledger->InclusionProof(rng() % size, size));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ConsistencyProof(benchmark::State& state) {
  auto& big = Big();
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    const uint64_t size = 2 + rng() % (kBig - 1);
    benchmark::DoNotOptimize(big.ledger->ConsistencyProof(1 + rng() % (size - 1), size));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_InMemoryCoreInclusionProof(benchmark::State& state) {
  auto& big = Big();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    const uint64_t size = 1 + rng() % kBig;
    benchmark::DoNotOptimize(vellum::merkle::InclusionProof(*big.memory, rng() % size, size));
  }
  state.SetItemsProcessed(state.iterations());
}

// What the original demonstration did for every root: fold all the leaf hashes again.
void BM_RootByRecomputingAllLeaves(benchmark::State& state) {
  auto& big = Big();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    const uint64_t size = 1 + rng() % (kBig - 1);
    vellum::merkle::CompactRange range;
    for (uint64_t i = 0; i < size; ++i) range.Append(big.leaves[i]);
    benchmark::DoNotOptimize(range.Root());
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RootAtArbitrarySize)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_InclusionProof)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ConsistencyProof)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_InMemoryCoreInclusionProof)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RootByRecomputingAllLeaves)->Unit(benchmark::kMicrosecond);
RatioPair proof_vs_memory{"BM_InclusionProof", "BM_InMemoryCoreInclusionProof"};
RatioPair root_vs_recompute{"BM_RootAtArbitrarySize", "BM_RootByRecomputingAllLeaves"};

void BM_Verify(benchmark::State& state) {
  auto& big = Big();
  for (auto _ : state) {
    auto report = big.ledger->Verify();
    if (!report || !report->ok) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBig));
}

// The floor for any verifier: read every entry and hash it once.
void BM_ScanAndHashEveryEntry(benchmark::State& state) {
  auto& big = Big();
  sqlite3* db = nullptr;
  sqlite3_open_v2(big.ledger->path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* scan = nullptr;
  sqlite3_prepare_v2(db, "SELECT data FROM entries ORDER BY idx", -1, &scan, nullptr);
  for (auto _ : state) {
    Hash acc{};
    while (sqlite3_step(scan) == SQLITE_ROW) {
      auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(scan, 0));
      acc = vellum::merkle::LeafHash({p, static_cast<size_t>(sqlite3_column_bytes(scan, 0))});
    }
    sqlite3_reset(scan);
    benchmark::DoNotOptimize(acc);
  }
  sqlite3_finalize(scan);
  sqlite3_close(db);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBig));
}

BENCHMARK(BM_Verify)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();
BENCHMARK(BM_ScanAndHashEveryEntry)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();
RatioPair verify{"BM_Verify/min_time:2.000/real_time",
                 "BM_ScanAndHashEveryEntry/min_time:2.000/real_time"};

}  // namespace
