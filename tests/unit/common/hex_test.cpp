#include "common/hex.hpp"

#include <gtest/gtest.h>

#include <array>

namespace medrtc {
namespace {

TEST(Hex, WritesLowerAndUpperCaseDigits) {
  const std::array<uint8_t, 4> bytes{0x00, 0x9f, 0xa0, 0xff};
  EXPECT_EQ(toHex(bytes), "009fa0ff");
  EXPECT_EQ(toHex(bytes, HexCase::kUpper), "009FA0FF");
  std::string out = "%";
  appendHex(out, 0x2f, HexCase::kUpper);
  EXPECT_EQ(out, "%2F");
}

TEST(Hex, ReadsEitherCaseAndRefusesTheRest) {
  EXPECT_EQ(hexValue('0'), 0);
  EXPECT_EQ(hexValue('9'), 9);
  EXPECT_EQ(hexValue('a'), 10);
  EXPECT_EQ(hexValue('F'), 15);
  for (char c : std::string_view("gG/:@`\0 ", 8)) {
    EXPECT_EQ(hexValue(c), -1) << int(c);
  }
}

}  // namespace
}  // namespace medrtc
