// The vellum command line used the way a person or a script would.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/process.h"
#include "tests/temp_dir.h"

namespace vellum {
namespace {

using testing::RunResult;
using testing::Vellum;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Vellum({"init", db_, "--origin", "example.com/cli"}).exit_code, 0);
  }
  static nlohmann::json Json(const RunResult& r) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  std::string FileBytes() const {
    std::ifstream in(db_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  testing::TempDir dir_;
  std::string db_ = dir_.File("cli.db");
};

TEST_F(CliTest, CountsOneEntryInTheSingular) {
  auto published = Vellum({"publish", db_, dir_.File("www")});  // an empty log: its checkpoint
  EXPECT_NE(published.out.find("(was 0): 1 file, "), std::string::npos) << published.out;
  ASSERT_EQ(Vellum({"append", db_, "only"}).exit_code, 0);
  auto r = Vellum({"verify", db_});
  EXPECT_NE(r.out.find("ok: 1 entry verified"), std::string::npos) << r.out;
  r = Vellum({"get", db_, "7"});
  EXPECT_NE(r.err.find("no entry 7; the ledger has 1 entry\n"), std::string::npos) << r.err;
  ASSERT_EQ(Vellum({"append", db_, "two"}).exit_code, 0);
  r = Vellum({"verify", db_});
  EXPECT_NE(r.out.find("ok: 2 entries verified"), std::string::npos) << r.out;
}

TEST_F(CliTest, NamesAnUnknownCommandAndAMissingOne) {
  auto r = Vellum({"consistency", db_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "vellum: unknown command 'consistency'; 'vellum --help' lists the commands\n");
  r = Vellum({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "vellum: give a command, e.g. 'vellum init'; 'vellum --help' lists them\n");
  r = Vellum({"witness", "show"});  // the same one level down
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "vellum: unknown command 'witness show'; 'vellum witness --help' lists the commands\n");
  r = Vellum({"witness"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "vellum: give a command after 'vellum witness'; 'vellum witness --help' lists them\n");
  r = Vellum({"verify", db_});  // a known command still runs
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // A witness that was never made is named as such, not by its missing key file.
  r = Vellum({"witness", "status", dir_.File("nope.state")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.state does not exist; make a witness with 'vellum witness init "),
            std::string::npos)
      << r.err;
}

TEST_F(CliTest, AppendsFromArgumentsStdinAndFilesAndListsThem) {
  auto r = Vellum({"append", db_, "alpha", "beta", "--time", "2026-01-02T03:04:05.678Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("appended 2 entries (0..1)"), std::string::npos) << r.out;
  r = Vellum({"append", db_, "--stdin", "--json"}, "gamma\r\ndelta\n");
  auto j = Json(r);
  EXPECT_EQ(j["first_index"], 2);
  EXPECT_EQ(j["size"], 4);
  std::ofstream(dir_.File("blob.bin"), std::ios::binary) << std::string("\x00\x01\x02", 3);
  ASSERT_EQ(Vellum({"append", db_, "--file", dir_.File("blob.bin")}).exit_code, 0);

  auto log = Json(Vellum({"log", db_, "--json"}));
  ASSERT_EQ(log["entries"].size(), 5u);
  EXPECT_EQ(log["entries"][0]["data"], "alpha");
  EXPECT_EQ(log["entries"][0]["time"], "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(log["entries"][3]["data"], "delta");
  EXPECT_EQ(log["entries"][4]["data_hex"], "000102");
  EXPECT_FALSE(log["entries"][4].contains("data"));

  r = Vellum({"log", db_, "--limit", "2"});
  EXPECT_EQ(r.out.find("alpha"), std::string::npos);
  EXPECT_NE(r.out.find("delta"), std::string::npos);
  EXPECT_NE(r.out.find("<3 bytes: 000102>"), std::string::npos) << r.out;

  r = Vellum({"get", db_, "1"});
  EXPECT_NE(r.out.find("beta"), std::string::npos);
  auto root = Json(Vellum({"root", db_, "--json"}));
  EXPECT_EQ(root["size"], 5);
  EXPECT_EQ(root["root"].get<std::string>().size(), 64u);
  // A right-to-left override is shown as one, not obeyed: it would make "gnp.exe" read "exe.png".
  const std::string override_text =
      "photo \xe2\x80\xae"
      "gnp.exe";
  ASSERT_EQ(Vellum({"append", db_, override_text}).exit_code, 0);
  r = Vellum({"log", db_, "--limit", "1"});
  EXPECT_NE(r.out.find("photo \\u202egnp.exe"), std::string::npos) << r.out;
  r = Vellum({"get", db_, "5"});
  EXPECT_NE(r.out.find("photo \\u202egnp.exe"), std::string::npos) << r.out;
}

TEST_F(CliTest, ProofsFromProveVerifyOfflineAndForgeriesFail) {
  ASSERT_EQ(Vellum({"append", db_, "--stdin", "--time", "1000"}, "a\nb\nc\nd\ne\nf\ng\n").exit_code,
            0);
  const std::string root = Json(Vellum({"root", db_, "--json"}))["root"];
  const std::string old_root = Json(Vellum({"root", db_, "--size", "3", "--json"}))["root"];
  auto prove = Vellum({"prove", db_, "--index", "4", "--json"});
  ASSERT_EQ(prove.exit_code, 0) << prove.err;
  std::ofstream(dir_.File("inc.json")) << prove.out;

  auto ok = Vellum(
      {"verify-proof", dir_.File("inc.json"), "--root", root, "--payload", "e", "--time", "1000"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("proof OK"), std::string::npos);
  auto wrong_entry = Vellum(
      {"verify-proof", dir_.File("inc.json"), "--root", root, "--payload", "E", "--time", "1000"});
  EXPECT_EQ(wrong_entry.exit_code, 3);
  EXPECT_NE(wrong_entry.err.find("proof FAILED"), std::string::npos);
  auto wrong_root = Vellum({"verify-proof", dir_.File("inc.json"), "--root", old_root, "--payload",
                            "e", "--time", "1000"});
  EXPECT_EQ(wrong_root.exit_code, 3);

  auto cons = Vellum({"prove", db_, "--old", "3", "--json"});
  ASSERT_EQ(cons.exit_code, 0);
  auto via_stdin = Vellum({"verify-proof", "-", "--root", root, "--old-root", old_root}, cons.out);
  EXPECT_EQ(via_stdin.exit_code, 0) << via_stdin.err;
  auto swapped = Vellum({"verify-proof", "-", "--root", old_root, "--old-root", root}, cons.out);
  EXPECT_EQ(swapped.exit_code, 3);
  auto garbage = Vellum({"verify-proof", "-", "--root", root, "--leaf-hash", root}, "{not json");
  EXPECT_EQ(garbage.exit_code, 1);
  EXPECT_NE(garbage.err.find("the proof document is not JSON"), std::string::npos) << garbage.err;
  // A key given twice: this parser would check the last "index", another the first.
  ASSERT_EQ(prove.out.front(), '{');
  auto twice = Vellum({"verify-proof", "-", "--root", root, "--payload", "e", "--time", "1000"},
                      "{\"index\":0," + prove.out.substr(1));
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("names the key 'index' twice"), std::string::npos) << twice.err;
}

TEST_F(CliTest, BadInputIsRefusedWithAClearErrorAndTheFileUnchanged) {
  ASSERT_EQ(Vellum({"append", db_, "one"}).exit_code, 0);
  const std::string before = FileBytes();
  struct Case {
    std::vector<std::string> args;
    std::string input, message;
    int exit_code = 2;  // usage, unless the command had to look at the ledger
  };
  const std::string big(70000, 'x');
  std::filesystem::create_directory(dir_.File("d"));
  std::ofstream(dir_.File("empty")).flush();
  const std::vector<Case> cases = {
      {{"append", db_, "--hex", "00", "zz"}, "", "invalid hex character"},
      {{"append", db_, "--hex", "abc"}, "", "odd length"},
      {{"append", db_, "--stdin"}, "ok\n" + big + "\n", "stdin line 2 is longer than an entry"},
      {{"append", db_, "--stdin"}, "ok\n" + std::string(65530, 'x') + "\n", "limit is 65527", 1},
      {{"append", db_, std::string(65528, 'x')}, "", "65528-byte payload; the limit is 65527", 1},
      {{"append", db_, "x", "--time", "yesterday"}, "", "bad time"},
      {{"append", db_, "x", "--time", "2026-02-30T00:00:00Z"}, "", "no such date"},
      {{"append", db_, "x", "--time", "2026-01-01T00:00:60Z"}, "", "no such date"},
      {{"append", db_, "x", "--time", "1764000000"}, "", "looks like seconds"},
      {{"append", db_, "x", "--time", "99999999999999999999"}, "", "bad time"},
      {{"append", db_}, "", "nothing to append"},
      {{"append", db_, "--stdin"}, "", "stdin held no lines"},
      {{"append", db_, "--file", dir_.File("d")}, "", "is a directory", 2},
      {{"append", db_, "--file", dir_.File("missing")}, "", "cannot read", 1},
      {{"append", db_, "x", "--file", dir_.File("d")}, "", "one way"},
      {{"get", db_, "5"}, "", "no entry 5", 1},
      {{"get", db_, "-1"}, "", "not a number from 0"},
      {{"get", db_, "18446744073709551616"}, "", "not a number from 0"},
      {{"root", db_, "--size", "9"}, "", "beyond the ledger's size", 1},
      {{"root", db_, "--size", "-1"}, "", "not a number from 0"},
      {{"log", db_, "--limit", "-1"}, "", "not a number from 0"},
      {{"log", db_, "--from", "1", "--limit", "-1"}, "", "not a number from 0"},
      {{"prove", db_, "--index", "3"}, "", "not below tree size", 1},
      {{"prove", db_, "--old", "1", "--new", "7"}, "", "beyond the ledger's size", 1},
      {{"prove", db_}, "", "either --index"},
      {{"verify-proof", dir_.File("d"), "--root", std::string(64, '0')}, "", "is a directory", 1},
      {{"get", dir_.File("nope.db"), "0"}, "", "does not exist", 1},
      {{"init", db_, "--origin", "again"}, "", "already exists", 1},
      {{"init", "", "--origin", "example.com/x"}, "", "a ledger needs a file name", 1},
      {{"init", dir_.File("no/such/folder.db"), "--origin", "example.com/x"},
       "",
       "/no/such does not exist",
       1},
      {{"init", db_ + "/inside.db", "--origin", "example.com/x"}, "", "cli.db is not a folder", 1},
      {{"compare", db_, "localhost:8001"}, "", "http://localhost:8001", 1},
      {{"status", "127.0.0.1:8001"}, "", "give its URL: http://127.0.0.1:8001", 1},
      {{"status", "ftp://example.com/log"}, "", "only http:// and https://", 1},
      {{"compare", db_, "ftp://example.com/log"}, "", "only http:// and https://", 1},
      {{"network", "gopher://example.com", db_}, "", "only http:// and https://", 1},
      {{"verify-checkpoint", "-"}, "", "give the verifier key with --vkey (or a --policy"},
      {{"verify-proof", "--root", std::string(64, '0')}, "", "stdin held nothing", 1},
      {{"verify-proof", dir_.File("empty"), "--root", std::string(64, '0')},
       "",
       "empty is empty",
       1},
      {{"compare", db_, db_, "--vkey", "junk"}, "", "--vkey"},
      {{"no-such-command"}, "", ""},
  };
  for (const Case& c : cases) {
    auto r = Vellum(c.args, c.input);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.message << " | " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.message << " | " << r.err;
    EXPECT_EQ(FileBytes(), before) << c.message;
  }
  // A stdin that cannot be read is an error, not an empty input.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"append", db_, "--stdin"},
        std::vector<std::string>{"verify-proof", "-", "--root", std::string(64, '0')}}) {
    const std::string err = dir_.File("stdin.err");
    EXPECT_EQ(testing::WaitFor(testing::StartVellum(args, dir_.File("d"), err)), 1) << args[0];
    std::ifstream in(err);
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    EXPECT_NE(text.find("cannot read stdin: Is a directory"), std::string::npos) << text;
  }
  EXPECT_EQ(FileBytes(), before);
  EXPECT_EQ(Vellum({"verify", db_}).exit_code, 0);
}

TEST_F(CliTest, NamesADamagedLedgerAndADirectory) {
  std::string lines;
  for (int i = 0; i < 3000; ++i) lines.append(std::to_string(i)).push_back('\n');
  ASSERT_EQ(Vellum({"append", db_, "--stdin"}, lines).exit_code, 0);
  std::ifstream in(db_, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), {}};
  const std::string cut = dir_.File("cut.db");
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  auto r = Vellum({"verify", cut});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is damaged"), std::string::npos) << r.err;
  auto dir = Vellum({"log", dir_.path()});
  EXPECT_EQ(dir.exit_code, 1);
  EXPECT_NE(dir.err.find("is a directory"), std::string::npos) << dir.err;
}

TEST_F(CliTest, RefusesAFileThatIsNotALedger) {
  const std::string junk = dir_.File("junk.db");
  std::ofstream(junk) << "this is not sqlite at all, just some text that is long enough";
  auto r = Vellum({"log", junk});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a vellum ledger"), std::string::npos) << r.err;
}

TEST_F(CliTest, TwoProcessesAppendingAtOnceLoseNothing) {
  std::string a, b;
  for (int i = 0; i < 300; ++i) {
    a.append("a").append(std::to_string(i)).push_back('\n');
    b.append("b").append(std::to_string(i)).push_back('\n');
  }
  std::ofstream(dir_.File("a.txt")) << a;
  std::ofstream(dir_.File("b.txt")) << b;
  int pa = testing::StartVellum({"append", db_, "--stdin", "--batch", "3"}, dir_.File("a.txt"));
  int pb = testing::StartVellum({"append", db_, "--stdin", "--batch", "5"}, dir_.File("b.txt"));
  EXPECT_EQ(testing::WaitFor(pa), 0);
  EXPECT_EQ(testing::WaitFor(pb), 0);
  auto log = Json(Vellum({"log", db_, "--limit", "1000", "--json"}));
  ASSERT_EQ(log["size"], 600);
  std::set<std::string> seen;
  int next_a = 0, next_b = 0;  // each process's entries keep their order
  for (const auto& e : log["entries"]) {
    const std::string data = e["data"];
    seen.insert(data);
    int& next = data[0] == 'a' ? next_a : next_b;
    EXPECT_EQ(data.substr(1), std::to_string(next++));
  }
  EXPECT_EQ(seen.size(), 600u);
  EXPECT_EQ(Vellum({"verify", db_}).exit_code, 0);
}

}  // namespace
}  // namespace vellum
