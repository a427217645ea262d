#include <gtest/gtest.h>

#include "vellum/hash.h"

namespace vellum {
namespace {

TEST(HexTest, RoundTripsEveryByte) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  std::string hex = ToHex(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(*FromHex(hex), all);
  EXPECT_EQ(*FromHex("ABcd"), (Bytes{0xab, 0xcd}));
}

TEST(HexTest, RejectsOddLengthAndBadCharactersNamingThePosition) {
  auto odd = FromHex("abc");
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(odd.error().message().find("odd length"), std::string::npos);
  auto bad = FromHex("00zz");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("position 2"), std::string::npos);
}

TEST(HexTest, HashFromHexNeedsExactly64Characters) {
  EXPECT_FALSE(HashFromHex(std::string(62, 'a')));
  EXPECT_FALSE(HashFromHex(std::string(66, 'a')));
  auto h = HashFromHex(std::string(64, 'f'));
  ASSERT_TRUE(h);
  EXPECT_EQ((*h)[31], 0xff);
}

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(AsBytes("")), "");
  EXPECT_EQ(Base64Encode(AsBytes("f")), "Zg==");
  EXPECT_EQ(Base64Encode(AsBytes("fo")), "Zm8=");
  EXPECT_EQ(Base64Encode(AsBytes("foo")), "Zm9v");
  EXPECT_EQ(Base64Encode(AsBytes("foobar")), "Zm9vYmFy");
}

TEST(Base64Test, DecodesWhatItEncodes) {
  for (size_t n = 0; n < 70; ++n) {
    Bytes data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 37 + n);
    auto back = Base64Decode(Base64Encode(data));
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, data);
  }
}

TEST(Base64Test, RejectsNonCanonicalOrMalformedText) {
  EXPECT_FALSE(Base64Decode("Zg"));        // missing padding
  EXPECT_FALSE(Base64Decode("Zh=="));      // stray bits after the last byte
  EXPECT_FALSE(Base64Decode("Zm9v\n"));    // whitespace
  EXPECT_FALSE(Base64Decode("Zm9 "));      // space
  EXPECT_FALSE(Base64Decode("Z==="));      // too much padding
  EXPECT_FALSE(Base64Decode("Zm=v"));      // padding in the middle
  EXPECT_FALSE(Base64Decode("Zm9v-_=="));  // URL alphabet
}

}  // namespace
}  // namespace vellum
