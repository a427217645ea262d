// `vellum serve --dir`: one node process serving a folder of ledgers, each under its own URL
// prefix with its own group commit, key and token.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/process.h"
#include "tests/socket.h"
#include "tests/temp_dir.h"
#include "vellum/checkpoint.h"
#include "vellum/ledger.h"

namespace vellum {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kLedgers = 100;
constexpr int kRounds = 5, kPerRequest = 10;

std::string Name(int i) { return "l" + std::to_string(i); }

// A ledger with its key beside it, as `vellum init` makes it.
void MakeLedger(const std::string& path, const std::string& origin) {
  auto key = SignerKey::Generate(origin);
  ASSERT_TRUE(key);
  ASSERT_TRUE(WriteKeyFile(path + ".key", *key));
  auto ledger =
      Ledger::Create(path, {.origin = origin, .verifier_key = key->verifier().ToString()});
  ASSERT_TRUE(ledger) << ledger.error().ToString();
}

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

json Ledgers(int port) {
  auto r = testing::LocalClient(port).Get("/v1/ledgers");
  EXPECT_TRUE(r);
  return r && r->status == 200 ? json::parse(r->body)["ledgers"] : json::array();
}

TEST(ManyLedgersTest, OneNodeServesAHundredLedgersAppendedToAtOnceEachVerifiableAlone) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("ledgers");
  fs::create_directories(dir);
  for (int i = 0; i < kLedgers; ++i)
    MakeLedger(dir + "/" + Name(i) + ".db", "example.org/" + Name(i));
  // Files that are not served, each for its reason.
  MakeLedger(dir + "/nokey.db", "example.org/nokey");
  fs::remove(dir + "/nokey.db.key");
  std::ofstream(dir + "/notes.txt") << "not a ledger\n";
  std::ofstream(dir + "/junk.db") << "not a ledger either\n";
  MakeLedger(dir + "/v1.db", "example.org/v1");  // its URL would be the node's own /v1/

  const std::string events = tmp.File("events");
  // (NodeProcess puts its second argument where the ledger goes.)
  testing::NodeProcess node("--dir=" + dir, {"--log-format", "json"}, events);
  ASSERT_TRUE(node.ok());
  json listed = Ledgers(node.port());
  ASSERT_EQ(listed.size(), static_cast<size_t>(kLedgers)) << listed.dump();

  // Appends to every ledger at once: four clients, each taking every ledger in turn, each
  // request with that ledger's own token.
  std::vector<std::thread> clients;
  std::atomic<int> failures{0};
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      auto client = testing::LocalClient(node.port());
      for (int round = 0; round < kRounds; ++round) {
        for (int i = c; i < kLedgers; i += 4) {
          json body = {{"entries", json::array()}};
          for (int k = 0; k < kPerRequest; ++k) {
            body["entries"].push_back(
                {{"data", Name(i) + " round " + std::to_string(round) + " #" + std::to_string(k)}});
          }
          const std::string token = ReadLine(dir + "/" + Name(i) + ".db.token");
          auto r =
              client.Post("/" + Name(i) + "/v1/entries", {{"Authorization", "Bearer " + token}},
                          body.dump(), "application/json");
          if (!r || r->status != 200) ++failures;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures, 0);
  // A token opens its own ledger only.
  auto client = testing::LocalClient(node.port());
  auto wrong =
      client.Post("/l1/v1/entries", {{"Authorization", "Bearer " + ReadLine(dir + "/l0.db.token")}},
                  R"({"data":"x"})", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto unknown = client.Get("/nosuch/checkpoint");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  // A 404 inside a ledger names the path as sent, the ledger's name included.
  auto slash = client.Get("/l3/v1/status/");
  ASSERT_TRUE(slash);
  EXPECT_EQ(slash->status, 404);
  EXPECT_NE(slash->body.find("no such resource: /l3/v1/status/ (without the trailing slash: "
                             "/l3/v1/status)"),
            std::string::npos)
      << slash->body;
  // A method a path does not take is a 405 with Allow, at the top and inside a ledger.
  for (const char* path : {"/v1/ledgers", "/l3/v1/status"}) {
    auto posted = client.Post(path, "{}", "application/json");
    ASSERT_TRUE(posted);
    EXPECT_EQ(posted->status, 405) << path << ": " << posted->body;
    EXPECT_EQ(posted->header("Allow"), "GET, HEAD") << path;
    EXPECT_NE(posted->body.find(std::string("POST is not allowed on ") + path), std::string::npos)
        << posted->body;
  }

  listed = Ledgers(node.port());
  ASSERT_EQ(listed.size(), static_cast<size_t>(kLedgers));
  for (const json& l : listed) EXPECT_EQ(l["size"], kRounds * kPerRequest) << l.dump();
  // Each answers as a node of its own would: a signed checkpoint, checked with its own key.
  auto key = ReadKeyFile(dir + "/l42.db.key");
  ASSERT_TRUE(key);
  auto r = testing::Vellum(
      {"compare", node.url() + "/l42/", dir + "/l42.db", "--vkey", key->verifier().ToString()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("identical: both have 50 entries"), std::string::npos) << r.out;
  // The node's own URL is no ledger: compare, sync and status --vkey say to give one's URL, and
  // status lists them.
  const std::string vkey = key->verifier().ToString();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"compare", node.url(), dir + "/l42.db"},
        {"sync", tmp.File("mirror.db"), "--from", node.url() + "/", "--vkey", vkey},
        {"status", node.url(), "--vkey", vkey}}) {
    auto root = testing::Vellum(args);
    EXPECT_EQ(root.exit_code, 1) << args[0] << ": " << root.err;
    EXPECT_NE(root.err.find(" ledger(s), each under its own path, and none at its root: give "
                            "one's URL (" +
                            node.url() + "/l0/, "),
              std::string::npos)
        << args[0] << ": " << root.err;
  }
  EXPECT_FALSE(fs::exists(tmp.File("mirror.db")));
  auto status = testing::Vellum({"status", node.url()});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("a node serving " + std::to_string(kLedgers) + " ledger(s)"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("  " + node.url() + "/l42/  example.org/l42: 50 entries, root "),
            std::string::npos)
      << status.out;

  // A ledger added while serving is found without a restart.
  MakeLedger(dir + "/late.db", "example.org/late");
  bool found = false;
  for (int i = 0; i < 200 && !found; ++i) {
    for (const json& l : Ledgers(node.port())) found = found || l["name"] == "late";
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(found);

  EXPECT_EQ(node.Stop(SIGTERM), 0);
  // Each ledger verifies alone and holds exactly its own entries.
  for (int i = 0; i < kLedgers; ++i) {
    auto ledger = Ledger::Open(dir + "/" + Name(i) + ".db", {.read_only = true});
    ASSERT_TRUE(ledger);
    auto report = (*ledger)->Verify();
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->ok) << Name(i);
    EXPECT_EQ(report->entries_checked, static_cast<uint64_t>(kRounds * kPerRequest));
    auto first = (*ledger)->Get(0);
    ASSERT_TRUE(first);
    EXPECT_EQ(std::string(first->payload.begin(), first->payload.end()).rfind(Name(i) + " ", 0),
              0u);
  }
  // The files that are not ledgers it can serve were each named once, with the reason.
  std::ifstream in(events);
  std::string line, skipped;
  while (std::getline(in, line)) {
    if (json::parse(line)["event"] == "skipped") skipped += line + "\n";
  }
  EXPECT_NE(skipped.find("nokey.db"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("junk.db"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("v1.db is not served: its name"), std::string::npos) << skipped;
  EXPECT_EQ(skipped.find("notes.txt"), std::string::npos) << skipped;
}

// A ledger file removed from the folder is no longer served, and one replaced by another file
// is served from the new file: the node once kept serving (and signing into) the old one.
TEST(ManyLedgersTest, ALedgerRemovedOrReplacedInTheFolderIsServedNoMore) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("ledgers");
  fs::create_directories(dir);
  MakeLedger(dir + "/gone.db", "example.org/gone");
  MakeLedger(dir + "/swapped.db", "example.org/swapped");
  testing::NodeProcess node("--dir=" + dir);
  ASSERT_TRUE(node.ok());
  ASSERT_EQ(Ledgers(node.port()).size(), 2u);
  fs::remove(dir + "/gone.db");
  // Another ledger under the same name and key, with one entry the old one never had.
  const std::string other = tmp.File("other.db");
  auto key = ReadKeyFile(dir + "/swapped.db.key");
  ASSERT_TRUE(key);
  {
    auto ledger = Ledger::Create(
        other, {.origin = "example.org/swapped", .verifier_key = key->verifier().ToString()});
    ASSERT_TRUE(ledger);
    ASSERT_TRUE((*ledger)->Append({.payload = ToBytes("new")}));
  }
  fs::rename(other, dir + "/swapped.db");
  json listed;
  for (int i = 0; i < 200; ++i) {
    listed = Ledgers(node.port());
    if (listed.size() == 1 && listed[0]["size"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["name"], "swapped");
  EXPECT_EQ(listed[0]["size"], 1);
  auto c = testing::LocalClient(node.port());
  auto gone = c.Get("/gone/checkpoint");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  auto entry = c.Get("/swapped/v1/entries/0");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->status, 200) << entry->body;
  EXPECT_EQ(json::parse(entry->body)["data"], "new");
  EXPECT_EQ(node.Stop(SIGTERM), 0);
}

// More ledgers than the process may open files: the node serves those it has room for, keeps
// descriptors for connections, says why the rest are not served, and keeps answering. It used
// to open ledgers until the descriptors ran out, then abort on its second connection (a loop's
// epoll descriptor, made on first use, could not be).
TEST(ManyLedgersTest, MoreLedgersThanDescriptorsLeavesRoomForConnections) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("ledgers");
  fs::create_directories(dir);
  constexpr int kMany = 40;
  for (int i = 0; i < kMany; ++i) MakeLedger(dir + "/" + Name(i) + ".db", "example.org/" + Name(i));
  const std::string log = tmp.File("node.log");
  testing::NodeProcess node("--dir=" + dir, {}, log, "127.0.0.1:0", /*max_open_files=*/96);
  ASSERT_TRUE(node.ok());
  const json listed = Ledgers(node.port());
  ASSERT_GT(listed.size(), 0u);
  EXPECT_LT(listed.size(), static_cast<size_t>(kMany));
  // Connections held open at once, then every served ledger asked in turn: all answered.
  std::vector<net::HttpClient> held;
  for (int i = 0; i < 16; ++i) {
    held.push_back(testing::LocalClient(node.port()));
    auto r = held.back().Get("/v1/ledgers");
    ASSERT_TRUE(r) << i << ": " << r.error().ToString();
    EXPECT_EQ(r->status, 200);
  }
  for (int round = 0; round < 2; ++round) {
    for (const auto& l : listed) {
      auto r =
          testing::LocalClient(node.port()).Get("/" + l["name"].get<std::string>() + "/checkpoint");
      ASSERT_TRUE(r) << r.error().ToString();
      EXPECT_EQ(r->status, 200) << r->body;
    }
  }
  // An append without the token is refused before its body, as the ledger's own node would.
  const int fd = testing::ConnectLoopback(node.port());
  ASSERT_TRUE(testing::SendAll(fd, "POST /" + listed[0]["name"].get<std::string>() +
                                       "/v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       "Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n"));
  const std::string answer = testing::Receive(fd, 1 << 16, 3000, "\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 401")) << answer.substr(0, 200);
  close(fd);
  EXPECT_EQ(node.Stop(SIGTERM), 0);
  std::ifstream in(log);
  const std::string said(std::istreambuf_iterator<char>(in), {});
  EXPECT_NE(said.find(std::to_string(kMany - listed.size()) + " ledgers (" + dir),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("not served: the process may have 96 files open (ulimit -n)"),
            std::string::npos)
      << said;
}

TEST(ManyLedgersTest, ServeDirRefusesOneLedgerOptionsAndAMissingFolder) {
  testing::TempDir tmp;
  auto r = testing::Vellum({"serve", "--dir", tmp.File("nothing")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not a folder of ledgers"), std::string::npos) << r.err;
  r = testing::Vellum({"serve", "--dir", tmp.path(), "--upstream", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--upstream serves one ledger"), std::string::npos) << r.err;
  r = testing::Vellum({"serve", tmp.File("a.db"), "--dir", tmp.path()});
  EXPECT_EQ(r.exit_code, 2);
  r = testing::Vellum({"serve"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--dir"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vellum

namespace vellum {
namespace {

// The dashboard (web/, tested in Chromium by dashboard_test.py) is served at a node's root and
// under each ledger's prefix, with a policy that keeps the page talking to this node only.
TEST(DashboardServingTest, ThePageIsAtTheRootAndUnderEachLedgersPrefix) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("ledgers");
  std::filesystem::create_directory(dir);
  ASSERT_EQ(testing::Vellum({"init", dir + "/a.db", "--origin", "example.com/a"}).exit_code, 0);
  testing::NodeProcess single(dir + "/a.db");
  testing::NodeProcess many("--dir=" + dir);
  ASSERT_TRUE(single.ok() && many.ok());
  auto expect_file = [](net::HttpClient& client, const std::string& path, const char* type) {
    auto r = client.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_TRUE(r->header("Content-Type").starts_with(type))
        << path << " " << r->header("Content-Type");
    EXPECT_NE(r->header("Content-Security-Policy").find("connect-src 'self'"), std::string::npos);
    EXPECT_EQ(r->header("X-Content-Type-Options"), "nosniff");
  };
  auto one = testing::LocalClient(single.port());
  expect_file(one, "/", "text/html");
  expect_file(one, "/dashboard/app.js", "text/javascript");
  expect_file(one, "/dashboard/style.css", "text/css");
  EXPECT_NE(one.Get("/")->body.find("dashboard/app.js"), std::string::npos);
  for (const char* missing : {"/dashboard/index.html", "/dashboard/", "/dashboard/../x",
                              "/dashboard/nothing.js", "/index.html"}) {
    EXPECT_EQ(one.Get(missing)->status, 404) << missing;
  }
  EXPECT_EQ(one.Post("/", "x", "text/plain")->status, 404);

  auto set = testing::LocalClient(many.port());
  expect_file(set, "/", "text/html");
  expect_file(set, "/a/", "text/html");
  expect_file(set, "/a/dashboard/app.js", "text/javascript");
  auto redirect = set.Get("/a");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 308);
  EXPECT_EQ(redirect->header("Location"), "/a/");
  auto status = nlohmann::json::parse(set.Get("/v1/status")->body);
  EXPECT_EQ(status["node_set"], true);
  EXPECT_EQ(status["ledgers"], 1);
}

}  // namespace
}  // namespace vellum
