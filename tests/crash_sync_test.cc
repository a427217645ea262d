// SIGKILL in the middle of mirroring and of checkpoint signing, many times. After each kill
// the ledger must open and verify; a mirror must hold a verified prefix of its upstream that
// never shrinks, and finish when sync runs again; every checkpoint acknowledged as signed must
// still be there and still match the tree.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "tests/process.h"
#include "tests/temp_dir.h"
#include "vellum/checkpoint.h"
#include "vellum/ledger.h"

namespace vellum {
namespace {

using std::chrono::milliseconds;

std::mt19937_64 SeededRng() {
  const uint64_t seed = std::random_device{}();
  std::cout << "seed " << seed << "\n";
  return std::mt19937_64(seed);
}

// A writer ledger of `size` raw entries signed by `key`.
// Entries the mirror at `path` holds now (0 while it does not exist yet).
uint64_t MirrorSize(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  auto ledger = Ledger::Open(path, {.read_only = true});
  if (!ledger) return 0;
  auto head = (*ledger)->GetHead();
  return head ? head->size : 0;
}

std::string MakeWriter(const testing::TempDir& dir, const SignerKey& key, uint64_t size) {
  const std::string path = dir.File("writer.db");
  auto ledger = Ledger::Create(path, {.origin = key.verifier().name(),
                                      .format = EntryFormat::kRaw,
                                      .verifier_key = key.verifier().ToString()});
  EXPECT_TRUE(ledger);
  std::vector<NewEntry> batch;
  for (uint64_t i = 0; i < size; ++i) {
    batch.push_back({.payload = ToBytes(std::string("entry ").append(std::to_string(i)))});
    if (batch.size() == 10000 || i + 1 == size) {
      EXPECT_TRUE((*ledger)->AppendBatch(batch));
      batch.clear();
    }
  }
  EXPECT_TRUE((*ledger)->SignCheckpoint(key, size));
  EXPECT_TRUE(WriteKeyFile(path + ".key", key));  // `vellum serve` signs with it
  return path;
}

TEST(CrashSyncTest, AKilledSyncLeavesAVerifiedPrefixThatNeverShrinksAndThenFinishes) {
  testing::TempDir dir;
  auto key = *SignerKey::Generate("example.com/mirrored");
  constexpr uint64_t kSize = 200000;
  auto writer = Ledger::Open(MakeWriter(dir, key, kSize), {.read_only = true});
  ASSERT_TRUE(writer);
  testing::NodeProcess node((*writer)->path());
  ASSERT_TRUE(node.ok());
  const std::string mirror = dir.File("mirror.db"), vkey = key.verifier().ToString();
  std::ofstream(dir.File("empty"));

  auto rng = SeededRng();
  uint64_t held = 0;  // what the mirror held after the previous kill
  int killed_mid_sync = 0;
  for (int round = 0; round < 16 && held < kSize; ++round) {
    const int pid = testing::StartVellum(
        {"sync", mirror, "--from", node.url(), "--vkey", vkey, "--format", "raw"},
        dir.File("empty"));
    // The first rounds kill it while it is still creating the mirror file; the others once it
    // has written a batch more than it held (waiting for that, however slow the machine).
    if (round < 3) {
      std::this_thread::sleep_for(milliseconds(rng() % 10));
    } else {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (std::chrono::steady_clock::now() < deadline && MirrorSize(mirror) <= held) {
        std::this_thread::sleep_for(milliseconds(2));
      }
      std::this_thread::sleep_for(milliseconds(rng() % 20));
    }
    kill(pid, SIGKILL);
    const int code = testing::WaitFor(pid);
    std::cout << "round " << round << ": sync " << (code == -1 ? "killed" : "exited")
              << (std::filesystem::exists(mirror) ? "" : " before making the mirror") << "\n";
    if (!std::filesystem::exists(mirror)) continue;  // a half-made file is never in its place

    auto ledger = Ledger::Open(mirror);
    ASSERT_TRUE(ledger) << "round " << round << ": " << ledger.error().ToString();
    auto report = (*ledger)->Verify();
    ASSERT_TRUE(report && report->ok) << "round " << round << ": " << report->message;
    auto head = (*ledger)->GetHead();
    ASSERT_TRUE(head);
    ASSERT_GE(head->size, held) << "round " << round << ": the mirror lost entries";
    ASSERT_LE(head->size, kSize);
    EXPECT_EQ(head->root, *(*writer)->RootAt(head->size)) << "round " << round;
    std::cout << "  the mirror holds " << head->size << " verified entries\n";
    if (code == -1 && head->size > held && head->size < kSize) ++killed_mid_sync;
    held = head->size;
  }
  std::cout << "kills that landed mid-sync: " << killed_mid_sync << "\n";
  EXPECT_GT(killed_mid_sync, 0);  // the kills really interrupted copying

  auto finish =
      testing::Vellum({"sync", mirror, "--from", node.url(), "--vkey", vkey, "--format", "raw"});
  ASSERT_EQ(finish.exit_code, 0) << finish.err;
  auto done = Ledger::Open(mirror);
  ASSERT_TRUE(done);
  EXPECT_EQ((*done)->GetHead()->size, kSize);
  EXPECT_EQ((*done)->GetHead()->root, (*writer)->GetHead()->root);
  EXPECT_TRUE((*done)->Verify()->ok);
}

struct SignedAck {
  uint64_t size;
  Hash root;
};

// Child process: append a few entries, sign and record a checkpoint, report it; forever.
[[noreturn]] void SignUntilKilled(const std::string& path, const SignerKey& key, int fd) {
  auto ledger = Ledger::Open(path);
  if (!ledger) _exit(2);
  for (uint32_t n = 0;; ++n) {
    std::vector<NewEntry> batch(1 + n % 3, {.payload = ToBytes("signed"), .time_ms = 9});
    if (!(*ledger)->AppendBatch(batch)) _exit(3);
    auto head = (*ledger)->GetHead();
    if (!head || !(*ledger)->SignCheckpoint(key, head->size)) _exit(4);
    SignedAck ack{head->size, head->root};
    if (write(fd, &ack, sizeof(ack)) != sizeof(ack)) _exit(5);
  }
}

TEST(CrashSyncTest, AKilledSignerLeavesEveryAcknowledgedCheckpointTrue) {
  testing::TempDir dir;
  auto key = *SignerKey::Generate("example.com/signed");
  const std::string path = dir.File("signed.db");
  ASSERT_TRUE(Ledger::Create(
      path, {.origin = "example.com/signed", .verifier_key = key.verifier().ToString()}));
  const std::vector<VerifierKey> known = {key.verifier()};
  auto rng = SeededRng();
  std::vector<SignedAck> acked;
  for (int round = 0; round < 20; ++round) {
    auto signer = testing::ForkAndKill([&](int fd) { SignUntilKilled(path, key, fd); },
                                       milliseconds(rng() % 40), 2 * sizeof(SignedAck));
    ASSERT_TRUE(signer.killed) << "signer exited early with " << signer.exit_code;
    testing::AppendRecords(signer.reported, acked);

    auto ledger = Ledger::Open(path);
    ASSERT_TRUE(ledger) << ledger.error().ToString();
    auto report = (*ledger)->Verify();
    ASSERT_TRUE(report && report->ok) << "round " << round << ": " << report->message;
    auto latest = (*ledger)->LatestCheckpoint();
    if (acked.empty()) continue;
    ASSERT_TRUE(latest) << "round " << round << ": " << latest.error().ToString();
    auto opened = OpenCheckpoint(*latest, known);
    ASSERT_TRUE(opened) << "round " << round << ": " << opened.error().ToString();
    EXPECT_GE(opened->size, acked.back().size) << "an acknowledged checkpoint was lost";
    EXPECT_EQ(opened->root, *(*ledger)->RootAt(opened->size));
    for (const SignedAck& a : acked) {
      ASSERT_EQ(*(*ledger)->RootAt(a.size), a.root) << "round " << round << ", size " << a.size;
    }
  }
  EXPECT_GE(acked.size(), 40u);  // the signer really signed between kills
}

}  // namespace
}  // namespace vellum
