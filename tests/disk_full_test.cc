// A full disk, two ways: SQLite writes refused with SQLITE_FULL by a VFS shim (every machine),
// and a real 1 MiB tmpfs that the CLI and a node fill up (when the test may mount one). Either
// way the failed append must say the disk is full, change nothing, and leave a ledger that
// opens, verifies, holds every acknowledged entry, and takes appends again once space is freed.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/process.h"
#include "tests/temp_dir.h"
#include "vellum/ledger.h"

namespace vellum {
namespace {

// --- A VFS that forwards to the default one but fails writes once a byte budget is spent ---

std::atomic<int64_t> g_write_budget{-1};  // bytes SQLite may still write; -1: no limit
sqlite3_vfs* g_real_vfs = nullptr;

struct BudgetFile {
  sqlite3_file base;   // pMethods: kBudgetMethods
  sqlite3_file* real;  // the default VFS's file, stored right after this struct
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<BudgetFile*>(f)->real; }

int BudgetWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  int64_t left = g_write_budget.load();
  while (left >= 0) {
    if (left < amount) return SQLITE_FULL;
    if (g_write_budget.compare_exchange_weak(left, left - amount)) break;
  }
  return Real(f)->pMethods->xWrite(Real(f), data, amount, offset);
}

const sqlite3_io_methods kBudgetMethods = {
    3,
    [](sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); },
    [](sqlite3_file* f, void* d, int n, sqlite3_int64 o) {
      return Real(f)->pMethods->xRead(Real(f), d, n, o);
    },
    BudgetWrite,
    [](sqlite3_file* f, sqlite3_int64 n) { return Real(f)->pMethods->xTruncate(Real(f), n); },
    [](sqlite3_file* f, int flags) { return Real(f)->pMethods->xSync(Real(f), flags); },
    [](sqlite3_file* f, sqlite3_int64* n) { return Real(f)->pMethods->xFileSize(Real(f), n); },
    [](sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); },
    [](sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); },
    [](sqlite3_file* f, int* r) { return Real(f)->pMethods->xCheckReservedLock(Real(f), r); },
    [](sqlite3_file* f, int op, void* arg) {
      return Real(f)->pMethods->xFileControl(Real(f), op, arg);
    },
    [](sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); },
    [](sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); },
    [](sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
      return Real(f)->pMethods->xShmMap(Real(f), pg, sz, extend, p);
    },
    [](sqlite3_file* f, int off, int n, int flags) {
      return Real(f)->pMethods->xShmLock(Real(f), off, n, flags);
    },
    [](sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); },
    [](sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); },
    [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) {
      return Real(f)->pMethods->xFetch(Real(f), o, n, p);
    },
    [](sqlite3_file* f, sqlite3_int64 o, void* p) {
      return Real(f)->pMethods->xUnfetch(Real(f), o, p);
    },
};

int BudgetOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out) {
  auto* file = reinterpret_cast<BudgetFile*>(f);
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  const int rc = g_real_vfs->xOpen(g_real_vfs, name, file->real, flags, out);
  // SQLite calls xClose only when pMethods is set, which must be exactly when the real open
  // succeeded (and set its own).
  file->base.pMethods = file->real->pMethods ? &kBudgetMethods : nullptr;
  return rc;
}

sqlite3_vfs MakeBudgetVfs() {
  g_real_vfs = sqlite3_vfs_find(nullptr);
  sqlite3_vfs vfs = *g_real_vfs;
  vfs.zName = "vellum-test-budget";
  vfs.szOsFile = static_cast<int>(sizeof(BudgetFile)) + g_real_vfs->szOsFile;
  vfs.xOpen = BudgetOpen;
  vfs.pNext = nullptr;
  return vfs;
}

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_ = MakeBudgetVfs();
    ASSERT_EQ(sqlite3_vfs_register(&vfs_, /*makeDflt=*/1), SQLITE_OK);
    g_write_budget = -1;
  }
  void TearDown() override {
    g_write_budget = -1;
    sqlite3_vfs_unregister(&vfs_);
  }
  sqlite3_vfs vfs_{};
  testing::TempDir dir_;
};

NewEntry Numbered(uint64_t i) {
  return {ToBytes(std::string(180, 'x').append(std::to_string(i))), static_cast<int64_t>(i)};
}

TEST_F(DiskFullTest, AFullDiskRefusesAppendsCleanlyAndTheLedgerKeepsEveryAcknowledgedEntry) {
  const std::string path = dir_.File("full.db");
  auto ledger = Ledger::Create(path, {.origin = "example.com/full"});
  ASSERT_TRUE(ledger) << ledger.error().ToString();
  g_write_budget = 400 << 10;  // the disk fills up after about 400 KiB more

  uint64_t acked = 0;
  Error refusal(ErrorCode::kIoError, "");
  for (int attempt = 0;; ++attempt) {
    ASSERT_LT(attempt, 10000) << "the budget never ran out";
    std::vector<NewEntry> batch;
    for (int i = 0; i < 1 + attempt % 40; ++i) batch.push_back(Numbered(acked + i));
    auto first = (*ledger)->AppendBatch(batch);
    if (!first) {
      refusal = first.error();
      break;
    }
    ASSERT_EQ(*first, acked);
    acked += batch.size();
  }
  EXPECT_EQ(refusal.code(), ErrorCode::kNoSpace) << refusal.ToString();
  EXPECT_NE(refusal.message().find("full"), std::string::npos) << refusal.message();
  EXPECT_GT(acked, 100u);

  // Still full: refused again, and reads work on the same handle.
  EXPECT_FALSE((*ledger)->Append(Numbered(acked)));
  EXPECT_EQ((*ledger)->GetHead()->size, acked);
  EXPECT_EQ((*ledger)->Get(acked - 1)->payload, Numbered(acked - 1).payload);
  EXPECT_TRUE((*ledger)->InclusionProof(0, acked));

  // Space freed: the same handle appends again, right after the last acknowledged entry.
  g_write_budget = -1;
  auto next = (*ledger)->Append(Numbered(acked));
  ASSERT_TRUE(next) << next.error().ToString();
  EXPECT_EQ(*next, acked);
  ++acked;
  ledger->reset();

  auto reopened = Ledger::Open(path);
  ASSERT_TRUE(reopened) << reopened.error().ToString();
  auto report = (*reopened)->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->message;
  EXPECT_EQ(report->size, acked);
  auto all = (*reopened)->GetRange(0, acked);
  ASSERT_TRUE(all);
  for (uint64_t i = 0; i < acked; ++i) ASSERT_EQ((*all)[i].payload, Numbered(i).payload) << i;
}

TEST_F(DiskFullTest, CreatingALedgerOnAFullDiskLeavesNoFileBehind) {
  g_write_budget = 2000;
  auto ledger = Ledger::Create(dir_.File("never.db"), {.origin = "example.com/full"});
  ASSERT_FALSE(ledger);
  EXPECT_EQ(ledger.error().code(), ErrorCode::kNoSpace) << ledger.error().ToString();
  g_write_budget = -1;
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
  EXPECT_TRUE(Ledger::Create(dir_.File("never.db"), {.origin = "example.com/full"}));
}

// --- A real full file system: a 1 MiB tmpfs ----------------------------------------------------

class RealDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mnt_ = dir_.File("small");
    std::filesystem::create_directory(mnt_);
    if (mount("tmpfs", mnt_.c_str(), "tmpfs", 0, "size=1m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                   << "); the SQLITE_FULL tests above still ran";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) umount2(mnt_.c_str(), MNT_DETACH);
  }
  void Resize(const char* size) {
    ASSERT_EQ(mount("tmpfs", mnt_.c_str(), "tmpfs", MS_REMOUNT, size), 0) << std::strerror(errno);
  }

  testing::TempDir dir_;
  std::string mnt_;
  bool mounted_ = false;
};

std::string Line(const char* who, uint64_t i) {
  return std::string(who).append("-").append(std::to_string(i)).append(200, '.');
}

TEST_F(RealDiskFullTest, TheCliAndANodeSayTheDiskIsFullAndCarryOnOnceSpaceIsFreed) {
  const std::string db = mnt_ + "/ledger.db";
  auto init = testing::Vellum(
      {"init", db, "--origin", "example.com/tmpfs", "--key-file", dir_.File("ledger.key")});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  std::vector<std::string> acked;  // payloads, in index order

  // The CLI: batches of 200 lines until the disk is full (about 20 of them).
  constexpr uint64_t kBatch = 200;
  testing::RunResult refused;
  for (int round = 0; round < 1000; ++round) {
    std::string input;
    for (uint64_t i = 0; i < kBatch; ++i) input += Line("cli", acked.size() + i) + "\n";
    auto r = testing::Vellum({"append", db, "--stdin"}, input);
    if (r.exit_code != 0) {
      refused = r;
      break;
    }
    for (uint64_t i = 0; i < kBatch; ++i) acked.push_back(Line("cli", acked.size()));
  }
  ASSERT_NE(refused.exit_code, 0) << "1 MiB never filled up";
  EXPECT_NE(refused.err.find("full"), std::string::npos) << refused.err;
  auto verify = testing::Vellum({"verify", db});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // A node on the full disk: appends get 507 and change nothing; reads still work.
  {
    // The token lives off the full disk (a node cannot make one there).
    std::ofstream(dir_.File("token")) << std::string(40, 't') << "\n";
    std::filesystem::permissions(dir_.File("token"), std::filesystem::perms::owner_read);
    testing::NodeProcess node(
        db, {"--key", dir_.File("ledger.key"), "--token-file", dir_.File("token")});
    ASSERT_TRUE(node.ok());
    auto c = testing::LocalClient(node.port());
    c.options().bearer_token = node.token();
    const std::string body = nlohmann::json{{"data", Line("node", 0)}}.dump();
    auto full = c.Post("/v1/entries", body, "application/json");
    ASSERT_TRUE(full);
    EXPECT_EQ(full->status, 507) << full->body;
    EXPECT_NE(full->body.find("full"), std::string::npos) << full->body;
    auto status = c.Get("/v1/status");
    ASSERT_TRUE(status && status->status == 200);
    EXPECT_EQ(nlohmann::json::parse(status->body)["size"], acked.size());

    Resize("size=4m");  // space freed: the same node takes appends again
    for (int i = 0; i < 20; ++i) {
      const std::string payload = Line("node", acked.size());
      auto ok = c.Post("/v1/entries", nlohmann::json{{"data", payload}}.dump(), "application/json");
      ASSERT_TRUE(ok);
      ASSERT_EQ(ok->status, 200) << ok->body;
      ASSERT_EQ(nlohmann::json::parse(ok->body)["first_index"], acked.size());
      acked.push_back(payload);
    }
    EXPECT_EQ(node.Stop(SIGTERM), 0);
  }

  auto ledger = Ledger::Open(db, {.read_only = true});
  ASSERT_TRUE(ledger) << ledger.error().ToString();
  auto report = (*ledger)->Verify();
  ASSERT_TRUE(report && report->ok) << report->message;
  ASSERT_EQ(report->size, acked.size());
  auto all = (*ledger)->GetRange(0, acked.size());
  ASSERT_TRUE(all);
  for (size_t i = 0; i < acked.size(); ++i) ASSERT_EQ((*all)[i].payload, ToBytes(acked[i])) << i;
}

}  // namespace
}  // namespace vellum
