#include "vellum/witness.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "testing/reference_tree.h"
#include "tests/temp_dir.h"
#include "vellum/ledger.h"

namespace vellum {
namespace {

using merkle::testing::MakeLeaves;
using merkle::testing::ReferenceConsistency;
using merkle::testing::ReferenceInclusion;
using merkle::testing::ReferenceRoot;

// A vector derived from the tlog-cosignature text with an independent implementation (Python's
// `cryptography`): seed 0x01..0x20, the spec's example checkpoint body and time.
constexpr const char* kWitnessSkey =
    "PRIVATE+KEY+witness.example.com/w1+8561c71e+BAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g";
constexpr const char* kWitnessVkey =
    "witness.example.com/w1+8561c71e+BHm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";
constexpr const char* kSpecBody =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr uint64_t kSpecTime = 1679315147;
constexpr const char* kSpecCosignatureLine =
    "\xE2\x80\x94 witness.example.com/w1 "
    "hWHHHgAAAABkGFDLQB2dbiQ7rPMIDjq/twq5Ixt42T+awjiYS4+fxrnLnI31x5abVjZlhDVvZAcRRLyAiG4oQlhTgi4D"
    "sxiPwiDaDg==\n";

TEST(CosignatureTest, MatchesTheVectorDerivedFromTheSpecInBothDirections) {
  auto skey = SignerKey::Parse(kWitnessSkey);
  ASSERT_TRUE(skey) << skey.error().ToString();
  EXPECT_EQ(skey->type(), KeyType::kCosignature);
  EXPECT_EQ(skey->verifier().ToString(), kWitnessVkey);
  EXPECT_EQ(CosignatureMessage(kSpecBody, kSpecTime),
            std::string("cosignature/v1\ntime 1679315147\n") + kSpecBody);

  auto sig = Cosign(*skey, kSpecBody, kSpecTime);
  ASSERT_TRUE(sig) << sig.error().ToString();
  EXPECT_EQ(FormatSignedNote({"", {*sig}}), std::string("\n") + kSpecCosignatureLine);

  auto note = ParseSignedNote(std::string(kSpecBody) + "\n" + kSpecCosignatureLine);
  ASSERT_TRUE(note) << note.error().ToString();
  auto vkey = VerifierKey::Parse(kWitnessVkey);
  ASSERT_TRUE(vkey);
  auto time = VerifyCosignature(*vkey, note->text, note->signatures[0]);
  ASSERT_TRUE(time) << time.error().ToString();
  EXPECT_EQ(*time, kSpecTime);
}

TEST(CosignatureTest, AnyChangeToTheBodyOrTheLineFailsAndTypesDoNotMix) {
  auto vkey = VerifierKey::Parse(kWitnessVkey);
  auto note = ParseSignedNote(std::string(kSpecBody) + "\n" + kSpecCosignatureLine);
  ASSERT_TRUE(vkey && note);
  const NoteSignature sig = note->signatures[0];
  std::string body = kSpecBody;
  for (size_t i = 0; i < body.size(); ++i) {
    std::string changed = body;
    changed[i] ^= 0x01;
    EXPECT_FALSE(VerifyCosignature(*vkey, changed, sig)) << "byte " << i;
  }
  for (size_t i = 0; i < sig.signature.size(); ++i) {
    NoteSignature changed = sig;
    changed.signature[i] ^= 0x80;
    EXPECT_FALSE(VerifyCosignature(*vkey, kSpecBody, changed)) << "byte " << i;
  }
  NoteSignature short_sig = sig;
  short_sig.signature.resize(71);
  EXPECT_FALSE(VerifyCosignature(*vkey, kSpecBody, short_sig));
  // A note key cannot cosign, and note verification ignores cosigner keys.
  auto log_key = SignerKey::Generate("example.com/log");
  ASSERT_TRUE(log_key);
  EXPECT_FALSE(Cosign(*log_key, kSpecBody, kSpecTime));
  const std::vector<VerifierKey> only_cosigner = {*vkey};
  EXPECT_FALSE(VerifyNote(*note, only_cosigner));
  // The same public key as a note key has another key id and type: the line is not its.
  Bytes typed = {0x01};
  typed.insert(typed.end(), vkey->public_key().begin(), vkey->public_key().end());
  char id[9];
  std::snprintf(id, sizeof(id), "%08x", KeyId(vkey->name(), vkey->public_key()));
  auto as_note_key = VerifierKey::Parse(vkey->name() + "+" + id + "+" + Base64Encode(typed));
  ASSERT_TRUE(as_note_key) << as_note_key.error().ToString();
  EXPECT_FALSE(VerifyCosignature(*as_note_key, kSpecBody, sig));
  EXPECT_TRUE(VerifyCosignature(*vkey, kSpecBody, sig));
}

TEST(CosignatureTest, GeneratedCosignerKeysRoundTrip) {
  auto key = SignerKey::Generate("witness.example/w2", KeyType::kCosignature);
  ASSERT_TRUE(key);
  auto again = SignerKey::Parse(key->ToString());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->type(), KeyType::kCosignature);
  auto vkey = VerifierKey::Parse(key->verifier().ToString());
  ASSERT_TRUE(vkey);
  EXPECT_EQ(vkey->type(), KeyType::kCosignature);
  EXPECT_EQ(vkey->key_id(), KeyId("witness.example/w2", vkey->public_key(), KeyType::kCosignature));
  EXPECT_NE(vkey->key_id(), KeyId("witness.example/w2", vkey->public_key()));
}

// Three witnesses, a log, and notes cosigned by any subset of them.
class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = SignerKey::Generate("example.com/log");
    ASSERT_TRUE(log);
    log_ = *log;
    for (const char* name : {"w.example/1", "w.example/2", "w.example/3"}) {
      auto w = SignerKey::Generate(name, KeyType::kCosignature);
      ASSERT_TRUE(w);
      witnesses_.push_back(*w);
    }
  }
  std::string Header() const {
    std::string text = "# a comment\n\nlog " + log_.verifier().ToString() + " https://log\n";
    for (size_t i = 0; i < witnesses_.size(); ++i) {
      text += "  witness\tW" + std::to_string(i + 1) + " " + witnesses_[i].verifier().ToString() +
              "  \n";
    }
    return text;
  }
  // The log's checkpoint of `size` leaves, cosigned by the witnesses whose bits are set.
  std::string Note(unsigned cosigners, uint64_t size = 5) const {
    const auto leaves = MakeLeaves(size);
    const std::string body = CheckpointBody({"example.com/log", size, ReferenceRoot(leaves), {}});
    auto note = ParseSignedNote(*SignNote(body, log_));
    for (size_t i = 0; i < witnesses_.size(); ++i) {
      if (cosigners & (1u << i)) note->signatures.push_back(*Cosign(witnesses_[i], body, 1000));
    }
    return FormatSignedNote(*note);
  }
  SignerKey log_ = *SignerKey::Parse(kWitnessSkey);
  std::vector<SignerKey> witnesses_;
};

TEST_F(PolicyTest, GroupsAndThresholdsDecideTheQuorum) {
  auto policy = Policy::Parse(Header() +
                              "group two 2 W1 W2 W3\n"
                              "group both all two W3\n"
                              "quorum both\n");
  ASSERT_TRUE(policy) << policy.error().ToString();
  EXPECT_EQ(policy->logs().size(), 1u);
  EXPECT_EQ(policy->logs()[0].url, "https://log");
  EXPECT_EQ(policy->witnesses().size(), 3u);
  EXPECT_TRUE(policy->Open(Note(0b111)));
  EXPECT_TRUE(policy->Open(Note(0b101)));
  EXPECT_TRUE(policy->Open(Note(0b110)));
  auto missing = policy->Open(Note(0b011));  // W3 is required by "both"
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("missing cosignatures by W3"), std::string::npos)
      << missing.error().message();
  EXPECT_NE(missing.error().message().find("cosigned by W1, W2"), std::string::npos);
  EXPECT_FALSE(policy->Open(Note(0b100)));
  EXPECT_FALSE(policy->Open(Note(0)));

  auto any = Policy::Parse(Header() + "group g any W1 W2\nquorum g\n");
  ASSERT_TRUE(any);
  EXPECT_TRUE(any->Open(Note(0b010)));
  EXPECT_FALSE(any->Open(Note(0b100)));
  auto single = Policy::Parse(Header() + "quorum W3\n");
  ASSERT_TRUE(single);
  EXPECT_TRUE(single->Open(Note(0b100)));
  EXPECT_FALSE(single->Open(Note(0b011)));
  auto none = Policy::Parse(Header() + "quorum none\n");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->Open(Note(0)));
}

TEST_F(PolicyTest, ABadCosignatureOrAnotherLogFailsTheNote) {
  auto policy = Policy::Parse(Header() + "quorum W1\n");
  ASSERT_TRUE(policy);
  std::string note = Note(0b001);
  // Flip one bit inside the cosignature's base64 (the last line).
  const size_t last = note.rfind(' ') + 10;
  note[last] = note[last] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(policy->Open(note));
  // A checkpoint by a log the policy does not list.
  auto other = SignerKey::Generate("example.com/log");
  const std::string body = CheckpointBody({"example.com/log", 1, ReferenceRoot(MakeLeaves(1)), {}});
  auto parsed = ParseSignedNote(*SignNote(body, *other));
  parsed->signatures.push_back(*Cosign(witnesses_[0], body, 5));
  EXPECT_FALSE(policy->Open(FormatSignedNote(*parsed)));
  // Without log lines, the caller's keys are used.
  auto keyless =
      Policy::Parse("witness W1 " + witnesses_[0].verifier().ToString() + "\nquorum W1\n");
  ASSERT_TRUE(keyless);
  EXPECT_FALSE(keyless->Open(FormatSignedNote(*parsed)));
  const std::vector<VerifierKey> keys = {other->verifier()};
  EXPECT_TRUE(keyless->Open(FormatSignedNote(*parsed), keys));
}

TEST_F(PolicyTest, MalformedPoliciesAreRefusedNamingTheLine) {
  const std::string w1 = witnesses_[0].verifier().ToString();
  const std::string log = log_.verifier().ToString();
  const std::pair<std::string, std::string> cases[] = {
      {"", "no quorum line"},
      {"quorum none\nquorum none\n", "exactly one quorum"},
      {"quorum W1\n", "not defined above"},
      {"group g any W1\nwitness W1 " + w1 + "\nquorum g\n", "not defined above"},
      {"witness W1 " + w1 + "\ngroup g 2 W1\nquorum g\n", "threshold"},
      {"witness W1 " + w1 + "\ngroup g 0 W1\nquorum g\n", "threshold"},
      {"witness W1 " + w1 + "\ngroup g 01 W1\nquorum g\n", "threshold"},
      {"witness W1 " + w1 + "\ngroup g any W1 W1\nquorum g\n", "listed twice"},
      {"witness W1 " + w1 + "\nwitness W1 " + witnesses_[1].verifier().ToString() + "\nquorum W1\n",
       "taken"},
      {"witness W1 " + w1 + "\nwitness W2 " + w1 + "\nquorum W1\n", "duplicate witness"},
      {"witness none " + w1 + "\nquorum none\n", "reserved"},
      {"witness W1 " + log + "\nquorum W1\n", "cosigner key"},
      {"log " + w1 + "\nquorum none\n", "note key"},
      {"log " + log + "\nlog " + log + "\nquorum none\n", "duplicate log"},
      {"witness W1 " + w1 + " url extra\nquorum W1\n", "want: witness"},
      {"witnesses W1\nquorum none\n", "unknown line"},
      {"quorum none\r\n",
       "control character (only tab and newline may appear): the line ends "
       "in CR LF"},
      {"quorum\rnone\n", "control character (only tab and newline may appear)"},
      {"\xEF\xBB\xBFquorum none\n", "starts with a byte-order mark"},
      {"group g any\nquorum none\n", "want: group"},
  };
  for (const auto& [text, why] : cases) {
    auto policy = Policy::Parse(text);
    ASSERT_FALSE(policy) << text;
    EXPECT_NE(policy.error().message().find(why), std::string::npos)
        << text << " -> " << policy.error().message();
    EXPECT_NE(policy.error().message().find("polic"), std::string::npos);
  }
}

TEST_F(PolicyTest, TlogProofsRoundTripAndEveryByteMatters) {
  const auto leaves = MakeLeaves(5);
  TlogProof proof{Bytes{1, 2, 3}, 3, ReferenceInclusion(3, leaves), Note(0b011)};
  const std::string text = FormatTlogProof(proof);
  EXPECT_TRUE(text.starts_with("c2sp.org/tlog-proof@v1\nextra AQID\nindex 3\n")) << text;
  auto parsed = ParseTlogProof(text);
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  EXPECT_EQ(FormatTlogProof(*parsed), text);
  auto policy = Policy::Parse(Header() + "group g 2 W1 W2 W3\nquorum g\n");
  ASSERT_TRUE(policy);
  auto checkpoint = VerifyTlogProof(*parsed, leaves[3], *policy);
  ASSERT_TRUE(checkpoint) << checkpoint.error().ToString();
  EXPECT_EQ(checkpoint->size, 5u);
  EXPECT_FALSE(VerifyTlogProof(*parsed, leaves[2], *policy));
  // Every single-byte change is refused, by the parser or by verification (the extra line is
  // not authenticated, as the spec says, so changes there are skipped).
  const size_t extra_end = text.find("index");
  for (size_t i = 0; i < text.size(); ++i) {
    if (i >= 23 && i < extra_end) continue;
    std::string changed = text;
    changed[i] = static_cast<char>(changed[i] ^ 0x02);
    auto p = ParseTlogProof(changed);
    EXPECT_FALSE(p && VerifyTlogProof(*p, leaves[3], *policy)) << "byte " << i;
  }
  // Without extra, and the index at the last entry.
  TlogProof plain{std::nullopt, 4, ReferenceInclusion(4, leaves), Note(0b111)};
  auto again = ParseTlogProof(FormatTlogProof(plain));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->extra);
  EXPECT_TRUE(VerifyTlogProof(*again, leaves[4], *policy));
  for (const char* bad : {"", "c2sp.org/tlog-proof@v1\n", "c2sp.org/tlog-proof@v1\nindex 01\n\n",
                          "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n"}) {
    EXPECT_FALSE(ParseTlogProof(bad)) << bad;
  }
}

// A witness of one log whose tree grows through `leaves`.
class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = *SignerKey::Generate("example.com/log");
    key_ = *SignerKey::Generate("w.example/witness", KeyType::kCosignature);
    leaves_ = MakeLeaves(40);
    ASSERT_TRUE(Witness::Create(path_));
    Reopen();
  }
  void Reopen() {
    witness_.reset();
    auto w = Witness::Open(path_, key_, {{"example.com/log", log_.verifier()}});
    ASSERT_TRUE(w) << w.error().ToString();
    witness_ = std::move(*w);
  }
  std::string Checkpoint(uint64_t size, const SignerKey* by = nullptr) const {
    const std::span<const Hash> prefix(leaves_.data(), size);
    return *SignNote(CheckpointBody({"example.com/log", size, ReferenceRoot(prefix), {}}),
                     by ? *by : log_);
  }
  std::vector<Hash> Proof(uint64_t old_size, uint64_t size) const {
    if (old_size == 0 || old_size == size) return {};
    return ReferenceConsistency(old_size, std::span<const Hash>(leaves_.data(), size));
  }
  WitnessAnswer Add(uint64_t old_size, uint64_t size) {
    return witness_->AddCheckpoint(
        FormatAddCheckpoint({old_size, Proof(old_size, size), Checkpoint(size)}), 1700000000);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("witness.db");
  SignerKey log_ = *SignerKey::Parse(kWitnessSkey);
  SignerKey key_ = *SignerKey::Parse(kWitnessSkey);
  std::vector<Hash> leaves_;
  std::unique_ptr<Witness> witness_;
};

TEST_F(WitnessTest, CosignsAGrowingLogAndKeepsItsStateAcrossRestarts) {
  WitnessAnswer first = Add(0, 7);
  ASSERT_EQ(first.status, 200) << first.body;
  auto note = ParseSignedNote(Checkpoint(7) + first.body);
  ASSERT_TRUE(note) << first.body;
  ASSERT_EQ(note->signatures.size(), 2u);
  EXPECT_EQ(*VerifyCosignature(key_.verifier(), note->text, note->signatures[1]), 1700000000u);
  EXPECT_EQ(Add(7, 20).status, 200);
  EXPECT_EQ(Add(20, 20).status, 200);  // the same checkpoint again
  Reopen();
  auto logs = witness_->Logs();
  ASSERT_TRUE(logs);
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].size, 20u);
  EXPECT_EQ((*logs)[0].checkpoint, Checkpoint(20));
  WitnessAnswer stale = Add(7, 30);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.content_type, "text/x.tlog.size");
  EXPECT_EQ(stale.body, "20\n");
  EXPECT_EQ(Add(20, 30).status, 200);
}

// A witness whose state file was moved away or deleted under it cosigns nothing: its memory of
// each log (what keeps it from cosigning a fork) would be written where no later run reads it.
TEST_F(WitnessTest, CosignsNothingWhileItsStateFileIsMovedAway) {
  ASSERT_EQ(Add(0, 7).status, 200);
  const std::string away = dir_.File("away.db");
  std::filesystem::rename(path_, away);
  WitnessAnswer refused = Add(7, 20);
  EXPECT_EQ(refused.status, 500);
  EXPECT_NE(refused.body.find("was moved, deleted or replaced"), std::string::npos) << refused.body;
  std::filesystem::rename(away, path_);
  EXPECT_EQ(Add(7, 20).status, 200);
}

TEST_F(WitnessTest, RefusesWithTheSpecsStatusCodesAndKeepsEvidence) {
  ASSERT_EQ(Add(0, 10).status, 200);
  // Rollback: old matches, the checkpoint is smaller.
  EXPECT_EQ(witness_->AddCheckpoint(FormatAddCheckpoint({10, {}, Checkpoint(5)}), 1).status, 400);
  // A fork at the size it holds.
  std::vector<Hash> forked(leaves_.begin(), leaves_.begin() + 10);
  forked[3][0] ^= 1;
  const std::string fork_note =
      *SignNote(CheckpointBody({"example.com/log", 10, ReferenceRoot(forked), {}}), log_);
  EXPECT_EQ(witness_->AddCheckpoint(FormatAddCheckpoint({10, {}, fork_note}), 2).status, 409);
  // A fork further on: its proof cannot verify.
  forked = std::vector<Hash>(leaves_.begin(), leaves_.begin() + 16);
  forked[2][0] ^= 1;
  const std::string later_fork =
      *SignNote(CheckpointBody({"example.com/log", 16, ReferenceRoot(forked), {}}), log_);
  EXPECT_EQ(witness_->AddCheckpoint(FormatAddCheckpoint({10, Proof(10, 16), later_fork}), 3).status,
            422);
  // A proof with a changed hash.
  auto bad_proof = Proof(10, 16);
  bad_proof[0][5] ^= 1;
  EXPECT_EQ(witness_->AddCheckpoint(FormatAddCheckpoint({10, bad_proof, Checkpoint(16)}), 4).status,
            422);
  // Unknown origin, unknown key, malformed.
  auto other_log = SignerKey::Generate("example.com/other");
  EXPECT_EQ(
      witness_
          ->AddCheckpoint(
              FormatAddCheckpoint(
                  {0,
                   {},
                   *SignNote(CheckpointBody({"example.com/other", 0, merkle::EmptyRoot(), {}}),
                             *other_log)}),
              5)
          .status,
      404);
  auto impostor = SignerKey::Generate("example.com/log");
  EXPECT_EQ(
      witness_
          ->AddCheckpoint(FormatAddCheckpoint({10, Proof(10, 16), Checkpoint(16, &*impostor)}), 6)
          .status,
      403);
  for (std::string bad : {std::string(""), std::string("old 010\n\n") + Checkpoint(16),
                          std::string("old 10\n") + Checkpoint(16), std::string("old 10\n\nhi\n"),
                          std::string("old 10\nAAAA\n\n") + Checkpoint(16)}) {
    EXPECT_EQ(witness_->AddCheckpoint(bad, 7).status, 400) << bad;
  }
  std::string too_long = "old 10\n";
  for (int i = 0; i < 64; ++i) too_long += Base64Encode(leaves_[0]) + "\n";
  EXPECT_EQ(witness_->AddCheckpoint(too_long + "\n" + Checkpoint(16), 8).status, 400);

  // Nothing moved; the fork and the bad proofs are kept, newest first.
  auto logs = witness_->Logs();
  ASSERT_TRUE(logs);
  EXPECT_EQ((*logs)[0].size, 10u);
  auto refusals = witness_->Refusals();
  ASSERT_TRUE(refusals);
  ASSERT_EQ(refusals->size(), 3u);
  EXPECT_EQ((*refusals)[2].status, 409);
  EXPECT_NE((*refusals)[2].request.find(fork_note), std::string::npos);
  EXPECT_EQ((*refusals)[0].status, 422);
  EXPECT_EQ(witness_->counts().cosigned, 1u);
  EXPECT_GE(witness_->counts().refused, 12u);
  // The same refused request again is not kept twice.
  EXPECT_EQ(witness_->AddCheckpoint(FormatAddCheckpoint({10, {}, fork_note}), 9).status, 409);
  EXPECT_EQ(witness_->Refusals()->size(), 3u);
  EXPECT_EQ(*witness_->RefusalsKept(), 3u);
  EXPECT_EQ(Add(10, 16).status, 200);
}

TEST_F(WitnessTest, ConcurrentRequestsFromTwoProcessesNeverRollBack) {
  // Two witnesses on one file (as two processes would be), each advancing in its own order.
  auto other = Witness::Open(path_, key_, {{"example.com/log", log_.verifier()}});
  ASSERT_TRUE(other);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    Witness* w = t % 2 ? other->get() : witness_.get();
    threads.emplace_back([&, w, t] {
      for (uint64_t size = 1 + t; size <= 40; size += 4) {
        // Ask from the size the witness holds, as a log that learned it from a 409 would.
        for (int attempt = 0; attempt < 50; ++attempt) {
          WitnessAnswer a = w->AddCheckpoint(FormatAddCheckpoint({0, {}, Checkpoint(size)}), 1);
          if (a.status == 200) ok.fetch_add(1);
          if (a.status != 409) break;
          const uint64_t held = std::stoull(a.body);
          if (held >= size) break;  // already past it: never cosigned smaller
          a = w->AddCheckpoint(FormatAddCheckpoint({held, Proof(held, size), Checkpoint(size)}), 1);
          if (a.status == 200) {
            ok.fetch_add(1);
            break;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(ok.load(), 0);
  auto logs = witness_->Logs();
  ASSERT_TRUE(logs);
  EXPECT_GE((*logs)[0].size, 37u);
  EXPECT_LE((*logs)[0].size, 40u);
  // The file refuses a rollback written around the witness.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "UPDATE witnessed SET size = 1", nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "DELETE FROM witnessed", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
}

TEST(WitnessLogKeyTest, TheOriginIsTheKeysNameOrGivenBeforeAnEqualsSign) {
  auto log = SignerKey::Generate("sum.golang.org");
  ASSERT_TRUE(log);
  const std::string vkey = log->verifier().ToString();
  auto plain = ParseWitnessedLogKey(vkey);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->origin, "sum.golang.org");
  auto named = ParseWitnessedLogKey("go.sum database tree=" + vkey);
  ASSERT_TRUE(named) << named.error().ToString();
  EXPECT_EQ(named->origin, "go.sum database tree");
  EXPECT_EQ(named->key.ToString(), vkey);
  EXPECT_FALSE(ParseWitnessedLogKey("=" + vkey));
  EXPECT_FALSE(ParseWitnessedLogKey("origin=" + std::string(kWitnessVkey)));  // a cosigner key
  EXPECT_FALSE(ParseWitnessedLogKey("origin=nonsense"));
}

TEST_F(WitnessTest, OpeningChecksTheFileAndTheKeys) {
  EXPECT_FALSE(Witness::Create(path_));  // exists
  EXPECT_FALSE(
      Witness::Open(dir_.File("missing.db"), key_, {{"example.com/log", log_.verifier()}}));
  EXPECT_FALSE(
      Witness::Open(path_, log_, {{"example.com/log", log_.verifier()}}));  // a note key cosigning
  EXPECT_FALSE(
      Witness::Open(path_, key_, {{"example.com/log", key_.verifier()}}));  // a cosigner as a log
}

}  // namespace
}  // namespace vellum

namespace vellum {
namespace {

TEST(CosignedCheckpointTest, SigningTheSameTreeAgainKeepsTheCosignedNoteNewest) {
  testing::TempDir dir;
  auto key = SignerKey::Generate("example.com/log");
  auto witness = SignerKey::Generate("w.example/w", KeyType::kCosignature);
  ASSERT_TRUE(key && witness);
  auto ledger = Ledger::Create(
      dir.File("l.db"), {.origin = "example.com/log", .verifier_key = key->verifier().ToString()});
  ASSERT_TRUE(ledger);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*ledger)->Append({.payload = ToBytes("e")}));
  auto note = (*ledger)->SignCheckpoint(*key);
  ASSERT_TRUE(note);
  auto parsed = ParseSignedNote(*note);
  parsed->signatures.push_back(*Cosign(*witness, parsed->text, 7));
  const std::string cosigned = FormatSignedNote(*parsed);
  ASSERT_TRUE((*ledger)->RecordCheckpoint(cosigned));
  EXPECT_EQ(*(*ledger)->SignCheckpoint(*key), *note);   // the same signature, deterministic
  EXPECT_EQ(*(*ledger)->LatestCheckpoint(), cosigned);  // not hidden by it
  ASSERT_TRUE((*ledger)->Append({.payload = ToBytes("f")}));
  auto newer = (*ledger)->SignCheckpoint(*key);
  ASSERT_TRUE(newer);
  EXPECT_EQ(*(*ledger)->LatestCheckpoint(), *newer);
}

}  // namespace
}  // namespace vellum
