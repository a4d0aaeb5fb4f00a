#include "clinic/device_cookie.hpp"

#include <sodium.h>

#include <charconv>

#include "clinic/secrets.hpp"

namespace medrtc::clinic {

namespace {

// Cookie values longer than this are not ours (a user id is short): refused before the MAC.
constexpr size_t kMaxValueBytes = 256;
// Clocks of the nodes behind one proxy may differ a little.
constexpr int64_t kFutureSkewSeconds = 300;

bool cookieSafe(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return !s.empty();
}

}  // namespace

DeviceCookies::DeviceCookies(std::span<const uint8_t> key, int64_t maxAgeSeconds)
    : key_(key.begin(), key.end()), maxAge_(maxAgeSeconds) {
  if (key_.size() < 16) {
    key_.resize(crypto_auth_hmacsha256_KEYBYTES);
    randombytes_buf(key_.data(), key_.size());
  }
}

std::string DeviceCookies::mac(std::string_view signedPart) const {
  uint8_t out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key_.data(), key_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const uint8_t*>(signedPart.data()), signedPart.size());
  crypto_auth_hmacsha256_final(&st, out);
  char text[sodium_base64_ENCODED_LEN(sizeof out, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, out, sizeof out, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

std::string DeviceCookies::issue(const std::string& userId, int64_t now) const {
  // User ids are "u_" + hex (store); anything else would break the cookie syntax.
  if (!cookieSafe(userId)) {
    return "";
  }
  std::string nonce = randomToken().substr(0, 22);  // 132 bits
  std::string signedPart = userId + "." + std::to_string(now) + "." + nonce;
  return signedPart + "." + mac(signedPart);
}

std::optional<DeviceCookie> DeviceCookies::verify(std::string_view value, int64_t now) const {
  if (value.empty() || value.size() > kMaxValueBytes) {
    return std::nullopt;
  }
  size_t macDot = value.rfind('.');
  if (macDot == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view signedPart = value.substr(0, macDot);
  if (!secretEquals(mac(signedPart), value.substr(macDot + 1))) {
    return std::nullopt;
  }
  // Signed by this node: the parts are as issue() wrote them.
  size_t nonceDot = signedPart.rfind('.');
  if (nonceDot == std::string_view::npos) {
    return std::nullopt;
  }
  size_t issuedDot = signedPart.rfind('.', nonceDot == 0 ? 0 : nonceDot - 1);
  if (issuedDot == std::string_view::npos || issuedDot >= nonceDot) {
    return std::nullopt;
  }
  DeviceCookie c;
  c.userId = std::string(signedPart.substr(0, issuedDot));
  c.nonce = std::string(signedPart.substr(nonceDot + 1));
  std::string_view issued = signedPart.substr(issuedDot + 1, nonceDot - issuedDot - 1);
  auto [end, ec] = std::from_chars(issued.data(), issued.data() + issued.size(), c.issuedAt);
  if (ec != std::errc() || end != issued.data() + issued.size() || c.userId.empty() || c.nonce.empty()) {
    return std::nullopt;
  }
  if (c.issuedAt > now + kFutureSkewSeconds || now >= c.issuedAt + maxAge_) {
    return std::nullopt;
  }
  return c;
}

}  // namespace medrtc::clinic
