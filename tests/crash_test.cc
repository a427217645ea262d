// A writer is killed with SIGKILL at random moments, many times. After each kill the ledger
// must open, verify, and hold every append the writer had acknowledged.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <random>

#include "tests/process.h"
#include "tests/temp_dir.h"
#include "vellum/ledger.h"

namespace vellum {
namespace {

struct Ack {
  uint64_t index;
  uint32_t round;
  uint32_t seq;
};

std::string Payload(uint32_t round, uint32_t seq) {
  return "crash-" + std::to_string(round) + "-" + std::to_string(seq);
}

// Child process: append forever, reporting each acknowledged entry on `fd`. Never returns.
[[noreturn]] void AppendUntilKilled(const std::string& path, uint32_t round, int fd) {
  auto ledger = Ledger::Open(path);
  if (!ledger) _exit(2);
  for (uint32_t seq = 0;;) {
    const uint32_t batch = 1 + seq % 4;
    std::vector<NewEntry> entries;
    for (uint32_t i = 0; i < batch; ++i) entries.push_back({ToBytes(Payload(round, seq + i)), 7});
    auto first = (*ledger)->AppendBatch(entries);
    if (!first) _exit(3);
    for (uint32_t i = 0; i < batch; ++i) {
      Ack ack{*first + i, round, seq + i};
      if (write(fd, &ack, sizeof(ack)) != sizeof(ack)) _exit(4);
    }
    seq += batch;
  }
}

TEST(CrashTest, EveryAcknowledgedAppendSurvivesSigkill) {
  testing::TempDir dir;
  const std::string path = dir.File("crash.db");
  ASSERT_TRUE(Ledger::Create(path, {.origin = "example.com/crash"}));
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::vector<Ack> acked;
  constexpr uint32_t kRounds = 25;
  for (uint32_t round = 0; round < kRounds; ++round) {
    auto writer = testing::ForkAndKill([&](int fd) { AppendUntilKilled(path, round, fd); },
                                       std::chrono::milliseconds(rng() % 40), 2 * sizeof(Ack));
    ASSERT_TRUE(writer.killed) << "writer exited early with " << writer.exit_code;
    testing::AppendRecords(writer.reported, acked);

    auto ledger = Ledger::Open(path);
    ASSERT_TRUE(ledger) << ledger.error().ToString();
    auto report = (*ledger)->Verify();
    ASSERT_TRUE(report);
    ASSERT_TRUE(report->ok) << "round " << round << ": " << report->message;
    for (const Ack& a : acked) {
      auto entry = (*ledger)->Get(a.index);
      ASSERT_TRUE(entry) << "acknowledged entry " << a.index << " lost in round " << round;
      ASSERT_EQ(entry->payload, ToBytes(Payload(a.round, a.seq)));
    }
  }
  EXPECT_GT(acked.size(), kRounds);  // the writer really made progress between kills
}

}  // namespace
}  // namespace vellum
