#include "clinic/secrets.hpp"

#include <sodium.h>

#include <stdexcept>

#include "common/random.hpp"

namespace medrtc::clinic {

namespace {

std::string hex(const uint8_t* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

}  // namespace

std::string randomToken() {
  uint8_t bytes[32];
  fillRandom(bytes);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string randomDigits(size_t digits) {
  std::string out;
  while (out.size() < digits) {
    // 250 = 25 * 10: bytes at or above it are redrawn so every digit is equally likely.
    uint8_t b = 0;
    fillRandom(std::span<uint8_t>(&b, 1));
    if (b < 250) {
      out += static_cast<char>('0' + b % 10);
    }
  }
  return out;
}

std::string hashSecret(std::string_view secret) {
  uint8_t out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const uint8_t*>(secret.data()), secret.size(), nullptr, 0);
  return hex(out, sizeof out);
}

std::string keyedHash(std::span<const uint8_t> key, std::string_view secret) {
  if (key.size() < crypto_generichash_KEYBYTES_MIN || key.size() > crypto_generichash_KEYBYTES_MAX) {
    throw std::invalid_argument("keyedHash: key of 16 to 64 bytes required");
  }
  uint8_t out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const uint8_t*>(secret.data()), secret.size(), key.data(),
                     key.size());
  return hex(out, sizeof out);
}

std::vector<uint8_t> deriveKey(std::span<const uint8_t> master, std::string_view purpose) {
  std::vector<uint8_t> out(32);
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const uint8_t*>(purpose.data()), purpose.size(),
                     master.data(), master.size());
  return out;
}

bool secretEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace medrtc::clinic
