#include "webhooks/signature.hpp"

#include <sodium.h>

#include "common/random.hpp"

namespace medrtc::webhooks {

namespace {

std::string base64(const uint8_t* data, size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL sodium counts
  return out;
}

}  // namespace

std::string newSecret() {
  std::vector<uint8_t> key(32);
  fillRandom(key);
  return std::string(kSecretPrefix) + base64(key.data(), key.size());
}

std::optional<std::vector<uint8_t>> secretKey(std::string_view secret) {
  if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return std::nullopt;
  }
  std::string_view b64 = secret.substr(kSecretPrefix.size());
  std::vector<uint8_t> key(b64.size());
  size_t length = 0;
  const char* end = nullptr;
  if (b64.empty() || sodium_base642bin(key.data(), key.size(), b64.data(), b64.size(), nullptr, &length, &end,
                                       sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != b64.data() + b64.size()) {
    return std::nullopt;
  }
  key.resize(length);
  return key;
}

std::optional<std::string> sign(std::string_view secret, std::string_view messageId, int64_t timestamp,
                                std::string_view body) {
  auto key = secretKey(secret);
  if (!key) {
    return std::nullopt;
  }
  std::string content;
  content.reserve(messageId.size() + body.size() + 24);
  content.append(messageId).append(".").append(std::to_string(timestamp)).append(".").append(body);
  // HMAC-SHA256 takes keys of any length (RFC 2104 §2); libsodium's _init form does too.
  crypto_auth_hmacsha256_state state;
  uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&state, key->data(), key->size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const uint8_t*>(content.data()), content.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return "v1," + base64(mac, sizeof mac);
}

}  // namespace medrtc::webhooks
