#pragma once
// Device cookies (issue 10 item 8; OWASP "Slow Down Online Guessing Attacks with Device
// Cookies"): a browser that once completed a sign-in to an account carries
//   medrtc_device=<user id>.<issued>.<nonce>.<mac>
// mac = base64url(HMAC-SHA-256(key, "<user id>.<issued>.<nonce>")), key derived from the
// node's token secret for this purpose only. Ids and numbers only: no personal data. A
// sign-in that brings a valid one for the account it names is not held by that account's
// lock (auth_service.hpp), so strangers guessing cannot lock the owner's browser out.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace medrtc::clinic {

inline constexpr std::string_view kDeviceCookie = "medrtc_device";
// 180 days: long enough that a practitioner's own browser stays known between rotas.
inline constexpr int64_t kDeviceCookieMaxAgeSeconds = 180 * 24 * 3600;

struct DeviceCookie {
  std::string userId;
  int64_t issuedAt = 0;
  std::string nonce;  // names this device in the limiter (one browser, one cookie)
};

class DeviceCookies {
 public:
  // `key`: at least 16 bytes (clinic::deriveKey gives 32); empty: a per-process random key
  // (tests and tools: cookies then die with the process, which only makes devices unknown).
  explicit DeviceCookies(std::span<const uint8_t> key, int64_t maxAgeSeconds = kDeviceCookieMaxAgeSeconds);

  // A fresh cookie value for `userId` (a new nonce each time).
  std::string issue(const std::string& userId, int64_t now) const;
  // The cookie when its MAC checks out and it is neither expired nor issued in the future;
  // nothing for anything else (forged, truncated, another node's key, too old).
  std::optional<DeviceCookie> verify(std::string_view value, int64_t now) const;

  int64_t maxAgeSeconds() const { return maxAge_; }

 private:
  std::string mac(std::string_view signedPart) const;

  std::vector<uint8_t> key_;
  int64_t maxAge_;
};

}  // namespace medrtc::clinic
