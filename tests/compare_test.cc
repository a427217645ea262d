// Comparing, analysing and mirroring ledgers as files and as nodes: identical, behind by N,
// forked at K; a side that contradicts itself is caught; the fork in a million entries costs a
// few requests; a mirror writes only what it verified.
#include "node/compare.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <thread>

#include "node/ledger_view.h"
#include "node/network.h"
#include "node/sync.h"
#include "tests/process.h"
#include "tests/temp_dir.h"

namespace vellum {
namespace {

using node::Comparison;

// Raw-format ledger with entries "<i>" for i in [0, size), except "fork" at `fork_at`.
// All ledgers made here share one key, as copies of one log would.
class CompareTest : public ::testing::Test {
 protected:
  // A raw-format ledger of `size` entries "0", "1", ... (entry `fork_at`, if given, is "fork"),
  // signed with key_. `from`, if given, is such a ledger with fewer entries to start from: a
  // copy of its file, which saves appending them again.
  std::string Make(const std::string& name, uint64_t size, std::optional<uint64_t> fork_at = {},
                   const std::string& from = "") {
    const std::string path = dir_.File(name);
    auto ledger = from.empty() ? Ledger::Create(path, {.origin = "example.com/cmp",
                                                       .format = EntryFormat::kRaw,
                                                       .verifier_key = key_.verifier().ToString()})
                               : CopyLedger(from, path);
    // An exception fails the test that called Make (an ASSERT cannot return a value).
    if (!ledger) throw std::runtime_error(name + ": " + ledger.error().ToString());
    std::vector<NewEntry> batch;
    for (uint64_t i = (*ledger)->GetHead().value_or(Head{}).size; i < size; ++i) {
      batch.push_back({.payload = ToBytes(fork_at == i ? std::string("fork") : std::to_string(i))});
      if (batch.size() == 10000 || i + 1 == size) {
        if (!(*ledger)->AppendBatch(batch)) throw std::runtime_error(name + ": append failed");
        batch.clear();
      }
    }
    std::ofstream(path + ".key") << key_.ToString() << "\n";
    std::filesystem::permissions(
        path + ".key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return path;
  }
  // Signs a checkpoint of the head of the ledger at `path` with key_; returns `path`.
  std::string Signed(const std::string& path) {
    auto ledger = Ledger::Open(path);
    if (!ledger) throw std::runtime_error(path + ": " + ledger.error().ToString());
    if (auto note = (*ledger)->SignCheckpoint(key_); !note) {
      throw std::runtime_error(path + ": cannot sign: " + note.error().ToString());
    }
    return path;
  }
  static Result<std::unique_ptr<Ledger>> CopyLedger(const std::string& from,
                                                    const std::string& to) {
    std::filesystem::copy_file(from, to);
    if (std::filesystem::exists(from + "-wal"))
      std::filesystem::copy_file(from + "-wal", to + "-wal");
    return Ledger::Open(to);
  }
  Result<Comparison> CompareFiles(const std::string& a, const std::string& b) {
    auto va = node::OpenView(a, {});
    auto vb = node::OpenView(b, {});
    EXPECT_TRUE(va && vb);
    return node::Compare(**va, **vb);
  }
  testing::TempDir dir_;
  SignerKey key_ = *SignerKey::Generate("example.com/cmp");
};

TEST_F(CompareTest, TellsIdenticalBehindAndForkedFiles) {
  const std::string a = Make("a.db", 3000), same = Make("same.db", 3000);
  const std::string short_one = Make("short.db", 1234), forked = Make("forked.db", 2500, 777);
  EXPECT_EQ(CompareFiles(a, same)->relation, Comparison::Relation::kIdentical);
  auto behind = CompareFiles(short_one, a);
  ASSERT_TRUE(behind) << behind.error().ToString();
  EXPECT_EQ(behind->relation, Comparison::Relation::kABehind);
  EXPECT_EQ(behind->behind_by, 3000u - 1234);
  EXPECT_EQ(CompareFiles(a, short_one)->relation, Comparison::Relation::kBBehind);
  for (uint64_t k : {0ull, 1ull, 255ull, 256ull, 1233ull, 2499ull}) {
    const std::string f = Make("fork" + std::to_string(k) + ".db", 2500, k);
    auto c = CompareFiles(a, f);
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(c->relation, Comparison::Relation::kForked);
    EXPECT_EQ(c->fork_index, k);
    EXPECT_EQ(c->entry_a->payload, ToBytes(std::to_string(k)));
    EXPECT_EQ(c->entry_b->payload, ToBytes("fork"));
  }
  EXPECT_EQ(CompareFiles(forked, a)->fork_index, 777u);
}

TEST_F(CompareTest, LocatesForksAtTileBoundariesLastAndRandomIndexes) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::string base = Make("base.db", 70000);
  std::vector<uint64_t> forks = {0, 65535, 65536, 69999};
  for (int i = 0; i < 3; ++i) forks.push_back(rng() % 70000);
  for (uint64_t k : forks) {
    // The other ledger is longer or shorter, but always past the fork.
    const uint64_t size = k + 1 + rng() % 5000;
    const std::string other =
        Make(std::string("k").append(std::to_string(k)).append(".db"), size, k);
    auto c = CompareFiles(base, other);
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(c->relation, Comparison::Relation::kForked) << k;
    EXPECT_EQ(c->fork_index, k);
  }
}

TEST(NodeUrlTest, SplitsAPathPrefixAndDropsTrailingSlashes) {
  auto plain = node::SplitNodeUrl("http://127.0.0.1:8001");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->base, "http://127.0.0.1:8001");
  EXPECT_EQ(plain->prefix, "");
  auto slash = node::SplitNodeUrl("http://127.0.0.1:8001/");
  ASSERT_TRUE(slash);
  EXPECT_EQ(slash->prefix, "");
  auto prefixed = node::SplitNodeUrl("https://logs.example/a/b//");
  ASSERT_TRUE(prefixed);
  EXPECT_EQ(prefixed->base, "https://logs.example");
  EXPECT_EQ(prefixed->prefix, "/a/b");
  for (const char* bad : {"http://", "ftp://host", "host:8001", "http:///x", "http://h/?q=1",
                          "http://h:8001?q=1", "http://h#top", "http://h/a#top"}) {
    EXPECT_FALSE(node::SplitNodeUrl(bad)) << bad;
  }
}

// What `vellum serve` announces: a URL a client here can connect to, for any --listen host.
TEST(NodeUrlTest, ALocalUrlNamesAHostToConnectTo) {
  EXPECT_EQ(node::LocalUrl(false, "127.0.0.1", 8001), "http://127.0.0.1:8001");
  EXPECT_EQ(node::LocalUrl(true, "logs.example", 443), "https://logs.example:443");
  EXPECT_EQ(node::LocalUrl(false, "[::1]", 8001), "http://[::1]:8001");
  // Listening on every interface: reached here through loopback.
  EXPECT_EQ(node::LocalUrl(false, "0.0.0.0", 8001), "http://127.0.0.1:8001");
  EXPECT_EQ(node::LocalUrl(false, "[::]", 8001), "http://[::1]:8001");
  EXPECT_TRUE(node::SplitNodeUrl(node::LocalUrl(false, "0.0.0.0", 8001)));
}

TEST_F(CompareTest, RefusesLedgersOfDifferentOrigins) {
  const std::string a = Make("a.db", 10);
  ASSERT_EQ(testing::Vellum({"init", dir_.File("other.db"), "--origin", "other/log"}).exit_code, 0);
  auto c = CompareFiles(a, dir_.File("other.db"));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("different logs"), std::string::npos);
}

// A peer that answers one subtree hash falsely.
class LyingView : public node::LedgerView {
 public:
  explicit LyingView(std::unique_ptr<node::LedgerView> real)
      : LedgerView("liar"), real_(std::move(real)) {}
  Result<node::ViewHead> Head() override { return real_->Head(); }
  Result<std::vector<Hash>> SubtreeHashes(std::span<const merkle::NodeId> ids) override {
    auto out = real_->SubtreeHashes(ids);
    if (out && ids.size() > 1) (*out)[ids.size() / 2][0] ^= 1;
    return out;
  }
  Result<std::vector<Hash>> ConsistencyProof(uint64_t m, uint64_t n) override {
    return real_->ConsistencyProof(m, n);
  }
  Result<std::vector<Hash>> InclusionProof(uint64_t i, uint64_t n) override {
    return real_->InclusionProof(i, n);
  }
  std::string CheckpointNote() const override { return real_->CheckpointNote(); }
  Result<Entry> Get(uint64_t index) override { return real_->Get(index); }
  Result<std::vector<Bytes>> EntryBytes(uint64_t begin, uint64_t end) override {
    auto out = real_->EntryBytes(begin, end);
    if (out && !out->empty()) out->back().push_back('!');
    return out;
  }
  Result<EntryFormat> Format() override { return real_->Format(); }

 private:
  std::unique_ptr<node::LedgerView> real_;
};

TEST_F(CompareTest, CatchesASideThatContradictsItself) {
  const std::string a = Make("a.db", 5000), b = Make("b.db", 5000, 4000);
  LyingView liar(std::move(*node::OpenView(b, {})));
  auto honest = node::OpenView(a, {});
  auto c = node::Compare(**honest, liar);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kVerificationFailed);
  EXPECT_NE(c.error().message().find("liar contradicts itself"), std::string::npos)
      << c.error().message();
}

TEST_F(CompareTest, FindsAForkInAMillionEntriesOverHttpWithinBudget) {
  // The three ledgers share their first 987,654 entries, and c is a's first 999,000: each made
  // once, copied. Signed checkpoints travel with the copies, so that a node starting on one
  // re-hashes only the entries after it before it signs (CheckEntriesSince), not all million.
  const std::string prefix = Signed(Make("prefix.db", 987654));
  const std::string c = Signed(Make("big_c.db", 999000, {}, prefix));
  const std::string a = Make("big_a.db", 1000000, {}, c);
  const std::string b = Make("big_b.db", 1000000, 987654, prefix);
  testing::NodeProcess na(a), nb(b);
  ASSERT_TRUE(na.ok() && nb.ok());
  auto r = testing::Vellum({"compare", "http://127.0.0.1:" + std::to_string(na.port()),
                            "http://127.0.0.1:" + std::to_string(nb.port()), "--json", "--vkey",
                            key_.verifier().ToString()});
  ASSERT_EQ(r.exit_code, 3) << r.err;  // a fork was found
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["relation"], "forked");
  EXPECT_EQ(j["fork_index"], 987654);
  EXPECT_EQ(j["entry_b"]["data"], "fork");
  EXPECT_EQ(j["a"]["signature_checked"], true);
  for (const char* side : {"a", "b"}) {
    // checkpoint + at most 4 to find the index + 1 to show the entry
    EXPECT_LE(j[side]["round_trips"].get<int>(), 1 + 4 + 1) << side;
  }
  EXPECT_LE(j["a"]["bytes"].get<int>() + j["b"]["bytes"].get<int>(), 64 * 1024);

  // A prefix over HTTP costs one consistency proof.
  testing::NodeProcess nc(c);
  auto behind = testing::Vellum({"compare", "http://127.0.0.1:" + std::to_string(nc.port()),
                                 "http://127.0.0.1:" + std::to_string(na.port()), "--json"});
  ASSERT_EQ(behind.exit_code, 0) << behind.err;
  auto jb = nlohmann::json::parse(behind.out);
  EXPECT_EQ(jb["relation"], "a_behind");
  EXPECT_EQ(jb["behind_by"], 1000);
  EXPECT_LE(jb["b"]["round_trips"].get<int>(), 3);  // checkpoint, subtree hashes, proof
}

}  // namespace
}  // namespace vellum

namespace vellum {
namespace {

TEST_F(CompareTest, NetworkAnalysisReportsGroupsHealthLineagesLagsAndForks) {
  const std::string a = Make("a.db", 2000), a2 = Make("a2.db", 2000), a3 = Make("a3.db", 2000);
  const std::string lagging = Make("lag.db", 1500), forked = Make("forked.db", 1800, 1234);
  testing::NodeProcess node_a(a);
  ASSERT_TRUE(node_a.ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(node_a.port());
  auto r = testing::Vellum({"network", url, a2, a3, lagging, forked, "--json"});
  ASSERT_EQ(r.exit_code, 3) << r.err;  // a fork was found
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["total_nodes"], 5);
  EXPECT_EQ(j["synced_nodes"], 3);
  EXPECT_DOUBLE_EQ(j["sync_percentage"].get<double>(), 60.0);
  EXPECT_EQ(j["healthy"], false);
  EXPECT_EQ(j["sync_groups"].size(), 3u);
  ASSERT_EQ(j["lineages"].size(), 2u);
  EXPECT_EQ(j["lineages"][0].size(), 4u);  // the three in sync and the laggard
  ASSERT_EQ(j["forks"].size(), 1u);
  EXPECT_EQ(j["forks"][0]["fork_index"], 1234);
  EXPECT_EQ(j["peers"][3]["lag"], 500);
  EXPECT_EQ(j["peers"][0]["peer"], url);

  // With the laggard caught up and the fork gone, four of five in sync is healthy (80 %).
  auto healthy = testing::Vellum({"network", url, a2, a3, Make("a4.db", 2000), lagging, "--json"});
  auto h = nlohmann::json::parse(healthy.out);
  EXPECT_DOUBLE_EQ(h["sync_percentage"].get<double>(), 80.0);
  EXPECT_EQ(h["healthy"], true);
  EXPECT_TRUE(h["forks"].empty());

  // A peer given twice, under any of its names, would count twice: refused, naming both.
  std::filesystem::create_hard_link(a2, dir_.File("a2-link.db"));
  for (const auto& [x, y] : {std::pair{url, url + "/"},
                             {url + "//", url},
                             {a2, a2},
                             {a2, dir_.File("./a2.db")},
                             {a2, dir_.File("a2-link.db")}}) {
    auto repeated = testing::Vellum({"network", x, a3, y});
    EXPECT_EQ(repeated.exit_code, 2) << x << " " << y << ": " << repeated.err;
    EXPECT_NE(repeated.err.find("give each peer once"), std::string::npos) << repeated.err;
    EXPECT_NE(repeated.err.find(y), std::string::npos) << repeated.err;
  }
  EXPECT_TRUE(node::RefuseRepeatedPeers({url, url + "/other", a2, a3}));
  EXPECT_FALSE(node::RefuseRepeatedPeers({"https://Logs.Example/a", "https://logs.example/a/"}));
  EXPECT_TRUE(node::RefuseRepeatedPeers({"https://logs.example/a", "https://logs.example/A"}));
  auto peers_twice = testing::BoundedVellum(
      {"serve", a3, "--listen", "127.0.0.1:0", "--peer", url, "--peer", url + "/"});
  EXPECT_EQ(peers_twice.exit_code, 1) << peers_twice.err;
  EXPECT_NE(peers_twice.err.find("--peer: "), std::string::npos) << peers_twice.err;

  // An unreachable peer counts against the network.
  node_a.Stop(SIGTERM);
  auto down = nlohmann::json::parse(testing::Vellum({"network", url, a2, "--json"}).out);
  EXPECT_EQ(down["peers"][0]["reachable"], false);
  EXPECT_DOUBLE_EQ(down["sync_percentage"].get<double>(), 50.0);
}

}  // namespace
}  // namespace vellum

namespace vellum {
namespace {

TEST_F(CompareTest, AMirrorCatchesUpFromEmptyThenIncrementallyVerifyingEverything) {
  const std::string a = Make("a.db", 3000);
  testing::NodeProcess node(a);
  ASSERT_TRUE(node.ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(node.port());
  const std::string vkey = key_.verifier().ToString();
  const std::string mirror = dir_.File("mirror.db");
  auto first =
      testing::Vellum({"sync", mirror, "--from", url, "--vkey", vkey, "--format", "raw", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(nlohmann::json::parse(first.out)["new_size"], 3000);
  EXPECT_EQ(CompareFiles(mirror, a)->relation, Comparison::Relation::kIdentical);
  // A mirror signs nothing: `checkpoint` prints the upstream's newest, which verifies with its
  // key, and says whose it is; a size to sign needs the key.
  auto held = testing::Vellum({"checkpoint", mirror});
  EXPECT_EQ(held.exit_code, 0) << held.err;
  EXPECT_NE(held.err.find("is a mirror: this is the newest checkpoint its upstream signed"),
            std::string::npos)
      << held.err;
  auto checked = testing::Vellum({"verify-checkpoint", "-", "--vkey", vkey}, held.out);
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("has 3000 entries"), std::string::npos) << checked.out;
  auto sized = testing::Vellum({"checkpoint", mirror, "--size", "10"});
  EXPECT_EQ(sized.exit_code, 1);
  EXPECT_NE(sized.err.find("is a mirror: without --size"), std::string::npos) << sized.err;

  auto c = testing::LocalClient(node.port());
  c.options().bearer_token = node.token();
  ASSERT_EQ(c.Post("/v1/entries", R"({"data_hex":"00ff"})", "application/json")->status, 200);
  for (int i = 0; i < 100; ++i) {  // wait for the node to sign the new head
    auto cp = c.Get("/checkpoint");
    if (cp && cp->body.find("\n3001\n") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto second =
      testing::Vellum({"sync", mirror, "--from", url, "--vkey", vkey, "--format", "raw", "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(nlohmann::json::parse(second.out)["old_size"], 3000);
  EXPECT_EQ(nlohmann::json::parse(second.out)["new_size"], 3001);
  EXPECT_EQ(testing::Vellum({"verify", mirror}).exit_code, 0);
  auto ledger = Ledger::Open(mirror);
  auto note = (*ledger)->LatestCheckpoint();  // the upstream's signed checkpoint, kept
  ASSERT_TRUE(note) << note.error().ToString();
  EXPECT_NE(note->find("\n3001\n"), std::string::npos);
}

TEST_F(CompareTest, SyncRefusesForksForgeriesAndBadEntriesLeavingTheMirrorAsItWas) {
  const std::string a = Make("a.db", 2000);
  testing::NodeProcess node(a);
  ASSERT_TRUE(node.ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(node.port());
  auto file_bytes = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };

  const std::string forked = Make("forked.db", 1500, 1234);
  const std::string before = file_bytes(forked);
  auto fork =
      testing::Vellum({"sync", forked, "--from", url, "--vkey", key_.verifier().ToString()});
  EXPECT_EQ(fork.exit_code, 1);
  EXPECT_NE(fork.err.find("not an extension"), std::string::npos) << fork.err;
  EXPECT_EQ(file_bytes(forked), before);

  const std::string other_key = SignerKey::Generate("example.com/cmp")->verifier().ToString();
  auto forged = testing::Vellum({"sync", dir_.File("new.db"), "--from", url, "--vkey", other_key});
  EXPECT_EQ(forged.exit_code, 1);
  EXPECT_NE(forged.err.find("bad checkpoint"), std::string::npos) << forged.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("new.db")));

  // An upstream whose entries do not rebuild its root: nothing is written.
  const std::string mirror = Make("mirror.db", 1000);
  ASSERT_TRUE((*Ledger::Open(a))->SignCheckpoint(key_));
  LyingView liar(std::move(*node::OpenView(a, {key_.verifier()})));
  auto ledger = *Ledger::Open(mirror);
  auto synced = node::SyncFrom(*ledger, liar);
  ASSERT_FALSE(synced);
  EXPECT_NE(synced.error().message().find("do not rebuild"), std::string::npos)
      << synced.error().message();
  EXPECT_EQ(ledger->GetHead()->size, 1000u);
}

}  // namespace
}  // namespace vellum

namespace vellum {
namespace {

using testing::WaitForStatus;

// The JSON event lines a node wrote to `file`.
std::vector<nlohmann::json> Events(const std::string& file) {
  std::ifstream in(file);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    auto doc = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(doc.is_object()) << line;
    if (doc.is_object()) out.push_back(std::move(doc));
  }
  return out;
}
size_t Count(const std::vector<nlohmann::json>& events, const std::string& event) {
  return static_cast<size_t>(std::count_if(events.begin(), events.end(),
                                           [&](const auto& e) { return e["event"] == event; }));
}

// A mirror serves its upstream's newest checkpoint as its file records it, after checking it
// again: one written into the file around the node is not served. (It polls once, at start:
// the next poll would record the upstream's checkpoint again, the newest once more.)
TEST_F(CompareTest, AMirrorDoesNotServeACheckpointWrittenAroundIt) {
  const std::string vkey = key_.verifier().ToString();
  testing::NodeProcess writer(Make("w.db", 300));
  ASSERT_TRUE(writer.ok());
  testing::NodeProcess mirror(
      dir_.File("m.db"), {"--upstream", writer.url(), "--upstream-vkey", vkey, "--format", "raw",
                          "--poll-interval", "3600000"});
  ASSERT_TRUE(mirror.ok());
  ASSERT_TRUE(WaitForStatus(mirror.port(), [](const auto& s) { return s["size"] == 300; }));
  auto c = testing::LocalClient(mirror.port());
  auto good = c.Get("/checkpoint");
  ASSERT_TRUE(good);
  ASSERT_EQ(good->status, 200);
  auto forge = testing::RunProgram(
      {"sqlite3", dir_.File("m.db"),
       "INSERT INTO checkpoints(size, root, note, signed_ms) "
       "SELECT size, root, note || 'x', 0 FROM checkpoints ORDER BY id DESC LIMIT 1"});
  ASSERT_EQ(forge.exit_code, 0) << forge.err;
  auto bad = c.Get("/checkpoint");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 500) << bad->body;
  EXPECT_NE(bad->body.find("the newest recorded checkpoint is not the ledger's"), std::string::npos)
      << bad->body;
  EXPECT_EQ(bad->body.find(good->body), std::string::npos);
  EXPECT_EQ(mirror.Stop(SIGTERM), 0);
}

TEST_F(CompareTest, NodesSayWhatTheyDoOneLinePerEventNeverPerRequest) {
  const std::string vkey = key_.verifier().ToString();
  testing::NodeProcess writer(Make("w.db", 300), {"--log-format", "json"}, dir_.File("w.log"));
  ASSERT_TRUE(writer.ok());
  testing::NodeProcess mirror(dir_.File("m.db"),
                              {"--upstream", writer.url() + "/", "--upstream-vkey", vkey,
                               "--format", "raw", "--poll-interval", "50", "--log-format", "json"},
                              dir_.File("m.log"));
  ASSERT_TRUE(mirror.ok());
  ASSERT_TRUE(WaitForStatus(mirror.port(), [](const auto& s) { return s["size"] == 300; }));
  testing::NodeProcess forked(
      Make("f.db", 310, 200),
      {"--peer", writer.url(), "--poll-interval", "50", "--log-format", "json"},
      dir_.File("f.log"));
  ASSERT_TRUE(forked.ok());
  ASSERT_TRUE(WaitForStatus(forked.port(), [](const auto& s) {
    return s["peers"][0]["state"] == "forked at 200" && s["fork_evidence"] == 1;
  }));
  auto c = testing::LocalClient(writer.port());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(c.Get("/v1/status"));  // requests say nothing
  // Ten more checks of the forked peer: nothing new to say.
  uint64_t checks = 0;
  ASSERT_TRUE(WaitForStatus(forked.port(), [&](const auto& s) {
    checks = s["peers"][0]["checks"];
    return true;
  }));
  ASSERT_TRUE(WaitForStatus(
      forked.port(), [&](const auto& s) { return s["peers"][0]["checks"] >= checks + 10; }, 60));
  ASSERT_EQ(writer.Stop(SIGTERM), 0);
  ASSERT_EQ(forked.Stop(SIGTERM), 0);
  ASSERT_EQ(mirror.Stop(SIGTERM), 0);

  const auto w = Events(dir_.File("w.log"));
  ASSERT_GE(w.size(), 3u);
  EXPECT_EQ(w.front()["event"], "start");
  EXPECT_EQ(w.front()["size"], 300);
  EXPECT_EQ(w.back()["event"], "stop");
  EXPECT_EQ(Count(w, "checkpoint"), 1u);  // one tree, signed once, however often it is asked
  EXPECT_EQ(w.size(), 3u);
  const auto m = Events(dir_.File("m.log"));
  EXPECT_EQ(m.front()["role"], "mirror");
  ASSERT_EQ(Count(m, "sync"), 1u);
  // The idle mirror polled its upstream many times and kept its checkpoint once.
  auto rows =
      testing::RunProgram({"sqlite3", dir_.File("m.db"), "SELECT count(*) FROM checkpoints"});
  EXPECT_EQ(rows.out, "1\n") << rows.err;
  const auto f = Events(dir_.File("f.log"));
  ASSERT_EQ(Count(f, "fork"), 1u);  // once, not once per poll
  for (const auto& e : f) {
    if (e["event"] != "fork") continue;
    EXPECT_EQ(e["fork_index"], 200);
    EXPECT_EQ(e["peer"], writer.url());
    EXPECT_NE(e["detail"].get<std::string>().find("fork evidence kept"), std::string::npos);
  }
}

TEST_F(CompareTest, WriterMirrorAndForkedNodeReportExactlyWhatHappened) {
  const std::string vkey = key_.verifier().ToString();
  testing::NodeProcess writer(Make("w.db", 500));
  ASSERT_TRUE(writer.ok());
  const std::string w_url = "http://127.0.0.1:" + std::to_string(writer.port());

  // A mirror that starts from nothing but the URL and the verifier key.
  testing::NodeProcess mirror(dir_.File("m.db"), {"--upstream", w_url, "--upstream-vkey", vkey,
                                                  "--format", "raw", "--poll-interval", "100"});
  ASSERT_TRUE(mirror.ok());
  const std::string m_url = "http://127.0.0.1:" + std::to_string(mirror.port());
  EXPECT_TRUE(WaitForStatus(mirror.port(), [](const auto& s) { return s["size"] == 500; }));

  // The writer appends; the mirror follows. The mirror refuses direct appends.
  auto wc = testing::LocalClient(writer.port());
  wc.options().bearer_token = writer.token();
  nlohmann::json body = {{"entries", nlohmann::json::array()}};
  for (int i = 500; i < 550; ++i) body["entries"].push_back({{"data", std::to_string(i)}});
  ASSERT_EQ(wc.Post("/v1/entries", body.dump(), "application/json")->status, 200);
  EXPECT_TRUE(WaitForStatus(mirror.port(), [](const auto& s) { return s["size"] == 550; }));
  auto mc = testing::LocalClient(mirror.port());
  EXPECT_EQ(mc.Post("/v1/entries", R"({"data":"x"})", "application/json")->status, 403);

  // An independent ledger of the same log that forked at 300, watching the other two.
  testing::NodeProcess forked(Make("f.db", 520, 300),
                              {"--peer", w_url, "--peer", m_url, "--poll-interval", "100"});
  ASSERT_TRUE(forked.ok());
  EXPECT_TRUE(WaitForStatus(forked.port(), [](const auto& s) {
    return s["peers"].size() == 2 && s["peers"][0]["state"] == "forked at 300" &&
           s["peers"][1]["state"] == "forked at 300" && s["fork_evidence"] == 2;
  })) << "the forked node did not see and record both forks";

  auto cmp = testing::Vellum({"compare", w_url, m_url, "--vkey", vkey, "--json"});
  EXPECT_EQ(nlohmann::json::parse(cmp.out)["relation"], "identical") << cmp.err;
  auto unchecked = testing::Vellum({"compare", w_url, m_url});
  EXPECT_EQ(unchecked.exit_code, 0);
  EXPECT_NE(
      unchecked.err.find("no --vkey was given, so no node's checkpoint was signature-checked"),
      std::string::npos)
      << unchecked.err;
  auto net_unchecked = testing::Vellum({"network", w_url, m_url});
  EXPECT_NE(net_unchecked.err.find("no --vkey was given"), std::string::npos) << net_unchecked.err;
  const std::string f_url = "http://127.0.0.1:" + std::to_string(forked.port());
  auto fork = testing::Vellum({"compare", w_url, f_url, "--vkey", vkey, "--json"});
  EXPECT_EQ(fork.exit_code, 3);  // a fork found
  EXPECT_EQ(nlohmann::json::parse(fork.out)["fork_index"], 300) << fork.err;
  EXPECT_EQ(nlohmann::json::parse(fork.out)["signature_checked"], true);

  auto fc = testing::LocalClient(forked.port());
  auto net = nlohmann::json::parse(fc.Get("/v1/network")->body);
  EXPECT_EQ(net["total_nodes"], 3);
  EXPECT_EQ(net["synced_nodes"], 2);  // writer and mirror
  EXPECT_EQ(net["healthy"], false);
  ASSERT_EQ(net["forks"].size(), 1u);
  EXPECT_EQ(net["forks"][0]["fork_index"], 300);
  auto metrics = fc.Get("/metrics");
  EXPECT_NE(metrics->body.find("vellum_fork_evidence 2"), std::string::npos);
  auto status = testing::Vellum({"status", f_url});
  EXPECT_NE(status.out.find("peer " + w_url + ": forked at 300"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("fork evidence: 2"), std::string::npos) << status.out;
  forked.Stop(SIGTERM);
  auto file_status = testing::Vellum({"status", dir_.File("f.db"), "--json"});
  EXPECT_EQ(nlohmann::json::parse(file_status.out)["fork_evidence"], 2) << file_status.err;
  // Once per peer and fork, however many polls saw it, and checkable offline by anyone.
  auto evidence = (*Ledger::Open(dir_.File("f.db"), {.read_only = true}))->ListForkEvidence();
  ASSERT_TRUE(evidence);
  ASSERT_EQ(evidence->size(), 2u);
  const std::vector<VerifierKey> keys = {key_.verifier()};
  for (const ForkEvidence& e : *evidence) {
    EXPECT_EQ(e.fork_index, 300u);
    EXPECT_NE(e.local_note, e.peer_note);
    EXPECT_TRUE(CheckForkEvidence(e, keys)) << e.peer;
  }
}

}  // namespace
}  // namespace vellum
