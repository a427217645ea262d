// A hostile peer: an HTTP proxy in front of a real node that truncates, pads or stalls chosen
// answers. Everything it sends is refused with a clear report and the local ledger is unchanged.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "node/compare.h"
#include "node/ledger_view.h"
#include "node/sync.h"
#include "tests/process.h"
#include "tests/temp_dir.h"
#include "vellum/checkpoint.h"

namespace vellum {
namespace {

enum class Attack {
  kTruncateBundles,
  kPadSubtrees,
  kStallSubtrees,
  kForgeCheckpoint,  // a checkpoint whose size was changed after signing
  kAlterEntry,       // an entry bundle with one byte changed
  kAlterSubtree,     // a subtree hash with one bit flipped
  kOtherSubtrees,    // subtree hashes from another node: consistent, but not its signed tree
  kRewriteFormat,    // /v1/status says the other entry format
  kStallBundles,     // entry bundles are never answered (until the proxy goes)
  kWrongTypes,       // JSON fields of another type: "type": 5 in proofs, "format": 5 in status
};

class HostileProxy {
 public:
  HostileProxy(int upstream_port, Attack attack, int other_port = 0)
      : upstream_port_(upstream_port),
        other_port_(other_port),
        server_([this, attack](const net::Request& req, net::Response& res) {
          Answer(attack, req, res);
        }) {}
  ~HostileProxy() { released_ = true; }
  std::string url() const { return server_.url(); }

 private:
  void Answer(Attack attack, const net::Request& req, net::Response& res) {
    const bool from_other = attack == Attack::kOtherSubtrees && req.path == "/v1/subtrees";
    // One client per request: requests arrive on several threads.
    auto client = testing::LocalClient(from_other ? other_port_ : upstream_port_, "", 10000);
    auto real = client.Get(req.target);
    if (!real) {
      res.status = 502;
      return;
    }
    std::string body = real->body;
    const bool bundle = req.path.starts_with("/tile/entries/");
    const bool subtrees = req.path == "/v1/subtrees";
    if (attack == Attack::kTruncateBundles && bundle) body.resize(body.size() / 2);
    if (attack == Attack::kPadSubtrees && subtrees) body += std::string(32, 'x');
    if (attack == Attack::kForgeCheckpoint && req.path == "/checkpoint") {
      body.replace(body.find("\n3000\n"), 6, "\n3001\n");
    }
    if (attack == Attack::kAlterEntry && bundle && body.size() > 2) body[2] ^= 1;  // entry 0
    if (attack == Attack::kAlterSubtree && subtrees && !body.empty()) body[0] ^= 1;
    if (attack == Attack::kRewriteFormat && req.path == "/v1/status") {
      for (auto [from, to] : {std::pair{"\"format\":\"raw\"", "\"format\":\"record\""},
                              std::pair{"\"format\":\"record\"", "\"format\":\"raw\""}}) {
        if (const size_t at = body.find(from); at != std::string::npos) {
          body.replace(at, std::string(from).size(), to);
          break;
        }
      }
    }
    if (attack == Attack::kWrongTypes &&
        (req.path.starts_with("/v1/proof/") || req.path == "/v1/status")) {
      auto doc = nlohmann::json::parse(body, nullptr, false);
      if (doc.is_object()) {
        if (doc.contains("type")) doc["type"] = 5;
        if (doc.contains("format")) doc["format"] = 5;
        doc["node_set"] = "yes";
        body = doc.dump();
      }
    }
    if (attack == Attack::kStallSubtrees && subtrees) {
      std::this_thread::sleep_for(std::chrono::seconds(5));
    }
    while (attack == Attack::kStallBundles && bundle && !released_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    res.status = real->status;
    res.Set(std::move(body), real->header("Content-Type"));
  }

  int upstream_port_, other_port_;
  std::atomic<bool> released_{false};
  testing::TestServer server_;
};

class HostilePeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto upstream = Ledger::Create(
        dir_.File("up.db"),
        {.origin = "example.com/hostile", .format = EntryFormat::kRaw, .verifier_key = vkey()});
    ASSERT_TRUE(upstream);
    std::vector<NewEntry> batch;
    for (int i = 0; i < 3000; ++i) batch.push_back({.payload = ToBytes(std::to_string(i))});
    ASSERT_TRUE((*upstream)->AppendBatch(batch));
    std::ofstream(dir_.File("up.db.key")) << key_.ToString() << "\n";
    std::filesystem::permissions(dir_.File("up.db.key"), std::filesystem::perms::owner_read);
    batch.resize(1000);
    auto mirror = Ledger::Create(
        dir_.File("mirror.db"),
        {.origin = "example.com/hostile", .format = EntryFormat::kRaw, .verifier_key = vkey()});
    ASSERT_TRUE((*mirror)->AppendBatch(batch));
  }
  std::string vkey() const { return key_.verifier().ToString(); }
  std::unique_ptr<node::LedgerView> View(const std::string& url, int deadline_ms = 10000) {
    return std::move(*node::OpenView(url, {key_.verifier()}, {.deadline_ms = deadline_ms}));
  }
  testing::TempDir dir_;
  SignerKey key_ = *SignerKey::Generate("example.com/hostile");
};

TEST_F(HostilePeerTest, TruncatedEntryBundlesAreRefusedAndNothingIsWritten) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  HostileProxy proxy(real.port(), Attack::kTruncateBundles);
  auto mirror = *Ledger::Open(dir_.File("mirror.db"));
  auto view = View(proxy.url());
  auto synced = node::SyncFrom(*mirror, *view);
  ASSERT_FALSE(synced);
  EXPECT_NE(synced.error().message().find("truncated"), std::string::npos)
      << synced.error().message();
  EXPECT_EQ(mirror->GetHead()->size, 1000u);
  auto honest = View("http://127.0.0.1:" + std::to_string(real.port()));
  EXPECT_TRUE(node::SyncFrom(*mirror, *honest));  // the real node is fine
  EXPECT_EQ(mirror->GetHead()->size, 3000u);
}

TEST_F(HostilePeerTest, OversizedAnswersAreRefused) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  HostileProxy proxy(real.port(), Attack::kPadSubtrees);
  auto mirror_view = node::OpenView(dir_.File("mirror.db"), {});
  auto hostile = View(proxy.url());
  auto c = node::Compare(**mirror_view, *hostile);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kVerificationFailed);
  EXPECT_NE(c.error().message().find("larger than"), std::string::npos) << c.error().message();
}

TEST_F(HostilePeerTest, ARedirectIsNotFollowedButNamedWithoutItsControlCharacters) {
  testing::TestServer redirecting([](const net::Request& req, net::Response& res) {
    res.status = 301;
    res.headers.emplace("Location", "https://elsewhere.example/log\x1b[2J" + req.path);
  });
  auto r = testing::Vellum({"sync", dir_.File("m.db"), "--from", redirecting.url(), "--vkey",
                            vkey(), "--format", "raw"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/checkpoint answered 301, a redirect to "
                       "https://elsewhere.example/log\\x1b[2J/checkpoint (not followed"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("m.db")));
  // `network` prints each peer's problem in its table: escaped there too.
  auto network = testing::Vellum({"network", redirecting.url(), dir_.File("mirror.db")});
  EXPECT_NE(network.out.find("https://elsewhere.example/log\\x1b[2J/checkpoint (not followed"),
            std::string::npos)
      << network.out;
  EXPECT_EQ(network.out.find('\x1b'), std::string::npos) << network.out;
}

TEST_F(HostilePeerTest, AStalledPeerTimesOut) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  HostileProxy proxy(real.port(), Attack::kStallSubtrees);
  auto mirror_view = node::OpenView(dir_.File("mirror.db"), {});
  auto hostile = View(proxy.url(), 2000);
  // The proxy stalls for 5 s, past the client's 2 s deadline: an answer means the deadline
  // did not hold.
  auto c = node::Compare(**mirror_view, *hostile);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kUnavailable);
}

TEST_F(HostilePeerTest, AMirrorNodeStopsPromptlyWhileItsUpstreamStallsEveryBundle) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  HostileProxy proxy(real.port(), Attack::kStallBundles);
  testing::NodeProcess mirror(
      dir_.File("m2.db"), {"--upstream", proxy.url(), "--upstream-vkey", vkey(), "--format", "raw",
                           "--peer-timeout", "600"});
  ASSERT_TRUE(mirror.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // its sync waits on bundles now
  // Each of the sync's fetch workers is inside a request with 600 s left: SIGTERM stops them.
  EXPECT_EQ(mirror.Stop(SIGTERM), 0);
}

TEST_F(HostilePeerTest, ForgedCheckpointsAlteredEntriesAndAlteredHashesAreRefused) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  auto mirror = *Ledger::Open(dir_.File("mirror.db"));
  const auto head_before = *mirror->GetHead();
  struct Case {
    Attack attack;
    bool sync;  // false: the attack is on what compare reads (sync does not use it)
    const char* says;
  };
  for (const Case& c : {Case{Attack::kForgeCheckpoint, true, "bad checkpoint"},
                        Case{Attack::kAlterEntry, true, "do not rebuild"},
                        Case{Attack::kAlterSubtree, false, "contradicts itself"}}) {
    HostileProxy proxy(real.port(), c.attack);
    auto view = View(proxy.url());
    if (c.sync) {
      auto synced = node::SyncFrom(*mirror, *view);
      ASSERT_FALSE(synced) << c.says;
      EXPECT_NE(synced.error().message().find(c.says), std::string::npos)
          << synced.error().message();
    } else {
      auto mirror_view = node::OpenView(dir_.File("mirror.db"), {});
      auto compared = node::Compare(**mirror_view, *view);
      ASSERT_FALSE(compared) << c.says;
      EXPECT_NE(compared.error().message().find(c.says), std::string::npos)
          << compared.error().message();
    }
    EXPECT_EQ(mirror->GetHead()->root, head_before.root) << c.says;
    EXPECT_EQ(mirror->GetHead()->size, head_before.size) << c.says;
  }
}

// `status URL` shows what a node says; with --vkey it also checks what the node signed, and a
// forged checkpoint fails it (exit 3).
TEST_F(HostilePeerTest, StatusWithAKeyChecksTheNodesSignedCheckpoint) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  const std::string real_url = real.url();
  auto checked = testing::Vellum({"status", real_url, "--vkey", vkey()});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("signed checkpoint: 3000 entries, root "), std::string::npos)
      << checked.out;
  EXPECT_NE(checked.out.find(", signature verified; it is the node's head\n"), std::string::npos)
      << checked.out;
  EXPECT_EQ(checked.err.find("no --vkey"), std::string::npos) << checked.err;
  auto json = testing::Vellum({"status", real_url, "--vkey", vkey(), "--json"});
  EXPECT_EQ(nlohmann::json::parse(json.out)["signed_checkpoint"]["size"], 3000) << json.err;

  HostileProxy proxy(real.port(), Attack::kForgeCheckpoint);
  auto unchecked = testing::Vellum({"status", proxy.url()});
  EXPECT_EQ(unchecked.exit_code, 0) << unchecked.err;
  EXPECT_NE(unchecked.err.find("no --vkey was given"), std::string::npos) << unchecked.err;
  auto forged = testing::Vellum({"status", proxy.url(), "--vkey", vkey()});
  EXPECT_EQ(forged.exit_code, 3) << forged.out;
  EXPECT_NE(forged.err.find("bad checkpoint"), std::string::npos) << forged.err;
  auto other_key = *SignerKey::Generate("example.com/hostile");
  auto wrong_key = testing::Vellum({"status", real_url, "--vkey", other_key.verifier().ToString()});
  EXPECT_EQ(wrong_key.exit_code, 3) << wrong_key.out;
  auto file = testing::Vellum({"status", dir_.File("up.db"), "--vkey", vkey()});
  EXPECT_EQ(file.exit_code, 2);
  EXPECT_NE(file.err.find("vellum verify"), std::string::npos) << file.err;
}

// What a node says of its head (unsigned) and what it signed must be one history, proven by the
// node's own consistency proof: `status --vkey` once printed both side by side, a node saying
// 3,000 entries beside a signed 1,000,000 it could not prove, and exited 0.
TEST_F(HostilePeerTest, StatusWithAKeyProvesTheNodesHeadAndItsCheckpointAreOneHistory) {
  auto up = Ledger::Open(dir_.File("up.db"));
  ASSERT_TRUE(up);
  const Head head = *(*up)->GetHead();
  up->reset();
  const std::string real_note =
      *SignNote(CheckpointBody({"example.com/hostile", head.size, head.root, {}}), key_);
  const std::string huge_note =
      *SignNote(CheckpointBody({"example.com/hostile", 1'000'000, head.root, {}}), key_);
  // What the fake says, set between runs of the CLI: behind a mutex, for the server's thread.
  std::mutex mu;
  std::string note, said_root;
  auto says = [&](const std::string& n, const std::string& r) {
    std::lock_guard<std::mutex> lock(mu);
    note = n;
    said_root = r;
  };
  testing::TestServer fake([&](const net::Request& req, net::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    if (req.path == "/checkpoint") {
      res.Set(note, "text/plain");
    } else if (req.path == "/v1/status") {
      res.Set(
          nlohmann::json{
              {"origin", "example.com/hostile"}, {"size", head.size}, {"root", said_root}}
              .dump(),
          "application/json");
    } else {
      res.status = 400;
      res.Set(R"({"error":{"message":"no such tree","status":400}})", "application/json");
    }
  });
  says(real_note, ToHex(head.root));
  auto same = testing::Vellum({"status", fake.url(), "--vkey", vkey(), "--json"});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(nlohmann::json::parse(same.out)["signed_checkpoint"]["relation_to_head"], "same");

  says(real_note, ToHex(Hash{}));  // another root at the signed size
  auto other_root = testing::Vellum({"status", fake.url(), "--vkey", vkey()});
  EXPECT_EQ(other_root.exit_code, 3) << other_root.err;
  EXPECT_NE(other_root.err.find("the node contradicts itself: what the node says (3000 entries) "
                                "has another root than its signed checkpoint"),
            std::string::npos)
      << other_root.err;

  says(huge_note, ToHex(head.root));
  auto unproven = testing::Vellum({"status", fake.url(), "--vkey", vkey()});
  EXPECT_EQ(unproven.exit_code, 1) << unproven.err;
  EXPECT_NE(unproven.err.find("the node did not prove that what the node says (3000 entries) "
                              "and its signed checkpoint (1000000 entries) are one history"),
            std::string::npos)
      << unproven.err;
  EXPECT_EQ(unproven.out, "");
}

// A peer longer than us that answers /v1/subtrees from another history (which forked at 500)
// while serving the real signed checkpoint: it could make a node record "forked at 500" with
// made-up evidence. Its hashes are proven against its signed root first, so it is caught.
TEST_F(HostilePeerTest, ALongerPeerLyingAboutItsSubtreesCannotMakeAFork) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  auto other = Ledger::Create(
      dir_.File("other.db"),
      {.origin = "example.com/hostile", .format = EntryFormat::kRaw, .verifier_key = vkey()});
  std::vector<NewEntry> batch;
  for (int i = 0; i < 3000; ++i) batch.push_back({ToBytes(i == 500 ? "lie" : std::to_string(i))});
  ASSERT_TRUE((*other)->AppendBatch(batch));
  other->reset();
  std::ofstream(dir_.File("other.db.key")) << key_.ToString() << "\n";
  std::filesystem::permissions(dir_.File("other.db.key"), std::filesystem::perms::owner_read);
  testing::NodeProcess other_node(dir_.File("other.db"));
  ASSERT_TRUE(other_node.ok());
  HostileProxy proxy(real.port(), Attack::kOtherSubtrees, other_node.port());

  // Library and CLI: an error naming the liar, exit 3, never "forked".
  auto mirror_view = node::OpenView(dir_.File("mirror.db"), {});
  auto compared = node::Compare(**mirror_view, *View(proxy.url()));
  ASSERT_FALSE(compared);
  EXPECT_EQ(compared.error().code(), ErrorCode::kVerificationFailed);
  EXPECT_NE(compared.error().message().find("contradicts itself"), std::string::npos)
      << compared.error().message();
  auto cli = testing::Vellum({"compare", dir_.File("mirror.db"), proxy.url(), "--vkey", vkey()});
  EXPECT_EQ(cli.exit_code, 3);
  EXPECT_EQ(cli.out.find("forked"), std::string::npos) << cli.out;
  // `network` names the liar, keeps the honest file in its lineage, and exits 3 as `compare`
  // does (it exited 0: only a fork counted).
  auto network =
      testing::Vellum({"network", dir_.File("mirror.db"), proxy.url(), "--vkey", vkey(), "--json"});
  EXPECT_EQ(network.exit_code, 3) << network.err;
  const auto report = nlohmann::json::parse(network.out);
  EXPECT_TRUE(report["forks"].empty()) << network.out;
  EXPECT_EQ(report["peers"][0]["lineage"], 0) << network.out;
  EXPECT_NE(report["peers"][1]["problem"].get<std::string>().find("contradicts itself"),
            std::string::npos)
      << network.out;

  // A node watching the liar reports it and keeps no evidence.
  std::ofstream(dir_.File("mirror.db.key")) << key_.ToString() << "\n";
  std::filesystem::permissions(dir_.File("mirror.db.key"), std::filesystem::perms::owner_read);
  testing::NodeProcess watcher(dir_.File("mirror.db"),
                               {"--peer", proxy.url(), "--poll-interval", "50"});
  ASSERT_TRUE(watcher.ok());
  nlohmann::json last;
  EXPECT_TRUE(testing::WaitForStatus(watcher.port(), [&](const nlohmann::json& s) {
    last = s;
    return s["peers"].size() == 1 && s["peers"][0]["state"] == "refused";
  })) << last.dump();
  EXPECT_EQ(last["fork_evidence"], 0);
  EXPECT_NE(last["peers"][0]["detail"].get<std::string>().find("contradicts itself"),
            std::string::npos);
}

// A peer whose key signed a size it holds no tree for (here 1,000,000 entries over the root of
// 3,000) cannot prove the others are prefixes of it. `network` once put it at the head of the
// only lineage, "longest history", and showed the honest peers it failed to answer about as
// errors; the failure is now the liar's, and the others are grouped among themselves. `sync`
// from it says what it signed and did not serve (it said only "answered 404").
TEST_F(HostilePeerTest, APeerThatCannotServeItsSignedSizeIsTheOneBlamed) {
  auto up = Ledger::Open(dir_.File("up.db"));
  ASSERT_TRUE(up);
  const Hash root = (*up)->GetHead()->root;
  up->reset();
  auto note = SignNote(CheckpointBody({"example.com/hostile", 1'000'000, root, {}}), key_);
  ASSERT_TRUE(note);
  testing::TestServer liar([&](const net::Request& req, net::Response& res) {
    if (req.path == "/checkpoint") {
      res.Set(*note, "text/plain");
    } else {
      res.status = 404;
      res.Set(R"({"error":{"message":"no such thing","status":404}})", "application/json");
    }
  });
  auto r = testing::Vellum({"network", liar.url(), dir_.File("up.db"), dir_.File("mirror.db"),
                            "--vkey", vkey(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["lineages"], nlohmann::json::parse(R"([[")" + dir_.File("up.db") + R"(", ")" +
                                                      dir_.File("mirror.db") + R"("]])"))
      << r.out;
  const auto& peers = report["peers"];
  EXPECT_FALSE(peers[0].contains("lineage")) << r.out;
  EXPECT_NE(peers[0]["problem"].get<std::string>().find(liar.url()), std::string::npos) << r.out;
  EXPECT_EQ(peers[1]["lineage"], 0) << r.out;
  EXPECT_EQ(peers[1]["lag"], 0) << r.out;
  EXPECT_FALSE(peers[1].contains("problem")) << r.out;
  EXPECT_EQ(peers[2]["lineage"], 0) << r.out;
  EXPECT_EQ(peers[2]["lag"], 2000) << r.out;

  auto synced = testing::Vellum(
      {"sync", dir_.File("new.db"), "--from", liar.url(), "--vkey", vkey(), "--format", "raw"});
  EXPECT_EQ(synced.exit_code, 1) << synced.err;
  EXPECT_NE(synced.err.find("sync refused: " + liar.url() +
                            " signed a checkpoint of 1000000 entries but does not serve entry 0"),
            std::string::npos)
      << synced.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("new.db")));
}

// What a peer says reaches the terminal with its control characters escaped.
TEST_F(HostilePeerTest, APeersTerminalEscapesAreNotPrinted) {
  const std::string evil = "\x1b]0;pwned\x07\x1b[2J";
  testing::TestServer fake([&](const net::Request& req, net::Response& res) {
    if (req.path == "/v1/status") {
      res.Set(nlohmann::json{{"origin", evil},
                             {"size", 1},
                             {"root", evil},
                             {"peers", {{{"peer", evil}, {"state", evil}}}},
                             // What only `status --vkey` may say: a node cannot say it for itself.
                             {"signed_checkpoint", {{"size", 1}, {"root", evil}}}}
                  .dump(),
              "application/json");
    } else if (req.path == "/checkpoint") {
      res.Set(evil + "\n1\n" + evil + "\n", "text/plain");
    } else {
      res.status = 404;
    }
  });
  const std::string url = fake.url();
  auto status = testing::Vellum({"status", url});
  auto compare = testing::Vellum({"compare", url, dir_.File("mirror.db")});
  auto network = testing::Vellum({"network", url, dir_.File("mirror.db")});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("\\x1b]0;pwned"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("signed checkpoint"), std::string::npos) << status.out;
  auto as_json = testing::Vellum({"status", url, "--json"});
  EXPECT_FALSE(nlohmann::json::parse(as_json.out).contains("signed_checkpoint")) << as_json.out;
  for (const auto& r : {status, compare, network}) {
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find('\x07'), std::string::npos);
    EXPECT_EQ(r.err.find('\x07'), std::string::npos);
  }
}

// A URL with no log behind it (a witness, a web page) is named as such, not as a failed request.
TEST_F(HostilePeerTest, AUrlWithoutALogSaysSo) {
  testing::TestServer nothing([](const net::Request&, net::Response& res) {
    res.status = 404;
    res.Set("nothing here\n", "text/plain");
  });
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"compare", nothing.url(), dir_.File("mirror.db")},
        {"status", nothing.url()},
        {"sync", dir_.File("new.db"), "--from", nothing.url(), "--vkey", vkey()}}) {
    auto r = testing::Vellum(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("no log at " + nothing.url() + ": " + nothing.url() +
                         "/checkpoint answered 404 (a log serves its signed checkpoint there)"),
              std::string::npos)
        << args[0] << ": " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.File("new.db")));
}

// The entry format is not signed: a proxy that rewrites it in /v1/status cannot choose a new
// mirror's format, and a refused sync leaves no new file behind.
TEST_F(HostilePeerTest, AnUnsignedFormatClaimCannotDecideAMirrorsFormat) {
  testing::NodeProcess real(dir_.File("up.db"));  // raw entries "0", "1", ...
  ASSERT_TRUE(real.ok());
  HostileProxy proxy(real.port(), Attack::kRewriteFormat);  // says "record"
  const std::string mirror = dir_.File("new.db");
  auto refused = testing::Vellum({"sync", mirror, "--from", proxy.url(), "--vkey", vkey()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("entries raw?"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(mirror));
  auto claimed =
      testing::Vellum({"sync", mirror, "--from", proxy.url(), "--vkey", vkey(), "--format", "raw"});
  EXPECT_EQ(claimed.exit_code, 1);
  EXPECT_NE(claimed.err.find("the format is not signed"), std::string::npos) << claimed.err;
  EXPECT_FALSE(std::filesystem::exists(mirror));
  // The honest node and the right format: a mirror that refuses direct appends.
  auto honest =
      testing::Vellum({"sync", mirror, "--from", real.url(), "--vkey", vkey(), "--format", "raw"});
  ASSERT_EQ(honest.exit_code, 0) << honest.err;
  auto around = testing::Vellum({"append", mirror, "written around the node"});
  EXPECT_EQ(around.exit_code, 1);
  EXPECT_NE(around.err.find("is a mirror"), std::string::npos) << around.err;
  EXPECT_EQ(testing::Vellum({"verify", mirror}).exit_code, 0);
}

// JSON fields of an unexpected type are a peer's malformed answer, not an exception that ends
// the process: a watching node used to abort on a proof whose "type" was a number.
TEST_F(HostilePeerTest, FieldsOfAnotherTypeAreRefusedAndTheWatcherLivesOn) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  HostileProxy proxy(real.port(), Attack::kWrongTypes);
  std::filesystem::copy_file(dir_.File("up.db.key"), dir_.File("mirror.db.key"));
  testing::NodeProcess watcher(dir_.File("mirror.db"),
                               {"--peer", proxy.url(), "--poll-interval", "50"});
  ASSERT_TRUE(watcher.ok());
  nlohmann::json last;
  EXPECT_TRUE(testing::WaitForStatus(watcher.port(), [&](const nlohmann::json& s) {
    last = s;
    return s["peers"].is_array() && !s["peers"].empty() && s["peers"][0]["state"] == "refused";
  })) << last.dump();
  EXPECT_NE(last.dump().find("malformed proof"), std::string::npos) << last.dump();
  EXPECT_EQ(watcher.Stop(SIGTERM), 0);  // alive until told to stop

  auto compared =
      testing::Vellum({"compare", proxy.url(), dir_.File("mirror.db"), "--vkey", vkey()});
  EXPECT_EQ(compared.exit_code, 3) << compared.err;
  EXPECT_NE(compared.err.find("sent a malformed proof: proof document 'type' must be"),
            std::string::npos)
      << compared.err;
  auto synced = testing::Vellum(
      {"sync", dir_.File("new.db"), "--from", proxy.url(), "--vkey", vkey(), "--format", "raw"});
  EXPECT_EQ(synced.exit_code, 1);
  EXPECT_EQ(synced.err.find("json.exception"), std::string::npos) << synced.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("new.db")));
  auto status = testing::Vellum({"status", proxy.url()});
  EXPECT_EQ(status.err.find("json.exception"), std::string::npos) << status.err;
}

// --peer-vkey keys are for peers: the upstream's history must be signed by --upstream-vkey.
TEST_F(HostilePeerTest, AMirrorTrustsItsUpstreamWithTheUpstreamKeyOnly) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  const std::string wrong = SignerKey::Generate("example.com/hostile")->verifier().ToString();
  auto r = testing::Vellum({"serve", dir_.File("m.db"), "--upstream", real.url(), "--upstream-vkey",
                            wrong, "--peer-vkey", vkey(), "--format", "raw"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad checkpoint"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("m.db")));
  // Not even with an existing mirror file of the wrong key: nothing is ever written to it.
  ASSERT_TRUE(Ledger::Create(dir_.File("m.db"), {.origin = "example.com/hostile",
                                                 .format = EntryFormat::kRaw,
                                                 .verifier_key = wrong,
                                                 .mirror = true}));
  testing::NodeProcess mirror(
      dir_.File("m.db"), {"--upstream", real.url(), "--upstream-vkey", wrong, "--peer-vkey", vkey(),
                          "--poll-interval", "50"});
  ASSERT_TRUE(mirror.ok());
  nlohmann::json last;
  EXPECT_TRUE(testing::WaitForStatus(mirror.port(), [&](const nlohmann::json& s) {
    last = s;
    return s["upstream"]["state"].get<std::string>().starts_with("refused");
  })) << last.dump();
  EXPECT_EQ(last["size"], 0);
}

}  // namespace
}  // namespace vellum
