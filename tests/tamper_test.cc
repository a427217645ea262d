// An attacker edits the ledger file with the sqlite3 shell, around the triggers. `vellum verify`
// must fail and name the first bad index for each kind of edit.
#include <gtest/gtest.h>

#include "tests/process.h"
#include "tests/temp_dir.h"

namespace vellum {
namespace {

using testing::RunProgram;
using testing::Vellum;

constexpr int kEntries = 600;
constexpr const char* kDropTriggers =
    "DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; "
    "DROP TRIGGER tiles_only_grow; DROP TRIGGER tiles_no_delete; DROP TRIGGER head_only_grows; ";

// Replaces the `size` bytes at hash position `pos` of a blob column with random bytes.
std::string SmashHash(const std::string& column, int pos, int size = 32) {
  const std::string before = std::to_string(pos * size),
                    after = std::to_string(pos * size + size + 1);
  return column + " = CAST(substr(" + column + ", 1, " + before + ") || randomblob(" +
         std::to_string(size) + ") || substr(" + column + ", " + after + ") AS BLOB)";
}

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Vellum({"init", db_, "--origin", "example.com/tamper"}).exit_code, 0);
    std::string lines;
    for (int i = 0; i < kEntries; ++i) lines += "event " + std::to_string(i) + "\n";
    ASSERT_EQ(Vellum({"append", db_, "--stdin", "--batch", "97"}, lines).exit_code, 0);
    ASSERT_EQ(Vellum({"verify", db_}).exit_code, 0);
  }
  // Runs `sql` with the sqlite3 shell, then expects verify to fail at `index`.
  void ExpectCaught(const std::string& sql, uint64_t index, const std::string& problem) {
    auto edit = RunProgram({"sqlite3", db_, sql});
    ASSERT_EQ(edit.exit_code, 0) << edit.err;
    auto r = Vellum({"verify", db_});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find("first bad index: " + std::to_string(index) + " (" + problem + ")"),
              std::string::npos)
        << r.err;
  }
  // Expects appending `lines` to fail saying `message`, and the head to stay where it was.
  void ExpectAppendRefused(const std::string& lines, const std::string& message) {
    auto r = Vellum({"append", db_, "--stdin"}, lines);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_EQ(RunProgram({"sqlite3", db_, "SELECT size FROM head"}).out,
              std::to_string(kEntries) + "\n");
  }
  testing::TempDir dir_;
  std::string db_ = dir_.File("tamper.db");
};

TEST_F(TamperTest, UpdateIsRefusedByTheTriggers) {
  auto edit = RunProgram({"sqlite3", db_, "UPDATE entries SET data = 'x' WHERE idx = 3"});
  EXPECT_NE(edit.exit_code, 0);
  EXPECT_NE(edit.err.find("vellum: ledger entries are append-only"), std::string::npos);
  EXPECT_EQ(Vellum({"verify", db_}).exit_code, 0);
}

TEST_F(TamperTest, ChangedEntryData) {
  ExpectCaught(std::string(kDropTriggers) + "UPDATE entries SET data = 'forged' WHERE idx = 137",
               137, "entry changed");
}

// An entry edited while its node serves the file is not handed out, alone, in a range, in a
// tile bundle or with a proof: each says which entry changed. Its neighbours are still served.
TEST_F(TamperTest, AnEditedEntryIsNotServedByItsNodeNorShownByTheCli) {
  testing::NodeProcess node(db_);
  ASSERT_TRUE(node.ok());
  auto client = testing::LocalClient(node.port());
  ASSERT_EQ(client.Get("/v1/entries/137")->status, 200);  // read (and its tile cached) before
  auto edit =
      RunProgram({"sqlite3", db_,
                  std::string(kDropTriggers) + "UPDATE entries SET data = 'x' WHERE idx = 137"});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  const std::string said =
      "entry 137 was changed: its bytes no longer hash to the stored leaf hash";
  for (const char* path : {"/v1/entries/137", "/v1/entries?start=100&end=200",
                           "/v1/proof/inclusion?index=137&size=600", "/tile/entries/000"}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 500) << path << ": " << r->body;
    EXPECT_NE(r->body.find(said), std::string::npos) << path << ": " << r->body;
  }
  EXPECT_EQ(client.Get("/v1/entries/136")->status, 200);
  EXPECT_EQ(client.Get("/tile/entries/001")->status, 200);
  auto get = Vellum({"get", db_, "137"});
  EXPECT_EQ(get.exit_code, 1);
  EXPECT_NE(get.err.find(said), std::string::npos) << get.err;
}

TEST_F(TamperTest, ChangedTimestamp) {
  ExpectCaught(std::string(kDropTriggers) + "UPDATE entries SET ts = ts + 1 WHERE idx = 250", 250,
               "entry changed");
}

TEST_F(TamperTest, DeletedLastEntries) {
  ExpectCaught(std::string(kDropTriggers) + "DELETE FROM entries WHERE idx >= 590", 590,
               "entry missing");
}

// The head may only grow (a trigger), and so may be raised past what is stored: entry 0 and
// the stored tiles are not blamed for that, the first missing entry is.
TEST_F(TamperTest, HeadRaisedPastTheStoredEntries) {
  ExpectCaught("UPDATE head SET size = 70000", 600, "entry missing");
  auto r = Vellum({"verify", db_});
  EXPECT_NE(r.err.find("the head says the ledger has 70000 entries, but the file ends at 600: "
                       "entries 600 to 69999 are missing"),
            std::string::npos)
      << r.err;
  // A proof at that size cannot be made, and says where to look.
  auto proof = Vellum({"prove", db_, "--index", "3"});
  EXPECT_EQ(proof.exit_code, 1);
  EXPECT_NE(proof.err.find("run 'vellum verify'"), std::string::npos) << proof.err;
}

TEST_F(TamperTest, SwappedTwoRows) {
  ExpectCaught(std::string(kDropTriggers) +
                   "UPDATE entries SET idx = -1 WHERE idx = 10; "
                   "UPDATE entries SET idx = 10 WHERE idx = 20; "
                   "UPDATE entries SET idx = 20 WHERE idx = -1;",
               10, "entry changed");
}

TEST_F(TamperTest, ChangedLeafHashInATile) {
  // A level-0 tile stores the first 4 bytes of each leaf hash (schema 3).
  ExpectCaught(std::string(kDropTriggers) + "UPDATE tiles SET " + SmashHash("hashes", 5, 4) +
                   " WHERE level = 0 AND idx = 1",
               261, "tree hash changed");
}

TEST_F(TamperTest, ChangedInnerTreeHash) {
  // Inner position 1 of a tile is local level 3, index 1: entries 520..527 of tile 0/2.
  ExpectCaught(std::string(kDropTriggers) + "UPDATE tiles SET " + SmashHash("inner", 1) +
                   " WHERE level = 0 AND idx = 2",
               520, "tree hash changed");
}

TEST_F(TamperTest, TruncatedInnerTreeHashes) {
  // Tile 0/1 keeps 10 of its 62 inner hashes: the 11th covers entries 304..311 (local level 3,
  // completed when the bottom row reaches 56 hashes).
  ExpectCaught(std::string(kDropTriggers) +
                   "UPDATE tiles SET inner = CAST(substr(inner, 1, 320) AS BLOB) "
                   "WHERE level = 0 AND idx = 1",
               304, "tree hash changed");
}

TEST_F(TamperTest, ChangedUpperLevelTreeHash) {
  // Level-1 hash 1 is the root of entries 256..511.
  ExpectCaught(std::string(kDropTriggers) + "UPDATE tiles SET " + SmashHash("hashes", 1) +
                   " WHERE level = 1 AND idx = 0",
               256, "tree hash changed");
}

TEST_F(TamperTest, RowAppendedBehindVellumsBack) {
  ExpectCaught("INSERT INTO entries(idx, ts, data) VALUES (600, 0, 'sneaky')", 600, "extra entry");
  // An append then says what is in its way, and appends nothing.
  ExpectAppendRefused("next\n",
                      "entry 600 is already stored beyond the ledger head (size 600): it was "
                      "added behind vellum's back; run 'vellum verify'");
}

// A tile past the head is caught by verify (level-0 ones used to go unseen), and an append
// that reaches it says so instead of quoting a trigger.
TEST_F(TamperTest, TileAddedBehindVellumsBack) {
  ExpectCaught("INSERT INTO tiles(level, idx, hashes, inner) VALUES (0, 3, x'deadbeef', x'')", 768,
               "tree hash changed");
  std::string lines;
  for (int i = 0; i < 300; ++i) lines += "more " + std::to_string(i) + "\n";
  ExpectAppendRefused(lines,
                      "tile 0/3 in the file is not the one these entries make: it was written "
                      "behind vellum's back; run 'vellum verify'");
}

TEST_F(TamperTest, UpperTileAddedBehindVellumsBack) {
  ExpectCaught("INSERT INTO tiles(level, idx, hashes, inner) VALUES (2, 0, x'deadbeef', x'')", 600,
               "tree hash changed");
}

// History rewritten whole, entries, tree and head agreeing with each other, is still caught
// by the checkpoints the key signed before: they are kept in the file, and cannot be re-signed
// without the key. So is a checkpoint the key never signed.
TEST_F(TamperTest, HistoryRewrittenAfterACheckpointWasSigned) {
  ASSERT_EQ(Vellum({"checkpoint", db_}).exit_code, 0);
  // A smaller one after it, which the rewrite below leaves true: the largest is the one that
  // catches it.
  ASSERT_EQ(Vellum({"checkpoint", db_, "--size", "100"}).exit_code, 0);
  const std::string rewritten = dir_.File("rewritten.db");
  ASSERT_EQ(Vellum({"init", rewritten, "--origin", "example.com/tamper", "--key", db_ + ".key"})
                .exit_code,
            0);
  std::string lines;
  for (int i = 0; i < kEntries; ++i)
    lines += (i == 321 ? "forged " : "event ") + std::to_string(i) + "\n";
  ASSERT_EQ(Vellum({"append", rewritten, "--stdin"}, lines).exit_code, 0);
  ASSERT_EQ(Vellum({"verify", rewritten}).exit_code, 0);
  auto copy = RunProgram({"sqlite3", rewritten,
                          "ATTACH '" + db_ +
                              "' AS signed; "
                              "INSERT INTO checkpoints SELECT * FROM signed.checkpoints"});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  auto r = Vellum({"verify", rewritten, "--json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("\"problem\": \"checkpoint mismatch\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("signed another root at size 600 than the stored tree has"),
            std::string::npos)
      << r.out;

  auto forge = RunProgram({"sqlite3", db_,
                           "DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET note = "
                           "replace(note, '\n100\n', '\n99\n'), size = 99 WHERE id = 2"});
  ASSERT_EQ(forge.exit_code, 0) << forge.err;
  r = Vellum({"verify", db_});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("the checkpoint recorded as #2 does not verify with the ledger's key"),
            std::string::npos)
      << r.err;
  // Nor is such a note handed out in a receipt.
  r = Vellum({"prove", db_, "--index", "0", "--tlog-proof"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the newest recorded checkpoint is not the ledger's"), std::string::npos)
      << r.err;
}

TEST_F(TamperTest, HeadRootReplaced) {
  auto edit = RunProgram({"sqlite3", db_, "UPDATE head SET root = randomblob(32)"});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  auto r = Vellum({"verify", db_, "--json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("\"problem\": \"head mismatch\""), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vellum
