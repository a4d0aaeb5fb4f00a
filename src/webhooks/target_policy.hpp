#pragma once
// Where webhooks may go (SSRF defence, docs/security.md "Webhooks"). An endpoint URL is
// https, or http only to a loopback host; and neither the URL's host nor any address it
// resolves to at delivery may be private, loopback, link-local, shared (CGNAT), multicast
// or unspecified, unless the operator allows private targets ([webhooks]
// allow_private_targets, --webhook-allow-private-targets: receivers on the LAN, tests on
// loopback). The delivery checks the resolved addresses again, so a name that later
// resolves inside (DNS rebinding) is refused then.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medrtc::webhooks {

struct WebhookUrl {
  bool https = false;
  std::string host;    // lower-case name, or an address literal without brackets
  uint16_t port = 0;
  std::string target;  // path and query, "/" at least
};

struct TargetPolicy {
  bool allowPrivate = false;
};

inline constexpr size_t kMaxUrlChars = 2048;

// Parses http(s)://host[:port][/path][?query]; nullopt for anything else (user info,
// fragments, other schemes, bad ports). `error` says what is wrong.
std::optional<WebhookUrl> parseWebhookUrl(std::string_view text, std::string& error);

// True for loopback, private (RFC 1918, fc00::/7), link-local, CGNAT (100.64/10),
// multicast, unspecified and broadcast addresses (IPv4-mapped IPv6 as the IPv4 it holds).
bool isPrivateAddress(std::string_view address);
bool isLoopbackAddress(std::string_view address);

// Why the policy refuses the URL at creation (nullopt: accepted). A host name is checked
// again, resolved, at each delivery (addressAllowed).
std::optional<std::string> refuseUrl(const WebhookUrl& url, const TargetPolicy& policy);
bool addressAllowed(std::string_view address, const TargetPolicy& policy);

}  // namespace medrtc::webhooks
