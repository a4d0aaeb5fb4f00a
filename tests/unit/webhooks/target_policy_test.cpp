// Where webhooks may go (SSRF): https, http only to loopback, and no private, loopback or
// link-local target unless the operator allows them.
#include <gtest/gtest.h>

#include "webhooks/target_policy.hpp"

namespace medrtc::webhooks {
namespace {

std::optional<std::string> refusal(std::string_view text, bool allowPrivate = false) {
  std::string error;
  auto url = parseWebhookUrl(text, error);
  EXPECT_TRUE(url) << text << ": " << error;
  return url ? refuseUrl(*url, TargetPolicy{allowPrivate}) : std::optional<std::string>("unparsable");
}

TEST(WebhookTargets, ParsesHostPortAndTarget) {
  std::string error;
  auto url = parseWebhookUrl("HTTPS://EHR.Example.org:8443/hooks/medrtc?x=1", error);
  ASSERT_TRUE(url) << error;
  EXPECT_TRUE(url->https);
  EXPECT_EQ(url->host, "ehr.example.org");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->target, "/hooks/medrtc?x=1");
  url = parseWebhookUrl("http://[::1]:9000", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->target, "/");
}

TEST(WebhookTargets, RefusesMalformedUrls) {
  std::string error;
  for (const char* bad : {"ftp://example.org/", "example.org/hook", "https://user:pw@example.org/", "https:///x",
                          "https://example.org:0/", "https://example.org:70000/", "https://example.org/#frag",
                          "https://exa mple.org/", "https://[::1/"}) {
    EXPECT_FALSE(parseWebhookUrl(bad, error)) << bad;
  }
  EXPECT_FALSE(parseWebhookUrl("https://example.org/" + std::string(kMaxUrlChars, 'a'), error));
}

TEST(WebhookTargets, HttpsIsRequiredExceptToLoopback) {
  EXPECT_FALSE(refusal("https://ehr.example.org/hook"));
  EXPECT_TRUE(refusal("http://ehr.example.org/hook"));
  EXPECT_TRUE(refusal("http://10.0.0.5/hook", true)) << "private is allowed then, plain http still not";
  EXPECT_FALSE(refusal("http://127.0.0.1:9000/hook", true));
  EXPECT_FALSE(refusal("http://localhost:9000/hook", true));
  EXPECT_FALSE(refusal("http://[::1]:9000/hook", true));
}

TEST(WebhookTargets, PrivateLoopbackAndLinkLocalTargetsNeedTheOperatorsConsent) {
  for (const char* url : {"http://127.0.0.1:9000/", "http://localhost/", "https://10.1.2.3/", "https://172.16.0.1/",
                          "https://192.168.1.10/", "https://169.254.169.254/latest/meta-data", "https://[fe80::1]/",
                          "https://[fd00::1]/", "https://[::ffff:127.0.0.1]/", "https://100.64.0.1/",
                          "https://0.0.0.0/", "https://[::]/"}) {
    EXPECT_TRUE(refusal(url)) << url;
    EXPECT_FALSE(refusal(url, true)) << url;
  }
  EXPECT_FALSE(refusal("https://93.184.215.14/"));
  EXPECT_FALSE(refusal("https://[2606:4700::1111]/"));
}

TEST(WebhookTargets, ResolvedAddressesAreCheckedAtDelivery) {
  EXPECT_FALSE(addressAllowed("127.0.0.1", TargetPolicy{}));
  EXPECT_FALSE(addressAllowed("169.254.169.254", TargetPolicy{}));
  EXPECT_FALSE(addressAllowed("::1", TargetPolicy{}));
  EXPECT_TRUE(addressAllowed("93.184.215.14", TargetPolicy{}));
  EXPECT_TRUE(addressAllowed("127.0.0.1", TargetPolicy{true}));
}

}  // namespace
}  // namespace medrtc::webhooks
