// `vellum publish` and `serve --publish`: a ledger written as a static C2SP tlog-tiles folder,
// served by nginx (Debian's nginx-light) and read back by `vellum sync` and `compare` from the
// static files alone.
#include "node/publish.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/process.h"
#include "tests/temp_dir.h"
#include "vellum/checkpoint.h"
#include "vellum/ledger.h"

namespace vellum {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Vellum;

// A port that was free a moment ago on 127.0.0.1.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// nginx serving `root` on 127.0.0.1, in the foreground with one process (so that, run as root,
// it reads the test's private folder as root), its files in `work`. nginx cannot listen on
// port 0, so a free port is picked and, if another process takes it first, another.
class Nginx {
 public:
  Nginx(const std::string& root, const std::string& work) {
    for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
      const int port = FreePort();
      const std::string conf = work + "/nginx.conf";
      std::ofstream(conf) << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
                          << "pid " << work << "/nginx.pid;\nerror_log " << work
                          << "/error.log;\nevents { worker_connections 64; }\nhttp {\n"
                          << "  access_log off;\n  default_type application/octet-stream;\n"
                          << "  client_body_temp_path " << work << "/body;\n"
                          << "  proxy_temp_path " << work << "/proxy;\n"
                          << "  fastcgi_temp_path " << work << "/fastcgi;\n"
                          << "  uwsgi_temp_path " << work << "/uwsgi;\n"
                          << "  scgi_temp_path " << work << "/scgi;\n"
                          << "  server {\n    listen 127.0.0.1:" << port << ";\n    root " << root
                          << ";\n"
                          // As the README has it.
                          << "    location /tile/ { add_header Cache-Control \"public, "
                             "max-age=31536000, immutable\"; }\n"
                          << "    location ~ \\.p/ { add_header Cache-Control \"public, "
                             "max-age=60\"; }\n"
                          << "    location = /checkpoint { add_header Cache-Control "
                             "\"no-cache\"; }\n  }\n}\n";
      pid_ = testing::StartProgram(
          {"/usr/sbin/nginx", "-p", work + "/", "-c", conf, "-e", work + "/error.log"},
          work + "/stderr");
      for (int i = 0; i < 200 && pid_ > 0; ++i) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) pid_ = -1;  // the port was taken
        if (pid_ > 0 && testing::LocalClient(port, "", 2000).Get("/")) port_ = port;
        if (port_ || pid_ < 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  ~Nginx() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ok() const { return port_ > 0; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int pid_ = -1;
  int port_ = 0;
};

// Every file under `dir` and its bytes.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out[fs::relative(e.path(), dir).string()] = ss.str();
  }
  return out;
}

ino_t Inode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

class PublishTest : public ::testing::Test {
 protected:
  // Creates a ledger; returns its verifier key.
  std::string Init(const std::string& path, const std::string& origin,
                   const std::string& format = "record", const std::string& key = "") {
    std::vector<std::string> args = {"init",     path,   "--origin", origin,
                                     "--format", format, "--json"};
    if (!key.empty()) args.insert(args.end(), {"--key", key});
    auto r = Vellum(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["verifier_key"];
  }
  void Append(const std::string& path, int first, int end) {
    std::string lines;
    for (int i = first; i < end; ++i) lines += "entry " + std::to_string(i) + "\n";
    auto r = Vellum({"append", path, "--stdin"}, lines);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  json Publish(const std::string& ledger, const std::string& dir) {
    auto r = Vellum({"publish", ledger, dir, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json();
  }
  // A raw ledger of `entries` entries at `ledger`, published into `dir`: the folder's files.
  std::map<std::string, std::string> PublishedLedger(const std::string& ledger,
                                                     const std::string& origin, int entries,
                                                     const std::string& dir) {
    Init(ledger, origin, "raw");
    Append(ledger, 0, entries);
    Publish(ledger, dir);
    return Snapshot(dir);
  }
  testing::TempDir tmp_;
};

TEST_F(PublishTest, AFolderServedByNginxSyncsBackIdenticalAndGrowsByWhatChanged) {
  const std::string ledger = tmp_.File("l.db"), dir = tmp_.File("www");
  const std::string vkey = Init(ledger, "example.org/pub");
  Append(ledger, 0, 1000);
  ASSERT_EQ(Vellum({"append", ledger, ""}).exit_code, 0);  // an empty entry
  auto j = Publish(ledger, dir);
  EXPECT_EQ(j["old_size"], 0);
  EXPECT_EQ(j["size"], 1001);
  fs::create_directories(tmp_.File("nginx"));
  Nginx nginx(dir, tmp_.File("nginx"));
  ASSERT_TRUE(nginx.ok()) << "nginx did not start (scripts/setup.sh installs nginx-light)";

  const std::string back = tmp_.File("back.db");
  auto r = Vellum({"sync", back, "--from", nginx.url(), "--vkey", vkey, "--format", "record"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Vellum({"compare", back, ledger});
  EXPECT_NE(r.out.find("identical: both have 1001 entries"), std::string::npos) << r.out;
  EXPECT_EQ(Vellum({"verify", back}).exit_code, 0);

  // Run again after appends: full tiles are not rewritten, a partial one made redundant by its
  // full tile is gone, and the partials of the published sizes stay.
  const ino_t first_tile = Inode(dir + "/tile/0/000");
  Append(ledger, 1001, 1301);
  j = Publish(ledger, dir);
  EXPECT_EQ(j["old_size"], 1001);
  EXPECT_EQ(j["size"], 1301);
  EXPECT_EQ(Inode(dir + "/tile/0/000"), first_tile);
  EXPECT_FALSE(fs::exists(dir + "/tile/0/003.p"));
  EXPECT_TRUE(fs::exists(dir + "/tile/0/003"));
  EXPECT_TRUE(fs::exists(dir + "/tile/1/000.p/3"));
  EXPECT_TRUE(fs::exists(dir + "/tile/1/000.p/5"));
  EXPECT_TRUE(fs::exists(dir + "/tile/entries/005.p/21"));
  r = Vellum({"sync", back, "--from", nginx.url(), "--vkey", vkey});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1001 -> 1301"), std::string::npos) << r.out;
  r = Vellum({"compare", nginx.url(), ledger, "--vkey", vkey, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["relation"], "identical");
  // Nothing new: only the checkpoint is written again.
  EXPECT_EQ(Publish(ledger, dir)["files_written"], 1);
}

// A folder that lost files (deleted by hand, a disk restored from an old backup) is mended by the
// next `vellum publish` and by a node's first publish, file for file as it was.
TEST_F(PublishTest, AFolderThatLostFilesIsMendedByTheNextPublish) {
  const std::string ledger = tmp_.File("l.db"), dir = tmp_.File("www");
  const auto whole = PublishedLedger(ledger, "example.org/mend", 700, dir);
  for (const char* lost : {"tile/0/001", "tile/entries/000", "tile/1/000.p/2"}) {
    ASSERT_TRUE(fs::remove(dir + "/" + lost)) << lost;
  }
  auto j = Publish(ledger, dir);
  EXPECT_EQ(j["files_restored"], 3) << j.dump();
  EXPECT_EQ(j["files_written"], 4) << j.dump();  // and the checkpoint
  EXPECT_EQ(Snapshot(dir), whole);
  EXPECT_EQ(Publish(ledger, dir)["files_restored"], 0);

  ASSERT_TRUE(fs::remove(dir + "/tile/0/000"));
  testing::NodeProcess node(ledger, {"--publish", dir});
  ASSERT_TRUE(node.ok());
  for (int i = 0; i < 200 && !fs::exists(dir + "/tile/0/000"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(node.Stop(SIGTERM), 0);
  EXPECT_EQ(Snapshot(dir), whole);
}

// Files altered in place stay altered by a plain publish (it only looks for missing ones);
// `publish --repair` reads every file back and writes again those whose bytes are not the
// ledger's.
TEST_F(PublishTest, RepairWritesAgainFilesAlteredInPlace) {
  const std::string ledger = tmp_.File("l.db"), dir = tmp_.File("www");
  const auto whole = PublishedLedger(ledger, "example.org/repair", 700, dir);
  auto alter = [&](const std::string& rel) {
    std::fstream f(dir + "/" + rel, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f) << rel;
    char c = 0;
    f.seekg(5);
    f.get(c);
    f.seekp(5);
    f.put(static_cast<char>(c ^ 1));
  };
  alter("tile/0/001");
  alter("tile/entries/002.p/188");
  std::ofstream(dir + "/tile/1/000.p/2", std::ios::trunc) << "short";
  EXPECT_EQ(Publish(ledger, dir)["files_restored"], 0);
  EXPECT_NE(Snapshot(dir), whole);
  auto r = Vellum({"publish", ledger, dir, "--repair"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 files were missing from the folder or altered and written again"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Snapshot(dir), whole);
  auto again = Vellum({"publish", ledger, dir, "--repair", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["files_restored"], 0) << again.out;
}

// A checkpoint file that is no checkpoint: a plain publish refuses the folder and names
// --repair; --repair writes it again, but only when the folder's entries are the ledger's.
TEST_F(PublishTest, RepairWritesAgainACheckpointThatIsNoneOnlyIntoTheLogsOwnFolder) {
  const std::string ledger = tmp_.File("l.db"), dir = tmp_.File("www");
  const auto whole = PublishedLedger(ledger, "example.org/mend", 300, dir);
  std::ofstream(dir + "/checkpoint", std::ios::trunc) << "garbage\n";
  const auto broken = Snapshot(dir);
  auto plain = Vellum({"publish", ledger, dir});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_NE(plain.err.find("is not a checkpoint"), std::string::npos) << plain.err;
  EXPECT_NE(plain.err.find("--repair writes every file again"), std::string::npos) << plain.err;
  const std::string other = tmp_.File("other.db");
  Init(other, "example.org/other", "raw");
  Append(other, 1000, 1300);
  auto wrong = Vellum({"publish", other, dir, "--repair"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("holds entries that are not this ledger's"), std::string::npos)
      << wrong.err;
  EXPECT_EQ(Snapshot(dir), broken);
  auto mended = Vellum({"publish", ledger, dir, "--repair"});
  ASSERT_EQ(mended.exit_code, 0) << mended.err;
  EXPECT_EQ(Snapshot(dir), whole);
}

TEST_F(PublishTest, WhatWouldMisleadIsRefusedAndTheFolderIsLeftAsItWas) {
  const std::string dir = tmp_.File("www");
  Init(tmp_.File("a.db"), "example.org/a", "raw");
  Append(tmp_.File("a.db"), 0, 10);
  Publish(tmp_.File("a.db"), dir);
  const auto before = Snapshot(dir);
  // Refused before anything is signed: the ledger keeps no new checkpoint either.
  auto bytes = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string{std::istreambuf_iterator<char>(in), {}};
  };
  auto refused_into = [&](const std::string& ledger, const std::string& into,
                          const std::string& why) {
    const std::string ledger_before = bytes(ledger);
    auto r = Vellum({"publish", ledger, into});
    EXPECT_EQ(r.exit_code, 1) << ledger;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_TRUE(bytes(ledger) == ledger_before) << ledger << " changed publishing into " << into;
  };
  auto refused = [&](const std::string& ledger, const std::string& why) {
    refused_into(ledger, dir, why);
    EXPECT_EQ(Snapshot(dir), before) << ledger;
  };
  // Another log.
  Init(tmp_.File("b.db"), "example.org/b", "raw");
  Append(tmp_.File("b.db"), 0, 20);
  refused(tmp_.File("b.db"), "holds the log 'example.org/a'");
  // The same origin and the same entries under another key: another log of that name, whose
  // checkpoints the folder's readers would refuse.
  Init(tmp_.File("g.db"), "example.org/a", "raw");
  Append(tmp_.File("g.db"), 0, 12);
  refused(tmp_.File("g.db"), "that this ledger's key did not sign (another log of that name)");
  // The same log (its key) with another history.
  Init(tmp_.File("c.db"), "example.org/a", "raw", tmp_.File("a.db.key"));
  fs::copy_file(tmp_.File("a.db.key"), tmp_.File("c.db.key"));
  Append(tmp_.File("c.db"), 5, 25);
  refused(tmp_.File("c.db"), "another history");
  // The same history, shorter: publishing it would take entries back.
  Init(tmp_.File("d.db"), "example.org/a", "raw", tmp_.File("a.db.key"));
  fs::copy_file(tmp_.File("a.db.key"), tmp_.File("d.db.key"));
  Append(tmp_.File("d.db"), 0, 5);
  refused(tmp_.File("d.db"), "already holds 10 entries");
  // A ledger with no key and no recorded checkpoint has nothing signed to publish.
  Init(tmp_.File("e.db"), "example.org/a", "raw");
  fs::remove(tmp_.File("e.db.key"));
  refused(tmp_.File("e.db"), "give --key FILE");
  // A ledger without its key publishes its newest recorded checkpoint, only if the key signed it.
  Init(tmp_.File("f.db"), "example.org/a", "raw");
  Append(tmp_.File("f.db"), 0, 10);
  ASSERT_EQ(Vellum({"checkpoint", tmp_.File("f.db")}).exit_code, 0);
  fs::remove(tmp_.File("f.db.key"));
  auto forged = testing::RunProgram(
      {"sqlite3", tmp_.File("f.db"),
       "INSERT INTO checkpoints(size, root, note, signed_ms) "
       "SELECT size, root, substr(note, 1, length(note) - 5) || 'AAA=' || char(10), 0 "
       "FROM checkpoints ORDER BY id DESC LIMIT 1"});  // the same body, a broken signature
  ASSERT_EQ(forged.exit_code, 0) << forged.err;
  refused_into(tmp_.File("f.db"), tmp_.File("www2"),
               "the newest recorded checkpoint is not the ledger's");
  EXPECT_FALSE(fs::exists(tmp_.File("www2")));
  // A folder whose checkpoint is not one, from a ledger with entries its last one lacks.
  Append(tmp_.File("a.db"), 10, 12);
  fs::create_directories(tmp_.File("other"));
  std::ofstream(tmp_.File("other/checkpoint")) << "hello\n";
  refused_into(tmp_.File("a.db"), tmp_.File("other"), "is not a checkpoint");
  EXPECT_FALSE(fs::exists(tmp_.File("other/tile")));
  // A file where the folder should be, and no folder at all.
  refused_into(tmp_.File("a.db"), tmp_.File("a.db.key"), "is not a folder");
  refused_into(tmp_.File("a.db"), "", "give a folder to publish into");
  // A node is refused such a folder when it starts, rather than failing every publish after.
  // (`timeout`: a regression that serves must not hang the suite.)
  auto r = testing::BoundedVellum(
      {"serve", tmp_.File("a.db"), "--listen", "127.0.0.1:0", "--publish", tmp_.File("a.db.key")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--publish: " + tmp_.File("a.db.key") + " is not a folder"),
            std::string::npos)
      << r.err;
}

TEST_F(PublishTest, AStoppedPublishLeavesTheOldLogAndTheNextOneCarriesOn) {
  const std::string path = tmp_.File("s.db"), dir = tmp_.File("www");
  Init(path, "example.org/s", "raw");
  Append(path, 0, 600);
  auto ledger = Ledger::Open(path);
  ASSERT_TRUE(ledger);
  auto key = ReadKeyFile(path + ".key");
  ASSERT_TRUE(key);
  auto note = (*ledger)->SignCheckpoint(*key, 300);
  ASSERT_TRUE(note);
  ASSERT_TRUE(node::Publish(**ledger, *note, dir));
  const auto before = Snapshot(dir);
  note = (*ledger)->SignCheckpoint(*key, std::nullopt);
  ASSERT_TRUE(note);
  std::atomic<bool> stop{true};
  auto stopped = node::Publish(**ledger, *note, dir, &stop);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(Snapshot(dir), before);
  auto done = node::Publish(**ledger, *note, dir);
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_EQ(done->old_size, 300u);
  EXPECT_EQ(done->size, 600u);
}

TEST_F(PublishTest, ServePublishKeepsTheFoldersOfAWriterAndItsMirrorCurrent) {
  const std::string w = tmp_.File("w.db"), dw = tmp_.File("www-w"), dm = tmp_.File("www-m");
  const std::string vkey = Init(w, "example.org/serve");
  testing::NodeProcess writer(w, {"--publish", dw});
  ASSERT_TRUE(writer.ok());
  testing::NodeProcess mirror(tmp_.File("m.db"), {"--upstream", writer.url(), "--upstream-vkey",
                                                  vkey, "--publish", dm, "--poll-interval", "50"});
  ASSERT_TRUE(mirror.ok());
  auto client = testing::LocalClient(writer.port(), writer.token());
  json body = {{"entries", json::array()}};
  for (int i = 0; i < 300; ++i) body["entries"].push_back({{"data", "e" + std::to_string(i)}});
  auto res = client.Post("/v1/entries", {}, body.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  for (const auto* node : {&writer, &mirror}) {
    EXPECT_TRUE(testing::WaitForStatus(node->port(), [](const json& s) {
      return s["published"].is_object() && s["published"]["size"] == 300;
    }));
  }
  fs::create_directories(tmp_.File("nginx"));
  Nginx nginx(dm, tmp_.File("nginx"));
  ASSERT_TRUE(nginx.ok());
  auto r = Vellum({"compare", nginx.url(), writer.url(), "--vkey", vkey, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["relation"], "identical");
  EXPECT_EQ(json::parse(r.out)["a"]["size"], 300);
  // A node without a key signs nothing to publish, and says so before it starts.
  Init(tmp_.File("n.db"), "example.org/n");
  fs::remove(tmp_.File("n.db.key"));
  r = Vellum({"serve", tmp_.File("n.db"), "--publish", tmp_.File("www-n")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("key"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp_.File("www-n")));
}

}  // namespace
}  // namespace vellum
