#include <gtest/gtest.h>

#include "clinic/password.hpp"
#include "clinic/rate_limiter.hpp"
#include "clinic/rfc3339.hpp"
#include "clinic/secrets.hpp"

namespace medrtc::clinic {
namespace {

TEST(Password, Argon2idHashVerifies) {
  std::string hash = hashPassword("correct horse battery");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verifyPassword(hash, "correct horse battery"));
  EXPECT_FALSE(verifyPassword(hash, "correct horse batter"));
  EXPECT_FALSE(verifyPassword("", "x"));
  EXPECT_FALSE(verifyPassword("not a hash", "x"));
  EXPECT_NE(hashPassword("correct horse battery"), hash);  // fresh salt
}

TEST(FailureLimiter, BlocksAfterMaxFailuresUntilTheWindowPasses) {
  FailureLimiter limiter(5, 900);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(limiter.retryAfter("k", 1000 + i), 0);
    limiter.recordFailure("k", 1000 + i);
  }
  EXPECT_EQ(limiter.retryAfter("k", 1005), 895);  // the first failure leaves at 1900
  EXPECT_EQ(limiter.retryAfter("other", 1005), 0);
  EXPECT_EQ(limiter.retryAfter("k", 1899), 1);
  EXPECT_EQ(limiter.retryAfter("k", 1900), 0);
  limiter.reset("k");
  EXPECT_EQ(limiter.retryAfter("k", 1000), 0);
}

TEST(FailureLimiter, MemoryStaysBounded) {
  FailureLimiter limiter(3, 60, 100);
  for (int i = 0; i < 10'000; ++i) {
    limiter.recordFailure("addr" + std::to_string(i), 5);
  }
  // Only the newest keys are remembered; nothing crashed or grew without bound.
  EXPECT_EQ(limiter.retryAfter("addr9999", 5), 0);
}

TEST(Secrets, TokensCodesAndHashes) {
  std::string t = randomToken();
  EXPECT_EQ(t.size(), 43u);
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_NE(randomToken(), t);
  std::string code = randomDigits(9);
  EXPECT_EQ(code.size(), 9u);
  EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_EQ(hashSecret("x").size(), 64u);
  std::vector<uint8_t> k1(32, 1), k2(32, 2);
  EXPECT_NE(keyedHash(k1, "123456789"), keyedHash(k2, "123456789"));
  EXPECT_EQ(keyedHash(k1, "123456789"), keyedHash(k1, "123456789"));
  EXPECT_TRUE(secretEquals("abc", "abc"));
  EXPECT_FALSE(secretEquals("abc", "abd"));
  EXPECT_FALSE(secretEquals("abc", "ab"));
}

TEST(Rfc3339, ParsesOffsetsAndRefusesJunk) {
  EXPECT_EQ(parseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parseRfc3339("2026-01-31T12:00:00Z"), 1769860800);
  EXPECT_EQ(parseRfc3339("2026-01-31T13:00:00.250+01:00"), 1769860800);
  EXPECT_EQ(parseRfc3339("2026-01-31T07:00:00-05:00"), 1769860800);
  EXPECT_EQ(formatRfc3339(1769860800), "2026-01-31T12:00:00Z");
  for (const char* bad : {"", "2026-01-31", "2026-01-31T12:00:00", "2026-02-30T00:00:00Z", "2026-01-31T24:00:00Z",
                          "2026-01-31T12:00:00Zjunk", "2026-01-31 12:00:00Z", "2026-01-31T12:00:00+0100"}) {
    EXPECT_FALSE(parseRfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace medrtc::clinic
