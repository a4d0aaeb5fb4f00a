#include "signaling/join_token.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <vector>

namespace medrtc::signaling {
namespace {

std::vector<uint8_t> secret(uint8_t fill) { return std::vector<uint8_t>(kTokenSecretBytes, fill); }

JoinClaims claims() {
  JoinClaims c;
  c.roomId = "r_0123456789abcdef";
  c.identity = "patient-1";
  c.name = "Zyxwvut Patientname";
  c.role = "guest";
  c.canPublish = true;
  c.canSubscribe = false;
  return c;
}

TEST(JoinToken, RoundTripsClaims) {
  ManualClock clock;
  JoinTokenSigner signer(secret(1), clock);
  JoinClaims issued;
  std::string token = signer.issue(claims(), kDefaultTokenTtl, &issued);
  auto verified = signer.verify(token);
  ASSERT_TRUE(verified.ok()) << toString(verified.error());
  EXPECT_EQ(verified->roomId, "r_0123456789abcdef");
  EXPECT_EQ(verified->identity, "patient-1");
  EXPECT_EQ(verified->name, "Zyxwvut Patientname");
  EXPECT_EQ(verified->role, "guest");
  EXPECT_TRUE(verified->canPublish);
  EXPECT_FALSE(verified->canSubscribe);
  EXPECT_EQ(verified->expiresAt - verified->issuedAt, 3600);
  EXPECT_EQ(verified->tokenId, issued.tokenId);
  EXPECT_EQ(token.find('='), std::string::npos);  // unpadded base64url
}

TEST(JoinToken, ExpiresAtExpUsingTheInjectedClock) {
  ManualClock clock;
  JoinTokenSigner signer(secret(1), clock);
  std::string token = signer.issue(claims(), std::chrono::seconds(60));
  clock.advance(std::chrono::seconds(59));
  EXPECT_TRUE(signer.verify(token).ok());
  clock.advance(std::chrono::seconds(1));
  auto r = signer.verify(token);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), TokenError::kExpired);
}

// Clinic tokens carry the state they depend on; only an appointment-bound token may
// outlive its signed exp, and only for a caller that checks the appointment instead.
TEST(JoinToken, AppointmentBoundTokensDeferExpiryOnlyWhenAsked) {
  ManualClock clock;
  JoinTokenSigner signer(secret(1), clock);
  JoinClaims bound = claims();
  bound.appointmentId = "a_0123456789abcdef";
  bound.sessionHash = "ab12";
  std::string token = signer.issue(bound, std::chrono::seconds(60));
  std::string plain = signer.issue(claims(), std::chrono::seconds(60));
  auto verified = signer.verify(token);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->appointmentId, "a_0123456789abcdef");
  EXPECT_EQ(verified->sessionHash, "ab12");
  EXPECT_EQ(signer.verify(plain)->appointmentId, "");
  clock.advance(std::chrono::seconds(61));
  EXPECT_EQ(signer.verify(token).error(), TokenError::kExpired);
  EXPECT_TRUE(signer.verify(token, ExpiryCheck::kDeferToAppointment).ok());
  EXPECT_EQ(signer.verify(plain, ExpiryCheck::kDeferToAppointment).error(), TokenError::kExpired);
}

TEST(JoinToken, TamperedPayloadHasBadSignature) {
  ManualClock clock;
  JoinTokenSigner signer(secret(1), clock);
  std::string token = signer.issue(claims(), kDefaultTokenTtl);
  // Re-encode the payload with another room: the MAC no longer matches.
  size_t dot = token.find('.');
  std::vector<uint8_t> raw;
  ASSERT_TRUE(base64UrlDecode(std::string_view(token).substr(0, dot), raw));
  std::string payload(raw.begin(), raw.end());
  payload.replace(payload.find("r_0123456789abcdef"), 18, "r_ffffffffffffffff");
  std::string forged = base64UrlEncode({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()}) +
                       token.substr(dot);
  auto r = signer.verify(forged);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), TokenError::kBadSignature);

  std::string flipped = token;
  flipped[dot + 3] = flipped[dot + 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(signer.verify(flipped).error(), TokenError::kBadSignature);
}

TEST(JoinToken, OtherSecretHasBadSignature) {
  ManualClock clock;
  JoinTokenSigner a(secret(1), clock);
  JoinTokenSigner b(secret(2), clock);
  EXPECT_EQ(b.verify(a.issue(claims(), kDefaultTokenTtl)).error(), TokenError::kBadSignature);
}

TEST(JoinToken, MalformedTokens) {
  ManualClock clock;
  JoinTokenSigner signer(secret(1), clock);
  for (std::string_view bad : {"", ".", "abc", "abc.", ".abc", "a.b.c", "!!!.???", "eyJ2IjoxfQ.AAAA"}) {
    auto r = signer.verify(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error(), TokenError::kMalformed) << bad;
  }
  EXPECT_EQ(signer.verify(std::string(5000, 'a') + ".b").error(), TokenError::kMalformed);
}

// Signs an arbitrary payload the way JoinTokenSigner does, to test payload validation.
std::string signRaw(const std::vector<uint8_t>& key, std::string_view json) {
  std::string payload = base64UrlEncode({reinterpret_cast<const uint8_t*>(json.data()), json.size()});
  std::vector<uint8_t> mac(crypto_auth_hmacsha256_BYTES);
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  return payload + "." + base64UrlEncode(mac);
}

TEST(JoinToken, SignedButNotAJoinPayloadIsMalformed) {
  ManualClock clock;
  auto key = secret(1);
  JoinTokenSigner signer(key, clock);
  const std::string good =
      R"({"v":1,"room":"r_1","identity":"i","name":"n","role":"guest","grants":{"publish":true,"subscribe":true},"iat":1,"exp":99999999999,"jti":"t_1"})";
  EXPECT_TRUE(signer.verify(signRaw(key, good)).ok());
  for (std::string_view bad : {R"({"v":2})", "[]", "not json", R"({"v":1,"room":"r_1"})",
                               R"({"v":1,"room":"r_1","identity":"i","name":"n","role":"guest","grants":{"publish":"yes","subscribe":true},"iat":1,"exp":99999999999,"jti":"t"})",
                               R"({"v":1,"room":"r_1","identity":"i","name":"n","role":"guest","grants":{"publish":true,"subscribe":true},"iat":1,"exp":"later","jti":"t"})"}) {
    auto r = signer.verify(signRaw(key, bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error(), TokenError::kMalformed) << bad;
  }
}

TEST(JoinToken, RejectsWrongSecretSize) {
  ManualClock clock;
  std::vector<uint8_t> short_(16, 1);
  EXPECT_THROW(JoinTokenSigner(short_, clock), std::invalid_argument);
}

}  // namespace
}  // namespace medrtc::signaling
