#include "signaling/join_token.hpp"

#include <sodium.h>

#include <array>
#include <boost/json.hpp>
#include <stdexcept>

#include "common/random.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

constexpr size_t kMaxTokenChars = 4096;

int64_t unixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

using Mac = std::array<uint8_t, crypto_auth_hmacsha256_BYTES>;

Mac macOf(std::span<const uint8_t> secret, std::string_view payload) {
  Mac mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, secret.data(), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  sodium_memzero(&st, sizeof st);
  return mac;
}

const json::string* stringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

bool intMember(const json::object& o, std::string_view key, int64_t& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) {
    return false;
  }
  out = v->get_int64();
  return true;
}

Result<JoinClaims, TokenError> decodeClaims(const std::vector<uint8_t>& raw) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 4;
  json::value v = json::parse(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()), ec, {}, options);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) {
    return fail(TokenError::kMalformed);
  }
  int64_t version = 0;
  JoinClaims c;
  const json::string* room = stringMember(*o, "room");
  const json::string* identity = stringMember(*o, "identity");
  const json::string* name = stringMember(*o, "name");
  const json::string* role = stringMember(*o, "role");
  const json::string* jti = stringMember(*o, "jti");
  const json::value* grants = o->if_contains("grants");
  if (!intMember(*o, "v", version) || version != 1 || !room || !identity || !name || !role || !jti || !grants ||
      !grants->is_object() || !intMember(*o, "iat", c.issuedAt) || !intMember(*o, "exp", c.expiresAt)) {
    return fail(TokenError::kMalformed);
  }
  const json::value* publish = grants->get_object().if_contains("publish");
  const json::value* subscribe = grants->get_object().if_contains("subscribe");
  if (!publish || !publish->is_bool() || !subscribe || !subscribe->is_bool()) {
    return fail(TokenError::kMalformed);
  }
  c.roomId = std::string(*room);
  c.identity = std::string(*identity);
  c.name = std::string(*name);
  c.role = std::string(*role);
  c.tokenId = std::string(*jti);
  c.canPublish = publish->get_bool();
  c.canSubscribe = subscribe->get_bool();
  // Optional: absent in integrator tokens and in tokens issued before they existed.
  for (auto [key, out] : {std::pair{"appt", &c.appointmentId}, std::pair{"sid", &c.sessionHash}}) {
    if (const json::value* v = o->if_contains(key)) {
      if (!v->is_string()) {
        return fail(TokenError::kMalformed);
      }
      *out = std::string(v->get_string());
    }
  }
  return c;
}

}  // namespace

const char* toString(TokenError e) {
  switch (e) {
    case TokenError::kMalformed: return "malformed";
    case TokenError::kBadSignature: return "bad_signature";
    case TokenError::kExpired: return "expired";
  }
  return "unknown";
}

std::string base64UrlEncode(std::span<const uint8_t> data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

bool base64UrlDecode(std::string_view text, std::vector<uint8_t>& out) {
  out.resize(text.size() * 3 / 4 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return false;
  }
  out.resize(len);
  return true;
}

JoinTokenSigner::JoinTokenSigner(std::span<const uint8_t> secret, const Clock& clock)
    : secret_(secret.begin(), secret.end()), clock_(clock) {
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium initialisation failed");
  }
  if (secret_.size() != kTokenSecretBytes) {
    throw std::invalid_argument("join token secret must be 32 bytes");
  }
}

std::string JoinTokenSigner::issue(JoinClaims claims, std::chrono::seconds ttl, JoinClaims* issued) const {
  claims.issuedAt = unixSeconds(clock_.wallNow());
  claims.expiresAt = claims.issuedAt + ttl.count();
  claims.tokenId = "t_" + randomHex(8);
  json::object payload{{"v", 1},
                       {"room", claims.roomId},
                       {"identity", claims.identity},
                       {"name", claims.name},
                       {"role", claims.role},
                       {"grants", json::object{{"publish", claims.canPublish}, {"subscribe", claims.canSubscribe}}},
                       {"iat", claims.issuedAt},
                       {"exp", claims.expiresAt},
                       {"jti", claims.tokenId}};
  if (!claims.appointmentId.empty()) {
    payload["appt"] = claims.appointmentId;
  }
  if (!claims.sessionHash.empty()) {
    payload["sid"] = claims.sessionHash;
  }
  std::string text = json::serialize(payload);
  std::string encoded = base64UrlEncode({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  std::string mac = base64UrlEncode(macOf(secret_, encoded));
  if (issued != nullptr) {
    *issued = std::move(claims);
  }
  return encoded + "." + mac;
}

Result<JoinClaims, TokenError> JoinTokenSigner::verify(std::string_view token, ExpiryCheck expiry) const {
  if (token.size() > kMaxTokenChars) {
    return fail(TokenError::kMalformed);
  }
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || token.find('.', dot + 1) != std::string_view::npos) {
    return fail(TokenError::kMalformed);
  }
  std::string_view payload = token.substr(0, dot);
  std::vector<uint8_t> mac;
  if (!base64UrlDecode(token.substr(dot + 1), mac) || mac.size() != crypto_auth_hmacsha256_BYTES) {
    return fail(TokenError::kMalformed);
  }
  // crypto_auth_hmacsha256_verify compares in constant time, so the MAC cannot be
  // guessed byte by byte from response timing.
  Mac expected = macOf(secret_, payload);
  if (sodium_memcmp(expected.data(), mac.data(), expected.size()) != 0) {
    return fail(TokenError::kBadSignature);
  }
  std::vector<uint8_t> raw;
  if (!base64UrlDecode(payload, raw)) {
    return fail(TokenError::kMalformed);
  }
  auto claims = decodeClaims(raw);
  if (!claims) {
    return claims;
  }
  bool deferred = expiry == ExpiryCheck::kDeferToAppointment && !claims->appointmentId.empty();
  if (!deferred && unixSeconds(clock_.wallNow()) >= claims->expiresAt) {
    return fail(TokenError::kExpired);
  }
  return claims;
}

}  // namespace medrtc::signaling
