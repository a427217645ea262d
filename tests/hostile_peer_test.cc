// A hostile peer: an HTTP proxy in front of a real node that truncates, pads or stalls chosen
// answers. Everything it sends is refused with a clear report and the local ledger is unchanged.
#include <httplib.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "node/compare.h"
#include "node/ledger_view.h"
#include "node/sync.h"
#include "tests/process.h"
#include "tests/temp_dir.h"

namespace vellum {
namespace {

enum class Attack {
  kTruncateBundles,
  kPadSubtrees,
  kStallSubtrees,
  kForgeCheckpoint,  // a checkpoint whose size was changed after signing
  kAlterEntry,       // an entry bundle with one byte changed
  kAlterSubtree,     // a subtree hash with one bit flipped
};

class HostileProxy {
 public:
  HostileProxy(int upstream_port, Attack attack) : upstream_("127.0.0.1", upstream_port) {
    upstream_.set_read_timeout(10);
    server_.Get(R"(/(.*))", [this, attack](const httplib::Request& req, httplib::Response& res) {
      std::string path = req.path;
      if (!req.params.empty()) {
        path += "?";
        for (const auto& [k, v] : req.params) path += k + "=" + v + "&";
        path.pop_back();
      }
      auto real = upstream_.Get(path);
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
      if (attack == Attack::kStallSubtrees && subtrees) {
        std::this_thread::sleep_for(std::chrono::seconds(12));
      }
      res.status = real->status;
      res.set_content(body, real->get_header_value("Content-Type").c_str());
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~HostileProxy() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Client upstream_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class HostilePeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto upstream = Ledger::Create(dir_.File("up.db"), {.origin = "example.com/hostile",
                                                         .format = EntryFormat::kRaw,
                                                         .verifier_key = vkey()});
    ASSERT_TRUE(upstream);
    std::vector<NewEntry> batch;
    for (int i = 0; i < 3000; ++i) batch.push_back({.payload = ToBytes(std::to_string(i))});
    ASSERT_TRUE((*upstream)->AppendBatch(batch));
    std::ofstream(dir_.File("up.db.key")) << key_.ToString() << "\n";
    std::filesystem::permissions(dir_.File("up.db.key"), std::filesystem::perms::owner_read);
    batch.resize(1000);
    auto mirror = Ledger::Create(dir_.File("mirror.db"), {.origin = "example.com/hostile",
                                                          .format = EntryFormat::kRaw,
                                                          .verifier_key = vkey()});
    ASSERT_TRUE((*mirror)->AppendBatch(batch));
  }
  std::string vkey() const { return key_.verifier().ToString(); }
  std::unique_ptr<node::LedgerView> View(const std::string& url) {
    return std::move(*node::OpenView(url, {key_.verifier()}));
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
  EXPECT_NE(c.error().message().find("oversized"), std::string::npos) << c.error().message();
}

TEST_F(HostilePeerTest, AStalledPeerTimesOut) {
  testing::NodeProcess real(dir_.File("up.db"));
  ASSERT_TRUE(real.ok());
  HostileProxy proxy(real.port(), Attack::kStallSubtrees);
  auto mirror_view = node::OpenView(dir_.File("mirror.db"), {});
  auto hostile = View(proxy.url());
  const auto start = std::chrono::steady_clock::now();
  auto c = node::Compare(**mirror_view, *hostile);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(12));
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

}  // namespace
}  // namespace vellum
