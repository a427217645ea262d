// Ledger benchmarks, each beside its baseline in the same run:
//   index:   raw SQLite inserts into a plain table with and without a B-tree index on a hash
//            key, the design vellum's sorted-run lookup index (storage/leaf_index.h) replaces
//            (vellum's append itself: append_bench.cc);
//   proofs:  root / inclusion / consistency at 1,000,000 and 100,000,000 entries, from a
//            fresh read-only handle, vs the pure core over a tree held in memory (the floor)
//            and vs recomputing the root from all leaf hashes (what the original
//            demonstration did on every call); at 100,000,000 also vs the least one random read
//            of the file costs (one pread of a random page; one SELECT of a random entry) and
//            vs the SELECTs a proof of a random entry makes (its block of entries, its tile);
//   verify:  Verify() on 1,000,000 entries vs the least any verifier must do: scan every entry
//            and hash it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

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

// Why the lookup index is a set of sorted runs (storage/leaf_index.h) and not an SQLite index:
// the same plain table with a B-tree index on a hash-distributed key, each on its own new file
// for at least 3 s. vellum's own append is measured beside raw SQLite by vellum_append
// (append_bench.cc), interleaved round by round.
BENCHMARK(BM_RawSqliteAppend)->Arg(1000)->MinTime(3)->UseRealTime();
BENCHMARK(BM_RawSqliteAppendHashIndexed)->Arg(1000)->MinTime(3)->UseRealTime();
RatioPair hash_index1k{"BM_RawSqliteAppendHashIndexed/1000/min_time:3.000/real_time",
                       "BM_RawSqliteAppend/1000/min_time:3.000/real_time"};

// --- Roots and proofs at 1,000,000 and 100,000,000 entries ------------------------------------

// Raw-format ledgers of 1M entries (the 40-byte payloads above) and 100M entries (16-byte ones),
// built once by AppendBatch into the benchmark's data folder ($VELLUM_BENCH_DATA, or data/ beside
// this program) and kept there for the next run: the 100M one takes minutes and ~7 GB.
std::string DataDir() {
  if (const char* dir = std::getenv("VELLUM_BENCH_DATA")) return dir;
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "data").string();
}

void FillSmallPayload(uint64_t n, uint8_t* out) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(n));
  std::memcpy(out, buf, 16);
}

// The kept ledger of `size` entries, named with the storage layout (schema 3) it is written in.
std::string BigPath(uint64_t size) {
  return DataDir() + "/proofs-" + std::to_string(size) + "-v3.db";
}

// A handle opened on the kept ledger of `size` entries (built first if missing): its tile
// cache starts cold, as a node's does after a restart.
std::unique_ptr<Ledger> OpenBig(uint64_t size) {
  std::filesystem::create_directories(DataDir());
  const std::string path = BigPath(size);
  if (std::filesystem::exists(path)) {
    auto ledger = Ledger::Open(path, {.read_only = true});
    if (ledger && (*ledger)->GetHead() && (*ledger)->GetHead()->size == size) {
      return std::move(*ledger);
    }
    std::fprintf(stderr, "%s is not a %llu-entry ledger; building it again\n", path.c_str(),
                 static_cast<unsigned long long>(size));
  }
  const std::string building = path + ".building";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(building + suffix);
  {
    auto made =
        Ledger::Create(building, {.origin = "bench/big", .format = vellum::EntryFormat::kRaw});
    if (!made) std::abort();
    const size_t payload = size == kBig ? kPayload : 16;
    std::vector<NewEntry> batch(10000);
    for (auto& e : batch) e.payload.resize(payload);
    for (uint64_t n = 0; n < size;) {
      for (auto& e : batch) {
        if (payload == kPayload) {
          FillPayload(n++, e.payload.data());
        } else {
          FillSmallPayload(n++, e.payload.data());
        }
      }
      if (!(*made)->AppendBatch(batch)) std::abort();
      if (n % 10'000'000 == 0) {
        std::fprintf(stderr, "building %s: %llu entries\n", path.c_str(),
                     static_cast<unsigned long long>(n));
      }
    }
  }  // closed: the write-ahead log is folded into the file
  std::filesystem::rename(building, path);
  return std::move(*Ledger::Open(path, {.read_only = true}));
}

struct BigLedger {
  std::unique_ptr<Ledger> ledger;
  std::vector<Hash> leaves;  // 1M only
  std::unique_ptr<vellum::merkle::testing::MemoryHashSource> memory;
};

BigLedger& Big() {
  static BigLedger big = [] {
    BigLedger b;
    b.ledger = OpenBig(kBig);
    Bytes payload(kPayload);
    for (uint64_t n = 0; n < kBig; ++n) {
      FillPayload(n, payload.data());
      b.leaves.push_back(vellum::merkle::LeafHash(payload));
    }
    b.memory = std::make_unique<vellum::merkle::testing::MemoryHashSource>(b.leaves);
    return b;
  }();
  return big;
}

Ledger& Sized(uint64_t size) {
  if (size == kBig) return *Big().ledger;
  static std::unique_ptr<Ledger> huge = OpenBig(size);
  return *huge;
}

void BM_RootAtArbitrarySize(benchmark::State& state) {
  const auto size = static_cast<uint64_t>(state.range(0));
  Ledger& ledger = Sized(size);
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(ledger.RootAt(1 + rng() % (size - 1)));
  state.SetItemsProcessed(state.iterations());
}

void BM_InclusionProof(benchmark::State& state) {
  const auto size = static_cast<uint64_t>(state.range(0));
  Ledger& ledger = Sized(size);
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    const uint64_t n = 1 + rng() % size;
    benchmark::DoNotOptimize(ledger.InclusionProof(rng() % n, n));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ConsistencyProof(benchmark::State& state) {
  const auto size = static_cast<uint64_t>(state.range(0));
  Ledger& ledger = Sized(size);
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    const uint64_t n = 2 + rng() % (size - 1);
    benchmark::DoNotOptimize(ledger.ConsistencyProof(1 + rng() % (n - 1), n));
  }
  state.SetItemsProcessed(state.iterations());
}

// The common case of a live log: proofs at the ledger's own size (a client proving an entry
// against the latest checkpoint, or a checkpoint it holds consistent with it), for a random
// entry or older size. (The root at the ledger's size is the head's, kept by the handle.)
void BM_InclusionProofAtLedgerSize(benchmark::State& state) {
  const auto size = static_cast<uint64_t>(state.range(0));
  Ledger& ledger = Sized(size);
  std::mt19937_64 rng(6);
  for (auto _ : state) benchmark::DoNotOptimize(ledger.InclusionProof(rng() % size, size));
  state.SetItemsProcessed(state.iterations());
}

void BM_ConsistencyProofToLedgerSize(benchmark::State& state) {
  const auto size = static_cast<uint64_t>(state.range(0));
  Ledger& ledger = Sized(size);
  std::mt19937_64 rng(7);
  for (auto _ : state)
    benchmark::DoNotOptimize(ledger.ConsistencyProof(1 + rng() % (size - 1), size));
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

// The floor under a random proof at 100M, whose level-0 tile row and block of entries are not
// in any cache (the file is 4.9 GB; the upper levels are): one pread of a random 4 KB page of
// the file, the page cache warm, which is what each of SQLite's cache misses costs ...
void BM_PreadRandomPageOfTheFile(benchmark::State& state) {
  const auto size = static_cast<uint64_t>(state.range(0));
  Sized(size);  // built if missing
  const int fd = open(BigPath(size).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) std::abort();
  const auto pages = static_cast<uint64_t>(lseek(fd, 0, SEEK_END)) / 4096;
  std::mt19937_64 rng(4);
  char page[4096];
  for (auto _ : state) {
    if (pread(fd, page, sizeof(page), static_cast<off_t>(rng() % pages) * 4096) !=
        static_cast<ssize_t>(sizeof(page))) {
      std::abort();  // a failed read would time nothing
    }
    benchmark::DoNotOptimize(page);
  }
  close(fd);
  state.SetItemsProcessed(state.iterations());
}

// ... and one SELECT of a random entry by index through SQLite's C API (prepared once; a read
// transaction per call, as a proof has; a ledger's read-only pragmas, so its page cache): the
// least a proof that needs one entry costs.
void BM_SqliteSelectRandomEntry(benchmark::State& state) {
  const auto size = static_cast<uint64_t>(state.range(0));
  Sized(size);
  sqlite3* db = nullptr;
  sqlite3_stmt* select = nullptr;
  if (sqlite3_open_v2(BigPath(size).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_exec(db, vellum::storage::kReadOnlyPragmas, nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT data FROM entries WHERE idx = ?", -1, &select, nullptr) !=
          SQLITE_OK) {
    std::abort();
  }
  std::mt19937_64 rng(5);
  for (auto _ : state) {
    sqlite3_bind_int64(select, 1, static_cast<int64_t>(rng() % size));
    if (sqlite3_step(select) != SQLITE_ROW) std::abort();
    benchmark::DoNotOptimize(sqlite3_column_blob(select, 0));
    sqlite3_reset(select);
  }
  sqlite3_finalize(select);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations());
}

// ... and exactly the reads a proof of a random entry makes in this layout (storage/
// tile_store.h): the entry's block of eight (the tile row stores only 4-byte prefixes of their
// leaf hashes) and its level-0 tile row (the inner hashes above the block), through SQLite's C
// API with a ledger's read-only pragmas, in one read transaction per proof. Arg 1 keeps one read
// transaction open for every iteration instead: SQLite's B-tree searches alone, with no locking,
// which no handle can do for long (it holds back other processes' checkpoints of the WAL).
void BM_SqliteSelectBlockAndTile(benchmark::State& state) {
  const auto size = static_cast<uint64_t>(state.range(0));
  const bool one_transaction = state.range(1) != 0;
  Sized(size);
  sqlite3* db = nullptr;
  sqlite3_stmt *block = nullptr, *tile = nullptr, *begin = nullptr, *commit = nullptr;
  if (sqlite3_open_v2(BigPath(size).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_exec(db, vellum::storage::kReadOnlyPragmas, nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT ts, data FROM entries WHERE idx >= ? AND idx < ?", -1, &block,
                         nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT hashes, inner FROM tiles WHERE level = 0 AND idx = ?", -1,
                         &tile, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "BEGIN", -1, &begin, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr) != SQLITE_OK) {
    std::abort();
  }
  auto run = [](sqlite3_stmt* stmt) {
    if (sqlite3_step(stmt) != SQLITE_DONE) std::abort();
    sqlite3_reset(stmt);
  };
  std::mt19937_64 rng(8);
  if (one_transaction) run(begin);
  for (auto _ : state) {
    const auto first = static_cast<int64_t>(rng() % size & ~uint64_t{7});
    if (!one_transaction) run(begin);
    sqlite3_bind_int64(block, 1, first);
    sqlite3_bind_int64(block, 2, first + 8);
    int rows = 0;
    for (; sqlite3_step(block) == SQLITE_ROW; ++rows)
      benchmark::DoNotOptimize(sqlite3_column_blob(block, 1));
    sqlite3_reset(block);
    sqlite3_bind_int64(tile, 1, first / 256);
    if (rows != 8 || sqlite3_step(tile) != SQLITE_ROW) std::abort();
    benchmark::DoNotOptimize(sqlite3_column_blob(tile, 1));
    sqlite3_reset(tile);
    if (!one_transaction) run(commit);
  }
  if (one_transaction) run(commit);
  for (sqlite3_stmt* stmt : {block, tile, begin, commit}) sqlite3_finalize(stmt);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations());
}

constexpr int64_t kHuge = 100'000'000;
BENCHMARK(BM_RootAtArbitrarySize)->Arg(kBig)->Arg(kHuge)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_InclusionProof)->Arg(kBig)->Arg(kHuge)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ConsistencyProof)->Arg(kBig)->Arg(kHuge)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_InclusionProofAtLedgerSize)->Arg(kBig)->Arg(kHuge)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ConsistencyProofToLedgerSize)->Arg(kBig)->Arg(kHuge)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PreadRandomPageOfTheFile)->Arg(kHuge)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SqliteSelectRandomEntry)->Arg(kHuge)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SqliteSelectBlockAndTile)
    ->Args({kHuge, 0})
    ->Args({kHuge, 1})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_InMemoryCoreInclusionProof)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RootByRecomputingAllLeaves)->Unit(benchmark::kMicrosecond);
RatioPair proof_vs_memory{"BM_InclusionProof/1000000", "BM_InMemoryCoreInclusionProof"};
RatioPair proof_vs_select{"BM_InclusionProof/100000000", "BM_SqliteSelectRandomEntry/100000000"};
RatioPair at_size_vs_select{"BM_InclusionProofAtLedgerSize/100000000",
                            "BM_SqliteSelectRandomEntry/100000000"};
RatioPair at_size_vs_reads{"BM_InclusionProofAtLedgerSize/100000000",
                           "BM_SqliteSelectBlockAndTile/100000000/0"};
RatioPair root_vs_recompute{"BM_RootAtArbitrarySize/1000000", "BM_RootByRecomputingAllLeaves"};

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
