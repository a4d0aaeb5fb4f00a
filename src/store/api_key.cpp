#include "store/api_key.hpp"

#include <sodium.h>

#include <array>

#include "common/random.hpp"

namespace medrtc::store {

namespace {

void ensureSodium() {
  // sodium_init() is idempotent and thread-safe; it picks the fastest implementations.
  static const bool ready = sodium_init() >= 0;
  (void)ready;
}

std::string toHex(const unsigned char* data, size_t len) {
  std::string out(len * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, len);
  out.pop_back();
  return out;
}

}  // namespace

std::string generateApiKey() {
  ensureSodium();
  std::array<uint8_t, 32> raw{};
  fillRandom(raw);
  std::string b64(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(b64.data(), b64.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  b64.resize(std::char_traits<char>::length(b64.c_str()));
  sodium_memzero(raw.data(), raw.size());
  return "mk_" + b64;
}

std::string hashApiKey(std::string_view key) {
  ensureSodium();
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     nullptr, 0);
  return toHex(digest.data(), digest.size());
}

std::string apiKeyPrefix(std::string_view key) { return std::string(key.substr(0, 7)); }

ApiKeyRecord registerApiKey(Store& store, std::string_view key, const std::string& name, UnixSeconds now,
                            const std::string& tenantId) {
  return store.addApiKey(hashApiKey(key), apiKeyPrefix(key), name, now, tenantId);
}

std::optional<ApiKeyRecord> authenticateApiKey(Store& store, std::string_view key) {
  if (key.empty() || key.size() > 512) {
    return std::nullopt;
  }
  return store.findApiKeyByHash(hashApiKey(key));
}

}  // namespace medrtc::store
