// Standard Webhooks signatures against the specification's published test vector
// (standard-webhooks reference libraries: secret, msg id, timestamp, body → v1 signature).
#include <gtest/gtest.h>

#include "webhooks/signature.hpp"

namespace medrtc::webhooks {
namespace {

constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kMessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTimestamp = 1614265330;
constexpr const char* kBody = R"({"test": 2432232314})";

TEST(WebhookSignature, MatchesTheStandardWebhooksTestVector) {
  EXPECT_EQ(sign(kSecret, kMessageId, kTimestamp, kBody), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, EveryPartIsSigned) {
  std::string good = *sign(kSecret, kMessageId, kTimestamp, kBody);
  EXPECT_NE(sign(kSecret, "msg_other", kTimestamp, kBody), good);
  EXPECT_NE(sign(kSecret, kMessageId, kTimestamp + 1, kBody), good);
  EXPECT_NE(sign(kSecret, kMessageId, kTimestamp, R"({"test": 2432232315})"), good);
}

TEST(WebhookSignature, RefusesSecretsThatAreNotWhsecBase64) {
  EXPECT_FALSE(sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", kMessageId, kTimestamp, kBody));
  EXPECT_FALSE(sign("whsec_", kMessageId, kTimestamp, kBody));
  EXPECT_FALSE(sign("whsec_not base64!", kMessageId, kTimestamp, kBody));
}

TEST(WebhookSignature, NewSecretsAreWhsecWith32RandomBytes) {
  std::string a = newSecret();
  std::string b = newSecret();
  EXPECT_NE(a, b);
  auto key = secretKey(a);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 32u);
  EXPECT_TRUE(sign(a, kMessageId, kTimestamp, kBody));
}

}  // namespace
}  // namespace medrtc::webhooks
