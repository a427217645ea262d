#include <gtest/gtest.h>

#include "testing/published_keys.h"
#include "vellum/checkpoint.h"
#include "vellum/merkle.h"

namespace vellum {
namespace {

using testing::kPublishedSkey;
using testing::kPublishedVkey;
const std::string kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const std::string kSigLine =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const std::string kNote = kText + "\n" + kSigLine;

std::vector<VerifierKey> Known() { return {*VerifierKey::Parse(kPublishedVkey)}; }

TEST(SignedNoteTest, PublishedExampleVerifies) {
  auto note = ParseSignedNote(kNote);
  ASSERT_TRUE(note) << note.error().ToString();
  EXPECT_EQ(note->text, kText);
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].key_id, 0xc74f20a3u);
  auto names = VerifyNote(*note, Known());
  ASSERT_TRUE(names) << names.error().ToString();
  EXPECT_EQ(FormatSignedNote(*note), kNote);
}

TEST(SignedNoteTest, SigningThePublishedTextGivesThePublishedSignature) {
  auto signed_note =
      SignNote(kText, *SignerKey::Parse(kPublishedSkey));  // Ed25519 is deterministic
  ASSERT_TRUE(signed_note);
  EXPECT_EQ(*signed_note, kNote);
}

TEST(SignedNoteTest, ChangingAnyByteBreaksIt) {
  // Every byte of the text and of the signature line: changed, the note must not verify
  // (or not even parse).
  for (size_t i = 0; i < kNote.size(); ++i) {
    if (i == kText.size()) continue;  // the blank line's newline: changing it makes a new layout
    std::string bad = kNote;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    auto note = ParseSignedNote(bad);
    if (!note) continue;
    EXPECT_FALSE(VerifyNote(*note, Known())) << "byte " << i << " changed and still verified";
  }
}

// A byte-order mark an editor put before the note is legal text that breaks the signature;
// the failure says it is there.
TEST(SignedNoteTest, ABadSignatureNamesAByteOrderMarkBeforeTheNote) {
  auto note = ParseSignedNote("\xEF\xBB\xBF" + kNote);
  ASSERT_TRUE(note);
  auto v = VerifyNote(*note, Known());
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message().find("does not verify: the note was altered or forged (it starts "
                                     "with a byte-order mark"),
            std::string::npos)
      << v.error().message();
  auto plain = VerifyNote(*ParseSignedNote(kNote), Known());
  EXPECT_TRUE(plain);
}

TEST(SignedNoteTest, WrongKeyNameOrIdIsUnknownAndUnknownAloneFails) {
  std::string renamed =
      kText + "\n\xE2\x80\x94 PaulNeumann " + kSigLine.substr(kSigLine.find(' ', 5) + 1);
  auto note = ParseSignedNote(renamed);
  ASSERT_TRUE(note);
  auto v = VerifyNote(*note, Known());
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message().find("no signature by any"), std::string::npos);
}

TEST(SignedNoteTest, KnownKeyWithBadSignatureRejectsEvenWithAnotherGoodOne) {
  auto other = *SignerKey::Generate("other");
  auto note = *ParseSignedNote(kNote);
  auto good_other = *ParseSignedNote(*SignNote(kText, other));
  note.signatures.push_back(good_other.signatures[0]);
  std::vector<VerifierKey> both = {*VerifierKey::Parse(kPublishedVkey), other.verifier()};
  EXPECT_TRUE(VerifyNote(note, both));
  note.signatures[0].signature[10] ^= 1;
  auto v = VerifyNote(note, both);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message().find("does not verify"), std::string::npos);
  // Signatures by keys nobody asked about are ignored.
  note.signatures.erase(note.signatures.begin());
  EXPECT_TRUE(VerifyNote(note, both));
}

TEST(SignedNoteTest, RejectsMalformedNotesCleanly) {
  const std::string sig = kSigLine;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {kText + sig, "no blank line"},
      {kText + "\n", "signatures must end"},
      {kText + "\n" + sig.substr(0, sig.size() - 1), "signatures must end"},
      {kText + "\n- PeterNeumann AAAAAAAA\n", "em dash"},
      {kText + "\n\xE2\x80\x94PeterNeumann x08go\n", "em dash"},
      {kText + "\n" + sig.substr(0, sig.size() - 1) + " \n", "base64"},
      {kText + "\n\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG!!!\n", "base64"},
      {kText + "\n\xE2\x80\x94 PeterNeumann AAAA\n", "too short"},
      {"bad\xff utf8\n\n" + sig, "UTF-8"},
      {"tab\there\n\n" + sig, "control"},
      {"cr\r\n\n" + sig, "its lines end in CR LF; a signed note's lines end in LF alone"},
      {"lone\rcr\n\n" + sig, "control"},
      {std::string(kMaxNoteSize + 1, 'a'), "1 MiB"},
      {kText + "\n" + sig.substr(0, sig.size() - 1) + "\t\n", "control"},
  };
  for (const auto& [input, why] : cases) {
    auto note = ParseSignedNote(input);
    ASSERT_FALSE(note) << why;
    EXPECT_NE(note.error().message().find(why), std::string::npos)
        << why << " | " << note.error().message();
  }
  std::string many = kText + "\n";
  for (int i = 0; i < 101; ++i) many += sig;
  EXPECT_FALSE(ParseSignedNote(many));
  std::string hundred = kText + "\n";
  for (int i = 0; i < 100; ++i) hundred += sig;
  EXPECT_TRUE(ParseSignedNote(hundred));
  auto long_line = ParseSignedNote(std::string(kMaxNoteLine + 1, 'x') + "\n\n" + sig);
  ASSERT_FALSE(long_line);
  EXPECT_NE(long_line.error().message().find("longer than 8192"), std::string::npos);
  EXPECT_TRUE(ParseSignedNote(std::string(kMaxNoteLine, 'x') + "\n\n" + sig));
}

}  // namespace
}  // namespace vellum
