#include "common/result.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/random.hpp"

namespace medrtc {
namespace {

enum class ParseError { kTooShort, kBadVersion };

Result<int, ParseError> parseDigit(char c) {
  if (c < '0' || c > '9') {
    return fail(ParseError::kBadVersion);
  }
  return c - '0';
}

TEST(Result, CarriesValueOrNamedError) {
  auto good = parseDigit('7');
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  auto bad = parseDigit('x');
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), ParseError::kBadVersion);
}

TEST(Random, IceStringsUseIceCharsAndDiffer) {
  std::string a = randomIceString(24);
  std::string b = randomIceString(24);
  EXPECT_EQ(a.size(), 24u);
  EXPECT_NE(a, b);
  for (char c : a) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/');
  }
  EXPECT_EQ(randomHex(8).size(), 16u);
}

}  // namespace
}  // namespace medrtc
