// Real `vellum serve` processes on loopback: appends over HTTP, tlog-tiles and proofs checked
// with the pure verifiers against the signed checkpoint, bad input, kill -9, SIGTERM.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "node/tile_path.h"
#include "tests/process.h"
#include "tests/temp_dir.h"
#include "vellum/checkpoint.h"
#include "vellum/ledger.h"
#include "vellum/merkle.h"

namespace vellum {
namespace {

using nlohmann::json;
using testing::NodeProcess;
using testing::Vellum;

class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Vellum({"init", db_, "--origin", "example.com/node"}).exit_code, 0);
    vkey_ = Vellum({"key", db_}).out;
    vkey_.pop_back();
  }
  static std::unique_ptr<net::HttpClient> Client(const NodeProcess& node) {
    auto c = std::make_unique<net::HttpClient>(testing::LocalClient(node.port()));
    c->options().bearer_token = node.token();
    c->options().connect_timeout_ms = 5 * 1000;
    c->options().deadline_ms = 10 * 1000;
    return c;
  }
  static json Json(const Result<net::ClientResponse>& r) {
    EXPECT_TRUE(r);
    return r ? json::parse(r->body) : json();
  }
  // Appends text entries "e<first>" .. "e<end - 1>" in requests of `per` entries.
  static void AppendOverHttp(net::HttpClient& c, int first, int end, int per,
                             const net::Headers& h = {}) {
    for (int i = first; i < end; i += per) {
      json body = {{"entries", json::array()}};
      for (int j = i; j < std::min(end, i + per); ++j) {
        body["entries"].push_back(
            {{"data", std::string("e").append(std::to_string(j))}, {"time_ms", 1000 + j}});
      }
      auto r = c.Post("/v1/entries", h, body.dump(), "application/json");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
    }
  }
  // Polls /checkpoint until it covers `size` entries; returns it verified.
  Checkpoint CheckpointOfSize(net::HttpClient& c, uint64_t size) {
    std::vector<VerifierKey> known = {*VerifierKey::Parse(vkey_)};
    for (int i = 0; i < 100; ++i) {
      auto r = c.Get("/checkpoint");
      if (r && r->status == 200) {
        auto cp = OpenCheckpoint(r->body, known);
        EXPECT_TRUE(cp) << cp.error().ToString();
        if (cp && cp->size == size) return *cp;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no checkpoint of size " << size;
    return {};
  }
  testing::TempDir dir_;
  std::string db_ = dir_.File("node.db");
  std::string vkey_;
};

TEST_F(NodeTest, ATlogTilesClientVerifiesTheLedgerFromTheTilePathsAlone) {
  NodeProcess node(db_);
  ASSERT_TRUE(node.ok());
  auto c = Client(node);
  AppendOverHttp(*c, 0, 300, 70);
  const Checkpoint cp = CheckpointOfSize(*c, 300);
  ASSERT_EQ(cp.origin, "example.com/node");

  // Entry bundles and level-0 tiles, as a tlog-tiles client fetches them.
  merkle::CompactRange range, first_tile;
  for (const node::TilePath& t :
       {node::TilePath{false, 0, 0, 256}, node::TilePath{false, 0, 1, 44}}) {
    auto tile = c->Get("/tile/" + node::FormatTilePath(t));
    ASSERT_TRUE(tile && tile->status == 200);
    ASSERT_EQ(tile->body.size(), t.width * 32u);
    EXPECT_EQ(tile->header("Cache-Control").find("immutable") != std::string::npos, t.full());
    node::TilePath bundle_path = t;
    bundle_path.entries = true;
    auto bundle = c->Get("/tile/" + node::FormatTilePath(bundle_path));
    ASSERT_TRUE(bundle && bundle->status == 200);
    size_t at = 0;
    for (uint32_t i = 0; i < t.width; ++i) {
      ASSERT_LE(at + 2, bundle->body.size());
      const size_t len =
          static_cast<uint8_t>(bundle->body[at]) << 8 | static_cast<uint8_t>(bundle->body[at + 1]);
      const Hash leaf =
          merkle::LeafHash(AsBytes(std::string_view(bundle->body).substr(at + 2, len)));
      at += 2 + len;
      ASSERT_EQ(0, std::memcmp(leaf.data(), tile->body.data() + i * 32, 32)) << i;
      range.Append(leaf);
      if (range.size() <= 256) first_tile.Append(leaf);
    }
    EXPECT_EQ(at, bundle->body.size());
  }
  EXPECT_EQ(range.Root(), cp.root);
  // The level-1 tile holds the root of the full level-0 tile.
  auto l1 = c->Get("/tile/1/000.p/1");
  ASSERT_TRUE(l1 && l1->status == 200);
  const Hash tile_root = first_tile.Root();
  ASSERT_EQ(l1->body.size(), 32u);
  EXPECT_EQ(0, std::memcmp(tile_root.data(), l1->body.data(), 32));
  EXPECT_EQ(c->Get("/tile/1/000.p/2")->status, 404);
  EXPECT_EQ(c->Get("/tile/entries/001.p/45")->status, 404);
}

TEST_F(NodeTest, ProofsFromTheJsonApiVerifyAgainstTheSignedCheckpoint) {
  NodeProcess node(db_);
  ASSERT_TRUE(node.ok());
  auto c = Client(node);
  AppendOverHttp(*c, 0, 100, 100);
  const Checkpoint old_cp = CheckpointOfSize(*c, 100);
  AppendOverHttp(*c, 100, 157, 10);
  const Checkpoint cp = CheckpointOfSize(*c, 157);
  for (uint64_t index : {0, 42, 99, 156}) {
    auto entry = Json(c->Get("/v1/entries/" + std::to_string(index)));
    const Hash leaf =
        merkle::LeafHash(Ledger::EncodeEntry(EntryFormat::kRecord, entry["time_ms"].get<int64_t>(),
                                             ToBytes(entry["data"].get<std::string>())));
    auto doc = Json(c->Get("/v1/proof/inclusion?index=" + std::to_string(index) + "&size=157"));
    std::vector<Hash> proof;
    for (const auto& h : doc["proof"]) proof.push_back(*HashFromHex(h.get<std::string>()));
    EXPECT_TRUE(merkle::VerifyInclusion(leaf, index, cp.size, proof, cp.root)) << index;
    auto found = Json(c->Get("/v1/lookup/" + ToHex(leaf)));
    EXPECT_EQ(found["index"], index);
  }
  auto doc = Json(c->Get("/v1/proof/consistency?old=100&new=157"));
  std::vector<Hash> proof;
  for (const auto& h : doc["proof"]) proof.push_back(*HashFromHex(h.get<std::string>()));
  EXPECT_TRUE(merkle::VerifyConsistency(100, 157, old_cp.root, cp.root, proof));
  auto range = Json(c->Get("/v1/entries?start=10&end=20"));
  ASSERT_EQ(range["entries"].size(), 10u);
  EXPECT_EQ(range["entries"][0]["data"], "e10");
  auto status = Json(c->Get("/v1/status"));
  EXPECT_EQ(status["size"], 157);
  EXPECT_EQ(status["verifier_key"], vkey_);
  auto metrics = c->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("vellum_ledger_size 157"), std::string::npos);
  EXPECT_NE(metrics->body.find("vellum_appended_entries_total 157"), std::string::npos);
}

TEST_F(NodeTest, BadRequestsGetAJsonErrorAndLeaveTheLedgerUnchanged) {
  const std::string token(40, 's');
  std::ofstream(dir_.File("token")) << token << "\n";
  std::filesystem::permissions(dir_.File("token"), std::filesystem::perms::owner_read);
  NodeProcess node(db_, {"--token-file", dir_.File("token")});
  ASSERT_TRUE(node.ok());
  auto c =
      std::make_unique<net::HttpClient>(testing::LocalClient(node.port()));  // no token of its own
  const net::Headers auth = {{"Authorization", "Bearer " + token}};
  AppendOverHttp(*c, 0, 10, 10, auth);
  const json before = Json(c->Get("/v1/status"));
  struct Case {
    std::string method, path, body;
    net::Headers headers;
    int status;
  };
  const std::string big(70000, 'x');
  const std::string oversized_entry =
      "{\"entries\":[{\"data\":\"ok\"},{\"data\":\"" + big + "\"}]}";
  const std::vector<Case> cases = {
      {"POST", "/v1/entries", R"({"data":"x"})", {}, 401},
      {"POST", "/v1/entries", R"({"data":"x"})", {{"Authorization", "Bearer wrong!"}}, 401},
      {"POST", "/v1/entries", "{not json", auth, 400},
      {"POST", "/v1/entries", R"({"data":5})", auth, 400},
      {"POST", "/v1/entries", R"({"data":"x","tmie":"2026-11-25T09:00:00Z"})", auth, 400},
      {"POST", "/v1/entries", R"({"entries":[{"data":"a"}],"data":"b"})", auth, 400},
      {"POST", "/v1/entries", R"({"data":"x","time":"noon"})", auth, 400},
      {"POST", "/v1/entries", R"({"entries":[]})", auth, 400},
      {"POST", "/v1/entries", R"({"data_hex":"zz"})", auth, 400},
      {"POST", "/v1/entries", oversized_entry, auth, 400},
      {"POST", "/v1/entries", std::string(9 << 20, ' '), auth, 413},
      {"POST", "/v1/entries", R"({"data":"x","time_ms":1e30})", auth, 400},
      {"POST", "/v1/entries", R"({"data":"x","time_ms":18446744073709551615})", auth, 400},
      {"POST", "/v1/entries", R"({"data":"x","time":"2026-02-30T00:00:00Z"})", auth, 400},
      {"POST", "/v1/entries", R"({"data":"x","time":1764000000000})", auth, 400},
      {"GET", "/tile/entries/x072/x057/x594/x037/x927/936", "", {}, 400},  // 2^56
      {"GET", "/tile/0/x072/x057/x594/x037/x927/936.p/3", "", {}, 400},
      {"GET", "/v1/entries/10", "", {}, 404},
      {"GET", "/v1/entries/-1", "", {}, 400},
      {"GET", "/v1/entries/1e3", "", {}, 400},
      {"GET", "/v1/entries/abc", "", {}, 400},
      {"GET", "/v1/entries/18446744073709551616", "", {}, 400},  // 2^64
      {"GET", "/v1/entries?start=5&end=11", "", {}, 400},
      {"GET", "/v1/entries?start=0&end=5000", "", {}, 400},
      {"GET", "/v1/entries?start=x", "", {}, 400},
      {"GET", "/v1/proof/inclusion?index=10", "", {}, 400},
      {"GET", "/v1/proof/inclusion?index=1&size=11", "", {}, 400},
      {"GET", "/v1/proof/consistency?old=3&new=99", "", {}, 400},
      {"GET", "/v1/lookup/abcd", "", {}, 400},
      {"GET",
       "/v1/lookup/"
       "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg",
       "",
       {},
       400},
      {"GET", "/tile/0/x000/000", "", {}, 400},
      {"GET", "/tile/0/1", "", {}, 400},
      {"GET", "/tile/0/000.p/256", "", {}, 400},
      {"GET", "/tile/0/000.p/0", "", {}, 400},
      {"GET", "/tile/99/000", "", {}, 400},
      {"GET", "/tile/0/001", "", {}, 404},
      {"GET", "/tile/entrie%FF%FE/002", "", {}, 400},  // quoted back in the error: not UTF-8
      {"GET", "/nothing/here", "", {}, 404},
      {"GET", "/v1/status/", "", {}, 404},
      {"GET", "/v1/proof/inclusion?index=1&index=2&size=3", "", {}, 400},
      {"GET", "/v1/entries?start=1&start=2", "", {}, 400},
      {"GET", "/v1/subtrees?nodes=0-1&nodes=0-2", "", {}, 400},
      {"GET", "/v1/subtrees?nodes=", "", {}, 400},
      {"GET", "/v1/subtrees?nodes=0-1,", "", {}, 400},
      {"GET", "/v1/subtrees?nodes=0-1,,0-2", "", {}, 400},
      {"DELETE", "/v1/entries/0", "", auth, 405},
      {"PUT", "/v1/entries", "", auth, 405},
      {"POST", "/checkpoint", "", auth, 405},
      {"POST", "/tile/0/000.p/3", "", auth, 405},
      {"DELETE", "/nothing/here", "", auth, 404},
  };
  for (const Case& k : cases) {
    auto r = c->Send(k.method, k.path, k.headers, k.body, "application/json");
    ASSERT_TRUE(r) << k.path << ": " << r.error().ToString();
    EXPECT_EQ(r->status, k.status) << k.method << " " << k.path << " " << r->body.substr(0, 200);
    auto body = json::parse(r->body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error")) << k.path << ": " << r->body;
  }
  // The errors say what is wrong, not just that something is.
  EXPECT_EQ(Json(c->Get("/v1/status/"))["error"]["message"],
            "no such resource: /v1/status/ (without the trailing slash: /v1/status)");
  auto deleted = c->Send("DELETE", "/v1/entries/0", auth);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->header("Allow"), "GET, HEAD");
  EXPECT_EQ(Json(deleted)["error"]["message"],
            "DELETE is not allowed on /v1/entries/0; it takes GET, HEAD");
  auto put = c->Send("PUT", "/v1/entries", auth);
  ASSERT_TRUE(put);
  EXPECT_EQ(put->header("Allow"), "POST, GET, HEAD");
  EXPECT_EQ(Json(c->Get("/v1/entries/-1"))["error"]["message"],
            "the index in /v1/entries/<index> must be a non-negative integer");
  EXPECT_EQ(Json(c->Get("/v1/proof/inclusion?index=1&index=2&size=3"))["error"]["message"],
            "query parameter 'index' is given more than once");
  auto misspelt =
      c->Send("POST", "/v1/entries", auth, R"({"data":"x","tmie":"2026-11-25T09:00:00Z"})");
  ASSERT_TRUE(misspelt);
  EXPECT_EQ(Json(misspelt)["error"]["message"],
            "entry 0 has an unknown field 'tmie'; an entry has data or data_hex, and may have "
            "time or time_ms");
  EXPECT_EQ(Json(c->Get("/v1/entries?start=5&end=3"))["error"]["message"],
            "end 3 is before start 5");
  EXPECT_EQ(Json(c->Get("/v1/entries?start=12"))["error"]["message"],
            "start 12 is beyond the ledger's 10 entries");
  EXPECT_EQ(Json(c->Get("/v1/entries?start=0&end=5000"))["error"]["message"],
            "a range holds at most 1000 entries; ask for end=1000 and go on from there");
  EXPECT_EQ(Json(c->Get("/v1/status"))["root"], before["root"]);
  EXPECT_EQ(Json(c->Get("/v1/status"))["size"], 10);
  EXPECT_EQ(node.Stop(SIGTERM), 0);
  EXPECT_EQ(Vellum({"verify", db_}).exit_code, 0);
}

// A zero-length entry is legal (RFC 6962's first published leaf is empty): every path takes it.
TEST_F(NodeTest, EmptyEntriesTravelEveryPath) {
  ASSERT_EQ(Vellum({"append", db_, ""}).exit_code, 0);
  ASSERT_EQ(Vellum({"append", db_, "--stdin"}, "a\n\nb\n").exit_code, 0);
  ASSERT_EQ(Vellum({"append", db_, "--hex", ""}).exit_code, 0);
  std::ofstream(dir_.File("empty"));
  ASSERT_EQ(Vellum({"append", db_, "--file", dir_.File("empty")}).exit_code, 0);
  NodeProcess node(db_);
  ASSERT_TRUE(node.ok());
  auto c = Client(node);
  auto appended =
      c->Post("/v1/entries", R"({"entries":[{"data":""},{"data_hex":""}]})", "application/json");
  ASSERT_EQ(appended->status, 200) << appended->body;
  EXPECT_EQ(Json(c->Get("/v1/entries/7"))["data"], "");
  const auto bundle = c->Get("/tile/entries/000.p/8");
  ASSERT_EQ(bundle->status, 200);
  EXPECT_EQ(bundle->body.size(), 8u * (2 + 8) + 2);  // every entry a time; two carry a byte
  auto log = json::parse(Vellum({"log", db_, "--json"}).out);
  ASSERT_EQ(log["entries"].size(), 8u);
  EXPECT_EQ(log["entries"][0]["data"], "");
  EXPECT_EQ(Vellum({"get", db_, "0", "--raw"}).out, "");
  EXPECT_EQ(Vellum({"verify", db_}).exit_code, 0);
  // Through a mirror and back in a comparison.
  const std::string copy = dir_.File("copy.db");
  CheckpointOfSize(*c, 8);  // the node has signed all eight
  auto synced = Vellum({"sync", copy, "--from", node.url(), "--vkey", vkey_});
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  auto compared = Vellum({"compare", copy, db_, "--json"});
  EXPECT_EQ(compared.exit_code, 0) << compared.err;
  EXPECT_EQ(json::parse(compared.out)["relation"], "identical");
  EXPECT_EQ(Vellum({"verify", copy}).exit_code, 0);
}

// A ledger file moved away (or deleted, or replaced) under a running node: its handle still
// holds the old file, and appends once went there, acknowledged as durable (a deleted file's are
// lost when the node stops). They are refused, saying why, with one `append-failed` line for all
// of them, and taken again once the file is back.
TEST_F(NodeTest, AppendsAreRefusedWhileTheFileIsMovedAwayAndSaidOnce) {
  NodeProcess node(db_, {"--log-format", "json"}, dir_.File("node.log"));
  ASSERT_TRUE(node.ok());
  auto c = Client(node);
  AppendOverHttp(*c, 0, 2, 1);
  const std::string away = dir_.File("away.db");
  std::filesystem::rename(db_, away);
  for (int i = 0; i < 3; ++i) {
    auto r = c->Post("/v1/entries", R"({"data":"lost?"})", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500) << r->body;
    EXPECT_NE(r->body.find("was moved, deleted or replaced since this handle opened it, so "
                           "nothing was written"),
              std::string::npos)
        << r->body;
  }
  // The node's status says so too (the dashboard lists it among its problems).
  EXPECT_NE(Json(c->Get("/v1/status"))["append_failure"].get<std::string>().find("was moved"),
            std::string::npos);
  auto status = Vellum({"status", node.url()});
  EXPECT_NE(status.out.find("\nappends fail: " + db_ + " was moved"), std::string::npos)
      << status.out;
  std::filesystem::rename(away, db_);
  AppendOverHttp(*c, 2, 3, 1);
  EXPECT_TRUE(Json(c->Get("/v1/status"))["append_failure"].is_null());
  ASSERT_EQ(node.Stop(SIGTERM), 0);
  auto log = json::parse(Vellum({"log", db_, "--json"}).out);
  ASSERT_EQ(log["entries"].size(), 3u);
  EXPECT_EQ(log["entries"][2]["data"], "e2");
  EXPECT_EQ(Vellum({"verify", db_}).exit_code, 0);
  size_t said = 0;
  std::ifstream in(dir_.File("node.log"));
  for (std::string line; std::getline(in, line);) {
    const auto event = json::parse(line, nullptr, false);
    if (!event.is_object() || event["event"] != "append-failed") continue;
    ++said;
    EXPECT_EQ(event["code"], "I/O error") << line;
  }
  EXPECT_EQ(said, 1u);
}

TEST_F(NodeTest, RefusesATokenThatIsShortOrReadableByOthers) {
  std::ofstream(dir_.File("short")) << "s3cret\n";
  std::filesystem::permissions(dir_.File("short"), std::filesystem::perms::owner_read);
  auto r = Vellum({"serve", db_, "--token-file", dir_.File("short")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("at least 32"), std::string::npos) << r.err;
  std::ofstream(dir_.File("open")) << std::string(40, 'x') << "\n";
  std::filesystem::permissions(
      dir_.File("open"), std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  r = Vellum({"serve", db_, "--token-file", dir_.File("open")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
  r = Vellum({"serve", db_, "--token-file", dir_.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a regular file"), std::string::npos) << r.err;
}

TEST_F(NodeTest, WritesAlwaysNeedATokenMadeBesideTheLedgerWhenNoneIsGiven) {
  NodeProcess node(db_);
  ASSERT_TRUE(node.ok());
  const std::string token_path = db_ + ".token";
  ASSERT_TRUE(std::filesystem::exists(token_path));
  EXPECT_EQ(std::filesystem::status(token_path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_GE(node.token().size(), 64u);
  auto c = testing::LocalClient(node.port());
  const std::string body = R"({"data":"x"})";
  // No token, a cross-site form (text/plain, Origin), a rebound DNS name: all refused.
  EXPECT_EQ(c.Post("/v1/entries", body, "application/json")->status, 401);
  const net::Headers auth = {{"Authorization", "Bearer " + node.token()}};
  net::Headers cross = auth;
  cross.emplace("Origin", "http://evil.example");
  EXPECT_EQ(c.Post("/v1/entries", cross, body, "text/plain")->status, 403);
  net::Headers rebound = auth;
  rebound.emplace("Host", "evil.example:80");
  EXPECT_EQ(c.Post("/v1/entries", rebound, body, "application/json")->status, 403);
  EXPECT_EQ(Json(c.Get("/v1/status"))["size"], 0);
  EXPECT_EQ(c.Post("/v1/entries", auth, body, "application/json")->status, 200);
  // curl -d sends JSON labelled as a form: the body is what counts, at any size up to the limit.
  const std::string large = json{{"data", std::string(9000, 'f')}}.dump();
  auto form = c.Post("/v1/entries", auth, large, "application/x-www-form-urlencoded");
  EXPECT_EQ(form->status, 200) << form->body;
  EXPECT_EQ(c.Post("/v1/entries", auth, large, "application/json")->status, 200);
  // The same token on the next start.
  const std::string first = node.token();
  ASSERT_EQ(node.Stop(SIGTERM), 0);
  NodeProcess again(db_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.token(), first);
}

TEST_F(NodeTest, ASecondNodeOnABusyPortFailsInsteadOfSharingIt) {
  NodeProcess node(db_);
  ASSERT_TRUE(node.ok());
  auto r = Vellum({"serve", db_, "--listen", "127.0.0.1:" + std::to_string(node.port())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("address already in use"), std::string::npos) << r.err;
}

TEST_F(NodeTest, SlowClientsAreDropped) {
  NodeProcess node(db_, {"--io-timeout", "1"});
  ASSERT_TRUE(node.ok());
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(node.port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string partial = "GET /v1/status HTTP/1.1\r\nHost: x\r\n";  // never finished
  ASSERT_EQ(write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  timeval limit{8, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
  }
  close(fd);
  EXPECT_EQ(n, 0);  // closed by the server (our own 8 s limit would end the read with -1)
  auto c = Client(node);
  EXPECT_EQ(c->Get("/v1/status")->status, 200);  // and it keeps serving
}

TEST_F(NodeTest, EveryAcknowledgedAppendSurvivesKillDashNine) {
  auto node = std::make_unique<NodeProcess>(db_);
  ASSERT_TRUE(node->ok());
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::string>> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      auto c = testing::LocalClient(node->port());
      c.options().bearer_token = node->token();
      c.options().deadline_ms = 5 * 1000;
      for (int i = 0; !stop && i < 100000; ++i) {
        const std::string data =
            std::string("c").append(std::to_string(t)).append("-").append(std::to_string(i));
        auto r = c.Post("/v1/entries", json{{"data", data}}.dump(), "application/json");
        if (!r || r->status != 200) break;
        std::lock_guard<std::mutex> lock(mu);
        acked.emplace_back(json::parse(r->body)["first_index"].get<uint64_t>(), data);
      }
    });
  }
  // SIGKILL once plenty is acknowledged (a minute at most, however slow the build).
  for (int i = 0; i < 6000; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acked.size() > 60) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  node->Stop(SIGKILL);
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_GT(acked.size(), 50u);

  NodeProcess restarted(db_);
  ASSERT_TRUE(restarted.ok());
  auto c = Client(restarted);
  for (const auto& [index, data] : acked) {
    auto entry = c->Get("/v1/entries/" + std::to_string(index));
    ASSERT_TRUE(entry && entry->status == 200) << "acknowledged entry " << index << " is lost";
    ASSERT_EQ(json::parse(entry->body)["data"], data);
  }
  EXPECT_EQ(restarted.Stop(SIGTERM), 0);
  auto verify = Vellum({"verify", db_});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

}  // namespace
}  // namespace vellum

namespace vellum {
namespace {

TEST_F(NodeTest, ServesHttpsWithTheGivenCertificate) {
  const std::string cert = dir_.File("cert.pem"), key = dir_.File("key.pem");
  auto made = testing::RunProgram({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                   "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                                   "/CN=127.0.0.1", "-keyout", key, "-out", cert});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  NodeProcess node(db_, {"--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(node.ok());
  // Self-signed, made just now: not checked against the system's CAs.
  net::ClientOptions insecure;
  insecure.verify_tls = false;
  net::HttpClient c("https://127.0.0.1:" + std::to_string(node.port()), insecure);
  auto status = c.Get("/v1/status");
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(json::parse(status->body)["origin"], "example.com/node");
  // Bodies and answers larger than one TLS record, several requests on one connection.
  c.options().bearer_token = node.token();
  AppendOverHttp(c, 0, 3000, 1000);
  auto range = c.Get("/v1/entries?start=1000&end=2000");
  ASSERT_TRUE(range) << range.error().message();
  ASSERT_EQ(range->status, 200) << range->body;
  ASSERT_GT(range->body.size(), 64u << 10);
  const json entries = json::parse(range->body)["entries"];
  ASSERT_EQ(entries.size(), 1000u);
  EXPECT_EQ(entries[999]["data"], "e1999");
  auto tile = c.Get("/tile/0/000");
  ASSERT_TRUE(tile) << tile.error().message();
  EXPECT_EQ(tile->status, 200);
  EXPECT_EQ(tile->body.size(), 256u * 32);
  auto plain = testing::LocalClient(node.port());
  plain.options().connect_timeout_ms = 2 * 1000;
  plain.options().deadline_ms = 2 * 1000;
  auto refused = plain.Get("/v1/status");
  EXPECT_TRUE(!refused || refused->status != 200);  // plain HTTP is not answered
}

TEST_F(NodeTest, SigtermFinishesInFlightAppendsAndClosesCleanly) {
  NodeProcess node(db_);
  ASSERT_TRUE(node.ok());
  std::mutex mu;
  std::vector<uint64_t> acked;
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      auto c = testing::LocalClient(node.port());
      c.options().bearer_token = node.token();
      c.options().deadline_ms = 5 * 1000;
      for (int i = 0; i < 100000; ++i) {
        json body = {{"entries", json::array()}};
        for (int j = 0; j < 50; ++j) body["entries"].push_back({{"data", std::to_string(t)}});
        auto r = c.Post("/v1/entries", body.dump(), "application/json");
        if (!r || r->status != 200) break;
        std::lock_guard<std::mutex> lock(mu);
        acked.push_back(json::parse(r->body)["first_index"].get<uint64_t>() + 49);
      }
    });
  }
  // SIGTERM once appends are flowing (a minute at most, however slow the build).
  for (int i = 0; i < 6000; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acked.size() >= 8) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(node.Stop(SIGTERM), 0);  // a clean exit, not a kill
  for (auto& th : clients) th.join();
  ASSERT_FALSE(acked.empty());
  auto ledger = Ledger::Open(db_);
  ASSERT_TRUE(ledger);
  EXPECT_GT((*ledger)->GetHead()->size, *std::max_element(acked.begin(), acked.end()));
  EXPECT_TRUE((*ledger)->Verify()->ok);
}

}  // namespace
}  // namespace vellum
