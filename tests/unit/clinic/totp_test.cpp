#include "clinic/totp.hpp"

#include <gtest/gtest.h>

#include <string>

namespace medrtc::clinic {
namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

// RFC 4226 Appendix D: HOTP values for the secret "12345678901234567890", counters 0-9.
TEST(Hotp, Rfc4226AppendixD) {
  auto key = bytes("12345678901234567890");
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t c = 0; c < 10; ++c) {
    EXPECT_EQ(hotp(key, c, 6), expected[c]) << "counter " << c;
  }
}

// RFC 6238 Appendix B, SHA-1 rows (8 digits, X = 30, T0 = 0).
TEST(Totp, Rfc6238AppendixBSha1) {
  auto key = bytes("12345678901234567890");
  TotpParams p;
  p.digits = 8;
  struct Row {
    int64_t time;
    const char* totp;
  };
  for (Row row : {Row{59, "94287082"}, Row{1111111109, "07081804"}, Row{1111111111, "14050471"},
                  Row{1234567890, "89005924"}, Row{2000000000, "69279037"}, Row{20000000000, "65353130"}}) {
    EXPECT_EQ(totpAt(key, row.time, p), row.totp) << "time " << row.time;
  }
}

TEST(Totp, AcceptsOneStepEitherSideAndNoMore) {
  auto key = bytes("12345678901234567890");
  int64_t now = 1'700'000'000;
  std::string current = totpAt(key, now);
  ASSERT_TRUE(verifyTotp(key, current, now));
  EXPECT_EQ(*verifyTotp(key, current, now), now / 30);
  EXPECT_TRUE(verifyTotp(key, totpAt(key, now - 30), now));
  EXPECT_TRUE(verifyTotp(key, totpAt(key, now + 30), now));
  EXPECT_FALSE(verifyTotp(key, totpAt(key, now - 60), now));
  EXPECT_FALSE(verifyTotp(key, totpAt(key, now + 60), now));
  EXPECT_FALSE(verifyTotp(key, "12345", now));
  EXPECT_FALSE(verifyTotp(key, "", now));
}

// RFC 4648 §10 vectors (without padding) and the round trip.
TEST(Base32, Rfc4648Vectors) {
  struct Row {
    const char* in;
    const char* out;
  };
  for (Row r : {Row{"", ""}, Row{"f", "MY"}, Row{"fo", "MZXQ"}, Row{"foo", "MZXW6"}, Row{"foob", "MZXW6YQ"},
                Row{"fooba", "MZXW6YTB"}, Row{"foobar", "MZXW6YTBOI"}}) {
    auto in = bytes(r.in);
    EXPECT_EQ(base32Encode(in), r.out);
    auto back = base32Decode(std::string(r.out) + "======");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, in);
  }
  EXPECT_FALSE(base32Decode("MZ1W"));  // '1' is not in the alphabet
  EXPECT_EQ(*base32Decode("mzxw6ytboi"), bytes("foobar"));
}

TEST(Totp, OtpauthUri) {
  auto secret = newTotpSecret();
  EXPECT_EQ(secret.size(), 20u);
  std::string uri = otpauthUri("Praxis Weber", "weber@example.org", base32Encode(secret));
  EXPECT_EQ(uri.rfind("otpauth://totp/Praxis%20Weber:weber@example.org?secret=", 0), 0u) << uri;
  EXPECT_NE(uri.find("&period=30"), std::string::npos);
}

}  // namespace
}  // namespace medrtc::clinic
