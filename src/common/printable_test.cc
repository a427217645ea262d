#include "common/printable.h"

#include <gtest/gtest.h>

namespace vellum {
namespace {

TEST(PrintableTest, EscapesTerminalControlsAndKeepsTheRest) {
  EXPECT_EQ(Printable("plain text, é and 日本\n\tnext"), "plain text, é and 日本\n\tnext");
  EXPECT_EQ(Printable("\x1b]0;title\x07\x1b[2J"), "\\x1b]0;title\\x07\\x1b[2J");
  EXPECT_EQ(Printable(std::string_view("a\0b\x7f", 4)), "a\\x00b\\x7f");
  EXPECT_EQ(Printable("\r"), "\\x0d");
  // C1 controls (U+0080..U+009F) as UTF-8: CSI is U+009B.
  EXPECT_EQ(Printable("x\xc2\x9b"
                      "31m"),
            "x\\x9b31m");
  EXPECT_EQ(Printable("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is not a control
  EXPECT_EQ(Printable("\xc2"), "\xc2");          // a cut sequence is left as it is
  EXPECT_EQ(Printable(""), "");
}

TEST(PrintableTest, EscapesTheControlsThatReorderText) {
  // U+202E (right-to-left override) would show "gnp.exe" as "exe.png".
  EXPECT_EQ(Printable("photo \xe2\x80\xae"
                      "gnp.exe"),
            "photo \\u202egnp.exe");
  EXPECT_EQ(Printable("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9"), "\\u202a\\u2066\\u2069");
  // Their neighbours, and the marks right-to-left text uses (U+200F), are kept.
  EXPECT_EQ(Printable("\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xe2\x80\x8f"),
            "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xe2\x80\x8f");
  EXPECT_EQ(Printable("\xe2\x80"), "\xe2\x80");  // cut: left as it is
}

}  // namespace
}  // namespace vellum
