#include "compliance/sha256.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include "common/hex.hpp"

namespace medrtc::compliance {

Hash sha256(std::span<const uint8_t> data) {
  Hash out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

Hash sha256(std::string_view data) {
  return sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

bool hashFromHex(std::string_view hex, Hash& out) {
  if (hex.size() != 64) {
    return false;
  }
  for (size_t i = 0; i < 32; ++i) {
    int hi = hexValue(hex[2 * i]);
    int lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return false;
    }
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return true;
}

std::string toBase64(std::span<const uint8_t> bytes) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL sodium counts in the length
  return out;
}

bool fromBase64(std::string_view text, std::string& out) {
  out.assign(text.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return false;
  }
  if (end != text.data() + text.size()) {
    return false;  // trailing garbage
  }
  out.resize(len);
  return true;
}

}  // namespace medrtc::compliance
