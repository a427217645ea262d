// The command line at its edges: read-only and locked ledgers, terminal escapes from peers,
// errors as JSON, verify-proof's usage errors.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/process.h"
#include "tests/temp_dir.h"

namespace vellum {
namespace {

using testing::RunResult;
using testing::Vellum;

class CliEdgesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::all);
    ASSERT_EQ(AsUser({"init", db_, "--origin", "example.com/edges"}).exit_code, 0);
    ASSERT_EQ(AsUser({"append", db_, "a", "b"}).exit_code, 0);
  }
  // File permissions bind everyone but root: as root, run vellum as nobody.
  static RunResult AsUser(const std::vector<std::string>& args) {
    if (geteuid() != 0) return Vellum(args);
    std::vector<std::string> argv = {"setpriv", "--reuid=nobody", "--regid=nogroup",
                                     "--clear-groups", VELLUM_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunProgram(argv);
  }
  testing::TempDir dir_;
  std::string db_ = dir_.File("l.db");
};

TEST_F(CliEdgesTest, AReadOnlyFileIsReadWithoutLeavingFilesAndWritesSayWhatToFix) {
  std::filesystem::permissions(db_, std::filesystem::perms::owner_read |
                                        std::filesystem::perms::group_read |
                                        std::filesystem::perms::others_read);
  auto log = AsUser({"log", db_});
  EXPECT_EQ(log.exit_code, 0) << log.err;
  EXPECT_NE(log.out.find("  b"), std::string::npos);
  auto append = AsUser({"append", db_, "c"});
  EXPECT_EQ(append.exit_code, 1);
  EXPECT_NE(append.err.find("is not writable (mode 0444)"), std::string::npos) << append.err;
  EXPECT_FALSE(std::filesystem::exists(db_ + "-shm"));  // nothing left to block later writes
  EXPECT_FALSE(std::filesystem::exists(db_ + "-wal"));
  std::filesystem::permissions(db_, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  EXPECT_EQ(AsUser({"append", db_, "c"}).exit_code, 0);
}

TEST_F(CliEdgesTest, ALedgerInADirectoryThatIsNotWritableCanBeReadAndVerified) {
  std::filesystem::permissions(
      dir_.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                       std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                       std::filesystem::perms::others_exec);
  EXPECT_EQ(AsUser({"log", db_}).exit_code, 0);
  EXPECT_EQ(AsUser({"verify", db_}).exit_code, 0);
  auto append = AsUser({"append", db_, "c"});
  EXPECT_EQ(append.exit_code, 1);
  EXPECT_NE(append.err.find("is not writable"), std::string::npos) << append.err;
}

TEST_F(CliEdgesTest, AnUnwritableShmLeftBehindIsNamed) {
  std::ofstream(db_ + "-shm");
  std::filesystem::permissions(db_ + "-shm", std::filesystem::perms::owner_read);
  if (geteuid() == 0) {
    ASSERT_EQ(chown((db_ + "-shm").c_str(), 65534, 65534), 0);
  }
  auto append = AsUser({"append", db_, "c"});
  EXPECT_EQ(append.exit_code, 1);
  EXPECT_NE(append.err.find("l.db-shm is not writable"), std::string::npos) << append.err;
  EXPECT_NE(append.err.find("or remove it"), std::string::npos) << append.err;
}

TEST_F(CliEdgesTest, ALockedLedgerSaysWhyItWaits) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::ofstream(dir_.File("empty"));
  const int pid = testing::StartVellum({"append", db_, "c"}, dir_.File("empty"), dir_.File("err"));
  ASSERT_GT(pid, 0);
  // The lock is held until the waiting process has said why it waits (a minute at most).
  std::string err;
  for (int i = 0; i < 600 && err.find("waiting") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream in(dir_.File("err"));
    err.assign(std::istreambuf_iterator<char>(in), {});
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_NE(err.find("is locked by another process; waiting up to 10 s"), std::string::npos) << err;
  EXPECT_EQ(testing::WaitFor(pid), 0);
}

TEST_F(CliEdgesTest, WithJsonErrorsAreJsonToo) {
  auto missing = Vellum({"get", db_, "9", "--json"});
  EXPECT_EQ(missing.exit_code, 1);
  auto doc = nlohmann::json::parse(missing.err, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << missing.err;
  EXPECT_EQ(doc["error"]["code"], "not found");
  EXPECT_NE(doc["error"]["message"].get<std::string>().find("no entry 9"), std::string::npos);
  auto usage = Vellum({"prove", db_, "--json"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(usage.err)["error"]["code"], "usage");
}

TEST_F(CliEdgesTest, VerifyProofTellsUsageFromFailure) {
  auto proof = Vellum({"prove", db_, "--index", "1", "--json"});
  ASSERT_EQ(proof.exit_code, 0);
  std::ofstream(dir_.File("proof.json")) << proof.out;
  const std::string root = nlohmann::json::parse(proof.out)["root"];
  auto no_leaf = Vellum({"verify-proof", dir_.File("proof.json"), "--root", root});
  EXPECT_EQ(no_leaf.exit_code, 2);
  EXPECT_EQ(no_leaf.err.find("FAILED"), std::string::npos) << no_leaf.err;
  auto no_time =
      Vellum({"verify-proof", dir_.File("proof.json"), "--root", root, "--payload", "b"});
  EXPECT_EQ(no_time.exit_code, 2);
  EXPECT_NE(no_time.err.find("give the entry's --time"), std::string::npos) << no_time.err;
  auto wrong = Vellum({"verify-proof", dir_.File("proof.json"), "--root", root, "--leaf-hash",
                       std::string(64, 'a')});
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_NE(wrong.err.find("proof FAILED"), std::string::npos) << wrong.err;
}

// `log` reads 10,000 entries at a time and writes each as it goes: 12,002 entries span a full
// read and a part of one, and must still make one document.
TEST_F(CliEdgesTest, LogJsonStreamsManyEntriesAsOneDocument) {
  std::string lines;
  for (int i = 0; i < 12000; ++i) lines += "entry " + std::to_string(i) + "\n";
  ASSERT_EQ(Vellum({"append", db_, "--stdin", "--batch", "12000"}, lines).exit_code, 0);
  auto log = Vellum({"log", db_, "--json", "--limit", "1000000"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  auto doc = nlohmann::json::parse(log.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["size"], 12002);
  ASSERT_EQ(doc["entries"].size(), 12002u);
  EXPECT_EQ(doc["entries"][10000]["index"], 10000);
  EXPECT_EQ(doc["entries"][12001]["data"], "entry 11999");
  auto none = nlohmann::json::parse(Vellum({"log", db_, "--json", "--from", "12002"}).out);
  EXPECT_TRUE(none["entries"].empty());
}

TEST_F(CliEdgesTest, AppendSaysWhereItsEntriesGoInOrder) {
  for (const char* name : {"f1", "f2", "f3"}) std::ofstream(dir_.File(name)) << name;
  auto r = Vellum({"append", db_, "--file", dir_.File("f3"), dir_.File("f1"), dir_.File("f2")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto log = nlohmann::json::parse(Vellum({"log", db_, "--json"}).out)["entries"];
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[2]["data"], "f3");
  EXPECT_EQ(log[3]["data"], "f1");
  EXPECT_EQ(log[4]["data"], "f2");
}

// A pipe, a device or a directory where a ledger or a witness's state should be is named for
// what it is: opening a FIFO would otherwise wait for a writer forever. (`timeout`: a regression
// that waits must not hang the suite.)
TEST_F(CliEdgesTest, APipeOrADeviceIsNotOpenedAsALedger) {
  const std::string fifo = dir_.File("fifo.db");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"get", fifo, "0"},
        {"verify", fifo},
        {"log", "/dev/null"},
        {"witness", "status", fifo, "--key", db_ + ".key"}}) {
    auto r = testing::BoundedVellum(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(" is not a regular file (a pipe, device or socket), not a SQLite file"),
              std::string::npos)
        << args[0] << ": " << r.err;
  }
  // Nor is a key file waited on.
  auto r = testing::BoundedVellum({"checkpoint", db_, "--key", fifo});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("key file " + fifo + " is not a regular file"), std::string::npos) << r.err;
}

// An endless or huge input (a device, the wrong file) is refused once it is larger than what it
// should be, not gathered whole: `verify-checkpoint /dev/zero` used to read until memory ran out.
TEST_F(CliEdgesTest, InputLargerThanWhatItShouldBeIsRefusedWithoutReadingItAll) {
  std::ifstream in(db_, std::ios::binary);
  const std::string before{std::istreambuf_iterator<char>(in), {}};
  const std::string vkey = Vellum({"key", db_}).out.substr(0, Vellum({"key", db_}).out.find('\n'));
  struct Case {
    std::vector<std::string> args;
    std::string says;
    int exit_code;
  };
  for (const Case& c :
       {Case{{"verify-checkpoint", "/dev/zero", "--vkey", vkey},
             "/dev/zero is larger than any checkpoint (4 MiB): is it the right file?",
             1},
        Case{{"verify-proof", "/dev/zero", "--root", std::string(64, '0')},
             "/dev/zero is larger than any proof or receipt (4 MiB)",
             1},
        Case{{"cosign", db_, "--policy", "/dev/zero"}, "/dev/zero is larger than any policy", 2},
        Case{{"append", db_, "--file", "/dev/zero"},
             "/dev/zero is larger than an entry may be (65535 bytes)",
             2},
        Case{{"append", db_, "--file", "/dev/zero", "--hex"},
             "/dev/zero is larger than an entry may be (65535 bytes, in hex)",
             2}}) {
    auto r = testing::BoundedVellum(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args[0] << ": " << r.err;
  }
  // From stdin: a document of 5 MiB, and a line longer than any entry.
  auto big = Vellum({"verify-checkpoint", "-", "--vkey", vkey}, std::string(5 << 20, 'x'));
  EXPECT_EQ(big.exit_code, 1);
  EXPECT_NE(big.err.find("stdin is larger than any checkpoint (4 MiB): is it the right input?"),
            std::string::npos)
      << big.err;
  auto line = Vellum({"append", db_, "--stdin"}, "ok\n" + std::string(70000, 'y') + "\nok\n");
  EXPECT_EQ(line.exit_code, 2);
  EXPECT_NE(line.err.find("stdin line 2 is longer than an entry may be (65535 bytes)"),
            std::string::npos)
      << line.err;
  std::ifstream after_in(db_, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(after_in), {}), before);
  EXPECT_EQ(Vellum({"log", db_, "--json"}).out.find("yyy"), std::string::npos);
  // Lines up to the limit, with and without a final line break, are entries as before.
  auto fits = Vellum({"append", db_, "--stdin", "--json"},
                     std::string(100, 'z') + "\r\n\n" + std::string(65527, 'w'));
  ASSERT_EQ(fits.exit_code, 0) << fits.err;
  EXPECT_EQ(nlohmann::json::parse(fits.out)["count"], 3) << fits.out;
  EXPECT_EQ(Vellum({"get", db_, "2", "--raw"}).out, std::string(100, 'z'));
  EXPECT_EQ(Vellum({"get", db_, "3", "--raw"}).out, "");
  EXPECT_EQ(Vellum({"get", db_, "4", "--raw"}).out, std::string(65527, 'w'));
}

// A node's URL where a ledger file goes is named as such, with the commands that take one; it
// once read "http://... does not exist; create it with 'vellum init'". No request is sent.
TEST_F(CliEdgesTest, ANodeUrlWhereALedgerFileGoesIsNamed) {
  const std::string url = "http://127.0.0.1:1";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"get", url, "0"},
        {"append", url, "x"},
        {"log", url + "/"},
        {"verify", url},
        {"prove", url, "--index", "0"},
        {"init", url + "/new.db", "--origin", "example.com/x"},
        {"sync", url + "/m.db", "--from", url, "--vkey", "example.com/x+00000000+AA=="},
        {"serve", url, "--listen", "127.0.0.1:0"},
        {"serve", url, "--upstream", url, "--upstream-vkey",
         "example.com/x+00000000+AA==", "--listen", "127.0.0.1:0"}}) {
    auto r = testing::BoundedVellum(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(" is a node's URL, and this command works on a ledger file"),
              std::string::npos)
        << args[0] << ": " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists("http:"));
}

// A ledger file as a sync source is trusted only as far as its newest signed checkpoint: with
// none yet, sync says how to make one (it said "no checkpoint has been signed yet", naming
// neither the file nor what to do), and writes nothing.
TEST_F(CliEdgesTest, SyncFromAFileWithNoSignedCheckpointSaysHowToSignOne) {
  const std::string mirror = dir_.File("m.db");
  auto key = Vellum({"key", db_});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  ASSERT_TRUE(key.out.ends_with('\n'));
  key.out.pop_back();
  const std::vector<std::string> sync = {"sync", mirror, "--from", db_, "--vkey", key.out};
  auto r = Vellum(sync);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(db_ +
                       " has no signed checkpoint yet, so nothing in it can be checked "
                       "against the key: its key holder signs one with 'vellum checkpoint " +
                       db_ + "'"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(mirror));
  ASSERT_EQ(Vellum({"checkpoint", db_}).exit_code, 0);
  r = Vellum(sync);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Vellum({"root", mirror}).out, Vellum({"root", db_}).out);
}

// A witness's state file where a ledger belongs is named as such; it was "not a vellum ledger
// (no vellum_meta table); create one with 'vellum init'".
TEST_F(CliEdgesTest, AWitnessStateWhereALedgerBelongsIsNamed) {
  const std::string state = dir_.File("w.state");
  ASSERT_EQ(Vellum({"witness", "init", state, "--name", "example.com/w"}).exit_code, 0);
  for (const char* command : {"key", "log", "verify"}) {
    auto r = Vellum({command, state});
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
    EXPECT_NE(r.err.find(state +
                         " is a witness's state file, not a ledger ('vellum witness "
                         "status " +
                         state + "' shows what it cosigned)"),
              std::string::npos)
        << command << ": " << r.err;
  }
  std::ofstream(dir_.File("other.db")) << "";
  auto other = Vellum({"key", dir_.File("other.db")});
  EXPECT_EQ(other.err.find("witness"), std::string::npos) << other.err;
  // sync makes a mirror in a new file: it says so of a file that is no ledger, and writes nothing.
  const std::string vkey = Vellum({"key", db_}).out.substr(0, Vellum({"key", db_}).out.find('\n'));
  ASSERT_EQ(Vellum({"checkpoint", db_}).exit_code, 0);
  std::ofstream(dir_.File("notes.txt")) << "not a ledger\n";
  for (const auto& [target, says] :
       {std::pair{state, state + " is a witness's state file: sync into a new file"},
        std::pair{dir_.File("notes.txt"),
                  dir_.File("notes.txt") + " is not a vellum ledger: sync into a new file"}}) {
    std::ifstream before_in(target, std::ios::binary);
    const std::string before{std::istreambuf_iterator<char>(before_in), {}};
    auto r = Vellum({"sync", target, "--from", db_, "--vkey", vkey});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    std::ifstream after_in(target, std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(after_in), {}), before);
  }
}

// `init` never overwrites a key file in its way (one left by an earlier ledger), says how to use
// it or make a new one, and creates nothing; it once made the ledger and removed it again.
TEST_F(CliEdgesTest, InitLeavesAKeyFileInItsWayAndSaysWhatToDo) {
  const std::string db = dir_.File("new.db"), key = db + ".key";
  std::filesystem::copy_file(db_ + ".key", key);
  auto r = Vellum({"init", db, "--origin", "example.com/new"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(key + " already exists; to sign with that key, give --key " + key),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(db));
  std::ifstream in(key);
  std::ifstream original(db_ + ".key");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}),
            std::string(std::istreambuf_iterator<char>(original), {}));
  EXPECT_EQ(Vellum({"init", db, "--origin", "example.com/new", "--key", key}).exit_code, 0);
}

// A listen address is read whole: "127.0.0.1:80x" once served on port 80, ":0" announced
// http://:PORT and "::1:0" http://::1:PORT, neither of them a URL. (`timeout`: a regression that
// serves must not hang the suite.)
TEST_F(CliEdgesTest, ListenAddressesAreReadWhole) {
  const std::pair<const char*, const char*> cases[] = {
      {"127.0.0.1:80x", "the port must be a number from 0 to 65535"},
      {"127.0.0.1:+0", "the port must be a number from 0 to 65535"},
      {"127.0.0.1: 0", "the port must be a number from 0 to 65535"},
      {"127.0.0.1:99999", "the port must be a number from 0 to 65535"},
      {"127.0.0.1:", "the port must be a number from 0 to 65535"},
      {"127.0.0.1", "no port"},
      {":0", "no host"},
      {"::1:0", "an IPv6 address goes in brackets, as in [::1]:8001"},
  };
  for (const auto& [listen, why] : cases) {
    auto r = testing::BoundedVellum({"serve", db_, "--listen", listen});
    EXPECT_EQ(r.exit_code, 2) << listen << ": " << r.err;
    EXPECT_NE(r.err.find(std::string("--listen '") + listen + "': " + why), std::string::npos)
        << listen << ": " << r.err;
  }
}

}  // namespace
}  // namespace vellum
