// Many concurrent appenders and readers against one node for a fixed time, with a mirror node
// following it. Afterwards: every acknowledged entry is at the index it was acknowledged with
// (so none lost, duplicated or reordered), nothing unacknowledged was written, every read
// verified against a signed checkpoint, the mirror is identical, and the writer's memory
// stayed flat. VELLUM_LOAD_SECONDS sets the duration (default 3); doc/reliability.md has figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "tests/process.h"
#include "tests/temp_dir.h"
#include "vellum/checkpoint.h"
#include "vellum/ledger.h"
#include "vellum/merkle.h"

namespace vellum {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kAppenders = 16;
constexpr int kReaders = 4;

// A field of /proc/PID/status in KiB (VmRSS, VmHWM), 0 if unreadable.
uint64_t ProcStatusKiB(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(field + ":")) {
      return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return 0;
}

std::string Payload(int appender, uint64_t seq) {
  return std::string("a").append(std::to_string(appender)).append("-").append(std::to_string(seq));
}

struct BatchAck {
  uint64_t first_index;
  int appender;
  uint64_t first_seq, count;
};

// Waits (at most 30 s) until the node at `port` holds `size` entries; its root then.
std::optional<std::string> RootOnceSizeIs(int port, uint64_t size) {
  std::string root;
  if (!testing::WaitForStatus(
          port,
          [&](const json& s) {
            root = s.value("root", "");
            return s["size"] == size;
          },
          30)) {
    return std::nullopt;
  }
  return root;
}

TEST(LoadTest, ConcurrentAppendersAndReadersWithAMirrorLoseNothing) {
  const char* env = std::getenv("VELLUM_LOAD_SECONDS");
  const int seconds = env ? std::max(1, std::atoi(env)) : 3;
  testing::TempDir dir;
  auto key = *SignerKey::Generate("example.com/load");
  const std::string writer_db = dir.File("writer.db");
  ASSERT_TRUE(Ledger::Create(
      writer_db, {.origin = "example.com/load", .verifier_key = key.verifier().ToString()}));
  ASSERT_TRUE(WriteKeyFile(writer_db + ".key", key));
  testing::NodeProcess writer(writer_db);
  ASSERT_TRUE(writer.ok());
  testing::NodeProcess mirror(dir.File("mirror.db"),
                              {"--upstream", writer.url(), "--upstream-vkey",
                               key.verifier().ToString(), "--poll-interval", "200"});
  ASSERT_TRUE(mirror.ok());
  const std::vector<VerifierKey> known = {key.verifier()};

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> failures{0}, reads{0};
  std::mutex mu;
  std::vector<BatchAck> acks;
  std::vector<std::string> problems;
  auto problem = [&](std::string what) {
    std::lock_guard<std::mutex> lock(mu);
    if (problems.size() < 10) problems.push_back(std::move(what));
    ++failures;
  };

  std::vector<std::thread> threads;
  for (int a = 0; a < kAppenders; ++a) {
    threads.emplace_back([&, a] {
      auto c = testing::LocalClient(writer.port());
      c.options().bearer_token = writer.token();
      c.options().deadline_ms = 30000;
      uint64_t seq = 0;
      for (uint64_t n = 0; !stop; ++n) {
        const uint64_t count = 1 + n % 4;
        json body = {{"entries", json::array()}};
        for (uint64_t i = 0; i < count; ++i) {
          body["entries"].push_back({{"data", Payload(a, seq + i)}});
        }
        auto r = c.Post("/v1/entries", body.dump(), "application/json");
        if (!r || r->status != 200) {
          problem("append failed: " + (r ? r->body : r.error().message()));
          return;  // the outcome of this request is unknown; stop this appender
        }
        const uint64_t first = json::parse(r->body)["first_index"];
        std::lock_guard<std::mutex> lock(mu);
        acks.push_back({first, a, seq, count});
        seq += count;
      }
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      auto c = testing::LocalClient(writer.port());
      c.options().bearer_token = writer.token();
      std::mt19937_64 rng(r);
      while (!stop) {
        auto note = c.Get("/checkpoint");
        if (!note || note->status != 200) continue;  // 503 until the first entry
        auto cp = OpenCheckpoint(note->body, known);
        if (!cp) return problem("checkpoint: " + cp.error().message());
        if (cp->size == 0) continue;
        const uint64_t index = rng() % cp->size;
        auto proof = c.Get("/v1/proof/inclusion?index=" + std::to_string(index) +
                           "&size=" + std::to_string(cp->size));
        if (!proof || proof->status != 200) return problem("proof request failed");
        auto doc = json::parse(proof->body);
        std::vector<Hash> path;
        for (const auto& h : doc["proof"]) path.push_back(*HashFromHex(h.get<std::string>()));
        auto leaf = HashFromHex(doc["leaf_hash"].get<std::string>());
        if (!leaf || !merkle::VerifyInclusion(*leaf, index, cp->size, path, cp->root)) {
          return problem("inclusion proof for " + std::to_string(index) + " did not verify");
        }
        ++reads;
      }
    });
  }

  // Memory: the writer's resident size a quarter of the way in and at the end.
  const auto start = steady_clock::now();
  std::this_thread::sleep_for(milliseconds(seconds * 250));
  const uint64_t rss_quarter = ProcStatusKiB(writer.pid(), "VmRSS");
  std::this_thread::sleep_until(start + std::chrono::seconds(seconds));
  const uint64_t rss_end = ProcStatusKiB(writer.pid(), "VmRSS");
  const uint64_t peak = ProcStatusKiB(writer.pid(), "VmHWM");
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(steady_clock::now() - start).count();

  for (const std::string& p : problems) ADD_FAILURE() << p;
  EXPECT_EQ(failures, 0u);
  uint64_t total = 0;
  for (const BatchAck& a : acks) total += a.count;
  std::cout << "load: " << kAppenders << " appenders, " << kReaders << " readers, " << elapsed
            << " s: " << total << " entries in " << acks.size() << " appends ("
            << static_cast<uint64_t>(total / elapsed) << " entries/s), " << reads
            << " verified reads; writer RSS " << rss_quarter / 1024 << " MiB at 1/4, "
            << rss_end / 1024 << " MiB at the end, peak " << peak / 1024 << " MiB\n";
  ASSERT_GT(total, 0u);
  EXPECT_GT(reads.load(), 0u);

  // Every acknowledged entry where it was acknowledged; nothing else in the ledger.
  const auto writer_root = RootOnceSizeIs(writer.port(), total);
  ASSERT_TRUE(writer_root) << "the writer holds other entries";
  auto ledger = Ledger::Open(writer_db, {.read_only = true});
  ASSERT_TRUE(ledger);
  std::vector<Bytes> payloads;
  for (uint64_t at = 0; at < total; at += 10000) {
    auto chunk = (*ledger)->GetRange(at, std::min(total, at + 10000));
    ASSERT_TRUE(chunk) << chunk.error().ToString();
    for (Entry& e : *chunk) payloads.push_back(std::move(e.payload));
  }
  std::sort(acks.begin(), acks.end(),
            [](const BatchAck& x, const BatchAck& y) { return x.first_index < y.first_index; });
  for (const BatchAck& a : acks) {
    for (uint64_t i = 0; i < a.count; ++i) {
      ASSERT_EQ(payloads[a.first_index + i], ToBytes(Payload(a.appender, a.first_seq + i)))
          << "index " << a.first_index + i;
    }
  }
  auto report = (*ledger)->Verify();
  ASSERT_TRUE(report && report->ok) << report->message;

  // The mirror catches up to exactly the same tree.
  const auto mirror_root = RootOnceSizeIs(mirror.port(), total);
  ASSERT_TRUE(mirror_root) << "the mirror did not catch up";
  EXPECT_EQ(*mirror_root, *writer_root);

#ifndef VELLUM_SANITIZED
  // Flat memory: what the node holds does not grow with the number of entries it has taken.
  // (Sanitizer builds keep freed memory in quarantine, so only plain builds check this.)
  EXPECT_LT(rss_end, rss_quarter + 64 * 1024)
      << "writer RSS grew from " << rss_quarter / 1024 << " MiB to " << rss_end / 1024 << " MiB";
#endif
}

}  // namespace
}  // namespace vellum
