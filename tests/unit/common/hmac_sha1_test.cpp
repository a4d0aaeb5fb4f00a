#include "common/hmac_sha1.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/hex.hpp"

namespace medrtc {
namespace {

std::string hexMac(std::string_view key, std::initializer_list<ByteView> parts) {
  return toHex(hmacSha1(key, parts));
}

// RFC 2202 §3 test cases 1, 2 and 6 (a key longer than the block size).
TEST(HmacSha1, MatchesRfc2202Vectors) {
  EXPECT_EQ(hexMac(std::string(20, '\x0b'), {bytesOf("Hi There")}), "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(hexMac("Jefe", {bytesOf("what do ya want for nothing?")}), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hexMac(std::string(80, '\xaa'), {bytesOf("Test Using Larger Than Block-Size Key - Hash Key First")}),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(HmacSha1, PiecesHashLikeTheWholeMessage) {
  EXPECT_EQ(hexMac("Jefe", {bytesOf("what do ya "), bytesOf(""), bytesOf("want for nothing?")}),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(HmacSha1, EmptyKeyIsLegal) {
  // RFC 2104 allows any key length; this is HMAC-SHA1("", "") as OpenSSL and Python compute it.
  EXPECT_EQ(hexMac("", {}), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

TEST(HmacSha1, ConstantTimeComparisonComparesLengthAndBytes) {
  EXPECT_TRUE(equalsConstantTime(bytesOf("abc"), bytesOf("abc")));
  EXPECT_FALSE(equalsConstantTime(bytesOf("abc"), bytesOf("abd")));
  EXPECT_FALSE(equalsConstantTime(bytesOf("abc"), bytesOf("abcd")));
}

}  // namespace
}  // namespace medrtc
