#pragma once
// Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme"):
//   webhook-signature: v1,<base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"))>
// where the key is the base64 after the "whsec_" prefix of the endpoint's secret.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medrtc::webhooks {

inline constexpr std::string_view kSecretPrefix = "whsec_";

// A new endpoint secret: "whsec_" + base64 of 32 random bytes (the spec asks for 24 to 64).
std::string newSecret();
// The HMAC key of a "whsec_<base64>" secret; nullopt when it is not one.
std::optional<std::vector<uint8_t>> secretKey(std::string_view secret);
// The webhook-signature header value ("v1,<base64>") for one attempt; nullopt when the
// secret is malformed.
std::optional<std::string> sign(std::string_view secret, std::string_view messageId, int64_t timestamp,
                                std::string_view body);

}  // namespace medrtc::webhooks
