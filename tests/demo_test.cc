// `vellum demo` runs end to end and shows what it claims.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "tests/process.h"
#include "tests/temp_dir.h"

namespace vellum {
namespace {

TEST(DemoTest, WalksThroughLedgerMerkleAndNetworkAndCleansUp) {
  auto r = testing::Vellum({"demo"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* claim :
       {"== 1. Ledger operations ==",
        "#3  2025-11-25T09:03:00.000Z",
        "UPDATE is refused",
        "== 2. Merkle operations ==",
        "inclusion proof for record #1 (2 hashes): verified against the signed checkpoint",
        "root changed",
        "consistency proof 4 -> 5: verified",
        "== 3. Node network ==",
        "signed checkpoint verified",
        "a mirror of node1, caught up from an empty file",
        "compare node1 node2: identical (8 events)",
        "compare node1 node3: forked at index 2",
        "node3: bob deleted report.pdf",
        "compare node4 node1: node4 is behind by 3 (proven)",
        "synced nodes: 2 of 4 (50%), network NOT healthy",
        "fork: histories part at index 2",
        "dashboard: http://127.0.0.1:",
        "first bad index: 2",
        "== 5. Witnesses: a split view is refused ==",
        "its checkpoint of 3 is cosigned too",
        "peer1 refused it: it answered 409",
        "peer2 refused it: it answered 409",
        "checks only the log's signature: accepts it",
        "missing cosignatures by peer1, peer2",
        "peer1 keeps the refused checkpoint as evidence: 1 request",
        "cleaned up"}) {
    EXPECT_NE(r.out.find(claim), std::string::npos) << "missing: " << claim << "\n" << r.out;
  }
  const std::string marker = "SQLite, in ";
  const size_t at = r.out.find(marker);
  ASSERT_NE(at, std::string::npos);
  const size_t from = at + marker.size();
  const std::string dir = r.out.substr(from, r.out.find('\n', from) - from);
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

TEST(DemoTest, CleansUpWhenInterrupted) {
  // The demo makes its folder under TMPDIR: give it a private one to watch.
  testing::TempDir tmp;
  const char* old = getenv("TMPDIR");
  const std::string saved = old ? old : "";
  setenv("TMPDIR", tmp.path().c_str(), 1);
  const int pid = testing::StartVellum({"demo"}, "/dev/null");
  if (old) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  ASSERT_GT(pid, 0);
  // Interrupt it once it is under way: its folder exists (its handler is set before), a minute
  // at most however slow the build. It then takes most of a second more, starting nodes.
  auto names = [&] {
    std::string out;
    for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
      out += e.path().filename().string() + " ";
    }
    return out;
  };
  for (int i = 0; i < 60000 && names().find("vellum-demo-") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_NE(names().find("vellum-demo-"), std::string::npos) << "the demo never started";
  kill(pid, SIGINT);
  const int code = testing::WaitFor(pid);
  EXPECT_EQ(code, 130);  // interrupted, not finished
  EXPECT_EQ(names(), "") << "the demo left files in " << tmp.path();
}

}  // namespace
}  // namespace vellum
