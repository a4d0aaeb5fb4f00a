#include "webhooks/target_policy.hpp"

#include <array>
#include <cctype>
#include <initializer_list>
#include <charconv>

#include "common/ip_prefix.hpp"

namespace medrtc::webhooks {

namespace {

// IANA special-purpose registries (RFC 6890 and successors): what an internet receiver
// never has.
constexpr std::array kPrivatePrefixes{
    "0.0.0.0/8",      "10.0.0.0/8",     "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24",   "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",    "::/128",
    "::1/128",        "fc00::/7",       "fe80::/10",     "ff00::/8",    "64:ff9b:1::/48",
};

bool inAny(std::string_view address, std::initializer_list<const char*> prefixes) {
  for (const char* p : prefixes) {
    if (auto prefix = IpPrefix::parse(p); prefix && prefix->contains(address)) {
      return true;
    }
  }
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool isAddressLiteral(std::string_view host) {
  return host.find('/') == std::string_view::npos && IpPrefix::parse(host).has_value();
}

bool isLoopbackName(std::string_view host) {
  return host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost");
}

}  // namespace

bool isPrivateAddress(std::string_view address) {
  for (const char* p : kPrivatePrefixes) {
    if (auto prefix = IpPrefix::parse(p); prefix && prefix->contains(address)) {
      return true;
    }
  }
  return false;
}

bool isLoopbackAddress(std::string_view address) { return inAny(address, {"127.0.0.0/8", "::1/128"}); }

std::optional<WebhookUrl> parseWebhookUrl(std::string_view text, std::string& error) {
  if (text.size() > kMaxUrlChars) {
    error = "the url is longer than 2048 characters";
    return std::nullopt;
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      error = "the url has spaces or characters outside ASCII";
      return std::nullopt;
    }
  }
  WebhookUrl url;
  std::string_view rest;
  std::string scheme = lower(text.substr(0, text.find("://")));
  if (text.find("://") == std::string_view::npos || (scheme != "https" && scheme != "http")) {
    error = "the url must start with https:// (or http:// to a loopback host)";
    return std::nullopt;
  }
  url.https = scheme == "https";
  rest = text.substr(scheme.size() + 3);
  if (rest.find('#') != std::string_view::npos) {
    error = "the url must not have a fragment";
    return std::nullopt;
  }
  size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.target.front() == '?') {
    url.target.insert(url.target.begin(), '/');
  }
  if (authority.find('@') != std::string_view::npos) {
    error = "the url must not carry user information";
    return std::nullopt;
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "the url's IPv6 address has no closing bracket";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "the url's host is malformed";
        return std::nullopt;
      }
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    error = "the url has no host";
    return std::nullopt;
  }
  url.host = lower(host);
  url.port = url.https ? 443 : 80;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      error = "the url's port is not a number from 1 to 65535";
      return std::nullopt;
    }
    url.port = static_cast<uint16_t>(value);
  }
  return url;
}

std::optional<std::string> refuseUrl(const WebhookUrl& url, const TargetPolicy& policy) {
  bool literal = isAddressLiteral(url.host);
  bool loopback = literal ? isLoopbackAddress(url.host) : isLoopbackName(url.host);
  if (!url.https && !loopback) {
    return "webhooks go over https; http is accepted only to a loopback host";
  }
  if (policy.allowPrivate) {
    return std::nullopt;
  }
  if (loopback || (literal && isPrivateAddress(url.host))) {
    return "the url points to a private, loopback or link-local address; the operator allows those with "
           "[webhooks] allow_private_targets";
  }
  return std::nullopt;
}

bool addressAllowed(std::string_view address, const TargetPolicy& policy) {
  return policy.allowPrivate || !isPrivateAddress(address);
}

}  // namespace medrtc::webhooks
